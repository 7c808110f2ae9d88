"""Run a terminal program in a pseudo-terminal and watch what it shows, as a user would.

The start and memory figures run `reader` (the real command) and a bare Textual app in a
pseudo-terminal of a fixed size and read what they write to it. Escape sequences are cut
out; what is left are the runs of text the terminal would show. The program counts as
showing its titles once that many distinct titles of the library have been written: this
holds whatever widget the library is drawn with (a table of every row, or a view that
fetches only the rows on screen), which a check of a widget's state would not.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import os
import pstats
import re
import select
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

SIZE = (120, 40)  # columns, lines
# A title is recognised by this many of its first characters, at the start of a word.
PREFIX = 12
_ESCAPE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[PX^_][^\x1b]*\x1b\\|\x1b.|[\x00-\x1f\x7f]")
# Keys as a terminal sends them.
KEYS = {"end": "\x1b[F", "home": "\x1b[H", "pagedown": "\x1b[6~", "pageup": "\x1b[5~", "down": "\x1b[B"}

# Runs reader's command line under cProfile until SIGTERM, then writes the profile.
_PROFILED = """
import cProfile, os, signal, sys
profile = cProfile.Profile()
def stop(*_):
    profile.disable()
    profile.dump_stats(os.environ["BENCH_PROFILE_OUT"])
    os._exit(0)
signal.signal(signal.SIGTERM, stop)
profile.enable()
from reader.cli import main
sys.exit(main(sys.argv[1:]))
"""


def title_prefixes(titles: Iterable[str | None]) -> set[str]:
    """What to recognise the titles by: the first PREFIX characters of each title that long."""
    return {t[:PREFIX] for t in titles if t and len(t) >= PREFIX}


@dataclass(slots=True)
class Shown:
    """What one run showed, and when (seconds from starting the process)."""

    titles_at: float
    first_output_at: float
    memory_kib: dict[str, dict[str, int]] = field(default_factory=dict)  # moment -> VmRSS, VmHWM
    profile: str = ""


def memory_kib(pid: int) -> dict[str, int]:
    """A process's resident size now and at its peak (VmRSS, VmHWM), in KiB."""
    found: dict[str, int] = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(("VmRSS:", "VmHWM:")):
                found[line.split(":")[0]] = int(line.split()[1])
    return found


class _Screen:
    """The program's output so far, as runs of text, and which known titles it holds."""

    def __init__(self, titles: set[str]) -> None:
        self.titles = titles
        self.raw = b""
        self.seen: set[str] = set()

    def feed(self, data: bytes) -> None:
        self.raw += data
        # Decoding all of it again is cheap at these sizes, and never splits a sequence.
        text = _ESCAPE.sub("\n", self.raw.decode("utf-8", "replace"))
        for run in text.split("\n"):
            if len(run) < PREFIX:
                continue
            for i in range(len(run) - PREFIX + 1):
                if (i == 0 or run[i - 1] == " ") and run[i] != " " and run[i : i + PREFIX] in self.titles:
                    self.seen.add(run[i : i + PREFIX])


