"""Export the library for training tools, and import annotations made elsewhere.

One module per format (`jsonl`, `doccano`, `spacy_docbin`, `conll`, `brat`); this module
picks articles and spans, streams them one article at a time to a format's writer, and
makes every write atomic: a temporary file (or folder) next to the target, renamed over it
only once everything is written, so a failed export never leaves half a file where a good
one was. Nothing here imports textual; only `spacy_docbin` imports spaCy, when it runs.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal, Protocol, TextIO

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


@dataclass(frozen=True, slots=True)
class ExportFormat:
    """An export format: its name, default file extension, and what it writes to.

    `output` is "lines" for text formats that stream (and can go to stdout), "binary" for
    a file written whole at the end, "folder" for a folder of files. A "lines" format that
    `writes_bytes` gets its file opened in binary and writes UTF-8 itself (to stdout it still
    gets a text stream).
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
    listed = ids is None
    if ids is None:
        ids = library.stored_ids(annotated=not every)
        if not every:
            # Articles without an annotation file have nothing to export either.
            report.skipped += max(0, len(library.stored_ids()) - len(ids))
    total = len(ids)
    for done, article_id in enumerate(ids, 1):
        annotations, rejections, _ = library.article_state(article_id)
        document = None
        if annotations or every:
            try:
                article = library.get(article_id)
            except LookupError:
                if not listed:
                    raise
                article = None  # an annotation file left behind by an article removed
            if article is not None:
                spans = select_spans(
                    article,
                    annotations,
                    rejections if include_predictions else (),
                    include_predictions=include_predictions,
                )
                if spans or include_all:
                    document = ExportDocument(article, spans)
        if document is None:
            report.skipped += 1
        else:
            yield document
        if on_progress:
            on_progress(done, total, article_id)


def _write_all(writer: Writer, docs: Iterator[ExportDocument], report: ExportReport) -> None:
    for document in docs:
        report.warnings += writer.write(document)
        report.articles += 1
        report.spans += len(document.spans)
    writer.finish()


def export_stream(
    library: Library,
    format: str,
    stream: TextIO,
    ids: list[str] | None = None,
    *,
    include_predictions: bool = False,
    include_all: bool = False,
    on_progress: Progress | None = None,
) -> ExportReport:
    """Export to an open text stream (stdout): only the line formats can do this."""
    fmt = get_format(format)
    if not fmt.streams:
        raise ExportError(f"the {fmt.name} format cannot go to stdout: give -o PATH")
    report = ExportReport(format=fmt.name)
    docs = documents(
        library, ids, report, include_predictions=include_predictions,
        include_all=include_all, on_progress=on_progress,
    )  # fmt: skip
    _write_all(fmt.open_writer(stream), docs, report)
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
) -> ExportReport:
    """Export articles (all, or `ids`) to `out` in `format`, atomically; returns what was done.

    `out` is a file for the file formats (an existing folder gets `reader<ext>` inside it)
    and a folder for brat. By default only articles with annotations are exported, and only
    their annotations; `include_predictions` adds the model's unreviewed spans and
    `include_all` keeps articles with nothing to export. `force` lets brat replace a
    non-empty folder that is not a brat collection.
    """
    fmt = get_format(format)
    out = Path(out).expanduser()
    report = ExportReport(format=fmt.name)
    docs = documents(
        library, ids, report, include_predictions=include_predictions,
        include_all=include_all, on_progress=on_progress,
    )  # fmt: skip
    if fmt.output == "folder":
        with staged_folder(out, force=force) as folder:
            _write_all(fmt.open_writer(folder), docs, report)
        report.path = out
        return report
    if out.is_dir():
        out = out / f"reader{fmt.extension}"
    with staged_file(out, binary=fmt.output == "binary" or fmt.writes_bytes) as stream:
        _write_all(fmt.open_writer(stream), docs, report)
    report.path = out
    return report


# -- atomic writes -------------------------------------------------------------------------


def _temporary_name(path: Path, what: str) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.{what}")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def staged_file(path: Path, *, binary: bool = False) -> Iterator[IO[Any]]:
    """A stream to a temporary file beside `path`, renamed over it only when the block succeeds."""
    if path.is_dir():
        raise ExportError(f"{path} is a folder")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temporary_name(path, "tmp")
    if binary:
        stream: IO[Any] = open(tmp, "wb")  # noqa: SIM115 - closed below, on every path
    else:
        stream = open(tmp, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
    try:
        yield stream
        stream.flush()
        os.fsync(stream.fileno())
        stream.close()
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    except BaseException:
        stream.close()
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


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
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temporary_name(path, "tmp")
    tmp.mkdir()
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = _temporary_name(path, "old")
    if path.exists():
        os.replace(path, old)
    try:
        os.replace(tmp, path)
    except OSError:
        if old.exists():
            os.replace(old, path)  # put the previous export back
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)
    _fsync_dir(path.parent)
