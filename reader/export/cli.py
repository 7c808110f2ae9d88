"""`reader export` and `reader import`: the argparse wiring over `reader.export`.

Data goes to stdout (or the -o file); messages, warnings and bad lines go to stderr, one
line each, naming the article or `FILE:LINE`.
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
from reader.store import Library

Command = Callable[[argparse.Namespace, Library, Config], int]


def _say(text: str) -> None:
    print(text, file=sys.stderr)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


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


def cmd_export(args: argparse.Namespace, library: Library, config: Config) -> int:
    """Export annotated articles in one of FORMATS, to a file, a folder or stdout."""
    from reader.cli import CommandError

    ids: list[str] | None = None
    if args.ids:
        try:
            ids = [library.resolve(prefix) for prefix in args.ids]
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
    fmt = FORMATS[args.format]
    options: dict[str, Any] = {
        "include_predictions": args.include_predictions,
        "include_all": args.include_all,
        "jobs": args.jobs,
    }
    to_stdout = args.output in (None, "-")
    if to_stdout and not fmt.streams:
        what = "a folder" if fmt.output == "folder" else f"a file, e.g. -o train{fmt.extension}"
        raise CommandError(f"the {fmt.name} format cannot go to stdout: give -o with {what}")
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
        raise CommandError(str(exc)) from exc
    except BrokenPipeError:
        # `reader export | head`: the reader of stdout left; that is not a failure.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, io.UnsupportedOperation):
            pass
        return 0
    for warning in report.warnings:
        _say(warning)
    _say(_summary(report))
    return 0


def _summary(report: ExportReport) -> str:
    where = f" to {report.path}" if report.path else ""
    line = (
        f"exported {_plural(report.articles, 'article')} and {_plural(report.spans, 'span')} "
        f"as {report.format}{where}"
    )
    if report.skipped:
        line += f"; skipped {report.skipped} with nothing to export (--all keeps them)"
    return line


def _jobs(value: str) -> int:
    """--jobs: a whole number, 1 or more."""
    try:
        jobs = int(value)
    except ValueError:
        jobs = 0
    if jobs < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number, 1 or more, not {value!r}")
    return jobs


def cmd_import(args: argparse.Namespace, library: Library, config: Config) -> int:
    """Import annotations from reader, Prodigy or doccano JSONL files."""
    from reader.export.importing import import_files

    report = import_files(
        library,
        [Path(f) for f in args.files],
        skip_invalid=args.skip_invalid,
        model=args.model or config.model,
    )
    if report.warning:
        _say(f"reader: warning: {report.warning}")
    for file in report.files:
        for message in file.messages():
            _say(message)
        if not file.stored:
            if file.lines:  # a file that could not be read at all has said so already
                _say(
                    f"{file.path}: nothing stored: {_plural(len(file.errors), 'bad line')} "
                    "(--skip-invalid stores the good lines)"
                )
            continue
        parts = [
            f"{_plural(file.articles_added, 'new article')}",
            f"{_plural(file.annotations_added, 'annotation')} added",
        ]
        if file.already_there:
            parts.append(f"{file.already_there} already there")
        if file.ignored:
            parts.append(f"{_plural(file.ignored, 'task')} not accepted, skipped")
        if file.predictions:
            parts.append(f"{_plural(file.predictions, 'prediction')} not imported")
        if file.errors:
            parts.append(f"{_plural(len(file.errors), 'bad line')} skipped")
        _say(f"{file.path}: " + ", ".join(parts))
    return 0 if report.ok else 1


def add_commands(add: Callable[[str, Command, str], argparse.ArgumentParser]) -> None:
    """Add `export` and `import` to the command line through reader.cli's `add`."""
    formats = ", ".join(f"{f.name} ({f.description})" for f in FORMATS.values())
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
        help="where to write (a folder for brat); - or nothing for stdout (line formats only)",
    )
    p.add_argument(
        "--include-predictions",
        action="store_true",
        help="also export the model's unreviewed entities and numbers, marked as predictions",
    )
    p.add_argument(
        "--all",
        dest="include_all",
        action="store_true",
        help="also export articles with nothing to export",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="let brat replace a non-empty folder that is not a brat export",
    )
    p.add_argument(
        "--jobs",
        type=_jobs,
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
    p.add_argument("--model", help="spaCy pipeline to analyse new texts with (default: config)")