class Terminal:
    """One program in a pseudo-terminal: start it, wait for its titles, read its memory, stop it."""

    def __init__(self, argv: list[str], env: dict[str, str], size: tuple[int, int] = SIZE) -> None:
        master, slave = os.openpty()
        columns, lines = size
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
        self.master = master
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            argv, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True, close_fds=True
        )
        os.close(slave)
        self.first_output_at: float | None = None

    def _read(self, timeout: float) -> bytes | None:
        """What the program wrote within `timeout` seconds: b"" when nothing, None when it ended."""
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return b""
        try:
            data = os.read(self.master, 1 << 16)
        except OSError:  # EIO: the program closed the terminal
            return None
        if not data:
            return None
        if self.first_output_at is None:
            self.first_output_at = time.perf_counter() - self.started
        return data

    def wait_for_titles(self, titles: set[str], need: int, timeout: float = 180) -> float:
        """Seconds from the start until `need` distinct titles were written."""
        screen = _Screen(titles)
        deadline = self.started + timeout
        while time.perf_counter() < deadline:
            data = self._read(0.5)
            if data is None:
                raise RuntimeError(f"the program ended before showing its titles: {_tail(screen.raw)}")
            if data:
                arrived = time.perf_counter()
                screen.feed(data)
                if len(screen.seen) >= need:
                    return arrived - self.started
        raise RuntimeError(f"no {need} titles shown within {timeout:.0f} s (saw {len(screen.seen)}): {_tail(screen.raw)}")

    def settle(self, quiet: float = 0.4, limit: float = 10) -> None:
        """Wait until the program has written nothing for `quiet` seconds (at most `limit`)."""
        deadline = time.perf_counter() + limit
        while time.perf_counter() < deadline:
            data = self._read(quiet)
            if data is None or data == b"":
                return

    def press(self, key: str) -> None:
        """Send a key as the terminal would."""
        os.write(self.master, KEYS.get(key, key).encode())

    def memory(self) -> dict[str, int]:
        """The program's resident size now and at its peak, in KiB."""
        return memory_kib(self.process.pid)

    def stop(self, *, gently: bool = False) -> None:
        """End the program (SIGTERM first when `gently`, so a profiled one writes its profile)."""
        with contextlib.suppress(ProcessLookupError):
            if gently:
                os.killpg(self.process.pid, signal.SIGTERM)
                try:
                    self.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    pass
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        with contextlib.suppress(OSError):
            os.close(self.master)


def _tail(raw: bytes) -> str:
    text = _ESCAPE.sub(" ", raw.decode("utf-8", "replace"))
    return " ".join(text.split())[-400:]


def terminal_env(config_dir: Path) -> dict[str, str]:
    """The environment both programs run in: a colour terminal, a config dir of their own, and
    the repo on the path (so `bench` figures measure this checkout's reader)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEXTUAL", "READER_"))}
    env.update(TERM="xterm-256color", COLORTERM="truecolor", READER_CONFIG_DIR=str(config_dir))
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
    return env


def reader_argv(data_dir: Path, *, profile: bool = False) -> list[str]:
    """The `reader` command on a data dir (run under cProfile when `profile`)."""
    if profile:
        return [sys.executable, "-c", _PROFILED, "--data-dir", str(data_dir)]
    return [sys.executable, "-m", "reader", "--data-dir", str(data_dir)]


def show_titles(
    argv: list[str],
    env: dict[str, str],
    titles: set[str],
    need: int,
    *,
    keys: tuple[str, ...] = (),
    measure_memory: bool = False,
    profile: bool = False,
) -> Shown:
    """Start a program, time its titles; with `measure_memory`, read its memory once it is idle,
    and again after each of `keys`; with `profile` (a reader_argv(profile=True) program), stop it
    with SIGTERM and return its profile's costliest calls in reader's own code."""
    out = ""
    env = dict(env)
    if profile:
        fd, out = tempfile.mkstemp(prefix="reader-bench-", suffix=".prof")
        os.close(fd)
        env["BENCH_PROFILE_OUT"] = out
    terminal = Terminal(argv, env)
    try:
        at = terminal.wait_for_titles(titles, need)
        shown = Shown(at, terminal.first_output_at or at)
        if measure_memory:
            terminal.settle()
            shown.memory_kib["idle"] = terminal.memory()
            for key in keys:
                terminal.press(key)
                terminal.settle()
                shown.memory_kib[key] = terminal.memory()
    finally:
        terminal.stop(gently=profile)
    if profile:
        if os.path.getsize(out):
            shown.profile = profile_report(out)
        os.unlink(out)
    return shown


def profile_report(path: str, limit: int = 25) -> str:
    """From a profile file: the `limit` costliest calls (by cumulative time) in reader's own code,
    then in Textual's (where a widget given too much to hold spends it)."""
    stream = io.StringIO()
    stats = pstats.Stats(path, stream=stream).sort_stats("cumulative")
    stats.print_stats(r"/reader/", limit)
    stats.print_stats(r"/textual/", limit // 2)
    return "\n".join(line for line in stream.getvalue().splitlines() if line.strip())
