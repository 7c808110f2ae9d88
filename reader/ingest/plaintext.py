"""Plain-text articles, including the dumps scrapers leave: paragraphs split, then the header
and footer read by the furniture rules.

Structure the text marks is kept: a line that starts with a bullet is a list item, one that
starts with ">" a quote, one that starts with "#" (the way people write headings in plain
text) a heading.
"""

from __future__ import annotations

import re

from reader.article import Draft
from reader.ingest.furniture import read_header
from reader.text import SENTENCE_END, clean, clean_line, tidy_paragraph


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs of plain text: blocks between blank lines, hard-wrapped lines re-joined.

    A block whose lines all have about the length of its longest line, most of them ending
    and the next starting mid-sentence, was wrapped by an editor and is one paragraph;
    otherwise (a scraper's dump with single newlines, a header of short lines) each line
    is its own paragraph.
    """
    paragraphs: list[str] = []
    for block in re.split(r"\n\s*\n", clean(text)):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        longest = max(len(line) for line in lines)
        wrapped = (
            len(lines) > 1
            and 40 <= longest <= 100  # nobody wraps prose at 30 columns; that is verse
            and all(len(line) >= longest * 0.6 for line in lines[:-1])
            and sum(bool(SENTENCE_END.search(line)) for line in lines[:-1]) * 2 < len(lines) - 1
            # wrapped lines go on mid-sentence, so most start in lower case; a dump's lines
            # are each a heading or a sentence of their own
            and sum(line[0].islower() for line in lines[1:]) * 2 >= len(lines) - 1
        )
        if wrapped:
            paragraphs.append(" ".join(lines))
        else:
            paragraphs.extend(lines)
    return paragraphs


# How plain text marks its structure at the start of a line.
_ITEM_MARK = re.compile(r"^(?:[-*+•●▪◦‣·–]|\d{1,3}[.)])\s+(?=\S)")
_QUOTE_MARK = re.compile(r"^>+\s*")
_HEADING_MARK = re.compile(r"^#{1,6}\s+(?=\S)")
# A subheading inside the body: a short line of a few words without closing punctuation,
# between paragraphs of prose.
_SUBHEADING_WORDS = 10


def paragraph_kind(paragraph: str) -> tuple[str, str]:
    """The kind a plain-text paragraph marks itself as, and its text without the mark."""
    for pattern, kind in ((_HEADING_MARK, "heading"), (_QUOTE_MARK, "quote"), (_ITEM_MARK, "item")):
        match = pattern.match(paragraph)
        if match and paragraph[match.end() :].strip():
            return kind, paragraph[match.end() :]
    return "text", paragraph


def _is_subheading(paragraphs: list[str], kinds: list[str], i: int) -> bool:
    """A short unpunctuated line with prose on both sides is a heading inside the body."""
    line = paragraphs[i]
    if kinds[i] != "text" or not 0 < i < len(paragraphs) - 1:
        return False
    if len(line.split()) > _SUBHEADING_WORDS or SENTENCE_END.search(line) or line.endswith((":", ",")):
        return False
    if not line[:1].isupper():
        return False
    neighbours = (paragraphs[i - 1], paragraphs[i + 1])
    return all(SENTENCE_END.search(p) and len(p.split()) > _SUBHEADING_WORDS for p in neighbours)


def parse_plaintext(text: str, source: str) -> Draft:
    """A draft from plain text: header read, furniture dropped, paragraphs tidied, structure kept."""
    marked = [paragraph_kind(p) for p in split_paragraphs(text)]
    paragraphs = [p for _, p in marked]
    header = read_header(paragraphs)
    body = header.body
    kinds = [marked[i][0] for i in header.kept]
    kinds = ["heading" if _is_subheading(body, kinds, i) else k for i, k in enumerate(kinds)]
    return Draft(
        paragraphs=[tidy_paragraph(p) for p in body],
        kinds=kinds,
        source=source,
        title=header.title or None,
        byline=clean_line(header.byline) if header.byline else None,
        date=header.date,
    )
