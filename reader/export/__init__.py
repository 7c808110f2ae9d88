"""Export the library for training and annotation tools.

One module per format (`jsonl`, `doccano`, `spacy_docbin`, `conll`, `brat`), each one line
in the registry (`formats`). The rest does one job a module: `selection` decides which
articles and spans an export takes, `document` makes an article ready for any format,
`tokens` cuts its tokens, `pool` renders large line exports in worker processes, and
`staging` checks the target and writes it atomically. This module puts them together.
Nothing here imports textual; only `spacy_docbin` imports spaCy, when it runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from reader.export.document import ExportDocument, ExportSpan
from reader.export.formats import FORMATS, ExportFormat, get_format
from reader.export.pool import worker_count, write_all, write_lines
from reader.export.report import ExportError, ExportReport, Progress
from reader.export.selection import ExportOptions, Selection, list_ids
from reader.export.staging import check_target, is_brat_folder, staged_file, staged_folder
from reader.store import Library

__all__ = [
    "FORMATS",
    "ExportDocument",
    "ExportError",
    "ExportFormat",
    "ExportOptions",
    "ExportReport",
    "ExportSpan",
    "export_library",
    "export_stream",
    "is_brat_folder",
]


def _plan(
    library: Library,
    fmt: ExportFormat,
    ids: list[str] | None,
    options: ExportOptions,
    report: ExportReport,
    jobs: int | None,
) -> tuple[Selection, list[str], int]:
    """What an export goes through: its selection, the ids, and how many workers."""
    options = options.for_format(fmt)
    ids, listed = list_ids(library, ids, options, report)
    selection = Selection(library, fmt, options, listed=listed)
    return selection, ids, worker_count(jobs, fmt, len(ids))


def export_stream(
    library: Library,
    format: str,
    stream: TextIO,
    ids: list[str] | None = None,
    *,
    include_predictions: bool = False,
    include_all: bool = False,
    numbers: bool = False,
    done_only: bool | None = None,
    full_source: bool = False,
    offsets: str = "chars",
    on_progress: Progress | None = None,
    jobs: int | None = None,
) -> ExportReport:
    """Export to an open text stream (stdout): only the line formats can do this.

    The choices are `ExportOptions`' (see `selection`); `jobs` worker processes render the
    articles (see `export_library`).
    """
    options = ExportOptions(
        include_predictions, include_all, numbers, done_only, full_source, offsets
    )
    fmt = get_format(format)
    if not fmt.streams:
        raise ExportError(f"the {fmt.name} format cannot go to stdout: give -o PATH")
    report = ExportReport(format=fmt.name)
    selection, ids, workers = _plan(library, fmt, ids, options, report, jobs)
    write_lines(selection, stream, ids, report, jobs=workers, on_progress=on_progress)
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
    numbers: bool = False,
    done_only: bool | None = None,
    full_source: bool = False,
    offsets: str = "chars",
    on_progress: Progress | None = None,
    force: bool = False,
    jobs: int | None = None,
) -> ExportReport:
    """Export articles (all, or `ids`) to `out` in `format`, atomically; returns what was done.

    `out` is a file for the file formats (an existing folder gets `reader<ext>` inside it)
    and a folder for brat; never inside the library's data dir. The choices are
    `ExportOptions`' (see `selection`): which articles and spans are taken, and how. `force`
    lets brat replace a non-empty folder that is not a brat collection.

    The line formats are rendered by `jobs` worker processes, into the same bytes: by
    default two (or one per CPU, if fewer) for more than `pool.PARALLEL_FROM` articles,
    else none; `jobs=1` keeps everything in this process.
    """
    options = ExportOptions(
        include_predictions, include_all, numbers, done_only, full_source, offsets
    )
    fmt = get_format(format)
    out = Path(out).expanduser()
    if fmt.output != "folder" and out.is_dir():
        out = out / f"reader{fmt.extension}"
    check_target(out, library.root, folder=fmt.output == "folder")
    report = ExportReport(format=fmt.name)
    selection, ids, workers = _plan(library, fmt, ids, options, report, jobs)
    if fmt.output == "folder":
        with staged_folder(out, force=force) as folder:
            documents = selection.documents(ids, report, on_progress)
            write_all(fmt.open_writer(folder, selection.options), documents, report)
    else:
        with staged_file(out, binary=fmt.output == "binary" or fmt.writes_bytes) as stream:
            if fmt.streams:
                write_lines(selection, stream, ids, report, jobs=workers, on_progress=on_progress)
            else:
                documents = selection.documents(ids, report, on_progress)
                write_all(fmt.open_writer(stream, selection.options), documents, report)
    report.path = out
    return report
