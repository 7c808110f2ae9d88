"""What reaches a real terminal: the app and the commands run in a pseudo-terminal, and the bytes
they write are searched for the escape sequences a hostile name or store file could carry."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from reader.article import Analysis, Article, Draft
from reader.store import Library
from reader.text import word_spans
from tests.conftest import ROOT

pytestmark = pytest.mark.slow

CLIPBOARD = "\x1b]52;c;aGFja2Vk\x07"  # OSC 52: "hacked" into the terminal's clipboard
RETITLE = "\x1b]2;PWNED\x07"  # OSC 2: the window title
HOSTILE = [b"\x1b]52", b"aGFja2Vk", b"\x1b]2;PWNED", b"\x1b]0;PWNED", b"PWNED\x07"]


def in_a_terminal(argv: list[str], keys: list[tuple[float, bytes]], *, size: tuple[int, int] = (100, 30),
                  timeout: float = 20) -> bytes:
    """Run `argv` on a pseudo-terminal of `size`, type `keys` (each after its delay), and return
    every byte it wrote until it exits."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(size[0]), "LINES": str(size[1])}
    env.pop("TEXTUAL", None)
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, cwd=ROOT, env=env, close_fds=True,
                            start_new_session=True)
    os.close(slave)
    out = bytearray()
    started = time.monotonic()
    pending = list(keys)
    try:
        while time.monotonic() - started < timeout:
            if pending and time.monotonic() - started >= pending[0][0]:
                os.write(master, pending.pop(0)[1])
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the other end closed: the program exited
                    break
                if not chunk:
                    break
                out += chunk
            elif proc.poll() is not None and not pending:
                break
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)
        os.close(master)
    return bytes(out)


def assert_clean(output: bytes) -> None:
    for sequence in HOSTILE:
        assert sequence not in output, f"{sequence!r} reached the terminal"


def test_a_hostile_import_file_name_never_reaches_the_terminal(tmp_path: Path, data_dir: Path) -> None:
    folder = tmp_path / f"x{CLIPBOARD}{RETITLE}"
    folder.mkdir()
    path = folder / f"news{RETITLE}.jsonl"
    text = "Emomali Rahmon met officials in Dushanbe on Sunday."
    path.write_text(json.dumps({"text": text, "spans": [{"start": 0, "end": 14, "label": "PERSON"}]}) + "\n")
    output = in_a_terminal([sys.executable, "-m", "reader", "import", str(path)], [])
    assert b"1 new article, 1 annotation added" in output
    assert_clean(output)
    [summary] = Library(data_dir).summaries()
    assert "\x1b" not in summary.source and "\x07" not in summary.source
    # Then the library, which shows the source: typed keys open the article and come back.
    output = in_a_terminal([sys.executable, "-m", "reader"], [(3.0, b"\r"), (4.5, b"q"), (6.0, b"q")])
    assert b"Dushanbe" in output or b"Emomali" in output
    assert_clean(output)


def test_a_store_file_edited_by_hand_never_reaches_the_terminal(data_dir: Path) -> None:
    library = Library(data_dir)
    article = Article.from_draft(Draft(["Emomali Rahmon met officials in Dushanbe."], "story.txt", title="Plain"))
    article.analysis = Analysis("hand", "1", tokens=[i for s in word_spans(article.text) for i in s])
    library.add(article)
    path = data_dir / "articles" / f"{article.id}.json"
    data = json.loads(path.read_text())
    record = data["tables"]["article"]["1"]
    record.update(title=f"Title {CLIPBOARD}", byline=f"By {RETITLE}", site=f"site{CLIPBOARD}",
                  source=f"/tmp/{RETITLE}.txt", text=record["text"].replace("officials", f"offic{CLIPBOARD[:2]}ls"))
    path.write_text(json.dumps(data))
    for suffix in ("", "-wal", "-shm"):  # so that the catalog is built from the edited file
        Path(f"{data_dir / 'catalog.sqlite'}{suffix}").unlink(missing_ok=True)
    output = in_a_terminal([sys.executable, "-m", "reader"], [(3.0, b"\r"), (4.5, b"e"), (5.5, b"q"), (6.5, b"q")])
    assert b"Title" in output
    assert_clean(output)
    for command in (["list"], ["show", article.id], ["search", "Dushanbe"]):
        output = in_a_terminal([sys.executable, "-m", "reader", *command], [])
        assert b"Title" in output, command
        assert_clean(output)
