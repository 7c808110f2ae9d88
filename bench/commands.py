"""Run `reader` commands as a user does, whole (fresh process) or in this process, and time them."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

# The `reader` script's own entry point, reporting the process's peak resident size at exit.
_WHOLE = """
import atexit, sys
def peak():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                sys.stderr.write("bench-peak-kib " + line.split()[1] + "\\n")
atexit.register(peak)
from reader.cli import main
sys.exit(main(sys.argv[1:]))
"""


@dataclass(frozen=True, slots=True)
class Ran:
    """One command run: seconds from start to exit, peak resident size, exit status, stderr."""

    seconds: float
    peak_kib: int
    status: int
    stderr: str


def command_env(config_dir: Path) -> dict[str, str]:
    """The environment commands run in: a config dir of their own, this checkout on the path."""
    config_dir.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("READER_")}
    env["READER_CONFIG_DIR"] = str(config_dir)
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
    return env


def whole(args: list[str], data_dir: Path | None, env: dict[str, str], *, check: bool = True) -> Ran:
    """Run `reader ARGS --data-dir DATA_DIR` in a fresh process, its output thrown away."""
    argv = [sys.executable, "-c", _WHOLE, *args]
    if data_dir is not None:
        argv += ["--data-dir", str(data_dir)]
    started = time.perf_counter()
    done = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, text=True, timeout=1800)
    seconds = time.perf_counter() - started
    peak = 0
    for line in done.stderr.splitlines():
        if line.startswith("bench-peak-kib "):
            peak = int(line.split()[1])
    if check and done.returncode not in (0,):
        raise RuntimeError(f"reader {' '.join(args)} failed ({done.returncode}): {done.stderr[-1500:]}")
    return Ran(seconds, peak, done.returncode, done.stderr)


def in_process(args: list[str], data_dir: Path) -> tuple[float, int, str]:
    """Run `reader ARGS` through its command line in this process: seconds, exit status, stdout.

    What the command costs once the interpreter is up and reader is imported (import it before
    timing): parsing, reading the config, opening the library and doing the work.
    """
    from reader.cli import main

    out, err = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main([*args, "--data-dir", str(data_dir)])
    return time.perf_counter() - started, status, out.getvalue()
