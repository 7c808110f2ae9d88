"""Export rendered by worker processes: the same bytes, report and progress as in one process.

Chunks are made small (`_MAX_CHUNK`, read only by the parent) so that a few articles make
many chunks, each rendered by whichever worker is free, and joined back in order. Nothing is
monkeypatched inside a worker: failures there come from the store's files themselves.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import signal
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest

import reader.export
from reader.export import ExportError, ExportReport, export_library, export_stream
from reader.store import Library, StoreError
from reader.text import word_spans
from tests.conftest import SPAWNS_PROCESSES
from tests.test_export import TEXT, add_article, at, run, span_at
from tests.test_export_tokens import TEXTS

# Every test here compares worker processes with one process.
pytestmark = SPAWNS_PROCESSES

LINE_FORMATS = ["jsonl", "doccano", "conll"]


@pytest.fixture
def library(data_dir: Path) -> Library:
    """A library with every kind of article an export meets: overlapping spans (CoNLL warns),
    texts that stress tokens and escapes, predictions, every review status, one with nothing
    to export, and an annotation file whose article is gone."""
    library = Library(data_dir)
    add_article(
        library,
        TEXT,
        entities=[span_at(TEXT, "Apple", "ORG"), span_at(TEXT, "Tim Cook", "PERSON")],
        numbers=[span_at(TEXT, "$3 billion", "MONEY", "number")],
        annotations=[
            at(TEXT, "Apple", "ORG", "model"),
            at(TEXT, "Apple bought Beats", "EVENT"),
            at(TEXT, "Beats", "ORG"),
            at(TEXT, "1 August 2014", "DATE"),
        ],
        status="done",
    )
    statuses = ["done", "in_progress", "done", "new", "ignored"]
    for n, text in enumerate(TEXTS * 3):
        text = f"{text} ({n})"
        start, end = word_spans(text)[n % 2]
        status = statuses[n % len(statuses)]
        add_article(library, text, annotations=[(start, end, f"L{n % 3}", "manual")], status=status)
    add_article(library, "Nothing tagged in this one.")
    gone = add_article(library, "Rome is old.", annotations=[(0, 4, "GPE", "manual")])
    (library.articles_dir / f"{gone}.json").unlink()
    return library


@pytest.fixture(autouse=True)
def small_chunks(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """Chunks of at most two articles, and a spool folder of this test's own (returned).

    The folder sits in the session's temporary folder, not in the test's deeper `tmp_path`:
    the fork server puts its socket in it, and a socket's path may not pass 107 bytes. It is
    left for pytest to clear with the rest: the fork server removes its own folder at exit.
    """
    monkeypatch.setattr(reader.export.pool, "_MAX_CHUNK", 2)
    spool = Path(tempfile.mkdtemp(prefix="spool-", dir=tmp_path_factory.getbasetemp()))
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    return spool


def export(
    library: Library, format: str, out: Path, jobs: int, **options: Any
) -> tuple[bytes, ExportReport, list[tuple[int, int, str]]]:
    """Export to `out`; returns its bytes, the report and every progress call."""
    calls: list[tuple[int, int, str]] = []
    report = export_library(
        library, format, out, jobs=jobs, on_progress=lambda *a: calls.append(a), **options
    )
    return out.read_bytes(), report, calls


def same_report(a: ExportReport, b: ExportReport) -> bool:
    return a == b


@pytest.mark.parametrize("format", LINE_FORMATS)
@pytest.mark.parametrize(
    "options", [{}, {"include_predictions": True}, {"include_all": True}], ids=str
)
def test_workers_write_the_bytes_one_process_writes(
    library: Library, tmp_path: Path, small_chunks: Path, format: str, options: dict[str, bool]
) -> None:
    out = tmp_path / "out" / f"data.{format}"
    alone, alone_report, alone_calls = export(library, format, out, 1, **options)
    assert alone_report.articles >= 10
    assert alone_report.ignored == (0 if format == "jsonl" else 4)  # JSONL keeps them
    # CoNLL takes done articles only, unless predictions are asked for.
    done_only = format == "conll" and not options.get("include_predictions")
    assert bool(alone_report.not_done) == done_only
    if format == "conll":
        assert alone_report.warnings  # the overlapping spans, reported in order
    for jobs in (2, 3):
        data, report, calls = export(library, format, out, jobs, **options)
        assert data == alone
        assert same_report(report, alone_report)
        assert calls == alone_calls
    assert list(small_chunks.iterdir()) == []  # no chunk file, no spool folder left
    assert [p.name for p in out.parent.iterdir()] == [out.name]


@pytest.mark.parametrize("format", LINE_FORMATS)
def test_workers_write_to_a_text_stream_what_one_process_writes(
    library: Library, format: str
) -> None:
    ids = library.stored_ids()  # asked for, not listed: the one without annotations is skipped
    streams = []
    for jobs in (1, 2):
        stream = io.StringIO()
        report = export_stream(library, format, stream, ids, jobs=jobs)
        streams.append((stream.getvalue(), report.articles, report.skipped, report.warnings))
    assert streams[0] == streams[1]


def test_a_lone_surrogate_in_a_store_file_reads_the_same_in_a_worker(
    library: Library, tmp_path: Path
) -> None:
    # The store writes no such text, but reads one from a file edited by hand: as a space.
    text = "Half a pair: X, then Paris."
    stored = add_article(library, text, annotations=[at(text, "Paris", "GPE")])
    path = library.articles_dir / f"{stored}.json"
    path.write_bytes(path.read_bytes().replace(b"pair: X,", b"pair: \\ud83c,"))
    assert library.get(stored).text == "Half a pair:  , then Paris."
    lines = []
    for jobs in (1, 2):
        stream = io.StringIO()
        export_stream(library, "jsonl", stream, jobs=jobs)
        lines.append(stream.getvalue())
    assert "Half a pair:  , then Paris." in lines[0] and lines[0] == lines[1]
    for jobs in (1, 2):
        export_library(library, "jsonl", tmp_path / f"out{jobs}.jsonl", jobs=jobs)
    assert (tmp_path / "out1.jsonl").read_bytes() == (tmp_path / "out2.jsonl").read_bytes()


@pytest.mark.parametrize("folder", ["articles", "annotations"])
@pytest.mark.parametrize("jobs", [1, 2])
def test_a_bad_store_file_in_a_worker_fails_as_in_one_process(
    library: Library, tmp_path: Path, small_chunks: Path, folder: str, jobs: int
) -> None:
    out = tmp_path / "out" / "data.jsonl"
    export_library(library, "jsonl", out, jobs=1)
    good = out.read_bytes()
    # An article in the middle, so that chunks before it have been written already.
    ids = library.stored_ids(annotated=True)
    bad = library.root / folder / f"{ids[len(ids) // 2]}.json"
    bad.write_bytes(b'{"reader": {"schema": 1, "kind": "ar')
    with pytest.raises(StoreError, match="store file is corrupt") as raised:
        export_library(library, "jsonl", out, jobs=jobs)
    assert str(bad) in str(raised.value)
    assert out.read_bytes() == good
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # no temporary file left
    assert list(small_chunks.iterdir()) == []


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_id_asked_for_that_is_not_stored_fails_in_a_worker_too(
    library: Library, jobs: int
) -> None:
    ids = [*library.stored_ids(annotated=True)[:5], "f" * 16]
    with pytest.raises(LookupError, match="no article with id 'fff"):
        export_stream(library, "jsonl", io.StringIO(), ids, include_all=True, jobs=jobs)


def test_a_worker_killed_fails_the_export_instead_of_waiting_forever(
    library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_chunks: Path
) -> None:
    monkeypatch.setattr(reader.export.pool, "_MAX_CHUNK", 1)
    out = tmp_path / "out" / "data.jsonl"
    export_library(library, "jsonl", out, jobs=1)
    good = out.read_bytes()

    def kill_the_workers(done: int, total: int, article_id: str) -> None:
        if done == 1:
            for child in multiprocessing.active_children():
                os.kill(child.pid, signal.SIGKILL)

    with pytest.raises(ExportError, match="worker process died"):
        export_library(library, "jsonl", out, jobs=2, on_progress=kill_the_workers)
    assert out.read_bytes() == good
    assert list(small_chunks.iterdir()) == []


class CountingExecutor(ProcessPoolExecutor):
    """A process pool that records, at each chunk handed to it, how many are in flight."""

    in_flight: list[int] = []
    progressed = 0
    submitted = 0

    def submit(self, *args: Any, **kwargs: Any) -> Any:
        CountingExecutor.submitted += 1
        CountingExecutor.in_flight.append(CountingExecutor.submitted - CountingExecutor.progressed)
        return super().submit(*args, **kwargs)


def test_at_most_two_chunks_per_worker_are_in_flight(
    library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import concurrent.futures

    monkeypatch.setattr(reader.export.pool, "_MAX_CHUNK", 1)  # a chunk per article
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", CountingExecutor)
    CountingExecutor.in_flight = []
    CountingExecutor.submitted = CountingExecutor.progressed = 0

    def progressed(done: int, total: int, article_id: str) -> None:
        CountingExecutor.progressed = done

    export_library(library, "jsonl", tmp_path / "a.jsonl", jobs=2, on_progress=progressed)
    assert CountingExecutor.submitted == len(library.stored_ids(annotated=True))
    assert max(CountingExecutor.in_flight) == 4


def test_small_exports_stay_in_this_process_and_large_ones_do_not(
    library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import concurrent.futures

    started: list[int] = []

    class Recorded(ProcessPoolExecutor):
        def __init__(self, jobs: int, **options: Any) -> None:
            started.append(jobs)
            super().__init__(jobs, **options)

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", Recorded)
    monkeypatch.setattr(reader.export.pool, "usable_cpus", lambda: 8)
    alone = export_library(library, "jsonl", tmp_path / "a.jsonl")  # about 25 articles
    assert started == []
    monkeypatch.setattr(reader.export.pool, "PARALLEL_FROM", 10)
    shared = export_library(library, "jsonl", tmp_path / "b.jsonl")
    assert started == [2]  # two at most, however many CPUs
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()
    assert (alone.articles, alone.spans, alone.skipped, alone.warnings) == (
        shared.articles,
        shared.spans,
        shared.skipped,
        shared.warnings,
    )
    # However many are asked for, no more workers than CPUs: each costs memory and a process.
    export_library(library, "jsonl", tmp_path / "g.jsonl", jobs=99_999_999)
    assert started == [2, 8]
    monkeypatch.setattr(reader.export.pool, "usable_cpus", lambda: 1)
    export_library(library, "jsonl", tmp_path / "c.jsonl")
    export_library(library, "spacy", tmp_path / "d.spacy", jobs=2)  # one DocBin, one writer
    export_library(library, "jsonl", tmp_path / "e.jsonl", [], jobs=4)  # nothing to share
    export_library(library, "jsonl", tmp_path / "h.jsonl", jobs=99_999_999)
    assert started == [2, 8]
    with pytest.raises(ExportError, match="jobs must be 1 or more"):
        export_library(library, "jsonl", tmp_path / "f.jsonl", jobs=0)


def test_cli_jobs(capsys: pytest.CaptureFixture[str], library: Library, tmp_path: Path) -> None:
    outputs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}.conll"
        status, _, err = run(capsys, "export", "-f", "conll", "-o", str(out), "--jobs", jobs)
        assert status == 0
        outputs.append((out.read_bytes(), err.replace(str(out), "OUT")))
    assert outputs[0] == outputs[1]
    assert "overlapping spans left out of the IOB tags" in outputs[0][1]
    streams = [run(capsys, "export", "--jobs", jobs)[:2] for jobs in ("1", "2")]
    assert streams[0] == streams[1] and streams[0][0] == 0 and streams[0][1]
    for jobs in ("0", "-3", "two"):
        status, out, err = run(capsys, "export", "--jobs", jobs)
        assert (status, out) == (1, "")
        assert err == f"reader: --jobs: expected a whole number, 1 or more, not '{jobs}'\n"


def test_an_export_from_a_thread_gives_the_same_bytes(
    library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app exports from a worker thread: its workers then come from a fork server."""
    import multiprocessing
    import threading

    contexts: list[str] = []
    real = multiprocessing.get_context
    monkeypatch.setattr(multiprocessing, "get_context", lambda m=None: (contexts.append(m), real(m))[1])
    out = tmp_path / "out" / "data.jsonl"
    alone, alone_report, _ = export(library, "jsonl", out, 1)
    results: list[bytes] = []
    thread = threading.Thread(target=lambda: results.append(export(library, "jsonl", out, 2)[0]))
    thread.start()
    thread.join(120)
    assert results == [alone]
    assert "forkserver" in contexts
