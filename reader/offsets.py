"""Character offsets, and the UTF-16 offsets that tools written in JavaScript count in.

reader counts offsets in characters (code points), as Python and spaCy do. doccano counts
them in UTF-16 code units, as JavaScript strings do: every character beyond the Basic
Multilingual Plane (an emoji, a rare CJK character) counts as two. The two agree on a text
with no such character, which is the usual case, so nothing is built for one.
"""

from __future__ import annotations

import re
from bisect import bisect_left

OFFSET_UNITS = ("chars", "utf16")

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


class UTF16Offsets:
    """Converts offsets into one text between characters and UTF-16 code units."""

    def __init__(self, text: str) -> None:
        # Where each character beyond the BMP is, in characters and in UTF-16 units.
        self._chars = [m.start() for m in _ASTRAL.finditer(text)]
        self._units = [at + k for k, at in enumerate(self._chars)]
        self.length = len(text) + len(self._chars)

    def to_utf16(self, offset: int) -> int:
        """The UTF-16 offset of a character offset."""
        return offset + bisect_left(self._chars, offset)

    def to_chars(self, offset: int) -> int:
        """The character offset of a UTF-16 offset; ValueError for one that falls between the
        two halves of a surrogate pair (it cuts a character in two)."""
        before = bisect_left(self._units, offset)
        if before and self._units[before - 1] + 1 == offset:
            raise ValueError(f"UTF-16 offset {offset} cuts a character in two")
        return offset - before
