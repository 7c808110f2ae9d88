"""Articles in languages without an entity model, as the app shows them: the note in the
article header, and a word count and reading time that make sense for Chinese and Japanese.

Both articles are built by hand with the numbers-only analysis ingest gives such a language,
so no spaCy model is loaded.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from test_app import make_test_app, test_config
from textual.widgets import Static

from reader.app import make_app
from reader.article import Article
from reader.nlp import numbers_only
from reader.store import Library
from reader.text import article_id

SIZE = (100, 32)

CHINESE = (
    "香港特首梁振英今天就住宅违建事件道歉，表示会全力配合调查。\n\n"
    "他说，2012年6月发现问题后，已经拆除了6处违建，并会在12月底前公开全部资料。\n\n"
    "立法会议员表示，事件影响政府的公信力，要求特首在30日内交代清楚。"
)
# 1,200 kana and kanji in sentences: about 1,200 words, five minutes at 260 a minute.
JAPANESE_SENTENCE = "トレンドマイクロは公衆無線を安全に使うためのアプリを発表した。"
JAPANESE = "\n\n".join(JAPANESE_SENTENCE * 5 for _ in range(8))


def article_in(text: str, language: str, title: str) -> Article:
    """A stored-shape article in `language`, analysed with numbers only, as ingest makes it."""
    analysis = dataclasses.replace(numbers_only(text), analysed_at="2024-03-27T09:00:00+00:00")
    return Article(
        id=article_id(text),
        text=text,
        title=title,
        byline=None,
        date="2012-12-10",
        source="/corpus/article.html",
        ingested_at="2024-03-27T09:00:00+00:00",
        analysis=analysis,
        language=language,
    )


def test_article_without_entity_model_shows_the_note(snap_compare, data_dir: Path, tmp_path: Path) -> None:
    """The header says "no entity model for zh"; the numbers stand out, no names are guessed."""
    Library(data_dir).add(article_in(CHINESE, "zh", "港特首梁振英就住宅违建事件道歉"))
    app = make_app(data_dir=data_dir, config=test_config(tmp_path, theme="reader-dark"))
    assert snap_compare(app, press=["enter"], terminal_size=SIZE)


async def test_japanese_article_counts_characters_as_words(data_dir: Path, tmp_path: Path) -> None:
    """A Japanese article's header counts each character as a word, not each line."""
    Library(data_dir).add(article_in(JAPANESE, "ja", "公衆無線を安全に使うアプリ"))
    characters = sum(1 for c in JAPANESE if not c.isspace() and c != "。")
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "ArticleScreen"
        meta = str(app.screen.query_one("#article-meta", Static).render())
        assert f"{characters:,} words" in meta
        assert f"{-(-characters // 260)} min read" in meta
        assert "no entity model for ja" in meta
