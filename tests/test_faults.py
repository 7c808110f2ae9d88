"""Faults the store must survive: kill -9 mid-save, concurrent CLI writers, a full disk, damaged files.

test_store.py covers the store's own unit cases (a failing annotation write, two forked
writers, corrupt annotation files read through the API); these go further: real processes
killed at random moments, real `python -m reader` processes racing, failures injected in the
storage layer during ingest and while saving the reading position, and damaged files of each
kind met through the command line and the app.
"""

from __future__ import annotations

import errno
import gc
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from reader import atomic as atomic_module
from reader.article import Analysis, Article, Draft, Span
from reader.catalog import Catalog
from reader.cli import main
from reader.store import Library, StoreError
from reader.text import word_spans
from tests.conftest import ROOT, SEED

PARAGRAPHS = [
    "Tajikistan President Emomali Rahmon has affirmed his nation's commitment to combating terrorism.",
    "The attack at Crocus City Hall near Moscow claimed the lives of at least 139 people.",
]


def make_article(paragraphs: list[str] = PARAGRAPHS, title: str = "Test article") -> Article:
    """An article with a hand-made analysis, so no test here needs spaCy unless it ingests."""
    article = Article.from_draft(Draft(list(paragraphs), "test.txt", title=title))
    start = article.text.find("Emomali Rahmon")
    article.analysis = Analysis(
        model="hand",
        version="1",
        entities=[Span(start, start + len("Emomali Rahmon"), "PERSON")] if start >= 0 else [],
        tokens=[i for span in word_spans(article.text) for i in span],
    )
    return article


def snapshot(root: Path) -> dict[str, bytes]:
    """Every store file's bytes, by path under the data dir; and what the catalog shows (its
    bytes are not compared: SQLite may rewrite pages that hold the same rows)."""
    if not root.is_dir():
        return {}
    files = {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != "lock" and not p.name.startswith("catalog.sqlite")
    }
    rows = [s.to_json() for s in Library(root).summaries()] if (root / "catalog.sqlite").exists() else []
    return {**files, "(catalog rows)": json.dumps(rows).encode()}


class CatalogWritesFail:
    """While active, catalog transactions fail as SQLite's do on a full disk: all but the first
    `passing` (1 lets the pending marks through, so the files are written and the update fails)."""

    def __init__(self, passing: int = 1) -> None:
        self.failed = 0
        self.passing = passing
        self._real = Catalog.transaction

    def __enter__(self) -> CatalogWritesFail:
        fault = self

        def transaction(catalog: Catalog):  # type: ignore[no-untyped-def]
            if fault.passing > 0:
                fault.passing -= 1
                return fault._real(catalog)
            fault.failed += 1
            raise sqlite3.OperationalError("database or disk is full")

        Catalog.transaction = transaction  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        Catalog.transaction = self._real  # type: ignore[method-assign]


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """`reader ARGV` in this process: (status, stdout, stderr)."""
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def one_line(err: str) -> str:
    """The single line a failure prints; fails the test when there are more or none."""
    lines = err.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got {lines!r}"
    return lines[0]


class StoreWritesFail:
    """While active, the storage layer's writes fail with ENOSPC for the files `when` picks.

    Only writes made by the atomic-write helper fail, so pytest, spaCy and everything else
    keep their disk; the file is told by the temporary file the store is writing (its name holds the
    target's). `failed` lists the paths that failed. Undone on leaving, by itself: the test's
    `monkeypatch.undo()` would also undo conftest's data-dir isolation.
    """

    def __init__(self, when: Callable[[str], bool] = lambda path: True) -> None:
        self.when = when
        self.failed: list[str] = []
        self._real = os.write

    def _write(self, fd: int, data: bytes) -> int:
        if sys._getframe(1).f_globals.get("__name__") == "reader.atomic":
            path = os.readlink(f"/proc/self/fd/{fd}")
            if self.when(path):
                self.failed.append(path)
                raise OSError(errno.ENOSPC, "No space left on device")
        return self._real(fd, data)

    def __enter__(self) -> StoreWritesFail:
        atomic_module.os.write = self._write  # type: ignore[assignment]
        return self

    def __exit__(self, *exc: object) -> None:
        atomic_module.os.write = self._real


