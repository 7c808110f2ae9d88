"""Export's tokens: one reference rule (`reference_tokens`), and the fast ways checked against it.

`whole_tokens` cuts the usual article (every span on the analysis's tokens, white space only
between them) without an object per token, and `JSONLWriter.line` writes a task without a
dict per token. One property test gives both any text, tokens and spans, and checks that
they give what the reference gives (the tokens; `json.dumps` of the task made with the
reference's tokens, byte for byte), and that the fast way gives up only when it must.
"""

from __future__ import annotations

import io
import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.article import Analysis, Article
from reader.export import document as document_module
from reader.export import jsonl
from reader.export.document import ExportDocument, ExportSpan
from reader.export.tokens import TokenColumns, reference_tokens, whole_tokens
from reader.text import article_id, word_spans

# Texts that stress the cutting: paragraph breaks, double and trailing spaces, leading white
# space, white space other than a space (tab, NBSP, a thin space beyond latin-1), characters
# JSON escapes, and characters beyond the BMP.
TEXTS = [
    "Apple bought Beats in New York for $3 billion.\n\nTim Cook said the deal closed.",
    "Two  spaces here,   three there.\n\n\nAnd a trailing space \n",
    '  Leading white space, then "quotes" and a back\\slash.',
    "Tabs\tand\u00a0no-break spaces, a thin\u2009space, a next-line\u0085char.",
    "Zoë’s café — “quoted” text with 🎉 emoji and 漢字.\n\nSecond paragraph ends here. ",
    "One",
    "x y",
]


def article_for(text: str, flat: list[int] | None = None) -> Article:
    """An article with word tokens (or the given flat list) as its analysis."""
    if flat is None:
        flat = [b for start, end in word_spans(text) for b in (start, end)]
    analysis = Analysis("test_model", "0", [], [], flat)
    return Article(id=article_id(text), text=text, source="t.txt", title="T", analysis=analysis)


