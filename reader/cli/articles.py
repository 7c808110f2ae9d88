"""Commands on named articles: show, tag, untag, annotations, remove and mark."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from collections.abc import Iterable
from typing import cast

from reader.article import ReviewStatus, article_json
from reader.cli.errors import EXIT_OK, CommandError
from reader.cli.output import out, out_json, say
from reader.cli.resolve import resolve, resolve_all
from reader.config import Config
from reader.store import ArticleGone, Library
from reader.text import plural

# What `show` prints above the text, in this order, when the article has it.
_SHOWN_FIELDS = ("title", "byline", "date", "source", "site", "url", "id", "words", "model")
# How many articles `remove` and `mark` change together (one catalog transaction each).
BATCH = 500


def cmd_show(args: argparse.Namespace, library: Library, config: Config) -> int:
    """Show one article: metadata, text, entities, numbers and annotations."""
    article_id = resolve(library, args.id)
    article = library.get(article_id)
    data = article_json(article, library.article_state(article_id, len(article.text)))
    if args.json:
        out_json(data)
        return EXIT_OK
    for key in _SHOWN_FIELDS:
        if data.get(key) not in (None, ""):
            out(f"{key + ':':9} {data[key]}")
    out()
    out(data["text"])
    for heading in ("entities", "numbers", "annotations"):
        out(f"\n{heading} ({len(data[heading])}):")
        for span in data[heading]:
            extra = f"  {span['id']} ({span['source']})" if "id" in span else ""
            out(f"  {span['start']:6}-{span['end']:<6} {span['label']:10} {span['text']}{extra}")
    return EXIT_OK


def cmd_tag(args: argparse.Namespace, library: Library, config: Config) -> int:
    """Add one annotation by character offsets, snapped to whole tokens; print its id."""
    article_id = resolve(library, args.id)
    label = args.label
    if label not in config.label_names():
        raise CommandError(
            f"unknown label {label!r} (labels: {', '.join(config.label_names())}; "
            f"add more under [[extra_labels]] in {config.path})"
        )
    where = f"{article_id[:10]}: span {args.start}-{args.end}"
    if args.start == args.end:
        raise CommandError(f"{where} is empty (the end must come after the start)")
    if args.start > args.end:
        raise CommandError(f"{where} is reversed (the end comes before the start)")
    article = library.get(article_id)
    try:
        start, end = article.snap(args.start, args.end)
    except ValueError as exc:
        raise CommandError(f"{article_id[:10]}: {exc}") from exc
    if article.crosses_paragraphs(start, end):
        raise CommandError(
            f"{where} runs across a paragraph break: an entity lies within one paragraph"
        )
    if any((a.start, a.end, a.label) == (start, end, label) for a in library.annotations(article_id)):
        say(f"{article_id[:10]}: {start}-{end} is already tagged {label}")
    annotation = library.add_annotation(article_id, start, end, label)
    if args.json:
        out_json(annotation.to_json(article.text), indent=None)
    else:
        out(annotation.id)
    return EXIT_OK


def cmd_untag(args: argparse.Namespace, library: Library, config: Config) -> int:
    """Delete one annotation by its id (or a unique prefix)."""
    article_id = resolve(library, args.id)
    if not args.annotation.strip():
        raise CommandError("an annotation id cannot be empty")
    try:
        removed = library.remove_annotation(article_id, args.annotation)
    except LookupError as exc:
        raise CommandError(str(exc)) from exc
    say(f"removed {removed.id} ({removed.label} {removed.start}-{removed.end})")
    return EXIT_OK


def cmd_annotations(args: argparse.Namespace, library: Library, config: Config) -> int:
    """List annotations, of one article or of all: written as each article is read, so the
    memory it takes does not grow with the library (the JSON is the same array as ever)."""
    ids: Iterable[str] = [resolve(library, args.id)] if args.id else (s.id for s in library.iter_summaries())
    shown = 0
    for article_id in ids:
        state = library.article_state(article_id)
        if not state.annotations:
            continue  # most articles: no need to read their text
        text = library.get(article_id).text
        library.check_state_fits(article_id, state, len(text))
        for annotation in state.annotations:
            row = {"article": article_id, **annotation.to_json(text)}
            if args.json:
                item = textwrap.indent(json.dumps(row, indent=2, ensure_ascii=False), "  ")
                sys.stdout.write(("[\n" if not shown else ",\n") + item)
            else:
                out(
                    f"{row['article'][:10]}  {row['id']}  {row['start']:6}-{row['end']:<6} "
                    f"{row['label']:10} {row['source']:6} {row['text']}"
                )
            shown += 1
    if args.json:
        sys.stdout.write("\n]\n" if shown else "[]\n")
    return EXIT_OK


def cmd_remove(args: argparse.Namespace, library: Library, config: Config) -> int:
    """Remove articles and their annotations (every id is checked before any is removed),
    a batch at a time: one catalog transaction per batch, not per article."""
    ids = list(dict.fromkeys(resolve_all(library, args.ids)))
    for first in range(0, len(ids), BATCH):
        batch = ids[first : first + BATCH]
        try:
            library.remove_many(batch)
        except ArticleGone:
            # One of them went meanwhile (another copy of reader): each on its own.
            for article_id in batch:
                try:
                    library.remove(article_id)
                except ArticleGone:
                    say(f"{article_id}: already removed")
                    continue
                say(f"removed {article_id}")
            continue
        for article_id in batch:
            say(f"removed {article_id}")
    return EXIT_OK


def _unsettled_note(library: Library, article_id: str, mark: str) -> str:
    """For an article marked done: how many model entities it leaves neither accepted nor
    rejected, which its exports count as no entity."""
    if mark != "done":
        return ""
    unsettled = library.article_state(article_id).unsettled_entities(library.get(article_id).analysis)
    if not unsettled:
        return ""
    return (
        f" ({plural(unsettled, 'model entity', 'model entities')} neither accepted nor "
        "rejected: exports count them as no entity)"
    )


def cmd_mark(args: argparse.Namespace, library: Library, config: Config) -> int:
    """Mark articles read or unread, or set their review status, a batch at a time."""
    ids = list(dict.fromkeys(resolve_all(library, args.ids)))
    for first in range(0, len(ids), BATCH):
        batch = ids[first : first + BATCH]
        if args.mark in ("read", "unread"):
            library.set_read_many(batch, args.mark == "read")
        else:
            library.set_status_many(batch, cast(ReviewStatus, args.mark.replace("-", "_")))
        for article_id in batch:
            say(f"{article_id[:10]}: {args.mark}{_unsettled_note(library, article_id, args.mark)}")
    return EXIT_OK
