"""`reader export` and `reader import`: the library out to training and annotation tools,
and annotations back in.

Data goes to stdout (or the -o file); messages, warnings and bad lines go to stderr, one
line each, naming the article or `FILE:LINE` (through `output.say`, which cleans them).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reader.cli.errors import EXIT_FAILED, EXIT_OK, CommandError
from reader.cli.output import Progress, say, say_error, utf8_stdout
from reader.cli.resolve import resolve_all
from reader.config import Config
from reader.export import FORMATS, ExportError, ExportReport, export_library, export_stream
from reader.store import Library
from reader.text import plural

if TYPE_CHECKING:  # importing is loaded only by the import command
    from reader.importing import FileReport

# Snapped spans named one by one, at most, per file; the rest are counted.
_SNAPPED_SHOWN = 10


def _jobs(value: str | None) -> int | None:
    """--jobs: a whole number, 1 or more (refused in one line otherwise, exit status 1)."""
    if value is None:
        return None
    try:
        jobs = int(value)
    except ValueError:
        jobs = 0
    if jobs < 1:
        raise CommandError(f"--jobs: expected a whole number, 1 or more, not {value!r}")
    return jobs


def cmd_export(args: argparse.Namespace, library: Library, config: Config) -> int:
    """Export annotated articles in one of FORMATS, to a file, a folder or stdout."""
    jobs = _jobs(args.jobs)
    ids = resolve_all(library, args.ids) if args.ids else None
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
        raise CommandError(f"the {fmt.name} format cannot go to stdout: give -o with {what}")
    try:
        with Progress("exporting", itemised=False) as progress:
            if to_stdout:
                stream, wrapper = utf8_stdout()
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
        raise  # `reader export | head`: not a failure, as for every command (see `main`)
    except OSError as exc:
        # The target cannot be written: a folder that does not allow it, a full disk.
        where = "stdout" if to_stdout else args.output
        raise CommandError(f"{where}: cannot write the export: {exc.strerror or exc}") from exc
    for warning in report.warnings:
        say(warning)
    unknown = sorted(label for label in report.labels if label not in config.label_names())
    if unknown:
        count = sum(report.labels[label] for label in unknown)
        say(
            f"note: {plural(count, 'span')} with labels not in the label set: {', '.join(unknown)} "
            "(renamed or removed from the config since, or from a model for another language)"
        )
    say(_summary(report))
    return EXIT_OK


def _summary(report: ExportReport) -> str:
    """The export's last line: what was written where, and what was skipped and why."""
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


class KnownLabels:
    """The labels an import takes without --add-labels: the config's, and any the library's
    annotations already have (a model for another language gave it, and it was accepted in
    the app), so that reader's own export of the library comes back in. The library is asked
    only for a label the config lacks: a refused import must not even open its catalog."""

    def __init__(self, config: Config, library: Library) -> None:
        self.names = set(config.label_names())
        self.library = library
        self.in_use: set[str] | None = None

    def __contains__(self, label: object) -> bool:
        if label in self.names:
            return True
        if self.in_use is None:
            self.in_use = set(self.library.labels_in_use()) if self.library.stored_ids() else set()
        return label in self.in_use

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)


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
        label_set=KnownLabels(config, library),
        add_labels=add if args.add_labels else None,
        utf16=None if args.offsets is None else args.offsets == "utf16",
    )
    if report.warning:
        say_error(f"warning: {report.warning}")
    for file in report.files:
        for message in file.messages():
            say(message)
        if file.unknown_labels and not file.added_labels:
            labels = ", ".join(sorted(file.unknown_labels))
            first = min(file.unknown_labels.values())
            say(
                f"{file.path}: nothing stored: {plural(len(file.unknown_labels), 'label')} not in "
                f"the label set: {labels} (first on line {first}); add them to the config, "
                "or import with --add-labels"
            )
            continue
        if not file.stored:
            if file.errors and not file.failure:
                say(
                    f"{file.path}: nothing stored: {plural(file.bad_lines, 'bad line')} "
                    "(--skip-invalid stores the good lines)"
                )
            continue
        if file.added_labels:
            say(f"{file.path}: labels added to {config.path}: {', '.join(file.added_labels)}")
        _snapped(file)
        say(f"{file.path}: " + ", ".join(_counts(file)))
    return EXIT_OK if report.ok else EXIT_FAILED


def _snapped(file: FileReport) -> None:
    """Say which spans were moved onto whole tokens."""
    for snapped in file.snapped[:_SNAPPED_SHOWN]:
        (start, end), (new_start, new_end) = snapped.given, snapped.stored
        say(
            f"{file.path}:{snapped.line}: span {start}-{end} snapped to whole tokens: "
            f"{new_start}-{new_end} {snapped.text!r}"
        )
    if file.snapped_count > _SNAPPED_SHOWN:
        say(f"{file.path}: {file.snapped_count - _SNAPPED_SHOWN} more spans snapped to whole tokens")


def _counts(file: FileReport) -> list[str]:
    """What a file's import stored and skipped, part by part."""
    parts = [
        f"{plural(file.articles_added, 'new article')}",
        f"{plural(file.annotations_added, 'annotation')} added",
    ]
    if file.already_there:
        parts.append(f"{file.already_there} already there")
    if file.statuses_set:
        parts.append(f"{plural(file.statuses_set, 'review status', 'review statuses')} taken from the file")
    if file.snapped_count:
        parts.append(f"{file.snapped_count} snapped to whole tokens")
    if file.ignored:
        parts.append(f"{plural(file.ignored, 'task')} not accepted, skipped")
    if file.not_spans:
        parts.append(f"{plural(file.not_spans, 'line')} without spans (text classification) skipped")
    if file.predictions:
        parts.append(f"{plural(file.predictions, 'prediction')} not imported")
    if file.errors:
        parts.append(f"{plural(file.bad_lines, 'bad line')} skipped")
    return parts