def no_temporary_files(root: Path) -> bool:
    """No `.NAME.PID.TID.tmp` file of an interrupted write is left in the data dir."""
    return not [p for p in root.rglob("*.tmp")]


# -- kill -9 while saving ----------------------------------------------------------------------

# Saves annotations (and now and then a new article and the reading position) in a loop, and
# prints what was acknowledged only after the call has returned.
_SAVER = """
import sys
from pathlib import Path
from reader.article import Article, Draft
from reader.store import Library

root, first, second, round_ = Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
library = Library(root)
i = 0
while True:
    i += 1
    article_id = first if i % 2 else second
    if i % 9 == 0:
        new = Article.from_draft(Draft([f"Round {round_}, article {i}: news from Dushanbe."], "kill.txt"))
        if library.add(new):
            print("article", new.id, flush=True)
    else:
        start = i % 40
        annotation = library.add_annotation(article_id, start, start + 7, "ORG")
        print("annotation", article_id, annotation.id, flush=True)
    if i % 5 == 0:
        library.set_position(article_id, i % 50)
"""


def _drain(stream, lines: list[str]) -> None:  # type: ignore[no-untyped-def]
    # Only whole lines count: a line cut by the kill was never acknowledged.
    for line in stream:
        if line.endswith("\n"):
            lines.append(line)


@pytest.mark.slow
def test_kill_9_at_random_moments_loses_no_acknowledged_save(data_dir: Path) -> None:
    library = Library(data_dir)
    first, second = make_article(), make_article(["A second article about Moscow and Dushanbe, in 2024."])
    library.add(first)
    library.add(second)
    rng = random.Random(1849)
    annotations: list[tuple[str, str]] = []
    articles: list[str] = []
    rounds = 0
    deadline = time.monotonic() + 45
    while rounds < 40 or len(annotations) < 200:
        assert time.monotonic() < deadline, f"only {len(annotations)} saves in {rounds} rounds"
        rounds += 1
        proc = subprocess.Popen(
            [sys.executable, "-c", _SAVER, str(data_dir), first.id, second.id, str(rounds)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            cwd=ROOT,
        )
        lines: list[str] = []
        reader = threading.Thread(target=_drain, args=(proc.stdout, lines), daemon=True)
        reader.start()
        # Kill once saving has begun, after a random share of a save loop's worth of time.
        started = time.monotonic()
        while not lines and proc.poll() is None and time.monotonic() - started < 10:
            time.sleep(0.002)
        time.sleep(rng.uniform(0, 0.12))
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        reader.join(10)
        assert proc.returncode == -signal.SIGKILL, "the saver stopped before it was killed"
        for line in lines:
            kind, *rest = line.split()
            if kind == "annotation":
                annotations.append((rest[0], rest[1]))
            else:
                articles.append(rest[0])

    library = Library(data_dir)
    library.ids()  # the first open repairs what a kill between files and catalog left
    assert library.check().problems == []
    for article_id in (first.id, second.id):
        stored = {a.id for a in library.annotations(article_id)}
        acknowledged = {a for i, a in annotations if i == article_id}
        assert acknowledged <= stored, f"lost {len(acknowledged - stored)} acknowledged saves"
    ids = set(library.ids())
    assert set(articles) <= ids
    assert all(library.has(i) for i in ids)
    counts = {s.id: s.annotations for s in library.summaries()}
    assert counts[first.id] == len(library.annotations(first.id))
    assert counts[second.id] == len(library.annotations(second.id))


# -- concurrent command-line writers -----------------------------------------------------------


@pytest.mark.slow
def test_concurrent_reader_tag_processes_lose_no_write(data_dir: Path) -> None:
    library = Library(data_dir)
    first, second = make_article(), make_article(["A second article about Moscow and Dushanbe, in 2024."])
    library.add(first)
    library.add(second)
    jobs = []
    for i in range(12):
        article = first if i % 3 else second  # two thirds on one article, a third on the other
        start, end = word_spans(article.text)[i]
        label = ("ORG", "PERSON", "GPE")[i % 3]
        argv = [sys.executable, "-m", "reader", "tag", article.id, str(start), str(end), label]
        jobs.append((article.id, subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)))
    printed: dict[str, set[str]] = {first.id: set(), second.id: set()}
    for article_id, proc in jobs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        printed[article_id].add(out.strip())
    for article_id, ids in printed.items():
        assert {a.id for a in library.annotations(article_id)} == ids
    assert {s.id: s.annotations for s in library.summaries()} == {first.id: 8, second.id: 4}
    assert library.check().problems == []


