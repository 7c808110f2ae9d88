"""The export formats: one module each, one line here.

A format module has `open_writer(target, options)`, which returns a `Writer`. Adding a format
is a module and a line in `FORMATS`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

from reader.export.report import ExportError

if TYPE_CHECKING:
    from reader.export.document import ExportDocument
    from reader.export.selection import ExportOptions


class Writer(Protocol):
    """What every format module's `open_writer` returns."""

    def write(self, document: ExportDocument) -> list[str]:
        """Write one article; returns warnings about it (spans a format could not hold)."""
        ...

    def finish(self) -> None:
        """Write whatever comes after the last article."""
        ...


@dataclass(frozen=True, slots=True)
class ExportFormat:
    """An export format: its name, default file extension, and what it writes to.

    `output` is "lines" for text formats that stream (and can go to stdout), "binary" for
    a file written whole at the end, "folder" for a folder of files. A "lines" format that
    `writes_bytes` gets its file opened in binary and writes UTF-8 itself (to stdout it still
    gets a text stream). A "lines" writer carries nothing from one article to the next (what
    it caches only saves time), so chunks of articles can be written apart and joined.

    `done_only`: whether it takes only done articles unless told otherwise (the training
    formats, which cannot all say "unknown"); `keeps_ignored`: whether it writes ignored
    articles (as such); `utf16`: whether it can count offsets in UTF-16 code units.
    """

    name: str
    extension: str
    output: Literal["lines", "binary", "folder"]
    description: str
    module: str
    writes_bytes: bool = False
    done_only: bool = False
    keeps_ignored: bool = False
    utf16: bool = False

    @property
    def streams(self) -> bool:
        """Whether this format can be written to stdout."""
        return self.output == "lines"

    def open_writer(self, target: Any, options: ExportOptions) -> Writer:
        """A writer to `target`: a text stream, a binary stream, or a folder, by `output`."""
        module = importlib.import_module(f"reader.export.{self.module}")
        return module.open_writer(target, options)  # type: ignore[no-any-return]


FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat(
            "jsonl",
            ".jsonl",
            "lines",
            "reader's own JSONL, Prodigy tasks with tokens",
            "jsonl",
            writes_bytes=True,
            keeps_ignored=True,
        ),
        ExportFormat(
            "doccano", ".jsonl", "lines", "doccano sequence-labelling JSONL", "doccano", utf16=True
        ),
        ExportFormat(
            "spacy",
            ".spacy",
            "binary",
            "spaCy DocBin for `spacy train`",
            "spacy_docbin",
            done_only=True,
        ),
        ExportFormat("conll", ".conll", "lines", "CoNLL-2003 IOB tags", "conll", done_only=True),
        ExportFormat("brat", "", "folder", "brat standoff: ID.txt and ID.ann per article", "brat"),
    )
}


def get_format(name: str) -> ExportFormat:
    """The format called `name` (ExportError naming the known ones otherwise)."""
    try:
        return FORMATS[name]
    except KeyError:
        raise ExportError(
            f"unknown export format {name!r} (formats: {', '.join(FORMATS)})"
        ) from None
