"""Quitting never waits for background work: a stalled worker does not keep reader alive."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# The app in a child process: an ingest from the library that never finishes (a stalled
# server), then q. The child says when it pressed q; the parent times the exit from there.
CHILD = """
import sys, threading, time
from pathlib import Path
from reader import pipeline
from reader.app import make_app
from reader.config import Config, default_labels

stalled = threading.Event()

def never_ends(*args, **kwargs):
    stalled.set()
    threading.Event().wait()  # blocked in I/O, as far as anyone can tell

pipeline.ingest_into = never_ends
data = Path(sys.argv[1])
app = make_app(data_dir=data, config=Config(labels=default_labels(), path=data / "config.toml"))

async def drive(pilot):
    await pilot.press("i", *"https://example.invalid/a", "enter")
    while not stalled.is_set():
        await pilot.pause(0.01)
    print("quit", time.monotonic(), flush=True)
    await pilot.press("q")

app.run(headless=True, auto_pilot=drive)
# The app has returned while its worker is still blocked: it did not wait for it.
print("returned", stalled.is_set() and any(t.name != "MainThread" and t.is_alive() for t in threading.enumerate()), flush=True)
"""


@pytest.mark.slow
def test_q_quits_while_an_ingest_is_stalled(tmp_path: Path) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(tmp_path / "data")],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        out, err = child.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        child.kill()
        out, err = child.communicate()
        pytest.fail(f"reader was still running 30 s after q: {out!r} {err[-2000:]!r}")
    # The worker never ends: had quitting waited for it (in the app, or for its thread at the
    # interpreter's exit), the child would still be running.
    assert child.returncode == 0, err
    assert "returned True" in out.splitlines()
    assert "Traceback" not in err
