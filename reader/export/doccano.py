"""doccano's sequence-labelling JSONL: `{"text", "label": [[start, end, "LABEL"], ...]}`.

doccano keeps any other key as the example's metadata, so "meta" carries the article id,
title and review status. Spans may overlap (doccano shows them if the project allows it);
their source is not kept, as doccano has nowhere to put it. Offsets are characters, or with
`offsets="utf16"` UTF-16 code units, which doccano counts in (its issue 2290): the two
differ after any character beyond the Basic Multilingual Plane, such as an emoji.
"""

from __future__ import annotations

import json
from typing import TextIO

from reader.export.document import ExportDocument
from reader.export.selection import ExportOptions
from reader.offsets import UTF16Offsets


class DoccanoWriter:
    """Writes one example per line."""

    def __init__(self, stream: TextIO, utf16: bool = False) -> None:
        self.stream = stream
        self.utf16 = utf16

    def write(self, document: ExportDocument) -> list[str]:
        """Write one article's line."""
        spans = [[s.start, s.end, s.label] for s in document.spans]
        if self.utf16:
            units = UTF16Offsets(document.text)
            spans = [[units.to_utf16(start), units.to_utf16(end), label] for start, end, label in spans]
        line = {
            "text": document.text,
            "label": spans,
            # The unit of the offsets, so that reader's import reads them back without asking.
            "meta": {
                "id": document.id,
                "title": document.article.title,
                "status": document.status,
                "offsets": "utf16" if self.utf16 else "chars",
            },
        }
        self.stream.write(json.dumps(line, ensure_ascii=False) + "\n")
        return []

    def finish(self) -> None:
        """Nothing follows the last line."""


def open_writer(stream: TextIO, options: ExportOptions) -> DoccanoWriter:
    """A doccano writer to a text stream."""
    return DoccanoWriter(stream, utf16=options.offsets == "utf16")
