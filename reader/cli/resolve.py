"""Articles named on the command line: a full id or a prefix only one article has."""

from __future__ import annotations

from reader.cli.errors import CommandError
from reader.store import Library


def resolve(library: Library, prefix: str) -> str:
    """The id of the one article whose id starts with `prefix`; CommandError if none or many."""
    try:
        return library.resolve(prefix)
    except LookupError as exc:
        raise CommandError(str(exc)) from exc


def resolve_all(library: Library, prefixes: list[str]) -> list[str]:
    """The ids of every article named, each checked before any is acted on."""
    return [resolve(library, prefix) for prefix in prefixes]
