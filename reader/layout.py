"""Text layout for the article body: paragraphs wrapped into visual lines of a given width.

Pure: knows nothing of the terminal beyond how many cells a character takes, so the
wrapping can be tested (and timed) without starting an app.

A visual line is a character range `[start, end)` into the article text. The lines of a
paragraph follow each other without gaps, so every character of a paragraph lies on exactly
one line; the space at a line break stays at the end of the line it follows ("hangs"), and
is not counted against the width. Between two paragraphs sits one blank line, an empty
range at the start of the next paragraph.

A paragraph's kind (heading, list item, quote) shows as a prefix drawn before its lines: a
bullet on a list item's first line and an indent on the others, a bar before each line of a
quote. The prefix is not article text, so it takes cells from the width but no offsets.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from typing import NamedTuple, overload

from rich.cells import cell_len, get_character_cell_size

# Runs of non-space characters: the units that are never broken unless too long.
_WORD = re.compile(r"\S+")
# Characters one cell wide each: ASCII, Latin, Greek, Cyrillic, the usual punctuation and
# currency signs (tests check each against rich's table). A paragraph of these separated by
# single spaces -- nearly every paragraph of a European-language article -- has as many
# columns as characters, so it can be wrapped a line at a time instead of a word at a time.
NARROW_RANGES = (
    ("\x21", "\x7e"),
    ("\u00a1", "\u02ff"),
    ("\u0370", "\u0482"),
    ("\u048a", "\u052f"),
    ("\u2010", "\u2027"),
    ("\u2030", "\u205e"),
    ("\u20a0", "\u20c0"),
)
_NARROW = "".join(f"{a}-{b}" for a, b in NARROW_RANGES)
# What a paragraph that `_wrap_simple` can wrap looks like; `_is_simple` checks the same thing
# at twice the speed, with C string methods and one character-set scan.
_SIMPLE_PARAGRAPH = re.compile(f"[{_NARROW}]+(?: [{_NARROW}]+)*")
_NOT_NARROW = re.compile(f"[^{_NARROW} ]")


# What a paragraph of each kind draws before its first line and before the others.
PREFIXES: dict[str, tuple[str, str]] = {
    "item": ("• ", "  "),
    "quote": ("▌ ", "▌ "),
}


class VisualLine(NamedTuple):
    """One line on screen: `text[start:end]`, from paragraph `paragraph` (-1 for a blank line),
    drawn after `prefix` (a list bullet, a quote bar), which is not article text."""

    start: int
    end: int
    paragraph: int
    prefix: str = ""

    @property
    def blank(self) -> bool:
        """True for the blank line between two paragraphs."""
        return self.paragraph < 0


class Lines(Sequence[VisualLine]):
    """The visual lines of a wrapped text, stored as three int lists.

    Indexing gives a `VisualLine`. A long article has thousands of lines: kept as objects,
    they would be made on every open and resize, and then rescanned by the garbage collector
    for as long as the article is shown.
    """

    __slots__ = ("starts", "ends", "paragraphs", "prefixes")

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.paragraphs: list[int] = []
        # Filled only when some paragraph has a prefix; empty means no line has one.
        self.prefixes: list[str] = []

    def add(self, start: int, end: int, paragraph: int) -> None:
        """Append one line."""
        self.starts.append(start)
        self.ends.append(end)
        self.paragraphs.append(paragraph)

    def prefix(self, index: int) -> str:
        """What line `index` draws before its text ("" for none)."""
        return self.prefixes[index] if self.prefixes else ""

    def __len__(self) -> int:
        return len(self.starts)

    @overload
    def __getitem__(self, index: int) -> VisualLine: ...

    @overload
    def __getitem__(self, index: slice) -> list[VisualLine]: ...

    def __getitem__(self, index: int | slice) -> VisualLine | list[VisualLine]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self.starts)))]
        return VisualLine(
            self.starts[index], self.ends[index], self.paragraphs[index], self.prefix(index)
        )


def wrap(
    text: str, paragraphs: list[tuple[int, int]], width: int, kinds: Sequence[str] = ()
) -> list[VisualLine]:
    """Wrap each paragraph `(start, end)` of `text` into visual lines at most `width` cells wide.

    Words move whole to the next line; only a word wider than the line is cut, by cells, so
    wide (CJK) characters are never split and a script without spaces wraps anywhere.
    `kinds` (one per paragraph, optional) gives list items and quotes their prefixes.
    """
    return list(wrap_lines(text, paragraphs, width, kinds))


def wrap_lines(
    text: str, paragraphs: list[tuple[int, int]], width: int, kinds: Sequence[str] = ()
) -> Lines:
    """`wrap`, giving the lines as a `Lines` table rather than a list of objects."""
    width = max(1, width)
    lines = Lines()
    marked = len(kinds) == len(paragraphs) and any(k in PREFIXES for k in kinds)
    for index, (p_start, p_end) in enumerate(paragraphs):
        if index:
            lines.add(p_start, p_start, -1)
            if marked:
                lines.prefixes.append("")
        first, rest = PREFIXES.get(kinds[index], ("", "")) if marked else ("", "")
        room = max(1, width - cell_len(first)) if first else width
        before = len(lines)
        if _is_simple(text, p_start, p_end):
            _wrap_simple(text, p_start, p_end, index, room, lines)
        else:
            _wrap_paragraph(text, p_start, p_end, index, room, lines)
        if marked:
            added = len(lines) - before
            lines.prefixes.extend([first] + [rest] * (added - 1))
    return lines


def _is_simple(text: str, start: int, end: int) -> bool:
    """Whether `text[start:end]` matches `_SIMPLE_PARAGRAPH`: narrow words, single spaces."""
    return (
        start < end
        and text[start] != " "
        and text[end - 1] != " "
        and text.find("  ", start, end) < 0
        and _NOT_NARROW.search(text, start, end) is None
    )


def _wrap_simple(text: str, p_start: int, p_end: int, index: int, width: int, lines: Lines) -> None:
    """Greedy wrap of one-cell characters and single spaces, by jumping a line at a time.

    Gives the same lines as `_wrap_paragraph`: the last space within `width` columns of the
    line start ends the line (the words before it fit), and with no such space the word is
    longer than the line and is cut at the width.
    """
    starts, ends, paragraphs = lines.starts.append, lines.ends.append, lines.paragraphs.append
    line_start = p_start
    while p_end - line_start > width:
        limit = line_start + width
        space = text.rfind(" ", line_start, limit + 1)
        end = space + 1 if space > line_start else limit
        starts(line_start)
        ends(end)
        paragraphs(index)
        line_start = end
    starts(line_start)
    ends(p_end)
    paragraphs(index)


def _wrap_paragraph(
    text: str, p_start: int, p_end: int, index: int, width: int, lines: Lines
) -> None:
    append = lines.add
    line_start = p_start
    # Cells from line_start to the end of the last word placed on the line; 0 means the line
    # holds no word yet (leading spaces of a paragraph are carried, not counted).
    used = 0
    last_end = p_start
    for match in _WORD.finditer(text, p_start, p_end):
        w_start, w_end = match.span()
        word = match.group()
        # ASCII has one cell per character: `len` spares a cell-width lookup for almost every
        # word, which is what keeps a long article well under the time of a frame.
        w_cells = len(word) if word.isascii() else cell_len(word)
        if used:
            gap = w_start - last_end
            if gap != 1 or text[last_end] != " ":
                gap = cell_len(text[last_end:w_start])
            if used + gap + w_cells <= width:
                used += gap + w_cells
                last_end = w_end
                continue
            append(line_start, w_start, index)
            line_start, used = w_start, 0
        if w_cells <= width:
            used, last_end = w_cells, w_end
            continue
        # A word wider than a whole line: cut it into line-sized pieces; the last piece
        # stays open so that the next words can follow it.
        piece_start, piece_cells = w_start, 0
        for pos in range(w_start, w_end):
            cells = get_character_cell_size(text[pos])
            if piece_cells + cells > width and pos > piece_start:
                append(line_start, pos, index)
                line_start = piece_start = pos
                piece_cells = 0
            piece_cells += cells
        used, last_end = max(piece_cells, 1), w_end
    append(line_start, p_end, index)


def line_of_offset(lines: Sequence[VisualLine], offset: int) -> int:
    """Index of the visual line holding character `offset` (clamped to the first/last line).

    An offset between two paragraphs belongs to the last line of the paragraph before it.
    """
    if not lines:
        return 0
    if isinstance(lines, Lines):
        return max(0, bisect_right(lines.starts, offset) - 1)
    return max(0, bisect_right(lines, offset, key=_start) - 1)


def _start(line: VisualLine) -> int:
    return line.start
