"""Wrapping an article into visual lines: widths, coverage, paragraphs, long words, wide characters."""

from __future__ import annotations

import random
import subprocess
import sys

import pytest
from rich.cells import cell_len

from reader import layout
from reader.layout import VisualLine, line_of_offset, wrap
from reader.text import join_paragraphs, paragraph_bounds
from tests.conftest import SPAWNS_PROCESSES


def _wrap(paragraphs: list[str], width: int) -> tuple[str, list[VisualLine]]:
    text = join_paragraphs(paragraphs)
    return text, wrap(text, paragraph_bounds(text), width)


def _check(text: str, lines: list[VisualLine], width: int) -> None:
    """The invariants every wrap keeps."""
    bounds = paragraph_bounds(text)
    body = [line for line in lines if not line.blank]
    for line in body:
        # The space a line breaks at hangs past the edge; what is visible fits.
        assert cell_len(text[line.start : line.end].rstrip()) <= width or (
            line.end - line.start == 1
        )
    for index, (start, end) in enumerate(bounds):
        own = [line for line in body if line.paragraph == index]
        # Every character of the paragraph, exactly once, in order.
        assert "".join(text[line.start : line.end] for line in own) == text[start:end]
        assert own[0].start == start and own[-1].end == end
        for before, after in zip(own, own[1:], strict=False):
            assert before.end == after.start


SAMPLE = [
    "Tajikistan President Emomali Rahmon has affirmed his nation's commitment to combating "
    "terrorism alongside Russia, in the wake of the recent attack.",
    "Short.",
    "This pledge follows the identification of the four individuals charged.",
]


@pytest.mark.parametrize("width", [1, 5, 10, 17, 40, 80, 200])
def test_no_line_is_wider_than_the_width_and_nothing_is_lost(width: int) -> None:
    text, lines = _wrap(SAMPLE, width)
    _check(text, lines, width)


def test_words_move_whole_to_the_next_line() -> None:
    text, lines = _wrap(["one two three four five six"], 9)
    assert [text[line.start : line.end] for line in lines] == [
        "one two ",
        "three ",
        "four five ",
        "six",
    ]


def test_a_blank_line_sits_between_paragraphs_and_only_there() -> None:
    text, lines = _wrap(SAMPLE, 30)
    blanks = [i for i, line in enumerate(lines) if line.blank]
    assert len(blanks) == len(SAMPLE) - 1
    assert not lines[0].blank and not lines[-1].blank
    for i in blanks:
        assert lines[i].start == lines[i].end == lines[i + 1].start
        assert lines[i - 1].paragraph + 1 == lines[i + 1].paragraph


def test_a_word_longer_than_the_line_is_cut_and_the_next_word_follows_it() -> None:
    text, lines = _wrap(["a " + "x" * 25 + " b"], 10)
    assert [text[line.start : line.end] for line in lines] == [
        "a ",
        "x" * 10,
        "x" * 10,
        "x" * 5 + " b",
    ]
    _check(text, lines, 10)


def test_wide_characters_are_measured_in_cells() -> None:
    cjk = "日本語のテキストは空白なしで続きます"  # 18 characters, 36 cells, no spaces
    text, lines = _wrap([cjk, "漢字 and latin"], 10)
    _check(text, lines, 10)
    first = [text[line.start : line.end] for line in lines if line.paragraph == 0]
    assert first == ["日本語のテ", "キストは空", "白なしで続", "きます"]
    # A wide character wider than the whole line still gets a line of its own.
    text, lines = _wrap(["漢字"], 1)
    assert [text[line.start : line.end] for line in lines] == ["漢", "字"]


def test_empty_article_has_no_lines() -> None:
    assert wrap("", [], 40) == []
    assert line_of_offset([], 5) == 0


def test_line_of_offset_finds_the_line_of_every_character() -> None:
    text, lines = _wrap(SAMPLE, 23)
    for offset in range(len(text)):
        index = line_of_offset(lines, offset)
        line = lines[index]
        assert not line.blank
        if text[offset] != "\n":
            assert line.start <= offset < line.end
        else:
            # Between paragraphs: the last line of the paragraph before.
            assert lines[index + 1].blank
    assert line_of_offset(lines, len(text) + 10) == len(lines) - 1
    assert line_of_offset(lines, -3) == 0


def test_the_line_at_a_time_path_gives_the_same_lines_as_the_word_at_a_time_one() -> None:
    rng = random.Random(11)
    alphabet = "abcdefghij’“”—é.,"
    for _ in range(300):
        words = [
            "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 14))) for _ in range(40)
        ]
        text = " ".join(words)
        assert layout._SIMPLE_PARAGRAPH.fullmatch(text)
        assert layout._is_simple(text, 0, len(text))
        for width in (1, 3, 7, 12, 30):
            fast, slow = layout.Lines(), layout.Lines()
            layout._wrap_simple(text, 0, len(text), 0, width, fast)
            layout._wrap_paragraph(text, 0, len(text), 0, width, slow)
            assert list(fast) == list(slow)


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "a",
        "a b",
        " a",
        "a ",
        "a  b",
        "a\tb",
        "a\nb",
        "a\u00a0b",
        "東京",
        "naïve “quoted” café",
        "x\u2028y",
        "a\u0300",
        "Ж — ь",
        "a b c d",
    ],
)
def test_the_quick_simple_check_agrees_with_the_pattern(text: str) -> None:
    padded = "##" + text + "##"
    expected = layout._SIMPLE_PARAGRAPH.fullmatch(text) is not None
    assert layout._is_simple(text, 0, len(text)) == expected
    assert layout._is_simple(padded, 2, 2 + len(text)) == expected


def test_lines_index_like_a_list_and_find_offsets_alike() -> None:
    text = join_paragraphs(SAMPLE)
    table = layout.wrap_lines(text, paragraph_bounds(text), 17)
    lines = wrap(text, paragraph_bounds(text), 17)
    assert len(table) == len(lines) and list(table) == lines
    assert table[-1] == lines[-1] and table[2:5] == lines[2:5]
    assert all(table[i].blank == lines[i].blank for i in range(len(lines)))
    for offset in range(-2, len(text) + 3):
        assert line_of_offset(table, offset) == line_of_offset(lines, offset)
    assert not layout.Lines() and line_of_offset(layout.Lines(), 4) == 0


def test_the_narrow_characters_are_one_cell_each() -> None:
    for first, last in layout.NARROW_RANGES:
        for code in range(ord(first), ord(last) + 1):
            assert cell_len(chr(code)) == 1 and not chr(code).isspace(), hex(code)


@pytest.mark.parametrize("extra", ["", " 東京"], ids=["european", "with-cjk"])
def test_a_long_article_wraps_whole(extra: str) -> None:
    # How fast is `make bench`'s to measure (open: a 20,029-word article to its first paint).
    rng = random.Random(7)
    words = "the quick brown fox jumps over a lazy dog in Washington on 12 March “quoted”".split()
    paragraphs = [
        " ".join(rng.choice(words) for _ in range(rng.randint(20, 150))) + extra for _ in range(250)
    ]
    text = join_paragraphs(paragraphs)
    assert len(text.split()) >= 20_000
    _check(text, wrap(text, paragraph_bounds(text), 80), 80)


@SPAWNS_PROCESSES
def test_layout_is_pure_core() -> None:
    """The layout module imports without Textual: it belongs to the core, not the UI."""
    code = "import sys, reader.layout; assert 'textual' not in sys.modules, 'textual imported'"
    subprocess.run([sys.executable, "-c", code], check=True)
