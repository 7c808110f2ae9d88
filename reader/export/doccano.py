"""doccano's sequence-labelling JSONL: `{"text", "label": [[start, end, "LABEL"], ...]}`.

doccano keeps any other key as the example's metadata, so "meta" carries the article id
and title. Spans may overlap (doccano shows them if the project allows it); their source
is not kept, as doccano has nowhere to put it.
"""

from __future__ import annotations

import json
from typing import TextIO

from reader.export.document import ExportDocument


class DoccanoWriter:
    """Writes one example per line."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, document: ExportDocument) -> list[str]:
        """Write one article's line."""
        line = {
            "text": document.text,
            "label": [[s.start, s.end, s.label] for s in document.spans],
            "meta": {"id": document.id, "title": document.article.title},
        }
        self.stream.write(json.dumps(line, ensure_ascii=False) + "\n")
        return []

    def finish(self) -> None:
        """Nothing follows the last line."""


def open_writer(stream: TextIO) -> DoccanoWriter:
    """A doccano writer to a text stream."""
    return DoccanoWriter(stream)
