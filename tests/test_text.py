"""Untrusted text: nothing that could drive a terminal survives cleaning."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from reader.article import Article, Draft
from reader.text import article_id, clean, clean_line, is_safe, join_paragraphs, paragraph_bounds

HOSTILE = (
    "Title\x1b]0;pwned\x07 with \x1b[31mred\x1b[0m and \x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\ "
    "\u202eevil\u202c \u2066iso\u2069 \x9b31m c1 \x9d8;;x\x9c nul\x00 bell\x07 del\x7f"
)


def test_escape_sequences_controls_and_bidi_are_removed() -> None:
    out = clean(HOSTILE)
    assert is_safe(out)
    assert "pwned" not in out  # the OSC payload goes with its introducer
    assert "red" in out and "link" in out and "evil" in out
    for ch in out:
        assert unicodedata.category(ch) != "Cc" or ch == "\n"
        assert ch not in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def test_newlines_kept_crlf_folded_and_nfc() -> None:
    assert clean("a\r\nb\rc") == "a\nb\nc"
    assert clean("Cafe\u0301") == "Caf\u00e9"
    assert clean_line("  a \n b\t c ") == "a b c"


def test_paragraph_bounds_match_joined_text() -> None:
    text = join_paragraphs(["  First  para. ", "", "Second\npara.", "Third"])
    assert text == "First para.\n\nSecond para.\n\nThird"
    assert [text[s:e] for s, e in paragraph_bounds(text)] == ["First para.", "Second para.", "Third"]


def test_id_ignores_case_and_spacing_but_not_words() -> None:
    assert article_id("Hello  World") == article_id("hello world")
    assert article_id("Hello World") != article_id("Hello Worlds")


@given(st.text())
def test_clean_is_always_safe_and_idempotent(text: str) -> None:
    out = clean(text)
    assert is_safe(out)
    assert clean(out) == out


def test_snap_widens_to_whole_tokens() -> None:
    article = Article.from_draft(Draft(["Emomali Rahmon spoke to Putin."], "x"))
    assert article.snap(2, 10) == (0, 14)  # "Emomali Rahmon"
    assert article.text[slice(*article.snap(24, 26))] == "Putin"
