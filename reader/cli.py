"""The `reader` command line: open the app, ingest, list, show, tag, and more.

Output meant for scripts is JSON with `--json`; messages go to stderr; every failure is
one line naming the input and the reason, with a non-zero exit status.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from reader import __version__, paths
from reader.article import REVIEW_STATUSES
from reader.catalog import SORT_KEYS, View
from reader.config import Config, ConfigError
from reader.config import load as load_config
from reader.store import ArticleGone, Library, StoreError
from reader.text import clean_line

EXIT_FAILED = 1  # some input or operation failed
EXIT_STORE = 2  # the store or config cannot be used


class CommandError(Exception):
    """A failure the user can fix: printed as one line, exit status 1."""


def _out(text: str = "", stream: TextIO | None = None) -> None:
    print(text, file=stream or sys.stdout)


def _err(text: str) -> None:
    print(f"reader: {text}", file=sys.stderr)


# -- commands ------------------------------------------------------------------------------


def cmd_open(args: argparse.Namespace, library: Library, config: Config) -> int:
    """Open the app; the first start with an empty library ingests the bundled seed article."""
    if not library.count():
        seeds = paths.bundled("seeds")
        report = _ingest(
            library, [str(seeds)], model=args.model or config.model, models=config.models, jobs=1, quiet=True
        )
        if not report.ok:
            for name, reason in report.failed:
                _err(f"{name}: {reason}")
    from reader.app import make_app

    app = make_app(library.root, config=config, open_article=args.article)
    app.run()
    return 0


def _ingest(
    library: Library,
    inputs: list[str],
    *,
    model: str | None,
    jobs: int,
    quiet: bool,
    models: dict[str, str] | None = None,
) -> Any:
    from reader import pipeline

    progress = _Progress(enabled=not quiet)
    with progress:
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
        _err(f"warning: {report.warning}")
    return report


def cmd_ingest(args: argparse.Namespace, library: Library, config: Config) -> int:
    """Ingest files, folders, URLs or stdin; analyse the new articles once."""
    report = _ingest(
        library,
        args.inputs,
        model=args.model or config.model,
        models=config.models,
        jobs=args.jobs,
        quiet=args.json,
    )
    for name, reason in report.failed:
        _err(f"{name}: {reason}")
    if args.json:
        _out(
            json.dumps(
                {
                    "results": [r.to_json() for r in report.results],
                    "added": report.added,
                    "duplicates": report.duplicates,
                    "failed": [{"input": n, "reason": r} for n, r in report.failed],
                    "model": report.model,
                    "models": report.models,
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        for result in report.results:
            if result.status != "failed" and result.id:
                what = "already in library" if result.status == "already there" else "added"
                _out(f"{what}: {result.id[:10]}  {result.title or '(untitled)'}  [{result.input}]")
        _out(
            f"{len(report.added)} added, {len(report.duplicates)} already in library, "
            f"{len(report.failed)} failed (model: {report.model})",
            sys.stderr,
        )
    return EXIT_FAILED if report.failed else 0


def _view(args: argparse.Namespace) -> View:
    """The library view that `list`'s options ask for."""
    sort = args.sort or "added"
    # Newest, most annotated and unread first unless reversed; names and sites A to Z.
    descending = sort in ("added", "date", "annotations")
    if args.reverse:
        descending = not descending
    return View(
        sort=sort,
        descending=descending,
        label=args.label.upper() if args.label else None,
        review=args.status or "all",
        unread=args.unread,
    )


def cmd_list(args: argparse.Namespace, library: Library, config: Config) -> int:
    """List the library."""
    summaries = library.iter_summaries(_view(args))
    if args.json:
        _out(json.dumps([s.to_json() for s in summaries], indent=2, ensure_ascii=False))
        return 0
    shown = 0
    for s in summaries:
        shown += 1
        status = {"new": " ", "in_progress": "~", "done": "✓", "ignored": "-"}[s.status]
        _out(
            f"{s.id[:10]}  {status} {'r' if s.read else ' '}  {(s.date or '')[:10]:10}  {s.words:6} words  "
            f"{s.entities:4} ents  {s.annotations:4} ann  {clean_line(s.title or '(untitled)')}"
            + (f"  — {clean_line(s.byline)}" if s.byline else "")
        )
    if not shown:
        if library.count():
            _out("No article matches.", sys.stderr)
        else:
            _out("The library is empty: add articles with `reader ingest PATH|URL`.", sys.stderr)
    return 0


