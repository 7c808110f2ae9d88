"""CoNLL-2003 style IOB tags: `token -X- _ TAG`, one token a line, which `spacy convert` reads.

Articles are separated by spaCy's document line, `-DOCSTART- -X- O O` (the original
CoNLL-2003 files have `-DOCSTART- -X- -X- O`, which spaCy's converter does not recognise).
A blank line separates paragraphs (reader does not split sentences); white space tokens
are left out. Tags are IOB2: every entity starts with `B-`. IOB holds no overlaps, so
the spans kept are the same as in the spaCy format's `doc.ents`; the rest are reported.

A token outside every span is `O` in a done article. In an article not done (exported only
when asked for: done articles only is this format's default) nobody has said what it is, so
its tag is `-`, spaCy's mark for a missing value; spaCy's own converter cannot read that
mark, so such a file is for tools that know it.
"""

from __future__ import annotations

from typing import TextIO

from reader.export.document import ExportDocument
from reader.export.selection import ExportOptions
from reader.text import plural

DOCSTART = "-DOCSTART- -X- O O"
MISSING = "-"


def tags(document: ExportDocument) -> tuple[list[str], list[str]]:
    """The IOB tag of every exported token (white space ones get "O"), and warnings."""
    texts = document.columns.texts
    outside = "O" if document.complete else MISSING
    out = [outside] * len(texts)
    kept, left_out = document.entities()
    blank = 0
    for span in kept:
        first, last = document.token_range(span)
        words = [i for i in range(first, last + 1) if not texts[i][0].isspace()]
        if not words:
            blank += 1
            continue
        out[words[0]] = f"B-{span.field_label}"
        for i in words[1:]:
            out[i] = f"I-{span.field_label}"
    warnings = []
    if left_out:
        warnings.append(
            f"{document.id}: {plural(len(left_out), 'overlapping span')} left out of the IOB tags"
        )
    if blank:
        warnings.append(
            f"{document.id}: {plural(blank, 'span')} of white space only left out of the IOB tags"
        )
    return out, warnings


class CoNLLWriter:
    """Writes one block of token lines per article."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, document: ExportDocument) -> list[str]:
        """Write one article: the document line, then its tokens, a blank line between paragraphs."""
        iob, warnings = tags(document)
        lines = [DOCSTART, ""]
        new_block = False
        for word, tag in zip(document.columns.texts, iob, strict=True):
            if word.isspace():
                new_block = new_block or "\n" in word
                continue
            # A paragraph break inside an entity would split it in two: keep the block going.
            if new_block and not tag.startswith("I-") and lines[-1] != "":
                lines.append("")
            new_block = False
            lines.append(f"{word} -X- _ {tag}")
        lines.append("")
        self.stream.write("\n".join(lines) + "\n")
        return warnings

    def finish(self) -> None:
        """Nothing follows the last article."""


def open_writer(stream: TextIO, options: ExportOptions) -> CoNLLWriter:
    """A CoNLL writer to a text stream."""
    return CoNLLWriter(stream)
