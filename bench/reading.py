"""What the open and keys figures share: a library holding the seed and a 20,000-word article, and
a headless app session on it."""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.corpus import ArticleMaker, Pool
from bench.stores import without_fsync
from reader.article import Article
from reader.store import Library

LONG_WORDS = 20_000
# Highlights (model spans plus annotations) per word: about 4,000 on the long article. The seed
# gets the same density, so the two differ in length only.
HIGHLIGHTS_PER_WORD = 4000 / LONG_WORDS
SIZE = (120, 40)


@dataclass(slots=True)
class ReadingLibrary:
    """The data dir, and the two articles with how many highlights each shows."""

    root: Path
    seed: Article
    long: Article
    highlights: dict[str, int]


def reading_library(pool: Pool, root: Path) -> ReadingLibrary:
    """Store the seed article and a long article, each topped up with annotations to the same density."""
    maker = ArticleMaker(pool, seed=2)
    seed = maker.seed_article()
    long = maker.article(LONG_WORDS, index=1)
    library = Library(root)
    highlights: dict[str, int] = {}
    with without_fsync():
        library.add_many([seed, long])
        for article in (seed, long):
            assert article.analysis is not None
            spans = len(article.analysis.entities) + len(article.analysis.numbers)
            wanted = round(article.words * HIGHLIGHTS_PER_WORD)
            # At least one annotation per ten spans: annotations are drawn differently from spans.
            extra = max(wanted - spans, spans // 10)
            library.add_annotations(article.id, maker.annotation_items(article, extra))
            highlights[article.id] = spans + extra
    return ReadingLibrary(root, seed, long, highlights)


def app_env(workdir: Path) -> None:
    """Point reader's config at a fresh dir, so the user's config never changes a figure."""
    config = workdir / "config"
    config.mkdir(parents=True, exist_ok=True)
    os.environ["READER_CONFIG_DIR"] = str(config)
    os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")


def article_view(app: Any) -> Any | None:
    """The ArticleView of the current screen, if it is an article screen with its lines laid out."""
    from reader.widgets.article_view import ArticleView

    try:
        view = app.screen.query_one(ArticleView)
    except Exception:
        return None
    return view if view.lines else None


async def open_and_paint(app: Any, pilot: Any, article_id: str) -> float:
    """Seconds from asking the app to open an article to the first paint of its text."""
    started = time.perf_counter()
    app.open_article_screen(article_id)
    deadline = started + 30
    while (view := article_view(app)) is None or view.article.id != article_id:
        if time.perf_counter() > deadline:
            raise RuntimeError(f"article {article_id} was not shown within 30 s")
        await asyncio.sleep(0)
    await pilot.pause(0)  # pending messages through, then the screen painted
    return time.perf_counter() - started


async def close_article(app: Any, pilot: Any) -> None:
    """Back to the library, and wait until the app is idle again."""
    app.pop_screen()
    await pilot.pause()