# -- a full disk -------------------------------------------------------------------------------


@pytest.fixture
def two_articles(data_dir: Path) -> tuple[Library, Article, Article]:
    """A library of two articles, each with one annotation and a reading position."""
    library = Library(data_dir)
    first, second = make_article(), make_article(["A second article about Moscow and Dushanbe, in 2024."])
    library.add_many([first, second])
    for article in (first, second):
        library.add_annotation(article.id, 0, 10, "GPE")
        library.set_position(article.id, 5)
    library.summaries()  # lets the index count the annotations now, not during a test
    return library, first, second


def test_full_disk_on_tag_is_exit_2_and_one_line(
    capsys: pytest.CaptureFixture[str], two_articles, data_dir: Path
) -> None:
    library, first, _ = two_articles
    before = snapshot(data_dir)
    with StoreWritesFail() as fault:
        status, out, err = run_cli(capsys, "tag", first.id, "0", "10", "ORG")
    assert fault.failed
    assert status == 2 and out == ""
    line = one_line(err)
    assert "No space left on device" in line
    assert str(data_dir / "annotations" / f"{first.id}.json") in line
    assert snapshot(data_dir) == before
    assert no_temporary_files(data_dir)


def test_full_disk_on_set_position_keeps_the_old_position(two_articles, data_dir: Path) -> None:
    library, first, _ = two_articles
    before = snapshot(data_dir)
    with StoreWritesFail(), pytest.raises(StoreError, match="No space left on device"):
        library.set_position(first.id, 42)
    assert snapshot(data_dir) == before
    assert library.position(first.id) == 5
    assert no_temporary_files(data_dir)


def _fail_add_many(library: Library, failing: str) -> list[Article]:
    """Try to add three articles while the disk fills up at the second one's file or at the catalog."""
    new = [make_article([f"Article number {i} about Dushanbe."], title=f"New {i}") for i in range(3)]
    if failing == "catalog":
        with CatalogWritesFail(), pytest.raises(StoreError, match="disk is full"):
            library.add_many(new)
        return new
    with StoreWritesFail(lambda path: new[1].id in path), pytest.raises(StoreError, match="No space left on device"):
        library.add_many(new)
    return new


@pytest.mark.parametrize("failing", ["article file", "catalog"])
def test_full_disk_during_add_many_keeps_the_catalog_and_a_retry_works(
    two_articles, data_dir: Path, failing: str
) -> None:
    library, *_ = two_articles
    new = _fail_add_many(library, failing)
    assert len(library.ids()) == 2
    fresh = Library(data_dir)
    fresh.ids()  # an open checks whatever a failed write left marked
    assert fresh.check().problems == []
    assert no_temporary_files(data_dir)
    # Once there is room again the same articles go in.
    assert library.add_many(new) == [True, True, True]
    assert len(library.summaries()) == 5


@pytest.mark.parametrize("failing", ["article file", "catalog"])
def test_full_disk_during_add_many_leaves_no_article_file_behind(
    two_articles, data_dir: Path, failing: str
) -> None:
    library, *_ = two_articles
    before = snapshot(data_dir)
    new = _fail_add_many(library, failing)
    assert not any(library.has(a.id) for a in new)
    assert snapshot(data_dir) == before


