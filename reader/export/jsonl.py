"""reader's own JSONL: one Prodigy-style task per article, with tokens, spans and hashes.

Each line is what `prodigy db-in` takes as it is, and what spaCy's `Doc.char_span` accepts
with the exported tokens (`Doc(vocab, words=[t["text"]...], spaces=[t["ws"]...])` gives the
article text back exactly). `token_end` is inclusive, as Prodigy counts.

The hashes follow Prodigy's construction, computed here (Prodigy keeps hashes a task
already has, so these are the ones it stores):

- `_input_hash` = murmurhash `hash(json.dumps({"text": text}, sort_keys=True))`
- `_task_hash`  = murmurhash `hash(str(_input_hash) + json.dumps({"spans": [{"end", "label",
  "start"} for each span in text order]}, sort_keys=True))`

where `hash` is `murmurhash.mrmr.hash` (MurmurHash3, 32-bit, signed, seed 0, over the UTF-8
bytes) and `json.dumps` uses Python's defaults (ASCII escapes, ", " and ": " separators).
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from murmurhash.mrmr import hash as murmurhash

from reader.export.document import ExportDocument, ExportSpan


def input_hash(text: str) -> int:
    """The task's `_input_hash`: what identifies the text whatever its annotations."""
    return murmurhash(json.dumps({"text": text}, sort_keys=True))


def task_hash(input_hash: int, spans: list[ExportSpan]) -> int:
    """The task's `_task_hash`: the input hash combined with the spans' offsets and labels."""
    data = {"spans": [{"start": s.start, "end": s.end, "label": s.label} for s in spans]}
    return murmurhash(str(input_hash) + json.dumps(data, sort_keys=True))


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
        "answer": "accept",
    }


class JSONLWriter:
    """Writes one task per line."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, document: ExportDocument) -> list[str]:
        """Write one article's line."""
        self.stream.write(json.dumps(task(document), ensure_ascii=False) + "\n")
        return []

    def finish(self) -> None:
        """Nothing follows the last line."""


def open_writer(stream: TextIO) -> JSONLWriter:
    """A JSONL writer to a text stream."""
    return JSONLWriter(stream)
