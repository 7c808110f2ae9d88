"""Export the library for training tools, and import annotations made elsewhere.

One module per format (`jsonl`, `doccano`, `spacy_docbin`, `conll`, `brat`); this module
picks articles and spans, streams them one article at a time to a format's writer, and
makes every write atomic: a temporary file (or folder) next to the target, renamed over it
only once everything is written, so a failed export never leaves half a file where a good
one was. Nothing here imports textual; only `spacy_docbin` imports spaCy, when it runs.

A large export to a line format is rendered by worker processes, a chunk of articles each,
with the same code and writer as in one process; each chunk's lines go to a file of their
own, which this process copies to the target in order, so the output is the same bytes
either way and this process never holds a chunk in memory.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import re
import shutil
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal, Protocol, TextIO

from reader.atomic import atomic_file, atomic_folder
from reader.export.document import ExportDocument, ExportSpan, select_spans
from reader.store import Library

__all__ = [
    "FORMATS",
    "ExportDocument",
    "ExportError",
    "ExportFormat",
    "ExportReport",
    "ExportSpan",
    "export_library",
    "export_stream",
]

Progress = Callable[[int, int, str], None]


class ExportError(Exception):
    """An export the user asked for cannot be done as asked (unknown format, wrong target)."""


class Writer(Protocol):
    """What every format module's `open_writer` returns."""

    def write(self, document: ExportDocument) -> list[str]:
        """Write one article; returns warnings about it (spans a format could not hold)."""
        ...

    def finish(self) -> None:
        """Write whatever comes after the last article."""
        ...


# Below this many articles an export stays in one process: starting workers costs more than
# they save.
PARALLEL_FROM = 200
# About what a worker's chunk of articles should come to, in bytes of lines, and at most how
# many articles it holds. A chunk's lines go through a file, never through this process's
# memory; at most two chunks per worker are in flight, so the spool stays small too.
_CHUNK_BYTES = 1 << 22
_MAX_CHUNK = 64
_COPY_BYTES = 1 << 18  # what this process reads of a chunk's file at a time


@dataclass(frozen=True, slots=True)
class ExportFormat:
    """An export format: its name, default file extension, and what it writes to.

    `output` is "lines" for text formats that stream (and can go to stdout), "binary" for
    a file written whole at the end, "folder" for a folder of files. A "lines" format that
    `writes_bytes` gets its file opened in binary and writes UTF-8 itself (to stdout it still
    gets a text stream). A "lines" writer carries nothing from one article to the next (what
    it caches only saves time), so chunks of articles can be written apart and joined.
    """

    name: str
    extension: str
    output: Literal["lines", "binary", "folder"]
    description: str
    module: str
    writes_bytes: bool = False

    @property
    def streams(self) -> bool:
        """Whether this format can be written to stdout."""
        return self.output == "lines"

    def open_writer(self, target: Any) -> Writer:
        """A writer to `target`: a text stream, a binary stream, or a folder, by `output`."""
        return importlib.import_module(f"reader.export.{self.module}").open_writer(target)


FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat(
            "jsonl",
            ".jsonl",
            "lines",
            "reader's own JSONL, Prodigy tasks with tokens",
            "jsonl",
            writes_bytes=True,
        ),
        ExportFormat("doccano", ".jsonl", "lines", "doccano sequence-labelling JSONL", "doccano"),
        ExportFormat("spacy", ".spacy", "binary", "spaCy DocBin for `spacy train`", "spacy_docbin"),
        ExportFormat("conll", ".conll", "lines", "CoNLL-2003 IOB tags", "conll"),
        ExportFormat("brat", "", "folder", "brat standoff: ID.txt and ID.ann per article", "brat"),
    )
}


@dataclass(slots=True)
class ExportReport:
    """What an export did: articles and spans written, articles skipped, warnings, where."""

    format: str
    path: Path | None = None
    articles: int = 0
    spans: int = 0
    skipped: int = 0
    warnings: list[str] = field(default_factory=list)


def get_format(name: str) -> ExportFormat:
    """The format called `name` (ExportError naming the known ones otherwise)."""
    try:
        return FORMATS[name]
    except KeyError:
        raise ExportError(
            f"unknown export format {name!r} (formats: {', '.join(FORMATS)})"
        ) from None


