"""Tagging in scripts without a model for them: a token never cuts a letter from its vowel
sign, and a name inside a Thai run of words can be tagged letter by letter."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_app import make_test_app
from test_ingest_language_view import SIZE, article_in

from reader.nlp import numbers_only
from reader.store import Library
from reader.text import word_spans

THAI = "น้ำท่วมหนักในจังหวัดเชียงใหม่ ชาวบ้านกว่าพันครัวเรือนต้องอพยพ"
NAME = "เชียงใหม่"


@pytest.mark.parametrize(
    ("text", "tokens"),
    [("बारिश कम हुई", ["बारिश", "कम", "हुई"]), ("মেট্রো রেল", ["মেট্রো", "রেল"]),
     ("كَتَبَ الصحفي", ["كَتَبَ", "الصحفي"]), ("หุ้นไทย", ["หุ้", "น", "ไ", "ท", "ย"]),
     ("ကြိုဆို", ["ကြို", "ဆို"]), ("香港", ["香", "港"])],
)  # fmt: skip
def test_tokens_keep_their_marks(text: str, tokens: list[str]) -> None:
    """Without a model, a vowel sign, virama or harakat stays with its letter; a letter of a
    script written without spaces is a token, as a Chinese character is."""
    assert [text[s:e] for s, e in numbers_only(text).token_spans()] == tokens
    assert [text[s:e] for s, e in word_spans(text)] == tokens


async def test_a_thai_name_inside_a_run_can_be_tagged(data_dir: Path, tmp_path: Path) -> None:
    """The cursor walks a Thai run letter by letter, so a place name inside it is tagged whole
    and nothing more."""
    article = article_in(THAI, "th", "น้ำท่วมเชียงใหม่")
    Library(data_dir).add(article)
    starts = [s for s, _ in numbers_only(THAI).token_spans()]
    ends = [e for _, e in numbers_only(THAI).token_spans()]
    first = starts.index(THAI.index(NAME))
    last = ends.index(THAI.index(NAME) + len(NAME))
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press(*["right"] * first, "v", *["right"] * (last - first), "1")
        await pilot.pause()
    [annotation] = Library(data_dir).annotations(article.id)
    assert THAI[annotation.start : annotation.end] == NAME
