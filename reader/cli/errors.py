"""How a command fails: the exit statuses, and the one error a command raises for the user."""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILED = 1  # some input or operation failed
EXIT_STORE = 2  # the store or config cannot be used (argparse also exits 2 on a bad option)
EXIT_INTERRUPTED = 130  # Ctrl-C, as a shell reports SIGINT


class CommandError(Exception):
    """A failure the user can fix: printed as one cleaned line, exit status 1."""