def documents(
    library: Library,
    ids: list[str] | None,
    report: ExportReport,
    *,
    include_predictions: bool = False,
    include_all: bool = False,
    on_progress: Progress | None = None,
) -> Iterator[ExportDocument]:
    """The articles to export, read one at a time, each with the spans to write.

    An article with no annotation is skipped before its text is even read, unless
    predictions or every article were asked for. Without `ids`, the articles come in id
    order from the store's file names (of annotation files, when only annotations are
    exported), not from its index, which would hold a record of every article in memory.
    """
    every = include_predictions or include_all
    ids, listed = _export_ids(library, ids, report, every=every)
    yield from _documents(
        library, ids, report, _Choice(listed, include_predictions, include_all), on_progress
    )


@dataclass(frozen=True, slots=True)
class _Choice:
    """Which articles and spans an export takes, and (`listed`) whether its ids were listed
    from the store rather than asked for: then an article gone since is skipped, not an error."""

    listed: bool
    include_predictions: bool
    include_all: bool


def _export_ids(
    library: Library, ids: list[str] | None, report: ExportReport, *, every: bool
) -> tuple[list[str], bool]:
    """The ids to export, and whether they were listed from the store's file names."""
    if ids is not None:
        return ids, False
    listed = library.stored_ids(annotated=not every)
    if not every:
        # Articles without an annotation file have nothing to export either.
        report.skipped += max(0, len(library.stored_ids()) - len(listed))
    return listed, True


def _documents(
    library: Library,
    ids: list[str],
    report: ExportReport,
    choice: _Choice,
    on_progress: Progress | None = None,
) -> Iterator[ExportDocument]:
    """`documents` for ids already chosen: in one process, or a worker's chunk of them."""
    total = len(ids)
    for done, article_id in enumerate(ids, 1):
        document = _document(library, article_id, choice)
        if document is None:
            report.skipped += 1
        else:
            yield document
        if on_progress:
            on_progress(done, total, article_id)


def _document(library: Library, article_id: str, choice: _Choice) -> ExportDocument | None:
    """One article with its spans to write; None when it has nothing to export."""
    state = library.article_state(article_id)
    annotations, rejections = state.annotations, state.rejections
    if not (annotations or choice.include_predictions or choice.include_all):
        return None
    try:
        article = library.get(article_id)
    except LookupError:
        if not choice.listed:
            raise
        return None  # an annotation file left behind by an article removed
    spans = select_spans(
        article,
        annotations,
        rejections if choice.include_predictions else (),
        include_predictions=choice.include_predictions,
    )
    if spans or choice.include_all:
        return ExportDocument(article, spans)
    return None


def _write_documents(writer: Writer, docs: Iterator[ExportDocument], report: ExportReport) -> None:
    for document in docs:
        report.warnings += writer.write(document)
        report.articles += 1
        report.spans += len(document.spans)


def _write_all(writer: Writer, docs: Iterator[ExportDocument], report: ExportReport) -> None:
    _write_documents(writer, docs, report)
    writer.finish()


def _plan(
    library: Library,
    fmt: ExportFormat,
    ids: list[str] | None,
    report: ExportReport,
    include_predictions: bool,
    include_all: bool,
    jobs: int | None,
) -> tuple[list[str], _Choice, int]:
    """The ids an export goes through, what it takes of each article, and how many workers."""
    every = include_predictions or include_all
    ids, listed = _export_ids(library, ids, report, every=every)
    return ids, _Choice(listed, include_predictions, include_all), _jobs(jobs, fmt, len(ids))


def _jobs(jobs: int | None, fmt: ExportFormat, articles: int) -> int:
    """How many worker processes render an export: 1 means none, all in this process."""
    if jobs is not None and jobs < 1:
        raise ExportError(f"jobs must be 1 or more, not {jobs}")
    if not fmt.streams:
        return 1  # a DocBin or a brat folder is written by one writer
    if jobs is None:
        return min(2, _cpus()) if articles > PARALLEL_FROM else 1
    return max(1, min(jobs, articles))


