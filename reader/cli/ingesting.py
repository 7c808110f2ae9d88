"""`reader ingest` and `reader reanalyze`: articles in, analysed once; analysed again on demand."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from reader.cli.errors import EXIT_FAILED, EXIT_OK
from reader.cli.output import Progress, out, out_json, say, say_error
from reader.cli.resolve import resolve
from reader.config import Config
from reader.store import Library

if TYPE_CHECKING:  # the pipeline (and what it reads HTML with) loads only to ingest
    from reader.pipeline import IngestReport


def ingest(
    library: Library,
    inputs: list[str],
    *,
    model: str | None,
    jobs: int,
    quiet: bool,
    models: dict[str, str] | None = None,
) -> IngestReport:
    """Ingest `inputs` into the library with a progress bar (none when `quiet`); a warning
    about the model is said, failures are left to the caller."""
    from reader import pipeline

    with Progress("ingesting", enabled=not quiet) as progress:
        report = pipeline.ingest_into(
            library,
            inputs,
            model=model,
            models=models,
            jobs=jobs,
            stdin=sys.stdin.buffer if "-" in inputs else None,
            on_progress=progress.update,
        )
    if report.warning:
        say_error(f"warning: {report.warning}")
    return report


def cmd_ingest(args: argparse.Namespace, library: Library, config: Config) -> int:
    """Ingest files, folders, URLs or stdin; analyse the new articles once."""
    report = ingest(
        library,
        args.inputs,
        model=args.model or config.model,
        models=config.models,
        jobs=args.jobs,
        quiet=args.json,
    )
    for name, reason in report.failed:
        say_error(f"{name}: {reason}")
    if args.json:
        out_json(
            {
                "results": [r.to_json() for r in report.results],
                "added": report.added,
                "duplicates": report.duplicates,
                "failed": [{"input": n, "reason": r} for n, r in report.failed],
                "model": report.model,
                "models": report.models,
            }
        )
    else:
        for result in report.results:
            if result.status != "failed" and result.id:
                what = "already in library" if result.status == "already there" else "added"
                out(f"{what}: {result.id[:10]}  {result.title or '(untitled)'}  [{result.input}]")
        say(
            f"{len(report.added)} added, {len(report.duplicates)} already in library, "
            f"{len(report.failed)} failed (model: {report.model})"
        )
    return EXIT_FAILED if report.failed else EXIT_OK


def cmd_reanalyze(args: argparse.Namespace, library: Library, config: Config) -> int:
    """Analyse articles again (all by default), keeping every annotation."""
    from reader import pipeline

    ids = [resolve(library, i) for i in args.ids] if args.ids else library.ids()
    with Progress("ingesting") as progress:
        name, warning, count = pipeline.reanalyze(
            library,
            ids,
            model=args.model or config.model,
            models=config.models,
            jobs=args.jobs,
            on_progress=progress.update,
        )
    if warning:
        say_error(f"warning: {warning}")
    say(f"reanalysed {count} article(s) with {name}")
    return EXIT_OK
