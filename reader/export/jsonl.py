"""reader's own JSONL: one Prodigy-style task per article, with tokens, spans and hashes.

Each line is what `prodigy db-in` takes as it is (its `answer` says whether the article is
reviewed to the end, see `answer`), and what spaCy's `Doc.char_span` accepts
with the exported tokens (`Doc(vocab, words=[t["text"]...], spaces=[t["ws"]...])` gives the
article text back exactly). `token_end` is inclusive, as Prodigy counts.

The hashes follow Prodigy's construction, computed here (Prodigy keeps hashes a task
already has, so these are the ones it stores):

- `_input_hash` = murmurhash `hash(json.dumps({"text": text}, sort_keys=True))`
- `_task_hash`  = murmurhash `hash(str(_input_hash) + json.dumps({"spans": [{"end", "label",
  "start"} for each span in text order]}, sort_keys=True))`

where `hash` is `murmurhash.mrmr.hash` (MurmurHash3, 32-bit, signed, seed 0, over the UTF-8
bytes) and `json.dumps` uses Python's defaults (ASCII escapes, ", " and ": " separators).

A line is `json.dumps(task(document), ensure_ascii=False)`, but is not made that way: a dict
per token costs more than everything else in an export together. `JSONLWriter.line` writes
the same bytes from the tokens' offsets, with the pieces between token texts (`", "start":
9, "end": `) looked up rather than formatted, and all the token texts escaped in one call.
"""

from __future__ import annotations

import io
import json
from bisect import bisect_left
from json.encoder import encode_basestring, encode_basestring_ascii
from operator import itemgetter
from typing import IO, Any

from murmurhash.mrmr import hash as murmurhash

from reader.export.document import ExportDocument, ExportSpan
from reader.export.selection import ExportOptions

# In an article shorter than this, offsets and token ids are written from pieces made once
# per export (three for each offset, some 200 bytes together: at most about 3 MiB); a longer
# article's are formatted one by one.
_CACHED = 1 << 14
# What follows a token's `ws` value: the end of the token, and the start of the next one;
# by `ws`, and by what follows the token (6: one space, see `WholeTokens.after`).
_AFTER_WS = (b'false}, {"text": "', b'true}, {"text": "')
_AFTER_CODE = (_AFTER_WS[0],) * 6 + (_AFTER_WS[1], _AFTER_WS[0], _AFTER_WS[0])
_LAST = {_AFTER_WS[0]: b"false}]", _AFTER_WS[1]: b"true}]"}
# The end of a line, by whether the article is complete (see `answer`).
_ANSWER = {True: b'], "answer": "accept"}\n', False: b'], "answer": "ignore"}\n'}


def answer(document: ExportDocument) -> str:
    """The task's Prodigy answer: "accept" for a done article, whose spans are all its entities;
    "ignore" for the rest, so that training in Prodigy leaves out what is ignored or not yet
    reviewed to the end (`meta.status` says which; reader's import takes them back)."""
    return "accept" if document.complete else "ignore"


def input_hash(text: str) -> int:
    """The task's `_input_hash`: what identifies the text whatever its annotations."""
    # json.dumps({"text": text}, sort_keys=True), without a dict and an encoder to make it.
    return murmurhash('{"text": ' + encode_basestring_ascii(text) + "}")


def task_hash(input_hash: int, spans: list[ExportSpan]) -> int:
    """The task's `_task_hash`: the input hash combined with the spans' offsets and labels."""
    # json.dumps({"spans": [{"start", "end", "label"}, ...]}, sort_keys=True), written out.
    data = ", ".join(
        f'{{"end": {s.end}, "label": {encode_basestring_ascii(s.label)}, "start": {s.start}}}'
        for s in spans
    )
    return murmurhash(f'{input_hash}{{"spans": [{data}]}}')


def task(document: ExportDocument) -> dict[str, Any]:
    """One article as a Prodigy task."""
    text = document.text
    spans = []
    for span in document.spans:
        first, last = document.token_range(span)
        spans.append(
            {
                "start": span.start,
                "end": span.end,
                "label": span.label,
                "text": text[span.start : span.end],
                "token_start": first,
                "token_end": last,
                "source": span.source,
            }
        )
    tokens = [
        {"text": text[t.start : t.end], "start": t.start, "end": t.end, "id": i, "ws": t.ws}
        for i, t in enumerate(document.tokens)
    ]
    hashed = input_hash(text)
    return {
        "text": text,
        "meta": document.meta(),
        "_input_hash": hashed,
        "_task_hash": task_hash(hashed, document.spans),
        "tokens": tokens,
        "spans": spans,
        "answer": answer(document),
    }


def _pick(table: list[bytes] | tuple[bytes, ...], keys: list[int] | list[bool]) -> Any:
    """`[table[key] for key in keys]`, in one C call (`keys` holds two keys at least)."""
    return itemgetter(*keys)(table)


