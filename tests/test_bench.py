"""The benchmark's own machinery: generated text keeps its analysis true, cached libraries are
keyed by what they hold and never changed through a working copy, and the terminal watcher
recognises titles only where a terminal would show them."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import stores  # noqa: E402
from bench.corpus import ArticleMaker, Paragraph, Pool, made_up_word  # noqa: E402
from bench.terminal import PREFIX, _Screen, title_prefixes  # noqa: E402
from reader.store import Library  # noqa: E402

_TOKEN = re.compile(r"\w+|[^\w\s]")


def _paragraph(text: str, entities: list[tuple[str, str]]) -> Paragraph:
    spans = []
    for surface, label in entities:
        start = text.index(surface)
        spans.append((start, start + len(surface), label))
    tokens = [offset for m in _TOKEN.finditer(text) for offset in m.span()]
    numbers = [(m.start(), m.end(), "CARDINAL") for m in re.finditer(r"\d+", text)]
    return Paragraph(text, spans, numbers, tokens)


@pytest.fixture
def pool() -> Pool:
    """A pool small enough to write libraries of a few dozen articles in a blink."""
    paragraphs = [
        _paragraph("Maria Lopez said the council would consider the proposal on Monday.", [("Maria Lopez", "PERSON"), ("Monday", "DATE")]),
        _paragraph("Carla Gomez told reporters that 42 families had been moved from the valley.", [("Carla Gomez", "PERSON")]),
        _paragraph("The ministry in Lisbon published its yearly figures without further comment.", [("Lisbon", "GPE")]),
        _paragraph("Officials expect the reconstruction to take another 18 months at least.", []),
    ]
    return Pool(paragraphs, "test_model", "0.0", key="test-pool")


def test_made_up_words_are_one_lowercase_word_of_the_asked_length() -> None:
    words = {made_up_word(rank, 6) for rank in range(5000)}
    assert len(words) == 5000
    assert all(len(w) == 6 and w.isalpha() and w.islower() for w in words)


def test_vocabulary_changes_only_ordinary_words_and_keeps_every_span(pool: Pool) -> None:
    plain = ArticleMaker(pool, seed=3)
    varied = ArticleMaker(pool, seed=3, vocabulary=1.0)
    a, b = plain.article(200), varied.article(200)
    assert len(a.text) == len(b.text)
    assert a.analysis is not None and b.analysis is not None
    assert a.analysis.tokens == b.analysis.tokens
    for span in b.analysis.entities:
        if span.label != "PERSON":
            assert b.text[span.start : span.end] in {"Monday", "Lisbon"}
    # Every ordinary word was replaced: none of the pool's long lower-case words is left.
    assert not {"council", "proposal", "reporters", "ministry"} & set(re.findall(r"[a-z]+", b.text))


def test_titles_are_not_cut_at_an_abbreviation(pool: Pool) -> None:
    pool.paragraphs.insert(0, _paragraph("Mr. Lopez said on Monday. Nothing else was said.", [("Monday", "DATE")]))
    maker = ArticleMaker(pool, seed=1)
    titles = {maker.article(30).title for _ in range(30)}
    assert "Mr. Lopez said on Monday" in titles
    assert "Mr" not in titles


def _spec(**changes: object) -> stores.Spec:
    fields: dict[str, object] = {"name": "tiny", "articles": 30, "annotated_every": 3, "per_article": 2, "opened_every": 5, "read_every": 7}
    return stores.Spec(**(fields | changes))  # type: ignore[arg-type]


def test_the_cache_key_follows_every_parameter_and_the_pool(pool: Pool) -> None:
    assert _spec().key(pool) == _spec().key(pool)
    assert _spec(articles=31).key(pool) != _spec().key(pool)
    assert _spec(vocabulary=0.2).key(pool) != _spec().key(pool)
    other = Pool(pool.paragraphs, pool.model, pool.version, key="another-pool")
    assert _spec().key(other) != _spec().key(pool)


def _contents(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file() and not p.name.endswith(("-shm", "-wal", "lock"))}


@pytest.mark.slow  # copies with `cp -al` and sizes with `du`
def test_writes_to_a_working_copy_leave_the_cached_library_as_it_was(
    pool: Pool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stores, "LIBRARIES", tmp_path / "libraries")
    cached = stores.cached_library(pool, _spec(), say=lambda line: None)
    library = Library(cached.root)
    assert library.count() == 30
    assert sum(s.annotations for s in library.summaries()) == cached.built["annotations"] > 0
    assert library.continue_reading() is not None
    before = _contents(cached.root)

    copy = stores.working_copy(cached, tmp_path / "copy")
    annotated = next(s.id for s in copy.summaries() if s.annotations)
    copy.add_annotation(annotated, 0, 5, "ORG")
    copy.set_read(annotated)
    copy.remove(copy.ids()[0])
    copy.add_many([ArticleMaker(pool, seed=99).article(60)])

    assert _contents(cached.root) == before
    assert Library(cached.root).check().ok
    assert copy.check().ok
    # The second ask finds it in the cache: nothing is built again.
    assert stores.cached_library(pool, _spec(), say=pytest.fail).root == cached.root


@pytest.mark.slow  # sizes the build with `du`
def test_a_build_under_a_new_key_replaces_the_stale_one(pool: Pool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stores, "LIBRARIES", tmp_path / "libraries")
    old = stores.cached_library(pool, _spec(articles=10), say=lambda line: None)
    new = stores.cached_library(pool, _spec(articles=12), say=lambda line: None)
    assert not old.root.exists()
    assert Library(new.root).count() == 12
    assert [p.name for p in (tmp_path / "libraries").iterdir()] == [new.root.parent.name]


def test_titles_are_recognised_where_a_terminal_shows_them() -> None:
    titles = ["Council weighs the valley plan", "Ministry keeps its figures", "Short"]
    screen = _Screen(title_prefixes(titles))
    assert len(title_prefixes(titles)) == 2  # too short to tell apart from other text
    stream = (
        b"\x1b[?1049h\x1b[1;1H\x1b[38;2;228;228;232m Council weighs the val\x1b[0m"
        b"\x1b[2;1H\x1b[1mXMinistry keeps its figures\x1b[0m"
    )
    # Split inside an escape sequence and inside the title: reads arrive in pieces.
    screen.feed(stream[:12])
    screen.feed(stream[12:40])
    screen.feed(stream[40:])
    assert screen.seen == {titles[0][:PREFIX]}  # the second is glued to a letter, not a title start