def _cpus() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _write_lines(
    library: Library,
    fmt: ExportFormat,
    stream: IO[Any],
    ids: list[str],
    report: ExportReport,
    choice: _Choice,
    *,
    jobs: int,
    on_progress: Progress | None,
) -> None:
    """Write a line format's articles to `stream`: here, or rendered by `jobs` workers."""
    if jobs <= 1:
        docs = _documents(library, ids, report, choice, on_progress)
        _write_all(fmt.open_writer(stream), docs, report)
        return
    import tempfile

    # The workers' writers get what this process's writer would: a binary stream or a text one.
    binary = isinstance(stream, (io.BufferedIOBase, io.RawIOBase))
    with tempfile.TemporaryDirectory(prefix="reader-export-") as spool:
        options = _ChunkOptions(choice, binary, spool)
        _write_chunks(library.root, fmt, stream, ids, report, options, jobs, on_progress)
    last = _LineRenderer(fmt, binary)
    last.writer.finish()
    stream.write(last.take())


def _write_chunks(
    root: Path,
    fmt: ExportFormat,
    stream: IO[Any],
    ids: list[str],
    report: ExportReport,
    options: _ChunkOptions,
    jobs: int,
    on_progress: Progress | None,
) -> None:
    """Have `jobs` worker processes render chunks of `ids`, and copy each chunk's lines to
    `stream` in order as they come, with at most two chunks per worker in flight."""
    from concurrent.futures import Future, ProcessPoolExecutor
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
    import multiprocessing
    import threading

    context = None
    if threading.current_thread() is not threading.main_thread():
        context = multiprocessing.get_context("forkserver")
    executor = ProcessPoolExecutor(jobs, mp_context=context)
    try:
        while taken < total or pending:
            while taken < total and len(pending) < 2 * jobs:
                chunk = ids[taken : taken + size]
                taken += len(chunk)
                args = (root, chunk, fmt.name, options)
                pending.append((chunk, executor.submit(_render_chunk, *args)))
            chunk, future = pending.popleft()
            path, part = future.result()
            length += _copy_lines(path, stream, binary=options.binary)
            sized += len(chunk)
            size = max(1, min(_MAX_CHUNK, _CHUNK_BYTES * sized // max(1, length)))
            report.articles += part.articles
            report.spans += part.spans
            report.skipped += part.skipped
            report.warnings += part.warnings
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


@dataclass(frozen=True, slots=True)
class _ChunkOptions:
    """What a worker needs besides the ids to render a chunk as this process would."""

    choice: _Choice
    binary: bool  # whether the writer gets a binary stream (else a text one)
    spool: str  # the folder the chunks' files go to


class _LineRenderer:
    """A line format's writer over a buffer in memory, for articles written apart from the
    stream they go to: what it wrote is taken out chunk by chunk."""

    def __init__(self, fmt: ExportFormat, binary: bool) -> None:
        self._buffer: io.BytesIO | io.StringIO = io.BytesIO() if binary else io.StringIO()
        self.writer = fmt.open_writer(self._buffer)

    def take(self) -> bytes | str:
        """What was written since the last take; the buffer is empty after."""
        data = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        return data


# A worker process's library and writer, kept from one chunk to the next: the JSONL writer's
# pieces of offsets cost more to make than a chunk takes to write.
_worker: tuple[tuple[Path, str, _ChunkOptions], Library, _LineRenderer] | None = None


def _render_chunk(
    root: Path, ids: list[str], format: str, options: _ChunkOptions
) -> tuple[str, ExportReport]:
    """In a worker process: render some articles' lines as one process writes them, into a
    file of the spool; returns its path, and what was written (articles, spans, skipped,
    warnings)."""
    import tempfile

    global _worker
    key = (root, format, options)
    if _worker is None or _worker[0] != key:
        _worker = (key, Library(root), _LineRenderer(get_format(format), options.binary))
    _, library, renderer = _worker
    renderer.take()  # nothing left over from a chunk that failed
    part = ExportReport(format=format)
    _write_documents(renderer.writer, _documents(library, ids, part, options.choice), part)
    data = renderer.take()
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")  # any text, and back as it was
    fd, path = tempfile.mkstemp(dir=options.spool, suffix=".lines")
    with open(fd, "wb") as lines:
        lines.write(data)
    return path, part


def export_stream(
    library: Library,
    format: str,
    stream: TextIO,
    ids: list[str] | None = None,
    *,
    include_predictions: bool = False,
    include_all: bool = False,
    on_progress: Progress | None = None,
    jobs: int | None = None,
) -> ExportReport:
    """Export to an open text stream (stdout): only the line formats can do this.

    `jobs` worker processes render the articles (see `export_library`).
    """
    fmt = get_format(format)
    if not fmt.streams:
        raise ExportError(f"the {fmt.name} format cannot go to stdout: give -o PATH")
    report = ExportReport(format=fmt.name)
    ids, choice, workers = _plan(library, fmt, ids, report, include_predictions, include_all, jobs)
    _write_lines(library, fmt, stream, ids, report, choice, jobs=workers, on_progress=on_progress)
    stream.flush()
    return report


def export_library(
    library: Library,
    format: str,
    out: Path,
    ids: list[str] | None = None,
    *,
    include_predictions: bool = False,
    include_all: bool = False,
    on_progress: Progress | None = None,
    force: bool = False,
    jobs: int | None = None,
) -> ExportReport:
    """Export articles (all, or `ids`) to `out` in `format`, atomically; returns what was done.

    `out` is a file for the file formats (an existing folder gets `reader<ext>` inside it)
    and a folder for brat. By default only articles with annotations are exported, and only
    their annotations; `include_predictions` adds the model's unreviewed spans and
    `include_all` keeps articles with nothing to export. `force` lets brat replace a
    non-empty folder that is not a brat collection.

    The line formats are rendered by `jobs` worker processes, into the same bytes: by
    default two (or one per CPU, if fewer) for more than `PARALLEL_FROM` articles, else
    none; `jobs=1` keeps everything in this process.
    """
    fmt = get_format(format)
    out = Path(out).expanduser()
    report = ExportReport(format=fmt.name)
    ids, choice, workers = _plan(library, fmt, ids, report, include_predictions, include_all, jobs)
    if fmt.output == "folder":
        with staged_folder(out, force=force) as folder:
            docs = _documents(library, ids, report, choice, on_progress)
            _write_all(fmt.open_writer(folder), docs, report)
        report.path = out
        return report
    if out.is_dir():
        out = out / f"reader{fmt.extension}"
    with staged_file(out, binary=fmt.output == "binary" or fmt.writes_bytes) as stream:
        if fmt.streams:
            _write_lines(
                library, fmt, stream, ids, report, choice, jobs=workers, on_progress=on_progress
            )
        else:
            docs = _documents(library, ids, report, choice, on_progress)
            _write_all(fmt.open_writer(stream), docs, report)
    report.path = out
    return report


# -- atomic writes -------------------------------------------------------------------------


@contextlib.contextmanager
def staged_file(path: Path, *, binary: bool = False) -> Iterator[IO[Any]]:
    """A stream to a temporary file beside `path`, renamed over it only when the block succeeds."""
    if path.is_dir():
        raise ExportError(f"{path} is a folder")
    with atomic_file(path, binary=binary) as stream:
        yield stream


# What a brat collection holds besides documents; brat writes .stats_cache itself.
_BRAT_FILES = re.compile(
    r".+\.(?:txt|ann)|annotation\.conf|visual\.conf|tools\.conf|kb_shortcuts\.conf|\.stats_cache"
)


def is_brat_folder(folder: Path) -> bool:
    """Whether a folder holds nothing but a brat collection's files (so replacing it loses nothing else)."""
    with os.scandir(folder) as entries:
        return all(
            e.is_file(follow_symlinks=False) and _BRAT_FILES.fullmatch(e.name) for e in entries
        )


@contextlib.contextmanager
def staged_folder(path: Path, *, force: bool = False) -> Iterator[Path]:
    """A temporary folder beside `path`, put in its place only when the block succeeds.

    An existing folder is replaced only when it is empty or a brat collection (a previous
    export), or with `force`.
    """
    if path.exists() and not path.is_dir():
        raise ExportError(f"{path} is a file, not a folder")
    if path.is_dir() and any(path.iterdir()) and not is_brat_folder(path) and not force:
        raise ExportError(
            f"{path} is not empty and not a brat export: choose another folder, or --force to replace it"
        )
    with atomic_folder(path) as tmp:
        yield tmp
