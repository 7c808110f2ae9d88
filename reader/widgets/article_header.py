"""The article's title, byline, date, source, length, reading time and how far in the reader is."""

from __future__ import annotations

import math

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from reader.article import Article, article_source

# Words a minute, the usual figure for reading on a screen.
READING_SPEED = 230


def reading_minutes(words: int) -> int:
    """Minutes to read `words` words at 230 a minute, at least one."""
    return max(1, math.ceil(words / READING_SPEED))


def progress_bar(fraction: float, width: int = 12) -> str:
    """A bar of `width` cells filled to `fraction`, and the percentage."""
    fraction = min(1.0, max(0.0, fraction))
    filled = round(fraction * width)
    return f"{'━' * filled}[dim]{'─' * (width - filled)}[/] {round(fraction * 100):>3}%"


class ArticleHeader(Vertical):
    """Title on the first line; byline, date, source, words and reading time, then progress."""

    def __init__(self, article: Article, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.article = article

    def compose(self) -> ComposeResult:
        """Title, then the metadata line with the progress at its right."""
        article = self.article
        words, minutes = article.words_and_minutes()  # one pass over the whole text
        yield Static(article.title or "(untitled)", id="article-title", markup=False)
        facts = [
            article.byline,
            (article.date or "")[:10] or None,
            article_source(article.site, article.source, article.url),
            f"{words:,} words",
            f"{minutes} min read",
            # Why no names are highlighted: nothing installed reads this language.
            article.entity_note(),
        ]
        with Horizontal(id="article-meta-row"):
            yield Static(" · ".join(f for f in facts if f), id="article-meta", markup=False)
            yield Static(progress_bar(0.0), id="article-progress")

    def set_progress(self, fraction: float) -> None:
        """Show how far through the article the reader is."""
        self.query_one("#article-progress", Static).update(progress_bar(fraction))