class _TokenPieces:
    """The bytes between token texts in a line, made once per export for each offset and id."""

    def __init__(self) -> None:
        self.starts: list[bytes] = []  # ", "start": 9, "end":
        self.ends: list[bytes] = []  # 14, "id":
        self.ids: list[bytes] = []  # 2, "ws":

    def of(self, starts: list[int], ends: list[int], length: int) -> tuple[Any, Any, Any]:
        """The start, end and id pieces of every token of a text of `length` characters."""
        if length >= _CACHED:
            return (
                [b'", "start": %d, "end": ' % n for n in starts],
                [b'%d, "id": ' % n for n in ends],
                [b'%d, "ws": ' % n for n in range(len(starts))],
            )
        known = len(self.starts)
        if known <= length:
            grown = range(known, length + 1)
            self.starts += [b'", "start": %d, "end": ' % n for n in grown]
            self.ends += [b'%d, "id": ' % n for n in grown]
            self.ids += [b'%d, "ws": ' % n for n in grown]
        return _pick(self.starts, starts), _pick(self.ends, ends), self.ids[: len(starts)]


class JSONLWriter:
    """Writes one task per line, to a text stream or (as UTF-8) to a binary one."""

    def __init__(self, stream: IO[Any]) -> None:
        self.stream = stream
        self.binary = isinstance(stream, (io.BufferedIOBase, io.RawIOBase))
        self._pieces = _TokenPieces()

    def write(self, document: ExportDocument) -> list[str]:
        """Write one article's line."""
        if self.binary:
            self.stream.write(self.line(document))
        else:
            # A text stream gets the characters a dict through json.dumps would give it,
            # lone surrogates included.
            self.stream.write(self.line(document, "surrogatepass").decode("utf-8", "surrogatepass"))
        return []

    def line(self, document: ExportDocument, errors: str = "strict") -> bytes:
        """One article's line, newline included: `json.dumps(task(document), ensure_ascii=False)`
        encoded as UTF-8 (with `errors`)."""
        text = document.text
        hashed = input_hash(text)
        head = json.dumps(
            {
                "text": text,
                "meta": document.meta(),
                "_input_hash": hashed,
                "_task_hash": task_hash(hashed, document.spans),
            },
            ensure_ascii=False,
        )
        spans = []
        starts, ends = document.token_edges
        for span in document.spans:
            first, last = bisect_left(starts, span.start), bisect_left(ends, span.end)
            spans.append(
                f'{{"start": {span.start}, "end": {span.end}, '
                f'"label": {encode_basestring(span.label)}, '
                f'"text": {encode_basestring(text[span.start : span.end])}, '
                f'"token_start": {first}, "token_end": {last}, '
                f'"source": {encode_basestring(span.source)}}}'
            )
        return b"".join(
            [
                head[:-1].encode("utf-8", errors),
                b', "tokens": ',
                self._tokens(document, errors),
                b', "spans": [',
                ", ".join(spans).encode("utf-8", errors),
                _ANSWER[document.complete],
            ]
        )

    def _tokens(self, document: ExportDocument, errors: str) -> bytes:
        """The JSON array of the tokens."""
        text = document.text
        whole = document.whole
        if whole is not None and whole.plain:
            # All the texts escaped at once, then cut apart at the white space: JSON escapes
            # a newline, so it is made a space first.
            marked = encode_basestring(whole.marked.replace("\n", " "))
            escaped = marked.encode("utf-8", errors)[1:-1].split()
            if len(escaped) + len(whole.spaces) == len(whole.starts):
                for at, start, end in whole.spaces:
                    space = encode_basestring(text[start:end])[1:-1]
                    escaped.insert(at, space.encode("utf-8", errors))
                after = _pick(_AFTER_CODE, whole.after)
                return self._array(escaped, whole.starts, whole.ends, after, len(text))
        columns = document.columns
        count = len(columns.starts)
        if count < 2:
            return json.dumps(
                [
                    {"text": t, "start": s, "end": e, "id": i, "ws": w}
                    for i, (t, s, e, w) in enumerate(zip(*columns, strict=True))
                ],
                ensure_ascii=False,
            ).encode("utf-8", errors)
        # As above; only a token of white space can hold a space (a double space does): then
        # cut them apart where a JSON list of them has '", "', which no token holds (one of
        # white space holds no comma).
        texts = encode_basestring(" ".join(columns.texts)).encode("utf-8", errors)
        escaped = texts[1:-1].split(b" ")
        if len(escaped) != count:
            texts = json.dumps(columns.texts, ensure_ascii=False).encode("utf-8", errors)
            escaped = texts[2:-2].split(b'", "')
        if len(escaped) != count:
            escaped = [encode_basestring(t)[1:-1].encode("utf-8", errors) for t in columns.texts]
        after = _pick(_AFTER_WS, columns.ws)
        return self._array(escaped, columns.starts, columns.ends, after, len(text))

    def _array(
        self, escaped: list[bytes], starts: list[int], ends: list[int], after: Any, length: int
    ) -> bytes:
        """The JSON array of (two or more) tokens from their escaped texts, offsets, and what
        follows each one's `"ws": `."""
        count = len(starts)
        items = [b""] * (5 * count + 1)
        items[0] = b'[{"text": "'
        items[1::5] = escaped
        items[2::5], items[3::5], items[4::5] = self._pieces.of(starts, ends, length)
        items[5::5] = after
        items[-1] = _LAST[items[-1]]
        return b"".join(items)

    def finish(self) -> None:
        """Nothing follows the last line."""


def open_writer(stream: IO[Any], options: ExportOptions) -> JSONLWriter:
    """A JSONL writer to a text stream, or to a binary one (which gets UTF-8)."""
    return JSONLWriter(stream)
