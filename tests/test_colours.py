"""Label colours stay apart: in true colour, and on a terminal of 256 colours (Rich's downsampling)."""

from __future__ import annotations

from rich.color import Color, ColorSystem

from reader.colours import distance, distinct_colour, palette_index, parse_colour
from reader.config import DEFAULT_LABELS, add_labels, default_labels


def eight_bit(colour: str) -> int:
    """The palette entry a 256-colour terminal shows, as Rich chooses it."""
    return Color.parse(colour).downgrade(ColorSystem.EIGHT_BIT).number


def test_every_default_label_has_a_colour_of_its_own_in_true_colour() -> None:
    colours = [colour.lower() for _, colour in DEFAULT_LABELS]
    assert len(set(colours)) == len(colours)


def test_every_default_label_has_a_colour_of_its_own_in_256_colours() -> None:
    entries = {name: eight_bit(colour) for name, colour in DEFAULT_LABELS}
    assert len(set(entries.values())) == len(entries), entries


def test_the_defaults_start_from_displacy() -> None:
    displacy = {"PERSON": "#aa9cfc", "ORG": "#7aecec", "GPE": "#feca74", "LOC": "#ff9561", "NORP": "#c887fb", "FAC": "#9cc9cc"}
    assert {name: colour for name, colour in DEFAULT_LABELS if name in displacy} == displacy
    # a nudged colour stays near where it was: DATE and TIME are still pale greens and blues
    for name in ("DATE", "TIME", "MONEY"):
        nudged = parse_colour(dict(DEFAULT_LABELS)[name])
        assert nudged is not None and distance(nudged, (0xbf, 0xe1, 0xd9)) < 200


def test_a_new_label_gets_an_unused_palette_entry() -> None:
    taken = [colour for _, colour in DEFAULT_LABELS]
    colour = distinct_colour(taken)
    assert eight_bit(colour) not in {eight_bit(c) for c in taken}
    assert palette_index(colour) == eight_bit(colour)


def test_labels_made_one_after_another_all_differ(tmp_path) -> None:
    from reader.config import Config

    config = Config(labels=default_labels(), path=tmp_path / "config.toml")
    add_labels(config, [f"NEW{i}" for i in range(20)])
    entries = [eight_bit(label.color) for label in config.labels]
    assert len(set(entries)) == len(entries)
