"""What the command line prints: messages as one clean line, progress only where it helps."""

from __future__ import annotations

import sys

import pytest

from reader.cli.output import Progress, say, say_error


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
