"""Libraries of a chosen size, written fast with the store's own bulk functions."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from bench.corpus import ArticleMaker, Pool
from reader.article import Article
from reader.store import Library

# add_many writes one index per call; chunks keep the article list in memory bounded.
CHUNK = 500


@contextlib.contextmanager
def without_fsync() -> Iterator[None]:
    """Skip fsync while generating data: durability of a throwaway library is not what is measured.

    Every figure is measured after this context has ended, with the store's real fsyncs.
    """
    real = os.fsync
    os.fsync = lambda fd: None  # type: ignore[assignment]
    try:
        yield
    finally:
        os.fsync = real


def build_library(
    root: Path,
    maker: ArticleMaker,
    articles: int,
    *,
    words: tuple[int, int] = (300, 1200),
    annotations_per_article: int = 0,
) -> tuple[Library, list[Article]]:
    """A library of `articles` new articles of random length, each with that many annotations.

    Returns the library and the articles' light copies (text and tokens kept for choosing
    spans; callers must not rely on anything else).
    """
    library = Library(root)
    made: list[Article] = []
    with without_fsync():
        for first in range(0, articles, CHUNK):
            chunk = [
                maker.article(maker.rng.randrange(*words), index=i)
                for i in range(first, min(articles, first + CHUNK))
            ]
            library.add_many(chunk)
            if annotations_per_article:
                for article in chunk:
                    library.add_annotations(article.id, maker.annotation_items(article, annotations_per_article))
            made += chunk
    return library, made


def store_bytes(root: Path) -> int:
    """Bytes of every file under the data dir."""
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())



# Annotated libraries are slow to write; figures that need the same one share a template and
# each work on their own copy, so that one figure's writes never change another's input.
_templates: dict[tuple[int, int], Path] = {}


def annotated_library(
    pool: Pool, root: Path, articles: int, per_article: int, *, writes: bool = True
) -> Library:
    """A library of `articles` articles with `per_article` annotations each, at `root`.

    The template is written once per run, next to `root`'s parent; a caller that `writes` gets
    its own copy of it, one that only reads gets the template itself.
    """
    key = (articles, per_article)
    template = _templates.get(key)
    if template is None or not template.is_dir():
        template = root.parent.parent / f"template-{articles}x{per_article}"
        shutil.rmtree(template, ignore_errors=True)
        maker = ArticleMaker(pool, seed=articles)
        build_library(template, maker, articles, annotations_per_article=per_article)
        _templates[key] = template
    if not writes:
        return Library(template)
    shutil.copytree(template, root)
    return Library(root)