def general_line(document: ExportDocument) -> str:
    """The line as a dict through json.dumps makes it, with the reference's tokens."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(document_module, "whole_tokens", lambda *_: None)
        reference = ExportDocument(document.article, document.spans, document.status)
        return json.dumps(jsonl.task(reference), ensure_ascii=False) + "\n"


def spans_in(text: str) -> list[list[ExportSpan]]:
    """Span sets over a text: none, every word, and spans cut inside words and white space."""
    words = word_spans(text)
    n = len(text)
    inside = [ExportSpan(1, min(n, 3), "CUT")] if n > 2 else []
    return [
        [],
        [ExportSpan(s, e, "W", "model" if i % 2 else "manual") for i, (s, e) in enumerate(words)],
        [ExportSpan(words[0][0], words[-1][1], "ALL"), *inside],
        [ExportSpan(0, n, 'É"L\\', "prediction")],
    ]


@pytest.mark.parametrize("text", TEXTS)
def test_jsonl_lines_are_the_same_as_json_dumps_of_the_task(text: str) -> None:
    writer = jsonl.JSONLWriter(io.BytesIO())
    for spans in spans_in(text):
        document = ExportDocument(article_for(text), spans)
        line = writer.line(document)
        assert line.decode("utf-8") == general_line(document), spans
        assert json.loads(line)["text"] == text


def test_the_usual_article_takes_the_fast_way() -> None:
    for text in (TEXTS[0], TEXTS[1], TEXTS[4]):
        article = article_for(text)
        spans = [ExportSpan(s, e, "W") for s, e in word_spans(text)]
        whole = whole_tokens(text, article.analysis.tokens, spans)
        assert whole is not None and whole.plain
        columns = whole.columns(text)
        assert columns == TokenColumns.of(text, reference_tokens(text, word_spans(text), spans))
        assert ExportDocument(article, spans).columns == columns
    # A span cut inside a token, or white space inside a token, takes the general way.
    text = TEXTS[0]
    flat = article_for(text).analysis.tokens
    assert whole_tokens(text, flat, [ExportSpan(1, 3, "CUT")]) is None
    assert whole_tokens(text, [0, 12, *flat[4:]], []) is None  # "Apple bought"
    assert whole_tokens(TEXTS[3], article_for(TEXTS[3]).analysis.tokens) is None  # \u2009


def token_lists(text: str) -> st.SearchStrategy[list[int]]:
    """Flat token lists over `text`: word tokens, word tokens spoiled one way or another
    (split, merged, widened, emptied, repeated, swapped), and anything at all."""
    n = len(text)
    words = word_spans(text)

    @st.composite
    def spoiled(draw: st.DrawFn) -> list[int]:
        pairs = list(words)
        for _ in range(draw(st.integers(1, 3))):
            if not pairs:
                break
            i = draw(st.integers(0, len(pairs) - 1))
            s, e = pairs[i]
            how = draw(st.sampled_from(["split", "merge", "wider", "empty", "twice", "swap"]))
            if how == "split" and e - s > 1:
                cut = draw(st.integers(s + 1, e - 1))
                pairs[i : i + 1] = [(s, cut), (cut, e)]
            elif how == "merge" and i + 1 < len(pairs):
                pairs[i : i + 2] = [(s, pairs[i + 1][1])]
            elif how == "wider":
                pairs[i] = (
                    max(0, s - draw(st.integers(0, 1))),
                    min(n, e + draw(st.integers(0, 1))),
                )
            elif how == "empty":
                pairs.insert(i, (s, s))
            elif how == "twice":
                pairs.insert(i, (s, e))
            elif how == "swap" and i + 1 < len(pairs):
                pairs[i], pairs[i + 1] = pairs[i + 1], pairs[i]
        return [b for pair in pairs for b in pair]

    anything = st.lists(st.integers(-1, n + 1), max_size=12)
    return st.one_of(st.just([b for pair in words for b in pair]), spoiled(), anything)


def usual(text: str, bounds: list[tuple[int, int]], spans: list[ExportSpan]) -> bool:
    """The usual case, said the slow and obvious way: two tokens or more, in order, none
    empty nor overlapping, no white space in them and nothing else between them, no white
    space beyond latin-1, and every span on the tokens."""
    n = len(text)
    if len(bounds) < 2 or any(not (0 <= s < e <= n) for s, e in bounds):
        return False
    if any(e > s for (_, e), (s, _) in zip(bounds, bounds[1:], strict=False)):
        return False
    edges = [0, *(b for pair in bounds for b in pair), n]
    gaps = [text[e:s] for e, s in zip(edges[0::2], edges[1::2], strict=True)]
    if any(g and not g.isspace() for g in gaps):
        return False
    if any(not text[s:e].strip() or len(text[s:e].split()) != 1 or text[s:e].strip() != text[s:e] for s, e in bounds):
        return False
    if re.search("[\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]", text):
        return False
    return {s.start for s in spans} <= {s for s, _ in bounds} and {s.end for s in spans} <= {
        e for _, e in bounds
    }


@settings(max_examples=500, deadline=None)
@given(data=st.data())
def test_the_fast_ways_follow_the_reference(data: st.DataObject) -> None:
    alphabet = st.sampled_from(list("ab.,'\"\\é’🎉 \n\t\u00a0\u2009\u0085\u3000") + ["  ", "\n\n"])
    text = "".join(data.draw(st.lists(alphabet, min_size=1, max_size=30)))
    n = len(text)
    flat = data.draw(token_lists(text))
    position = st.integers(0, n)
    pairs = data.draw(st.lists(st.tuples(position, position), max_size=4))
    spans = [ExportSpan(min(a, b), max(a, b), "X") for a, b in pairs if a != b]
    if data.draw(st.booleans()):  # spans on the tokens, the usual case
        pairs = list(zip(flat[0::2], flat[1::2], strict=False))
        spans = [ExportSpan(s, e, "X") for s, e in pairs if 0 <= s < e <= n]
    whole = whole_tokens(text, flat, spans)
    columns = whole.columns(text) if whole else None
    if len(flat) % 2:
        assert columns is None
        return
    bounds = list(zip(flat[0::2], flat[1::2], strict=True))
    if not all(0 <= s < e <= n for s, e in bounds):
        assert columns is None
        return
    reference = reference_tokens(text, bounds, spans)
    # The reference: the tokens give the text back, hold no white space but as a token of
    # their own, and every span is a whole number of them.
    assert "".join(text[t.start : t.end] + (" " if t.ws else "") for t in reference) == text
    for t in reference:
        piece = text[t.start : t.end]
        assert piece and (piece.isspace() or not any(c.isspace() for c in piece))
        assert not t.ws or (text[t.end] == " " and not piece.isspace())
    starts, ends = {t.start for t in reference}, {t.end for t in reference}
    assert all(s.start in starts and s.end in ends for s in spans)
    # The fast way gives the same tokens, and gives up only when it must.
    if columns is not None:
        assert columns == TokenColumns.of(text, reference)
    assert (columns is not None) == usual(text, bounds, spans)
    # Whichever way, the JSONL line is json.dumps of the task with the reference's tokens.
    for status in ("done", "in_progress"):
        document = ExportDocument(article_for(text, flat), spans, status)
        line = jsonl.JSONLWriter(io.BytesIO()).line(document)
        assert line.decode("utf-8") == general_line(document)


def test_hashes_escape_labels_as_json_dumps_does() -> None:
    from murmurhash.mrmr import hash as murmurhash

    text = 'Ünïcode "quoted" text'
    spans = [ExportSpan(0, 7, "ÉTIQUETTE"), ExportSpan(9, 15, 'QU"OTE\\')]
    hashed = jsonl.input_hash(text)
    assert hashed == murmurhash(json.dumps({"text": text}, sort_keys=True))
    data = {"spans": [{"start": s.start, "end": s.end, "label": s.label} for s in spans]}
    assert jsonl.task_hash(hashed, spans) == murmurhash(
        str(hashed) + json.dumps(data, sort_keys=True)
    )
    assert jsonl.task_hash(hashed, []) == murmurhash(str(hashed) + '{"spans": []}')


def test_token_columns_give_the_same_tokens() -> None:
    text = TEXTS[1]
    spans = [ExportSpan(0, 3, "X")]
    tokens = reference_tokens(text, word_spans(text), spans)
    columns = TokenColumns.of(text, tokens)
    assert columns.tokens() == tokens
    assert columns.texts == [text[t.start : t.end] for t in tokens]
    article = Article(id=article_id(text), text=text, source="t", analysis=None)
    document = ExportDocument(article, spans)  # no analysis: word tokens, the general way
    assert document.columns == columns and document.tokens == tokens
    assert document.token_range(spans[0]) == (0, 0)
