"""Commands on the whole library: open the app, list, search, entities and check."""

from __future__ import annotations

import argparse

from reader import paths
from reader.catalog import View
from reader.cli.errors import EXIT_FAILED, EXIT_OK, CommandError
from reader.cli.ingesting import ingest
from reader.cli.output import out, out_json, say, say_error
from reader.config import Config
from reader.store import Library, StoreError
from reader.text import clean_line, plural

# How `list` marks each review status, in the column before the read mark.
_STATUS_MARKS = {"new": " ", "in_progress": "~", "done": "✓", "ignored": "-"}


def cmd_open(args: argparse.Namespace, library: Library, config: Config) -> int:
    """Open the app; the first start with an empty library ingests the bundled seed article."""
    if not library.count():
        report = ingest(
            library,
            [str(paths.bundled("seeds"))],
            model=args.model or config.model,
            models=config.models,
            jobs=1,
            quiet=True,
        )
        for name, reason in report.failed:
            say_error(f"{name}: {reason}")
    from reader.app import make_app

    app = make_app(library.root, config=config, open_article=args.article)
    app.run()
    # An unexpected error stops the app after logging it as a bug: the exit status says so.
    return app.return_code or EXIT_OK


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
        label=args.label,
        review=args.status or "all",
        unread=args.unread,
    )


def cmd_list(args: argparse.Namespace, library: Library, config: Config) -> int:
    """List the library."""
    summaries = library.iter_summaries(_view(args))
    if args.json:
        out_json([s.to_json() for s in summaries])
        return EXIT_OK
    shown = 0
    for s in summaries:
        shown += 1
        out(
            f"{s.id[:10]}  {_STATUS_MARKS[s.status]} {'r' if s.read else ' '}  {(s.date or '')[:10]:10}  "
            f"{s.words:6} words  {s.entities:4} ents  {s.annotations:4} ann  "
            f"{clean_line(s.title or '(untitled)')}" + (f"  — {clean_line(s.byline)}" if s.byline else "")
        )
    if not shown:
        if library.count():
            say("No article matches.")
        else:
            say("The library is empty: add articles with `reader ingest PATH|URL`.")
    return EXIT_OK


def cmd_search(args: argparse.Namespace, library: Library, config: Config) -> int:
    """Search every article's text (with QUERY), or list the articles that mention an entity."""
    label = args.label
    entity = clean_line(args.entity) if args.entity else None
    if not args.query:
        if entity is None:
            raise CommandError("give words to search for, or --entity NAME (with or without --label)")
        return _mentioned_in(library, entity, label, args)
    query = " ".join(args.query)
    try:
        found = library.search(query, entity=entity, label=label, limit=args.limit)
        total = library.search_count(query, entity=entity, label=label)
    except ValueError as exc:
        raise CommandError(f"search {clean_line(query)!r}: {exc}") from exc
    if args.json:
        out_json([f.to_json() for f in found])
        return EXIT_OK if found else EXIT_FAILED
    for f in found:
        s = f.summary
        out(f"{s.id[:10]}  {(s.date or '')[:10]:10}  {clean_line(s.title or '(untitled)')}")
        if f.snippet:
            out(f"    {clean_line(f.snippet)}")
    more = f" (showing {len(found)}; --limit N shows more)" if total > len(found) else ""
    say(f"{plural(total, 'article')} match{'es' if total == 1 else ''}{more}")
    return EXIT_OK if found else EXIT_FAILED


def _mentioned_in(library: Library, entity: str, label: str | None, args: argparse.Namespace) -> int:
    """`search --entity NAME` without words: the articles that mention the entity."""
    mentioned = library.mentioned_in(entity, label, limit=args.limit)
    if args.json:
        out_json([{**m.summary.to_json(), "mentions": m.mentions, "offset": m.first} for m in mentioned])
        return EXIT_OK if mentioned else EXIT_FAILED
    for m in mentioned:
        s = m.summary
        out(f"{s.id[:10]}  {(s.date or '')[:10]:10}  {m.mentions:4}×  {clean_line(s.title or '(untitled)')}")
    total = library.mentioned_count(entity, label) if args.limit and len(mentioned) >= args.limit else len(mentioned)
    more = f" (showing {len(mentioned)}; --limit N shows more)" if total > len(mentioned) else ""
    verb = "mentions" if total == 1 else "mention"
    say(f"{plural(total, 'article')} {verb} {entity!r}" + (f" as {label}" if label else "") + more)
    return EXIT_OK if mentioned else EXIT_FAILED


def cmd_entities(args: argparse.Namespace, library: Library, config: Config) -> int:
    """List every entity across the library, most mentioned first."""
    label = args.label
    counts = library.entities(label=label, limit=args.limit or None)
    if args.json:
        out_json([c.to_json() for c in counts])
        return EXIT_OK
    for c in counts:
        out(f"{c.mentions:7} {c.articles:6}  {c.label:12} {clean_line(c.text)}")
    if not counts:
        say("No entity" + (f" labelled {label}" if label else "") + " in the library.")
    return EXIT_OK


def cmd_check(args: argparse.Namespace, library: Library, config: Config) -> int:
    """Compare the store files with the catalog; with --repair, rebuild the catalog from the files."""
    # --repair rebuilds without checking first (a check reads every file, as the rebuild
    # does): a catalog can be wrong in ways a check does not look for, and rebuilding is
    # what the user asked for. The check afterwards says what the files still hold wrong.
    if args.repair:
        for line in library.repair():
            say_error(f"not read: {line}")
    report = library.check()
    if args.repair:
        say(f"repaired: rebuilt the catalog from {report.articles} article file(s)")
    if args.json:
        facts = {"ok": report.ok, "articles": report.articles, "problems": report.problems}
        try:
            facts.update(library.catalog_facts())
        except StoreError:
            pass  # a damaged catalog has no facts to give; its problem is in `problems`
        out_json(facts, ensure_ascii=True)
    else:
        for line in report.problems:
            out(clean_line(line))
        if report.ok:
            say(f"ok: {report.articles} article(s), files and catalog agree")
        else:
            say(f"{len(report.problems)} problem(s); `reader check --repair` rebuilds the catalog from the files")
    return EXIT_OK if report.ok else EXIT_FAILED