def _resolve(library: Library, prefix: str) -> str:
    try:
        return library.resolve(prefix)
    except LookupError as exc:
        raise CommandError(str(exc)) from exc


def article_json(library: Library, article_id: str, *, with_text: bool = True) -> dict[str, Any]:
    """The stable JSON form of one article: metadata, text, entities, numbers, annotations."""
    article = library.get(article_id)
    state = library.article_state(article_id)
    rejected = state.rejected()
    data = article.meta_json()
    if with_text:
        data["text"] = article.text
    analysis = article.analysis
    data["entities"] = [s.to_json(article.text) for s in analysis.entities] if analysis else []
    data["numbers"] = [s.to_json(article.text) for s in analysis.numbers] if analysis else []
    for span in data["entities"] + data["numbers"]:
        span["rejected"] = (span["start"], span["end"], span["label"]) in rejected
    data["annotations"] = [a.to_json(article.text) for a in state.annotations]
    return data


def cmd_show(args: argparse.Namespace, library: Library, config: Config) -> int:
    """Show one article: metadata, text, entities, numbers and annotations."""
    data = article_json(library, _resolve(library, args.id))
    if args.json:
        _out(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    for key in ("title", "byline", "date", "source", "site", "url", "id", "words", "model"):
        if data.get(key) not in (None, ""):
            _out(f"{key + ':':9} {data[key]}")
    _out()
    _out(data["text"])
    for heading in ("entities", "numbers", "annotations"):
        _out(f"\n{heading} ({len(data[heading])}):")
        for span in data[heading]:
            extra = f"  {span['id']} ({span['source']})" if "id" in span else ""
            _out(f"  {span['start']:6}-{span['end']:<6} {span['label']:10} {span['text']}{extra}")
    return 0


def cmd_tag(args: argparse.Namespace, library: Library, config: Config) -> int:
    """Add one annotation by character offsets, snapped to whole tokens; print its id."""
    article_id = _resolve(library, args.id)
    label = clean_line(args.label).upper()
    if label not in config.label_names():
        raise CommandError(
            f"unknown label {clean_line(args.label)!r} (labels: {', '.join(config.label_names())}; "
            f"add more under [[extra_labels]] in {config.path})"
        )
    if args.start == args.end:
        raise CommandError(f"{article_id[:10]}: span {args.start}-{args.end} is empty (the end must come after the start)")
    if args.start > args.end:
        raise CommandError(f"{article_id[:10]}: span {args.start}-{args.end} is reversed (the end comes before the start)")
    article = library.get(article_id)
    try:
        start, end = article.snap(args.start, args.end)
    except ValueError as exc:
        raise CommandError(f"{article_id[:10]}: {exc}") from exc
    if any((a.start, a.end, a.label) == (start, end, label) for a in library.annotations(article_id)):
        _out(f"{article_id[:10]}: {start}-{end} is already tagged {label}", sys.stderr)
    annotation = library.add_annotation(article_id, start, end, label)
    if args.json:
        _out(json.dumps(annotation.to_json(article.text), ensure_ascii=False))
    else:
        _out(annotation.id)
    return 0


def cmd_untag(args: argparse.Namespace, library: Library, config: Config) -> int:
    """Delete one annotation by its id (or a unique prefix)."""
    article_id = _resolve(library, args.id)
    if not args.annotation.strip():
        raise CommandError("an annotation id cannot be empty")
    try:
        removed = library.remove_annotation(article_id, args.annotation)
    except LookupError as exc:
        raise CommandError(str(exc)) from exc
    _out(f"removed {removed.id} ({removed.label} {removed.start}-{removed.end})", sys.stderr)
    return 0


def cmd_annotations(args: argparse.Namespace, library: Library, config: Config) -> int:
    """List annotations, of one article or of all."""
    ids = [_resolve(library, args.id)] if args.id else [s.id for s in library.iter_summaries()]
    rows: list[dict[str, Any]] = []
    for article_id in ids:
        annotations = library.annotations(article_id)
        if not annotations:
            continue
        text = library.get(article_id).text
        for annotation in annotations:
            rows.append({"article": article_id, **annotation.to_json(text)})
    if args.json:
        _out(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    for row in rows:
        _out(
            f"{row['article'][:10]}  {row['id']}  {row['start']:6}-{row['end']:<6} "
            f"{row['label']:10} {row['source']:6} {row['text']}"
        )
    return 0


def cmd_remove(args: argparse.Namespace, library: Library, config: Config) -> int:
    """Remove articles and their annotations (every id is checked before any is removed)."""
    ids = [_resolve(library, prefix) for prefix in args.ids]
    for article_id in dict.fromkeys(ids):
        try:
            library.remove(article_id)
        except ArticleGone:
            _out(f"{article_id}: already removed", sys.stderr)
            continue
        _out(f"removed {article_id}", sys.stderr)
    return 0


def cmd_mark(args: argparse.Namespace, library: Library, config: Config) -> int:
    """Mark articles read or unread, or set their review status."""
    ids = [_resolve(library, prefix) for prefix in args.ids]
    for article_id in ids:
        if args.mark in ("read", "unread"):
            library.set_read(article_id, args.mark == "read")
        else:
            library.set_status(article_id, args.mark.replace("-", "_"))  # type: ignore[arg-type]
        _out(f"{article_id[:10]}: {args.mark}", sys.stderr)
    return 0


def cmd_search(args: argparse.Namespace, library: Library, config: Config) -> int:
    """Search every article's text (with QUERY), or list the articles that mention an entity."""
    label = clean_line(args.label).upper() if args.label else None
    entity = clean_line(args.entity) if args.entity else None
    if not args.query:
        if entity is None:
            raise CommandError("give words to search for, or --entity NAME (with or without --label)")
        mentioned = library.mentioned_in(entity, label, limit=args.limit)
        if args.json:
            _out(json.dumps([{**m.summary.to_json(), "mentions": m.mentions, "offset": m.first} for m in mentioned], indent=2, ensure_ascii=False))
            return 0 if mentioned else EXIT_FAILED
        for m in mentioned:
            s = m.summary
            _out(f"{s.id[:10]}  {(s.date or '')[:10]:10}  {m.mentions:4}×  {clean_line(s.title or '(untitled)')}")
        _out(f"{len(mentioned)} article{'s' if len(mentioned) != 1 else ''} mention {entity!r}" + (f" as {label}" if label else ""), sys.stderr)
        return 0 if mentioned else EXIT_FAILED
    query = " ".join(args.query)
    try:
        found = library.search(query, entity=entity, label=label, limit=args.limit)
        total = library.search_count(query, entity=entity, label=label)
    except ValueError as exc:
        raise CommandError(f"search {clean_line(query)!r}: {exc}") from exc
    if args.json:
        _out(json.dumps([f.to_json() for f in found], indent=2, ensure_ascii=False))
        return 0 if found else EXIT_FAILED
    for f in found:
        s = f.summary
        _out(f"{s.id[:10]}  {(s.date or '')[:10]:10}  {clean_line(s.title or '(untitled)')}")
        if f.snippet:
            _out(f"    {clean_line(f.snippet)}")
    more = f" (showing {len(found)}; --limit N shows more)" if total > len(found) else ""
    _out(f"{total} article{'s' if total != 1 else ''} match{'es' if total == 1 else ''}{more}", sys.stderr)
    return 0 if found else EXIT_FAILED


def cmd_entities(args: argparse.Namespace, library: Library, config: Config) -> int:
    """List every entity across the library, most mentioned first."""
    label = clean_line(args.label).upper() if args.label else None
    counts = library.entities(label=label, limit=args.limit or None)
    if args.json:
        _out(json.dumps([c.to_json() for c in counts], indent=2, ensure_ascii=False))
        return 0
    for c in counts:
        _out(f"{c.mentions:7} {c.articles:6}  {c.label:12} {clean_line(c.text)}")
    if not counts:
        _out("No entity" + (f" labelled {label}" if label else "") + " in the library.", sys.stderr)
    return 0


def cmd_check(args: argparse.Namespace, library: Library, config: Config) -> int:
    """Compare the store files with the catalog; with --repair, rebuild the catalog from the files."""
    report = library.check()
    if args.repair and not report.ok:
        skipped = library.repair()
        for line in skipped:
            _err(f"not read: {line}")
        after = library.check()
        fixed = len(report.problems) - len(after.problems)
        _out(f"repaired: rebuilt the catalog from {after.articles} article file(s); {fixed} problem(s) fixed", sys.stderr)
        report = after
    if args.json:
        _out(json.dumps({"ok": report.ok, "articles": report.articles, "problems": report.problems, **library.catalog_facts()}, indent=2))
    else:
        for line in report.problems:
            _out(clean_line(line))
        if report.ok:
            _out(f"ok: {report.articles} article(s), files and catalog agree", sys.stderr)
        else:
            _out(f"{len(report.problems)} problem(s); `reader check --repair` rebuilds the catalog from the files", sys.stderr)
    return 0 if report.ok else EXIT_FAILED


def cmd_reanalyze(args: argparse.Namespace, library: Library, config: Config) -> int:
    """Analyse articles again (all by default), keeping every annotation."""
    from reader import pipeline

    ids = [_resolve(library, i) for i in args.ids] if args.ids else library.ids()
    progress = _Progress(enabled=True)
    with progress:
        name, warning, count = pipeline.reanalyze(
            library,
            ids,
            model=args.model or config.model,
            models=config.models,
            jobs=args.jobs,
            on_progress=progress.update,
        )
    if warning:
        _err(f"warning: {warning}")
    _out(f"reanalysed {count} article(s) with {name}", sys.stderr)
    return 0


# -- progress ------------------------------------------------------------------------------


class _Progress:
    """A rich progress bar on a terminal, plain lines when stderr is piped."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.tty = sys.stderr.isatty()
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> _Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def update(self, done: int, total: int, label: str) -> None:
        """Report that `done` of `total` inputs are read, the last being `label`."""
        if not self.enabled or total <= 1:
            return
        if not self.tty:
            print(f"[{done}/{total}] {label}", file=sys.stderr)
            return
        if self._bar is None:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self._bar = Progress(
                TextColumn("ingesting"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.description}", markup=False),
                console=Console(stderr=True),
                transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task("", total=total)
        self._bar.update(self._task, completed=done, description=Path(label).name[:40])


# -- parser --------------------------------------------------------------------------------

Command = Callable[[argparse.Namespace, Library, Config], int]


def _positive(value: str) -> int:
    """A whole number of at least 1, for --jobs and --limit."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value} is not at least 1")
    return number


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every command."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data-dir",
        default=argparse.SUPPRESS,
        help="where the library lives (default: $READER_DATA_DIR or the platform's data dir)",
    )
    parser = argparse.ArgumentParser(
        prog="reader",
        description="Read and annotate news articles in the terminal.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"reader {__version__}")
    parser.add_argument("--model", help="spaCy pipeline to analyse new articles with")
    parser.add_argument("--article", help="open this article (id or prefix) straight away")
    parser.set_defaults(func=cmd_open)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    def add(name: str, func: Command, help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help, parents=[common])
        p.set_defaults(func=func)
        return p

    p = add("ingest", cmd_ingest, "add articles: text, HTML or Markdown files, folders, URLs, or - for stdin")
    p.add_argument("inputs", nargs="+", metavar="PATH|URL|-")
    p.add_argument(
        "--model", default=argparse.SUPPRESS, help="spaCy pipeline (default: config, else the best installed)"
    )
    p.add_argument("--jobs", type=_positive, default=1, help="analyse with this many processes")
    p.add_argument("--json", action="store_true", help="print what happened as JSON")

    p = add("list", cmd_list, "list the articles in the library (newest first)")
    p.add_argument("--sort", choices=SORT_KEYS, help="order by this (default: added)")
    p.add_argument("--reverse", action="store_true", help="the other way round")
    p.add_argument("--unread", action="store_true", help="only articles not read yet")
    p.add_argument("--label", help="only articles with an annotation of this label")
    p.add_argument(
        "--status",
        choices=["to_review", *REVIEW_STATUSES],
        help="only articles in this review status (to_review: new or in progress)",
    )
    p.add_argument("--json", action="store_true", help="print as JSON")

    p = add("show", cmd_show, "show an article: metadata, text, entities, numbers, annotations")
    p.add_argument("id", help="article id or unique prefix")
    p.add_argument("--json", action="store_true", help="print as JSON")

    p = add("tag", cmd_tag, "annotate characters START to END of an article with LABEL")
    p.add_argument("id", help="article id or unique prefix")
    p.add_argument("start", type=int)
    p.add_argument("end", type=int)
    p.add_argument("label")
    p.add_argument("--json", action="store_true", help="print the annotation as JSON")

    p = add("untag", cmd_untag, "delete an annotation")
    p.add_argument("id", help="article id or unique prefix")
    p.add_argument("annotation", help="annotation id or unique prefix")

    p = add("annotations", cmd_annotations, "list annotations (of one article, or all)")
    p.add_argument("id", nargs="?", help="article id or unique prefix")
    p.add_argument("--json", action="store_true", help="print as JSON")

    p = add("remove", cmd_remove, "remove articles and their annotations")
    p.add_argument("ids", nargs="+", metavar="ID")

    p = add("mark", cmd_mark, "mark articles read or unread, or set their review status")
    p.add_argument("mark", choices=["read", "unread", "new", "in-progress", "done", "ignored"])
    p.add_argument("ids", nargs="+", metavar="ID")

    p = add("search", cmd_search, "search the text of every article, ranked, with a snippet of each hit")
    p.add_argument("query", nargs="*", metavar="QUERY", help='words, "a phrase", prefix* (all must match; OR allows either)')
    p.add_argument("--entity", metavar="NAME", help="only articles that mention this entity (alone: list them)")
    p.add_argument("--label", help="only articles with an entity or annotation of this label")
    p.add_argument("--limit", type=_positive, default=20, help="show at most this many (default 20)")
    p.add_argument("--json", action="store_true", help="print as JSON")

    p = add("entities", cmd_entities, "every entity across the library, with articles and mentions, most frequent first")
    p.add_argument("--label", help="only this label")
    p.add_argument("--limit", type=_positive, help="show at most this many")
    p.add_argument("--json", action="store_true", help="print as JSON")

    p = add("check", cmd_check, "check that the store files and the catalog agree (exit 1 when not)")
    p.add_argument("--repair", action="store_true", help="rebuild the catalog from the files")
    p.add_argument("--json", action="store_true", help="print as JSON")

    p = add("reanalyze", cmd_reanalyze, "analyse articles again, keeping every annotation")
    p.add_argument("ids", nargs="*", metavar="ID")
    p.add_argument("--model", default=argparse.SUPPRESS, help="spaCy pipeline to use")
    p.add_argument("--jobs", type=_positive, default=1, help="analyse with this many processes")

    _add_exchange_commands(add)
    return parser


def _add_exchange_commands(add: Callable[[str, Command, str], argparse.ArgumentParser]) -> None:
    """`export` and `import`, when the exchange formats are available."""
    try:
        from reader.export import cli as exchange
    except ImportError:
        return
    exchange.add_commands(add)


def _quiet_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        pass  # stdout is not a file (a test's capture): nothing to quiet


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        config = load_config()
    except ConfigError as exc:
        _err(str(exc))
        return EXIT_STORE
    library = Library(paths.data_dir(getattr(args, "data_dir", None)))
    try:
        return args.func(args, library, config)
    except CommandError as exc:
        _err(str(exc))
        return EXIT_FAILED
    except StoreError as exc:
        _err(str(exc))
        return EXIT_STORE
    except BrokenPipeError:
        # `reader list | head`: whoever read stdout has gone; that is not a failure. Later
        # writes (and the interpreter's flush at exit) go nowhere instead of failing again.
        _quiet_stdout()
        return 0
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
    except Exception as exc:
        # A model that cannot be loaded is the user's to fix: one line, not a traceback.
        from reader.nlp import ModelError

        if isinstance(exc, ModelError):
            _err(str(exc))
            return EXIT_FAILED
        raise
