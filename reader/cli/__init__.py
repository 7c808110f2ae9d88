"""The `reader` command line: open the app, ingest, list, show, tag, export, and more.

Output meant for scripts is JSON with `--json`; messages go to stderr; every failure is
one line naming the input and the reason, with a non-zero exit status (`errors`).

`parser` builds the one argument parser; each command lives in the module of its kind:
`library` (open, list, search, entities, check), `articles` (show, tag, untag, annotations,
remove, mark), `ingesting` (ingest, reanalyze) and `exchange` (export, import). `output`
prints: data to stdout, cleaned messages and progress to stderr.
"""

from __future__ import annotations

from collections.abc import Sequence

from reader import paths
from reader.cli.errors import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_STORE, CommandError
from reader.cli.output import Progress, quiet_stdout, say_error
from reader.cli.parser import build_parser
from reader.config import ConfigError
from reader.config import load as load_config
from reader.nlp import ModelError
from reader.store import Library, StoreError

__all__ = ["CommandError", "build_parser", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        config = load_config()
    except ConfigError as exc:
        say_error(str(exc))
        return EXIT_STORE
    library = Library(paths.data_dir(getattr(args, "data_dir", None)))
    # Building the catalog (after an upgrade, or when it was lost) reads every article file
    # once: minutes at 100,000 articles, so it shows how far it is.
    rebuild = Progress("Building the catalog")
    library.on_progress = rebuild.update
    try:
        with rebuild:
            return args.func(args, library, config)
    except (CommandError, ModelError) as exc:
        # A model that cannot be loaded is the user's to fix too: one line, not a traceback.
        say_error(str(exc))
        return EXIT_FAILED
    except StoreError as exc:
        say_error(str(exc))
        return EXIT_STORE
    except BrokenPipeError:
        # `reader list | head`: whoever read stdout has gone; that is not a failure. Later
        # writes (and the interpreter's flush at exit) go nowhere instead of failing again.
        quiet_stdout()
        return EXIT_OK
    except KeyboardInterrupt:
        say_error("interrupted")
        return EXIT_INTERRUPTED
