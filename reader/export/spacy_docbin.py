"""spaCy's binary training format: a `DocBin` file (`.spacy`) that `spacy train` reads.

Each article becomes a `Doc` built from its exported tokens (`Doc(vocab, words, spaces)`
with a blank English vocab), so `doc.text` is the article text exactly. `doc.ents` holds
the spans it can (no overlaps: tagged by hand first, then the longest, then the earliest,
then the one tagged last; white space trimmed from their edges). In a done article every
other token is outside any entity ("O"); in an article not done, every other token is a
missing value (spaCy's `ent_iob` 0), which training leaves alone instead of learning "not
an entity" from it.
`doc.spans["reader"]` holds every exported span, overlapping ones included, each with its
source ("manual", "model" or "prediction") as the span's `id_`. The article id is in
`doc.user_data["reader_id"]`, its review status in `doc.user_data["reader_status"]`.

A DocBin is written whole at the end, so it grows in memory as articles are added; only
the attributes it needs are kept (words, spaces, entity tags), about 32 bytes a token.
"""

from __future__ import annotations

from typing import Any, BinaryIO

from reader.export.document import ExportDocument
from reader.export.selection import ExportOptions
from reader.text import plural

# The span group every exported span goes into.
SPANS_KEY = "reader"


class DocBinWriter:
    """Collects one Doc per article, and writes the DocBin when the last one is in."""

    def __init__(self, stream: BinaryIO) -> None:
        import spacy
        from spacy.tokens import DocBin

        self.stream = stream
        self.vocab = spacy.blank("en").vocab
        self.docbin = DocBin(attrs=["ENT_IOB", "ENT_TYPE"], store_user_data=True)

    def doc(self, document: ExportDocument) -> tuple[Any, list[str]]:
        """The article as a Doc, and the warnings about spans `doc.ents` could not hold."""
        from spacy.tokens import Doc

        columns = document.columns
        doc = Doc(self.vocab, words=columns.texts, spaces=columns.ws)
        if doc.text != document.text:
            raise ValueError(f"{document.id}: the Doc's text differs from the article's")
        doc.user_data["reader_id"] = document.id
        doc.user_data["reader_status"] = document.status

        def span(s: Any) -> Any:
            first, last = document.token_range(s)
            return doc[first : last + 1]

        group = []
        for s in document.spans:
            made = span(s)
            made.label_ = s.label
            made.id_ = s.source
            group.append(made)
        doc.spans[SPANS_KEY] = group
        kept, left_out = document.entities()
        ents = []
        blank = 0
        for s in kept:
            first, last = document.token_range(s)
            # An entity that starts or ends on white space cannot be learnt: trim it.
            while first <= last and doc[first].is_space:
                first += 1
            while last >= first and doc[last].is_space:
                last -= 1
            if first > last:
                blank += 1
                continue
            ents.append(doc[first : last + 1])
            ents[-1].label_ = s.label
        doc.set_ents(ents, default="outside" if document.complete else "missing")
        warnings = []
        if left_out:
            warnings.append(
                f"{document.id}: {plural(len(left_out), 'overlapping span')} "
                f"kept only in doc.spans['{SPANS_KEY}']"
            )
        if blank:
            warnings.append(
                f"{document.id}: {plural(blank, 'span')} of white space only "
                f"kept only in doc.spans['{SPANS_KEY}']"
            )
        return doc, warnings

    def write(self, document: ExportDocument) -> list[str]:
        """Add one article's Doc."""
        doc, warnings = self.doc(document)
        self.docbin.add(doc)
        return warnings

    def finish(self) -> None:
        """Write the whole DocBin."""
        self.stream.write(self.docbin.to_bytes())


def open_writer(stream: BinaryIO, options: ExportOptions) -> DocBinWriter:
    """A DocBin writer to a binary stream."""
    return DocBinWriter(stream)
