"""Label colours: one theme variable name per label, and colours that stay apart on any terminal.

Many readers work over SSH in terminals of 256 colours, where every true colour is shown as
the nearest of the xterm palette. Two labels whose colours land on the same palette entry
look the same there, so a label's colour is chosen (and the defaults were nudged) so that no
two labels share a palette entry. A new label gets a light palette colour, as far as
possible from the colours already in use.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from rich.color import Color, ColorParseError, ColorSystem

_NOT_NAME = re.compile(r"[^a-z0-9]+")
_PLAIN_NAME = re.compile(r"[A-Z0-9_]+")
# Light enough for the dark label text the themes draw on a solid label colour.
_LIGHTEST = 0x87
# The levels of each channel in the xterm 6x6x6 colour cube (palette entries 16 to 231).
_CUBE = (0, 95, 135, 175, 215, 255)


def label_variable(name: str) -> str:
    """The theme variable that holds a label's colour: `PERSON` -> `label-person`.

    Always a valid CSS identifier, whatever the name holds: a name with other characters
    than capitals, digits and `_` (spaCy's way) gets a short hash, so no two names share one.
    """
    slug = _NOT_NAME.sub("-", name.lower()).strip("-")
    if not slug or not _PLAIN_NAME.fullmatch(name):
        digest = hashlib.sha1(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        slug = f"{slug}-{digest}" if slug else digest
    return f"label-{slug}"


def parse_colour(value: str) -> tuple[int, int, int] | None:
    """A colour as (r, g, b), from `#rrggbb`, `#rgb` or a colour name; None if it is none of them."""
    try:
        triplet = Color.parse(value.strip()).get_truecolor()
    except (ColorParseError, AttributeError):
        return None
    return triplet.red, triplet.green, triplet.blue


def hex_colour(rgb: tuple[int, int, int]) -> str:
    """`#rrggbb`."""
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def palette_index(colour: str) -> int | None:
    """The xterm-256 palette entry a terminal of 256 colours shows for `colour` (Rich's choice)."""
    if parse_colour(colour) is None:
        return None
    downgraded = Color.parse(colour.strip()).downgrade(ColorSystem.EIGHT_BIT)
    return downgraded.number


def distance(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    """How far apart two colours look: RGB distance weighted by the mean red ("redmean")."""
    mean_red = (a[0] + b[0]) / 2
    dr, dg, db = a[0] - b[0], a[1] - b[1], a[2] - b[2]
    return (
        (2 + mean_red / 256) * dr * dr + 4 * dg * dg + (2 + (255 - mean_red) / 256) * db * db
    ) ** 0.5


def _light_palette() -> list[tuple[int, tuple[int, int, int]]]:
    """The palette entries a label may get: light colours of the 6x6x6 cube, as themselves."""
    entries: list[tuple[int, tuple[int, int, int]]] = []
    for index in range(16, 232):
        n = index - 16
        rgb = (_CUBE[n // 36], _CUBE[n // 6 % 6], _CUBE[n % 6])
        if min(rgb) >= _LIGHTEST and palette_index(hex_colour(rgb)) == index:
            entries.append((index, rgb))
    return entries


def distinct_colour(taken: Iterable[str]) -> str:
    """A colour for a new label: on a palette entry no other label uses, as far as can be from theirs."""
    used = [c for c in (parse_colour(t) for t in taken) if c is not None]
    used_entries = {palette_index(hex_colour(c)) for c in used}
    best: tuple[float, int, tuple[int, int, int]] | None = None
    for index, rgb in _light_palette():
        if index in used_entries:
            continue
        nearest = min((distance(rgb, c) for c in used), default=float("inf"))
        if best is None or nearest > best[0]:
            best = (nearest, index, rgb)
    if best is None:  # every light entry is taken (over a hundred labels): any unused colour
        return "#dddddd"
    return hex_colour(best[2])
