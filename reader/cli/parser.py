"""The one argument parser: every command, its options and its help.

Each command is a function `(args, library, config) -> exit status` in the module of its
kind (`library`, `articles`, `ingesting`, `exchange`); this module only wires them up.
Every module is imported here directly: a command whose code fails to import is an error
that names the fault, never a command quietly missing from `--help`.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from reader import __version__
from reader.article import REVIEW_STATUSES
from reader.catalog import SORT_KEYS
from reader.cli import articles, exchange, ingesting, library
from reader.config import Config, fold_label, label_name
from reader.export import FORMATS
from reader.offsets import OFFSET_UNITS
from reader.store import Library
from reader.text import clean_line

Command = Callable[[argparse.Namespace, Library, Config], int]


# Past any library's size or any machine's processes, and inside what SQLite counts with.
MAX_COUNT = 1_000_000_000


def _positive(value: str) -> int:
    """A whole number from 1 to `MAX_COUNT`, for --jobs and --limit."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value} is not at least 1")
    if number > MAX_COUNT:
        raise argparse.ArgumentTypeError(f"{value[:30]} is more than {MAX_COUNT:,}")
    return number


def _label(value: str) -> str:
    """A label name as the store keeps it (`config.fold_label`), not empty."""
    label = fold_label(value)
    if not label:
        raise argparse.ArgumentTypeError(f"{clean_line(value)!r} is not a label name")
    return label


def _tag_label(value: str) -> str:
    """A label to tag with, as the config takes one (`config.label_name`): never reader's NUM."""
    try:
        return label_name(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{clean_line(value)!r} is not a label name: {exc}") from None


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
    parser.set_defaults(func=library.cmd_open)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    def add(name: str, func: Command, help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help, parents=[common])
        p.set_defaults(func=func)
        return p

    p = add("ingest", ingesting.cmd_ingest, "add articles: text, HTML or Markdown files, folders, URLs, or - for stdin")
    p.add_argument("inputs", nargs="+", metavar="PATH|URL|-")
    p.add_argument(
        "--model", default=argparse.SUPPRESS, help="spaCy pipeline (default: config, else the best installed)"
    )
    p.add_argument("--jobs", type=_positive, default=1, help="analyse with this many processes")
    p.add_argument("--json", action="store_true", help="print what happened as JSON")

    p = add("list", library.cmd_list, "list the articles in the library (newest first)")
    p.add_argument("--sort", choices=SORT_KEYS, help="order by this (default: added)")
    p.add_argument("--reverse", action="store_true", help="the other way round")
    p.add_argument("--unread", action="store_true", help="only articles not read yet")
    p.add_argument("--label", type=_label, help="only articles with an annotation of this label")
    p.add_argument(
        "--status",
        choices=["to_review", *REVIEW_STATUSES],
        help="only articles in this review status (to_review: new or in progress)",
    )
    p.add_argument("--json", action="store_true", help="print as JSON")

    p = add("show", articles.cmd_show, "show an article: metadata, text, entities, numbers, annotations")
    p.add_argument("id", help="article id or unique prefix")
    p.add_argument("--json", action="store_true", help="print as JSON")

    p = add("tag", articles.cmd_tag, "annotate characters START to END of an article with LABEL")
    p.add_argument("id", help="article id or unique prefix")
    p.add_argument("start", type=int)
    p.add_argument("end", type=int)
    p.add_argument("label", type=_tag_label)
    p.add_argument("--json", action="store_true", help="print the annotation as JSON")

    p = add("untag", articles.cmd_untag, "delete an annotation")
    p.add_argument("id", help="article id or unique prefix")
    p.add_argument("annotation", help="annotation id or unique prefix")

    p = add("annotations", articles.cmd_annotations, "list annotations (of one article, or all)")
    p.add_argument("id", nargs="?", help="article id or unique prefix")
    p.add_argument("--json", action="store_true", help="print as JSON")

    p = add("remove", articles.cmd_remove, "remove articles and their annotations")
    p.add_argument("ids", nargs="+", metavar="ID")

    p = add("mark", articles.cmd_mark, "mark articles read or unread, or set their review status")
    p.add_argument("mark", choices=["read", "unread", "new", "in-progress", "done", "ignored"])
    p.add_argument("ids", nargs="+", metavar="ID")

    p = add("search", library.cmd_search, "search the text of every article, ranked, with a snippet of each hit")
    p.add_argument("query", nargs="*", metavar="QUERY", help='words, "a phrase", prefix* (all must match; OR allows either)')
    p.add_argument("--entity", metavar="NAME", help="only articles that mention this entity (alone: list them)")
    p.add_argument("--label", type=_label, help="only articles with an entity or annotation of this label")
    p.add_argument("--limit", type=_positive, default=20, help="show at most this many (default 20)")
    p.add_argument("--json", action="store_true", help="print as JSON")

    p = add("entities", library.cmd_entities, "every entity across the library, with articles and mentions, most frequent first")
    p.add_argument("--label", type=_label, help="only this label")
    p.add_argument("--limit", type=_positive, help="show at most this many")
    p.add_argument("--json", action="store_true", help="print as JSON")

    p = add("check", library.cmd_check, "check that the store files and the catalog agree (exit 1 when not)")
    p.add_argument("--repair", action="store_true", help="rebuild the catalog from the files")
    p.add_argument("--json", action="store_true", help="print as JSON")

    p = add("reanalyze", ingesting.cmd_reanalyze, "analyse articles again, keeping every annotation")
    p.add_argument("ids", nargs="*", metavar="ID")
    p.add_argument("--model", default=argparse.SUPPRESS, help="spaCy pipeline to use")
    p.add_argument("--jobs", type=_positive, default=1, help="analyse with this many processes")

    _add_export(add)
    _add_import(add)
    return parser


def _add_export(add: Callable[[str, Command, str], argparse.ArgumentParser]) -> None:
    """`export`: its options name every format and the review rules."""
    formats = ", ".join(f"{f.name} ({f.description})" for f in FORMATS.values())
    training = ", ".join(f.name for f in FORMATS.values() if f.done_only)
    p = add(
        "export", exchange.cmd_export, "export annotated articles for spaCy, Prodigy, doccano, brat or CoNLL"
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


def _add_import(add: Callable[[str, Command, str], argparse.ArgumentParser]) -> None:
    """`import`: reader's, Prodigy's and doccano's JSONL back in."""
    p = add("import", exchange.cmd_import, "import annotations from reader, Prodigy or doccano JSONL files")
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
        help="what the files' offsets count: characters or utf16 code units (doccano's own); "
        "unsaid, characters, and a doccano line with an emoji before a span is refused",
    )
    p.add_argument("--model", help="spaCy pipeline to analyse new texts with (default: config)")
