"""`reader export` and `reader import`: the argparse wiring over `reader.export` and
`reader.importing`.

Data goes to stdout (or the -o file); messages, warnings and bad lines go to stderr, one
line each, naming the article or `FILE:LINE`. Every line printed is cleaned first: file
names, paths and labels come from outside and can hold escape sequences.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from reader.config import Config
from reader.export import FORMATS, ExportError, ExportReport, export_library, export_stream
from reader.offsets import OFFSET_UNITS
from reader.store import Library
from reader.text import clean_line, plural

Command = Callable[[argparse.Namespace, Library, Config], int]

# Snapped spans named one by one, at most, per file; the rest are counted.
_SNAPPED_SHOWN = 10


def _say(text: str) -> None:
    print(clean_line(text), file=sys.stderr)


def _refuse(message: str) -> Exception:
    """The command's one-line failure (exit status 1), cleaned for the terminal."""
    from reader.cli import CommandError

    return CommandError(clean_line(message))


class ExportProgress:
    """A rich progress bar on stderr, shown only on a terminal and for more than one article."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> ExportProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def update(self, done: int, total: int, label: str) -> None:
        """Report that `done` of `total` articles are through."""
        if not self.tty or total <= 1:
            return
        if self._bar is None:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self._bar = Progress(
                TextColumn("exporting"),
                BarColumn(),
                MofNCompleteColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task("", total=total)
        self._bar.update(self._task, completed=done)


def _utf8_stdout() -> tuple[TextIO, io.TextIOWrapper | None]:
    """stdout as a UTF-8 text stream whatever the locale; the wrapper to detach, if one was made."""
    stream = sys.stdout
    encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
    buffer = getattr(stream, "buffer", None)
    if encoding == "utf8" or buffer is None:
        return stream, None
    stream.flush()
    wrapper = io.TextIOWrapper(buffer, encoding="utf-8", newline="\n")
    return wrapper, wrapper


def _jobs(value: str | None) -> int | None:
    """--jobs: a whole number, 1 or more (refused in one line otherwise)."""
    if value is None:
        return None
    try:
        jobs = int(value)
    except ValueError:
        jobs = 0
    if jobs < 1:
        raise _refuse(f"--jobs: expected a whole number, 1 or more, not {value!r}")
    return jobs


def cmd_export(args: argparse.Namespace, library: Library, config: Config) -> int:
    """Export annotated articles in one of FORMATS, to a file, a folder or stdout."""
    ids: list[str] | None = None
    jobs = _jobs(args.jobs)
    if args.ids:
        try:
            ids = [library.resolve(prefix) for prefix in args.ids]
        except LookupError as exc:
            raise _refuse(str(exc)) from exc
    fmt = FORMATS[args.format]
    options: dict[str, Any] = {
        "include_predictions": args.include_predictions,
        "include_all": args.include_all,
        "numbers": args.numbers,
        "done_only": args.done_only,
        "full_source": args.full_source,
        "offsets": args.offsets,
        "jobs": jobs,
    }
    to_stdout = args.output in (None, "-")
    if to_stdout and not fmt.streams:
        what = "a folder" if fmt.output == "folder" else f"a file, e.g. -o train{fmt.extension}"
        raise _refuse(f"the {fmt.name} format cannot go to stdout: give -o with {what}")
    try:
        with ExportProgress() as progress:
            if to_stdout:
                stream, wrapper = _utf8_stdout()
                try:
                    report = export_stream(
                        library, fmt.name, stream, ids, on_progress=progress.update, **options
                    )
                finally:
                    if wrapper is not None:
                        wrapper.flush()
                        wrapper.detach()
            else:
                report = export_library(
                    library,
                    fmt.name,
                    Path(args.output),
                    ids,
                    on_progress=progress.update,
                    force=args.force,
                    **options,
                )
    except ExportError as exc:
        raise _refuse(str(exc)) from exc
    except BrokenPipeError:
        # `reader export | head`: the reader of stdout left; that is not a failure.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, io.UnsupportedOperation):
            pass
        return 0
    except OSError as exc:
        # The target cannot be written: a folder that does not allow it, a full disk.
        where = "stdout" if to_stdout else args.output
        raise _refuse(f"{where}: cannot write the export: {exc.strerror or exc}") from exc
    for warning in report.warnings:
        _say(warning)
    _say(_summary(report))
    return 0


def _summary(report: ExportReport) -> str:
    where = f" to {report.path}" if report.path else ""
    line = (
        f"exported {plural(report.articles, 'article')} and {plural(report.spans, 'span')} "
        f"as {report.format}{where}"
    )
    left_out = []
    if report.not_done:
        left_out.append(f"{report.not_done} not marked done (--no-done-only takes them too)")
    if report.ignored:
        left_out.append(f"{report.ignored} marked ignored")
    if report.skipped:
        left_out.append(f"{report.skipped} with nothing to export (--all keeps them)")
    if left_out:
        line += "; skipped " + ", ".join(left_out)
    return line


def cmd_import(args: argparse.Namespace, library: Library, config: Config) -> int:
    """Import annotations from reader, Prodigy or doccano JSONL files."""
    from reader.config import add_labels
    from reader.importing import import_files

    def add(names: list[str]) -> None:
        add_labels(config, names)

    report = import_files(
        library,
        [Path(f) for f in args.files],
        skip_invalid=args.skip_invalid,
        model=args.model or config.model,
        label_set=set(config.label_names()),
        add_labels=add if args.add_labels else None,
        utf16=args.offsets == "utf16",
    )
    if report.warning:
        _say(f"reader: warning: {report.warning}")
    for file in report.files:
        for message in file.messages():
            _say(message)
        if file.unknown_labels and not file.added_labels:
            labels = ", ".join(sorted(file.unknown_labels))
            first = min(file.unknown_labels.values())
            _say(
                f"{file.path}: nothing stored: {plural(len(file.unknown_labels), 'label')} not in "
                f"the label set: {labels} (first on line {first}); add them to the config, "
                "or import with --add-labels"
            )
            continue
        if not file.stored:
            if file.errors and not file.failure:
                _say(
                    f"{file.path}: nothing stored: {plural(len(file.errors), 'bad line')} "
                    "(--skip-invalid stores the good lines)"
                )
            continue
        if file.added_labels:
            _say(f"{file.path}: labels added to {config.path}: {', '.join(file.added_labels)}")
        _snapped(file)
        _say(f"{file.path}: " + ", ".join(_counts(file)))
    return 0 if report.ok else 1


def _snapped(file: Any) -> None:
    """Say which spans were moved onto whole tokens."""
    for snapped in file.snapped[:_SNAPPED_SHOWN]:
        (start, end), (new_start, new_end) = snapped.given, snapped.stored
        _say(
            f"{file.path}:{snapped.line}: span {start}-{end} snapped to whole tokens: "
            f"{new_start}-{new_end} {snapped.text!r}"
        )
    if len(file.snapped) > _SNAPPED_SHOWN:
        _say(f"{file.path}: {len(file.snapped) - _SNAPPED_SHOWN} more spans snapped to whole tokens")


def _counts(file: Any) -> list[str]:
    parts = [
        f"{plural(file.articles_added, 'new article')}",
        f"{plural(file.annotations_added, 'annotation')} added",
    ]
    if file.already_there:
        parts.append(f"{file.already_there} already there")
    if file.snapped:
        parts.append(f"{len(file.snapped)} snapped to whole tokens")
    if file.ignored:
        parts.append(f"{plural(file.ignored, 'task')} not accepted, skipped")
    if file.not_spans:
        parts.append(f"{plural(file.not_spans, 'line')} without spans (text classification) skipped")
    if file.predictions:
        parts.append(f"{plural(file.predictions, 'prediction')} not imported")
    if file.errors:
        parts.append(f"{plural(len(file.errors), 'bad line')} skipped")
    return parts


def add_commands(add: Callable[[str, Command, str], argparse.ArgumentParser]) -> None:
    """Add `export` and `import` to the command line through reader.cli's `add`."""
    formats = ", ".join(f"{f.name} ({f.description})" for f in FORMATS.values())
    training = ", ".join(f.name for f in FORMATS.values() if f.done_only)
    p = add(
        "export", cmd_export, "export annotated articles for spaCy, Prodigy, doccano, brat or CoNLL"
    )
    p.add_argument("ids", nargs="*", metavar="ID", help="articles to export (default: all)")
    p.add_argument(
        "-f", "--format", choices=list(FORMATS), default="jsonl", help=f"default jsonl; {formats}"
    )
    p.add_argument(
        "-o",
        "--output",
        metavar="FILE_OR_DIR",
        help="where to write (a folder for brat; never inside the data dir); "
        "- or nothing for stdout (line formats only)",
    )
    p.add_argument(
        "--done-only",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=f"only articles marked done, reviewed to the end (the default for {training}, "
        "unless --include-predictions); in the others, tokens outside the spans are missing "
        "values, not 'no entity'",
    )
    p.add_argument(
        "--include-predictions",
        action="store_true",
        help="also export the model's unreviewed entities in articles not done, marked as "
        "predictions (never numbers: see --numbers)",
    )
    p.add_argument(
        "--numbers",
        action="store_true",
        help="also export the model's numbers as entities, with spaCy's labels (CARDINAL, "
        "MONEY, PERCENT, QUANTITY, ORDINAL)",
    )
    p.add_argument(
        "--all",
        dest="include_all",
        action="store_true",
        help="also export articles with nothing to export",
    )
    p.add_argument(
        "--full-source",
        action="store_true",
        help="keep the folders in each article's source path (default: the file name only)",
    )
    p.add_argument(
        "--offsets",
        choices=OFFSET_UNITS,
        default="chars",
        help="what doccano offsets count: characters (default) or utf16 code units, "
        "as doccano itself counts",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="let brat replace a non-empty folder that is not a brat export",
    )
    p.add_argument(
        "--jobs",
        metavar="N",
        help="processes rendering the line formats, 1 for none (default: 2 for over 200 articles, "
        "if there are 2 CPUs); the output is the same whatever N",
    )

    p = add("import", cmd_import, "import annotations from reader, Prodigy or doccano JSONL files")
    p.add_argument(
        "files", nargs="+", metavar="FILE", help="JSONL files: reader, Prodigy or doccano"
    )
    p.add_argument(
        "--skip-invalid",
        action="store_true",
        help="store a file's good lines even when some are bad (the bad ones are listed)",
    )
    p.add_argument(
        "--add-labels",
        action="store_true",
        help="add labels the config does not have to it (by default a file with one is refused)",
    )
    p.add_argument(
        "--offsets",
        choices=OFFSET_UNITS,
        default="chars",
        help="what the files' offsets count: characters (default) or utf16 code units (doccano)",
    )
    p.add_argument("--model", help="spaCy pipeline to analyse new texts with (default: config)")