@pytest.mark.slow
def test_full_disk_during_cli_ingest_is_exit_2_and_a_retry_works(
    capsys: pytest.CaptureFixture[str], two_articles, data_dir: Path
) -> None:
    before = snapshot(data_dir)
    with StoreWritesFail():
        status, _, err = run_cli(capsys, "ingest", str(SEED))
    assert status == 2
    line = one_line(err)
    assert "No space left on device" in line and str(data_dir) in line
    assert snapshot(data_dir) == before
    status, out, err = run_cli(capsys, "ingest", str(SEED))
    assert status == 0, err
    assert "added" in out
    assert len(Library(data_dir).ids()) == 3


@pytest.mark.slow
def test_full_disk_on_the_catalog_during_cli_ingest_then_retry(
    capsys: pytest.CaptureFixture[str], two_articles, data_dir: Path
) -> None:
    """The article file is written, the catalog cannot be: a retry must still add the article."""
    with CatalogWritesFail():
        status, _, err = run_cli(capsys, "ingest", str(SEED))
    assert status == 2
    assert str(data_dir / "catalog.sqlite") in one_line(err)
    assert len(Library(data_dir).ids()) == 2
    status, out, err = run_cli(capsys, "ingest", str(SEED))
    assert status == 0, err
    status, out, _ = run_cli(capsys, "list")
    assert status == 0
    assert len(out.splitlines()) == 3


async def test_full_disk_when_leaving_an_article_in_the_app(two_articles, data_dir: Path) -> None:
    """The reading position cannot be saved: the app says so, keeps running, changes nothing."""
    from reader.app import make_app
    from reader.widgets.article_view import ArticleView

    library, first, _ = two_articles
    app = make_app(data_dir)
    said = record_notifications(app)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.open_article_screen(first.id)
        await pilot.pause()
        view = app.screen.query_one(ArticleView)
        for _ in range(4):
            await pilot.press("right")
        await pilot.pause()
        assert view.offset() != 5
        before = snapshot(data_dir)
        with StoreWritesFail() as fault:
            await pilot.press("q")
            await pilot.pause()
        assert fault.failed
        assert app.is_running
        assert not app.screen.query(ArticleView)
        assert any("No space left on device" in s for s in said), said
        assert snapshot(data_dir) == before
    assert Library(data_dir).position(first.id) == 5


def record_notifications(app) -> list[str]:  # type: ignore[no-untyped-def]
    """Every notification message the app shows from now on."""
    said: list[str] = []
    real_notify = app.notify

    def notify(message: str, **kwargs):  # type: ignore[no-untyped-def]
        said.append(str(message))
        return real_notify(message, **kwargs)

    app.notify = notify
    return said


# -- damaged store files -----------------------------------------------------------------------

