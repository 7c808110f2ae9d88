"""What the command line prints: messages as one clean line, progress only where it helps."""

from __future__ import annotations

import json
import sys

import pytest

from reader.cli.output import Progress, out_json, say, say_error


def test_a_message_is_one_clean_line(capsys: pytest.CaptureFixture[str]) -> None:
    say("x/\x1b]52;c;aGFja2Vk\x07name.txt:\nnot found\r\x1b[2J")
    say_error("bad\tlabel")
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "x/name.txt: not found\nreader: bad label\n"


def test_piped_progress_names_each_item_on_a_line_of_its_own(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    with Progress("ingesting") as progress:
        progress.update(1, 2, "a/\x1b[31mone.txt")
        progress.update(2, 2, "b/two.txt")
    with Progress("ingesting") as progress:
        progress.update(1, 1, "only.txt")  # one item: no progress to show
    with Progress("ingesting", enabled=False) as progress:
        progress.update(1, 2, "quiet.txt")  # --json
    with Progress("exporting", itemised=False) as progress:
        progress.update(1, 2, "x")  # thousands of articles: no line each
    assert capsys.readouterr().err == "[1/2] a/one.txt\n[2/2] b/two.txt\n"


def test_a_bar_on_a_terminal_names_the_item_by_its_file_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    with Progress("ingesting") as progress:
        progress.update(1, 3, "/some/folder/\x1b]0;T\x07story.html")
        [task] = progress._bar.tasks
        assert (task.completed, task.total, task.description) == (1, 3, "story.html")


def test_json_escapes_what_a_terminal_would_act_on(capsys: pytest.CaptureFixture[str]) -> None:
    """JSON leaves C1 controls (U+009B is a CSI), bidi overrides and lone surrogates as they
    are; printed to a terminal they act, or fail to encode. They go out as \\u escapes."""
    data = {"title": "a\x9b2Jb\u202ec\u2028d\ud800é\U0001f600", "ok": "[b]plain[/b] Ω"}
    out_json(data)
    printed = capsys.readouterr().out
    assert json.loads(printed) == data
    assert all(c not in printed for c in "\x9b\u202e\u2028\ud800")
    assert "é\U0001f600" in printed and "[b]plain[/b] Ω" in printed
