"""Line formats rendered by worker processes: the same bytes as one process writes, sooner.

A large export to a line format is rendered by worker processes, a chunk of articles each,
with the same selection and writer as in one process; each chunk's lines go to a file of
their own in a spool folder, which this process copies to the target in order, so the output
is the same bytes either way and this process never holds a chunk in memory.

Workers die with the process that started them (a kill -9 of an export must not leave them
running), and the spool folder of an export that was killed is removed by the next one.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
from collections import deque
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from reader.atomic import process_running
from reader.export.formats import ExportFormat, Writer, get_format
from reader.export.report import ExportError, ExportReport, Progress
from reader.export.selection import ExportOptions, Selection
from reader.paths import usable_cpus
from reader.store import Library

if TYPE_CHECKING:
    from concurrent.futures import Future

# Below this many articles an export stays in one process: starting workers costs more than
# they save.
PARALLEL_FROM = 200
# About what a worker's chunk of articles should come to, in bytes of lines, and at most how
# many articles it holds. A chunk's lines go through a file, never through this process's
# memory; at most two chunks per worker are in flight, so the spool stays small too.
_CHUNK_BYTES = 1 << 22
_MAX_CHUNK = 64
_COPY_BYTES = 1 << 18  # what this process reads of a chunk's file at a time
# The spool folder of an export, named after the process that made it.
_SPOOL_PREFIX = "reader-export-"
_SPOOL = re.compile(re.escape(_SPOOL_PREFIX) + r"(?P<pid>\d+)-.+")


def worker_count(jobs: int | None, fmt: ExportFormat, articles: int) -> int:
    """How many worker processes render an export: 1 means none, all in this process."""
    if jobs is not None and jobs < 1:
        raise ExportError(f"jobs must be 1 or more, not {jobs}")
    if not fmt.streams:
        return 1  # a DocBin or a brat folder is written by one writer
    if jobs is None:
        return min(2, usable_cpus()) if articles > PARALLEL_FROM else 1
    # More workers than CPUs only cost memory: `--jobs 99999999` must not start that many.
    return max(1, min(jobs, articles, usable_cpus()))


_LABEL = attrgetter("label")


def write_all(writer: Writer, documents: Any, report: ExportReport) -> None:
    """Write every document, then what follows the last one; counts them in `report`."""
    _write_documents(writer, documents, report)
    writer.finish()


def _write_documents(writer: Writer, documents: Any, report: ExportReport) -> None:
    for document in documents:
        try:
            report.warnings += writer.write(document)
        except UnicodeEncodeError as exc:
            # Only a store file edited by hand can hold a lone surrogate, which UTF-8 cannot.
            raise ExportError(
                f"article {document.id} holds {exc.object[exc.start : exc.end]!a}, which UTF-8 "
                "cannot write (a lone surrogate): was its store file edited by hand?"
            ) from None
        report.articles += 1
        report.spans += len(document.spans)
        report.labels.update(map(_LABEL, document.spans))


@dataclass(frozen=True, slots=True)
class _Chunk:
    """What a worker needs besides the ids to render a chunk as this process would."""

    format: str
    options: ExportOptions
    listed: bool  # whether the ids were listed from the store (see `Selection`)
    binary: bool  # whether the writer gets a binary stream (else a text one)
    spool: str  # the folder the chunks' files go to


def write_lines(
    selection: Selection,
    stream: IO[Any],
    ids: list[str],
    report: ExportReport,
    *,
    jobs: int,
    on_progress: Progress | None,
) -> None:
    """Write a line format's articles to `stream`: here, or rendered by `jobs` workers."""
    fmt, options = selection.fmt, selection.options
    if jobs <= 1:
        documents = selection.documents(ids, report, on_progress)
        write_all(fmt.open_writer(stream, options), documents, report)
        return
    # The workers' writers get what this process's writer would: a binary stream or a text one.
    binary = isinstance(stream, (io.BufferedIOBase, io.RawIOBase))
    sweep_spools()
    with tempfile.TemporaryDirectory(prefix=f"{_SPOOL_PREFIX}{os.getpid()}-") as spool:
        chunk = _Chunk(fmt.name, options, selection.listed, binary, spool)
        _write_chunks(selection.library.root, stream, ids, report, chunk, jobs, on_progress)
    last = _LineRenderer(fmt, options, binary)
    last.writer.finish()
    stream.write(last.take())


def sweep_spools() -> None:
    """Remove the spool folders of exports whose process is gone (killed mid-export)."""
    with contextlib.suppress(OSError), os.scandir(tempfile.gettempdir()) as entries:
        for entry in entries:
            match = _SPOOL.fullmatch(entry.name)
            if match and not process_running(int(match["pid"])):
                shutil.rmtree(entry.path, ignore_errors=True)