DAMAGE = {
    "empty": lambda good: b"",
    "truncated": lambda good: good[: len(good) // 2],
    "not json": lambda good: b"\x00\x01garbage\xff",
    "no header": lambda good: b'{"_default": {}}',
}


def _damage(path: Path, how: str) -> bytes:
    path.write_bytes(DAMAGE[how](path.read_bytes()))
    return path.read_bytes()


@pytest.mark.parametrize("how", DAMAGE)
def test_a_damaged_catalog_is_rebuilt_from_the_files(
    capsys: pytest.CaptureFixture[str], two_articles, data_dir: Path, how: str
) -> None:
    """The catalog is derived: whatever happened to it, the next command builds it again."""
    library, first, second = two_articles
    before = {s.id: s.annotations for s in Library(data_dir).summaries()}
    library.catalog.close()  # damaged while no reader runs: no connection is left open
    gc.collect()
    catalog = data_dir / "catalog.sqlite"
    for extra in ("-wal", "-shm"):
        Path(f"{catalog}{extra}").unlink(missing_ok=True)
    _damage(catalog, how)
    status, out, err = run_cli(capsys, "list")
    assert status == 0, err
    assert len(out.splitlines()) == 2
    assert {s.id: s.annotations for s in Library(data_dir).summaries()} == before
    for argv in (["show", first.id[:8]], ["tag", first.id[:8], "0", "10", "ORG"], ["annotations"]):
        status, out, err = run_cli(capsys, *argv)
        assert status == 0, (argv, err)
    assert Library(data_dir).check().problems == []


@pytest.mark.parametrize("how", DAMAGE)
def test_damaged_article_file_leaves_the_rest_usable(
    capsys: pytest.CaptureFixture[str], two_articles, data_dir: Path, how: str
) -> None:
    _, first, second = two_articles
    path = data_dir / "articles" / f"{first.id}.json"
    damaged = _damage(path, how)
    before = snapshot(data_dir)
    for argv in (["show", first.id], ["tag", first.id, "0", "10", "ORG"]):
        status, out, err = run_cli(capsys, *argv)
        assert status == 2, argv
        assert str(path) in one_line(err), argv
    status, out, err = run_cli(capsys, "list")
    assert status == 0, err
    assert len(out.splitlines()) == 2
    status, out, err = run_cli(capsys, "show", second.id, "--json")
    assert status == 0, err
    assert path.read_bytes() == damaged
    assert snapshot(data_dir) == before
    assert any(str(path) in line for line in Library(data_dir).check().problems)


@pytest.mark.parametrize("how", DAMAGE)
def test_damaged_annotation_file_leaves_the_rest_usable(
    capsys: pytest.CaptureFixture[str], two_articles, data_dir: Path, how: str
) -> None:
    _, first, second = two_articles
    path = data_dir / "annotations" / f"{first.id}.json"
    damaged = _damage(path, how)
    for argv in (["show", first.id], ["tag", first.id, "0", "10", "ORG"], ["untag", first.id, "ab"]):
        status, out, err = run_cli(capsys, *argv)
        assert status == 2, argv
        assert str(path) in one_line(err), argv
        assert path.read_bytes() == damaged, argv
    status, out, err = run_cli(capsys, "list")
    assert status == 0, err
    assert len(out.splitlines()) == 2
    status, out, err = run_cli(capsys, "show", second.id)
    assert status == 0, err
    status, out, err = run_cli(capsys, "tag", second.id, "0", "10", "ORG")
    assert status == 0, err
    assert len(Library(data_dir).annotations(second.id)) == 2
    assert path.read_bytes() == damaged


async def test_damaged_annotation_file_in_the_app(two_articles, data_dir: Path) -> None:
    """The library still lists both articles; opening the damaged one says which file, and stays put."""
    from reader.app import make_app
    from reader.screens.library import LibraryScreen
    from reader.widgets.article_view import ArticleView

    _, first, second = two_articles
    path = data_dir / "annotations" / f"{first.id}.json"
    damaged = _damage(path, "truncated")
    app = make_app(data_dir)
    said = record_notifications(app)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LibraryScreen)
        assert {s.id for s in screen.table.rows()} == {first.id, second.id}
        app.open_article_screen(first.id)
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        assert any(str(path) in s for s in said), said
        app.open_article_screen(second.id)
        await pilot.pause()
        assert app.screen.query_one(ArticleView).article.id == second.id
    assert path.read_bytes() == damaged


async def test_an_annotation_past_the_text_in_the_app(two_articles, data_dir: Path) -> None:
    """A hand-edited span that ends past the text: opening the article names the file, and
    stays in the library, as for any other damage."""
    from reader.app import make_app
    from reader.screens.library import LibraryScreen

    _, first, _ = two_articles
    path = data_dir / "annotations" / f"{first.id}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    [record] = data["tables"]["annotations"].values()
    record["end"] = len(first.text) + 5
    path.write_text(json.dumps(data), encoding="utf-8")
    app = make_app(data_dir)
    said = record_notifications(app)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.open_article_screen(first.id)
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        assert any(str(path) in s and "outside the text" in s for s in said), said
