"""brat standoff: a folder with `ID.txt` (the article text exactly) and `ID.ann` per article.

Each span is a text-bound annotation, `T1<TAB>LABEL START END<TAB>text`, with character
offsets into the `.txt`. A span that crosses a line break is written as brat writes one,
in fragments (`LABEL 0 5;7 12`) with their texts joined by a space, because an `.ann`
line cannot hold a newline. `annotation.conf` lists the labels, so brat shows them, and
allows any two entities to overlap (contain, equal or cross one another), as reader's spans
may: without that, brat's `verify_annotations.py` reports every overlap as an error.
"""

from __future__ import annotations

import re
from pathlib import Path

from reader.export.document import ExportDocument, ExportSpan
from reader.export.selection import ExportOptions
from reader.text import plural

_LINE = re.compile(r"[^\n]+")
# brat's special relation that lets text-bound annotations overlap: any entity with any
# entity, in any way (contain, equal, cross).
OVERLAP = "<OVERLAP> Arg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>"


def fragments(text: str, span: ExportSpan) -> list[tuple[int, int]]:
    """The pieces of a span between line breaks, in article offsets."""
    return [
        (span.start + m.start(), span.start + m.end())
        for m in _LINE.finditer(text[span.start : span.end])
    ]


def ann_lines(document: ExportDocument) -> tuple[list[str], list[str]]:
    """The `.ann` lines of one article, and warnings about spans brat cannot hold."""
    text = document.text
    lines: list[str] = []
    skipped = 0
    for span in document.spans:
        pieces = fragments(text, span)
        if not pieces:
            skipped += 1
            continue
        where = ";".join(f"{start} {end}" for start, end in pieces)
        covered = " ".join(text[start:end] for start, end in pieces)
        lines.append(f"T{len(lines) + 1}\t{span.field_label} {where}\t{covered}")
    warnings = []
    if skipped:
        warnings.append(
            f"{document.id}: {plural(skipped, 'span')} of line breaks only left out of the .ann"
        )
    return lines, warnings


class BratWriter:
    """Writes each article's two files into a folder, and annotation.conf at the end."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.labels: set[str] = set()

    def write(self, document: ExportDocument) -> list[str]:
        """Write `ID.txt` and `ID.ann`."""
        lines, warnings = ann_lines(document)
        # newline="" so that the .txt holds the text's characters exactly, offsets included.
        (self.folder / f"{document.id}.txt").write_text(document.text, encoding="utf-8", newline="")
        body = "".join(line + "\n" for line in lines)
        (self.folder / f"{document.id}.ann").write_text(body, encoding="utf-8", newline="")
        self.labels.update(s.field_label for s in document.spans)
        return warnings

    def finish(self) -> None:
        """Write the annotation.conf that declares every label used."""
        conf = [
            "[entities]",
            *sorted(self.labels),
            "",
            "[relations]",
            OVERLAP,
            "",
            "[events]",
            "",
            "[attributes]",
            "",
        ]
        (self.folder / "annotation.conf").write_text("\n".join(conf), encoding="utf-8", newline="")


def open_writer(folder: Path, options: ExportOptions) -> BratWriter:
    """A brat writer into a folder."""
    return BratWriter(folder)
