"""The in-app export: ctrl+e (or the command palette), a dialog, a worker, a notification.

Articles are built by hand (no spaCy); every export goes to the test's tmp dir.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from test_app import SIZE, TEXT, at, make_article, make_test_app, notices, open_article, test_config
from textual.widgets import Checkbox, Input, RadioSet

from reader.article import Article
from reader.store import Library
from tests.conftest import SPAWNS_PROCESSES

ROOT = Path(__file__).resolve().parent.parent
FORMAT_ORDER = ["jsonl", "doccano", "spacy", "conll", "brat"]
OTHER_TEXT = "Moscow mourns the 139 victims. Crocus City Hall stays closed until Sunday."


@pytest.fixture
def library(data_dir: Path) -> tuple[Article, Article, Article]:
    """Three articles: the first with two annotations, the second with one, the third with none."""
    store = Library(data_dir)
    first = make_article()
    second = make_article(
        OTHER_TEXT, title="Moscow mourns", ingested_at="2024-03-28T10:00:00+00:00"
    )
    third = make_article(
        "Nothing named here at all.", title="A quiet day", ingested_at="2024-03-25T08:00:00+00:00"
    )
    for article in (first, second, third):
        store.add(article)
    store.add_annotation(first.id, *at(TEXT, "Emomali Rahmon"), "PERSON", "manual")
    store.add_annotation(first.id, *at(TEXT, "Crocus City Hall"), "FAC", "model")
    store.add_annotation(second.id, *at(OTHER_TEXT, "Moscow"), "GPE", "manual")
    return first, second, third


def dialog(app):
    """The export dialog on screen."""
    from reader.screens.export import ExportDialog

    assert isinstance(app.screen, ExportDialog)
    return app.screen


async def open_tajikistan(pilot) -> None:
    """Open the Tajikistan article (the library's second row: newest first)."""
    await pilot.press("down")
    await open_article(pilot)
    assert pilot.app.screen.article.title.startswith("Tajikistan")


async def choose(pilot, radio_set: str, index: int) -> None:
    """Pick the index-th button of a radio set with the keys, as a reader would."""
    radios = pilot.app.screen.query_one(radio_set, RadioSet)
    radios.focus()
    steps = index - radios.pressed_index
    for _ in range(abs(steps)):
        await pilot.press("down" if steps > 0 else "up")
    await pilot.press("enter")
    assert radios.pressed_index == index


async def export_ticking(pilot, box: str, path: Path) -> None:
    """Open the dialog, tick one checkbox (by id), and export to `path`."""
    await pilot.press("ctrl+e")
    await pilot.pause()
    dialog(pilot.app).query_one(f"#{box}", Checkbox).focus()
    await pilot.press("space")
    await export_to(pilot, path)


async def export_to(pilot, path: Path | str) -> None:
    """Type the path, press Enter, and wait for the worker."""
    box = pilot.app.screen.query_one("#export-path", Input)
    box.focus()
    box.value = str(path)
    await pilot.press("enter")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def jsonl(path: Path) -> list[dict]:
    """The lines of a JSONL file."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def last_notification(app):
    """The newest notification."""
    return list(app._notifications)[-1]


# -- boundaries ------------------------------------------------------------------------------


@SPAWNS_PROCESSES
def test_the_export_dialog_does_not_load_spacy() -> None:
    code = "import sys, reader.app, reader.screens.export; print('spacy' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert out.stdout.strip() == "False"


# -- from an article ---------------------------------------------------------------------------


async def test_ctrl_e_exports_this_article_as_jsonl(
    data_dir: Path, tmp_path: Path, library
) -> None:
    first, _, _ = library
    out = tmp_path / "out" / "tajikistan.jsonl"
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_tajikistan(pilot)
        await pilot.press("ctrl+e")
        await pilot.pause()
        screen = dialog(app)
        assert screen.query_one("#export-path", Input).value == f"{first.id[:10]}.jsonl"
        assert screen.query_one("#export-path", Input).has_focus
        await export_to(pilot, out)
        assert type(app.screen).__name__ == "ArticleScreen"
        (line,) = jsonl(out)  # this article only, though the library has two annotated
        assert line["meta"]["id"] == first.id
        spans = {
            (line["text"][s["start"] : s["end"]], s["label"], s["source"]) for s in line["spans"]
        }
        assert spans == {
            ("Emomali Rahmon", "PERSON", "manual"),
            ("Crocus City Hall", "FAC", "model"),
        }
        note = last_notification(app)
        assert note.severity == "information"
        assert str(note.message) == f"Exported 2 spans from 1 article to {out}"
    assert [p.name for p in out.parent.iterdir()] == ["tajikistan.jsonl"]  # no temporary file left


async def test_default_path_is_in_the_working_dir_and_follows_format_and_scope(
    data_dir: Path, tmp_path: Path, library, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, _, _ = library
    monkeypatch.chdir(tmp_path)
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_tajikistan(pilot)
        await pilot.press("ctrl+e")
        await pilot.pause()
        box = dialog(app).query_one("#export-path", Input)
        stem = first.id[:10]
        await choose(pilot, "#export-format", FORMAT_ORDER.index("conll"))
        assert box.value == f"{stem}.conll"
        await choose(pilot, "#export-format", FORMAT_ORDER.index("brat"))
        assert box.value == stem  # a folder
        await choose(pilot, "#export-scope", 1)  # whole library
        assert box.value == "reader-export"
        await choose(pilot, "#export-format", FORMAT_ORDER.index("jsonl"))
        assert box.value == "reader-export.jsonl"
        # a path the reader typed keeps its name; only a known extension follows the format
        box.value = "train.jsonl"
        await choose(pilot, "#export-format", FORMAT_ORDER.index("conll"))
        assert box.value == "train.conll"
        await choose(pilot, "#export-scope", 0)
        assert box.value == "train.conll"
        await choose(pilot, "#export-format", FORMAT_ORDER.index("jsonl"))
        box.focus()
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert [line["meta"]["id"] for line in jsonl(tmp_path / "train.jsonl")] == [first.id]
        # the notification names the file as the reader typed it, not by its absolute path
        assert notices(app)[-1] == "Exported 2 spans from 1 article to train.jsonl"


async def test_include_predictions_and_articles_without_annotations(
    data_dir: Path, tmp_path: Path, library
) -> None:
    _, _, third = library
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "down")  # "A quiet day", oldest, no annotation
        await open_article(pilot)
        assert app.screen.article.id == third.id
        # nothing to export: a warning says how to export more, and the file is still written
        await pilot.press("ctrl+e")
        await pilot.pause()
        await export_to(pilot, tmp_path / "none.jsonl")
        note = last_notification(app)
        assert note.severity == "warning"
        assert "Exported 0 spans from 0 articles" in str(note.message)
        assert "tick “The model's unreviewed entities” or “Articles without annotations”" in str(
            note.message
        )
        assert jsonl(tmp_path / "none.jsonl") == []
        # with "articles without annotations" ticked, the article is written with no span
        await export_ticking(pilot, "export-all", tmp_path / "all.jsonl")
        (line,) = jsonl(tmp_path / "all.jsonl")
        assert line["meta"]["id"] == third.id and line["spans"] == []
        assert notices(app)[-1].startswith("Exported 0 spans from 1 article")
        # predictions, from the annotated article: the model's other spans come as "prediction"
        await pilot.press("q", "up")
        await open_article(pilot)
        assert app.screen.article.title.startswith("Tajikistan")
        await export_ticking(pilot, "export-predictions", tmp_path / "predictions.jsonl")
        (line,) = jsonl(tmp_path / "predictions.jsonl")
        sources = {s["source"] for s in line["spans"]}
        assert sources == {"manual", "model", "prediction"}
        assert ("Vladimir Putin", "PERSON") in {(s["text"], s["label"]) for s in line["spans"]}
        assert "CARDINAL" not in {s["label"] for s in line["spans"]}  # numbers are their own box
        await export_ticking(pilot, "export-numbers", tmp_path / "numbers.jsonl")
        (line,) = jsonl(tmp_path / "numbers.jsonl")
        assert ("139", "CARDINAL", "prediction") in {(s["text"], s["label"], s["source"]) for s in line["spans"]}


# -- from the library --------------------------------------------------------------------------


async def test_library_exports_every_annotated_article_as_doccano(
    data_dir: Path, tmp_path: Path, library
) -> None:
    first, second, _ = library
    out = tmp_path / "doccano.jsonl"
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+e")
        await pilot.pause()
        screen = dialog(app)
        assert not screen.query("#export-scope")  # from the library: always the whole library
        assert screen.query_one("#export-path", Input).value == "reader-export.jsonl"
        # shift+tab from the path: the three checkboxes, then the formats
        await pilot.press("shift+tab", "shift+tab", "shift+tab", "shift+tab", "down", "enter")
        assert screen.format == "doccano"
        await export_to(pilot, out)
        assert type(app.screen).__name__ == "LibraryScreen"
        lines = {line["meta"]["id"]: line for line in jsonl(out)}
        assert set(lines) == {first.id, second.id}
        assert lines[second.id]["label"] == [[*at(OTHER_TEXT, "Moscow"), "GPE"]]
        message = notices(app)[-1]
        assert message.startswith(f"Exported 3 spans from 2 articles to {out}")
        assert "1 article with nothing to export left out" in message


async def test_the_command_palette_opens_the_export_dialog(
    data_dir: Path, tmp_path: Path, library
) -> None:
    from reader.app import ReaderCommands

    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        for where in ("library", "article"):
            if where == "article":
                await open_tajikistan(pilot)
            hits = [h async for h in ReaderCommands(app.screen).search("Export")]
            hit = next(h for h in hits if str(h.text) == "Export…")
            assert hit.help == "Key: ^e"
            app.call_later(hit.command)  # as the palette runs the chosen command
            await pilot.pause()
            assert bool(dialog(app).query("#export-scope")) == (where == "article")
            await pilot.press("escape")
            await pilot.pause()


# -- cancelling and failing ------------------------------------------------------------------


async def test_escape_and_cancel_write_nothing(
    data_dir: Path, tmp_path: Path, library, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_tajikistan(pilot)
        for close in ("escape", "cancel"):
            await pilot.press("ctrl+e")
            await pilot.pause()
            dialog(app).query_one("#export-path", Input).value = "nope.jsonl"
            if close == "escape":
                await pilot.press("escape")
            else:
                await pilot.click("#cancel")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert type(app.screen).__name__ == "ArticleScreen"
        # an empty path does not close the dialog
        await pilot.press("ctrl+e")
        await pilot.pause()
        await export_to(pilot, "  ")
        assert dialog(app) and notices(app)[-1] == "Type where to export first."
    assert not any(p.name.startswith("nope") for p in tmp_path.iterdir())
    assert not (tmp_path / "nope.jsonl").exists()


async def test_an_unwritable_path_says_why_and_writes_nothing(
    data_dir: Path, tmp_path: Path, library
) -> None:
    a_file = tmp_path / "notes.txt"
    a_file.write_text("keep me", encoding="utf-8")
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+e")
        await pilot.pause()
        await export_to(pilot, a_file / "out.jsonl")  # a path inside a file
        note = last_notification(app)
        assert note.severity == "error"
        assert "is a file, not a folder" in str(note.message) and "Nothing was written" in str(
            note.message
        )
        assert "failed" in note.title
        # brat never replaces a folder that holds other things
        folder = tmp_path / "mine"
        folder.mkdir()
        (folder / "thesis.docx").write_text("precious", encoding="utf-8")
        await pilot.press("ctrl+e")
        await pilot.pause()
        await choose(pilot, "#export-format", FORMAT_ORDER.index("brat"))
        await export_to(pilot, folder)
        note = last_notification(app)
        assert note.severity == "error" and "holds other files" in str(note.message)
    assert a_file.read_text(encoding="utf-8") == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "mine", "notes.txt"]
    assert [p.name for p in folder.iterdir()] == ["thesis.docx"]


async def test_the_export_runs_in_a_worker_that_outlives_the_article_screen(
    data_dir: Path, tmp_path: Path, library, monkeypatch: pytest.MonkeyPatch
) -> None:
    import reader.export

    release = threading.Event()
    real = reader.export.export_library
    threads: list[str] = []

    def slow_export(*args, **kwargs):
        threads.append(threading.current_thread().name)
        assert release.wait(5)
        return real(*args, **kwargs)

    monkeypatch.setattr(reader.export, "export_library", slow_export)
    out = tmp_path / "slow.jsonl"
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_tajikistan(pilot)
        await pilot.press("ctrl+e")
        await pilot.pause()
        dialog(app).query_one("#export-path", Input).value = str(out)
        await pilot.press("enter")
        await pilot.pause()
        # the UI is free: a second export is refused, and the reader can leave the article
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert type(app.screen).__name__ == "ArticleScreen"
        assert "still running" in notices(app)[-1]
        await pilot.press("q")
        await pilot.pause()
        assert type(app.screen).__name__ == "LibraryScreen"
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert threads and threads[0] != threading.main_thread().name
        assert notices(app)[-1] == f"Exported 2 spans from 1 article to {out}"
        assert len(jsonl(out)) == 1


# -- how it looks ------------------------------------------------------------------------------


def test_export_dialog_snapshot(snap_compare, data_dir: Path, tmp_path: Path, library) -> None:
    from reader.app import make_app

    app = make_app(data_dir=data_dir, config=test_config(tmp_path, theme="reader-dark"))
    # The Tajikistan article, then the dialog; the default path is relative, so no tmp dir shows.
    assert snap_compare(app, press=["down", "enter", "ctrl+e"], terminal_size=SIZE)
