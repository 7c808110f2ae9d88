"""What the command line prints: data on stdout, messages on stderr, and progress.

Data (JSON, lists, an article's text) goes to stdout as the command built it from the
store, whose strings were cleaned when they came in. Every message goes to stderr through
`say`, which cleans it into one line: messages name files, paths, URLs and labels that come
from outside and can hold escape sequences or line breaks.
"""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path
from typing import Any, TextIO

from reader.text import clean_line, json_for_terminal


def out(text: str = "") -> None:
    """Print data on stdout, as it is."""
    print(text)


def out_json(data: Any, *, indent: int | None = 2, ensure_ascii: bool = False) -> None:
    """Print `data` as JSON on stdout (non-ASCII characters as they are, unless asked; those a
    terminal would act on always escaped)."""
    print(json_for_terminal(json.dumps(data, indent=indent, ensure_ascii=ensure_ascii)))


def say(text: str) -> None:
    """Print a message on stderr as one clean line."""
    print(clean_line(text), file=sys.stderr)


def say_error(text: str) -> None:
    """Print a failure or warning on stderr, as `reader: TEXT`."""
    say(f"reader: {text}")


def quiet_stdout() -> None:
    """Send whatever is still written to stdout nowhere: its reader has gone (a closed pipe),
    and the interpreter's flush at exit must not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        pass  # stdout is not a file (a test's capture): nothing to quiet


def utf8_stdout() -> tuple[TextIO, io.TextIOWrapper | None]:
    """stdout as a UTF-8 text stream whatever the locale; the wrapper to detach, if one was made."""
    stream = sys.stdout
    encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
    buffer = getattr(stream, "buffer", None)
    if encoding == "utf8" or buffer is None:
        return stream, None
    stream.flush()
    wrapper = io.TextIOWrapper(buffer, encoding="utf-8", newline="\n")
    return wrapper, wrapper


class Progress:
    """A progress bar on stderr for work on more than one item, shown only on a terminal.

    `itemised` work (ingesting files, analysing articles) names the current item on the bar
    and, when stderr is not a terminal, prints one `[done/total] item` line per item; work
    that is not (an export of thousands of articles) shows the bar alone, and nothing when
    piped. `enabled=False` shows nothing at all (for `--json`).
    """

    def __init__(self, verb: str, *, itemised: bool = True, enabled: bool = True) -> None:
        self.verb = verb
        self.itemised = itemised
        self.enabled = enabled
        self.tty = sys.stderr.isatty()
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def update(self, done: int, total: int, label: str) -> None:
        """Report that `done` of `total` items are through, the last being `label`."""
        if not self.enabled or total <= 1:
            return
        if not self.tty:
            if self.itemised:
                say(f"[{done}/{total}] {label}")
            return
        if self._bar is None:
            self._start(total)
        if self.itemised:
            self._bar.update(self._task, completed=done, description=clean_line(Path(label).name)[:40])
        else:
            self._bar.update(self._task, completed=done)
        if done >= total:
            # Finished: the bar goes now, not at the end of the command (which may be the app,
            # and must find the terminal to itself).
            self._bar.stop()
            self._bar = None

    def _start(self, total: int) -> None:
        # rich is imported only when a bar is shown: most runs are piped or of one item.
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        columns = [TextColumn(self.verb), BarColumn(), MofNCompleteColumn()]
        if self.itemised:
            columns.append(TextColumn("{task.description}", markup=False))
        self._bar = Progress(*columns, console=Console(stderr=True), transient=True)
        self._bar.start()
        self._task = self._bar.add_task("", total=total)