def _write_chunks(
    root: Path,
    stream: IO[Any],
    ids: list[str],
    report: ExportReport,
    chunk_options: _Chunk,
    jobs: int,
    on_progress: Progress | None,
) -> None:
    """Have `jobs` worker processes render chunks of `ids`, and copy each chunk's lines to
    `stream` in order as they come, with at most two chunks per worker in flight."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    total = len(ids)
    pending: deque[tuple[list[str], Future[tuple[str, ExportReport]]]] = deque()
    taken = done = 0
    size = 1  # articles per chunk, until the first chunks tell how long an article's lines are
    sized = length = 0
    # Not multiprocessing.Pool: when one of its workers is killed (out of memory, say), a
    # Pool waits for that worker's chunk forever; this executor raises BrokenProcessPool.
    # Forking a process that runs other threads (an export started from the app's worker
    # thread) can copy a lock some other thread holds; a fork server starts clean workers.
    context = None
    if threading.current_thread() is not threading.main_thread():
        context = multiprocessing.get_context("forkserver")
    executor = ProcessPoolExecutor(
        jobs, mp_context=context, initializer=_die_with, initargs=(os.getpid(),)
    )
    try:
        while taken < total or pending:
            while taken < total and len(pending) < 2 * jobs:
                chunk = ids[taken : taken + size]
                taken += len(chunk)
                future = executor.submit(_render_chunk, root, chunk, chunk_options)
                pending.append((chunk, future))
            chunk, future = pending.popleft()
            path, part = future.result()
            length += _copy_lines(path, stream, binary=chunk_options.binary)
            sized += len(chunk)
            size = max(1, min(_MAX_CHUNK, _CHUNK_BYTES * sized // max(1, length)))
            report.add(part)
            if on_progress:
                for article_id in chunk:
                    done += 1
                    on_progress(done, total, article_id)
    except BrokenProcessPool as exc:
        raise ExportError(
            f"an export worker process died ({exc}); jobs=1 (--jobs 1) exports in one process"
        ) from exc
    finally:
        # On a failure, the chunks not started are dropped and those running let finish.
        executor.shutdown(wait=True, cancel_futures=True)


def _die_with(exporter: int) -> None:
    """In a worker, first: end when the export's process ends, however it ends.

    On Linux the kernel sends SIGKILL when the parent goes (the export's process, or the fork
    server, which ends with it); elsewhere a thread watches. Either way, an exporter that died
    before this ran is caught by looking for it once.
    """
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    else:
        threading.Thread(target=_watch, args=(exporter,), daemon=True).start()
    if not process_running(exporter):
        os._exit(1)


def _watch(exporter: int) -> None:
    """End this process once `exporter` has gone."""
    import time

    while process_running(exporter):
        time.sleep(1)
    os._exit(1)


def _copy_lines(path: str, stream: IO[Any], *, binary: bool) -> int:
    """Copy a chunk's lines from its file to `stream`, then remove the file; returns its size."""
    if binary:
        lines: IO[Any] = open(path, "rb")  # noqa: SIM115 - closed below
    else:
        lines = open(path, encoding="utf-8", errors="surrogatepass", newline="")  # noqa: SIM115
    with lines:
        shutil.copyfileobj(lines, stream, _COPY_BYTES)
        size = os.fstat(lines.fileno()).st_size
    os.unlink(path)
    return size


class _LineRenderer:
    """A line format's writer over a buffer in memory, for articles written apart from the
    stream they go to: what it wrote is taken out chunk by chunk."""

    def __init__(self, fmt: ExportFormat, options: ExportOptions, binary: bool) -> None:
        self._buffer: io.BytesIO | io.StringIO = io.BytesIO() if binary else io.StringIO()
        self.writer = fmt.open_writer(self._buffer, options)

    def take(self) -> bytes | str:
        """What was written since the last take; the buffer is empty after."""
        data = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        return data


# A worker process's selection and writer, kept from one chunk to the next: the JSONL
# writer's pieces of offsets cost more to make than a chunk takes to write.
_worker: tuple[tuple[Path, _Chunk], Selection, _LineRenderer] | None = None


def _render_chunk(root: Path, ids: list[str], chunk: _Chunk) -> tuple[str, ExportReport]:
    """In a worker process: render some articles' lines as one process writes them, into a
    file of the spool; returns its path, and what was written (articles, spans, skipped,
    warnings)."""
    global _worker
    key = (root, chunk)
    if _worker is None or _worker[0] != key:
        fmt = get_format(chunk.format)
        selection = Selection(Library(root), fmt, chunk.options, listed=chunk.listed)
        _worker = (key, selection, _LineRenderer(fmt, chunk.options, chunk.binary))
    _, selection, renderer = _worker
    renderer.take()  # nothing left over from a chunk that failed
    part = ExportReport(format=chunk.format)
    _write_documents(renderer.writer, selection.documents(ids, part), part)
    data = renderer.take()
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")  # any text, and back as it was
    fd, path = tempfile.mkstemp(dir=chunk.spool, suffix=".lines")
    with open(fd, "wb") as lines:
        lines.write(data)
    return path, part
