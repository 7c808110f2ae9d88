"""How the screens that matter look: library, article with highlights, entity panel, label picker.

Everything on screen is fixed: the articles, their dates and ingest times, the annotations
(with explicit ids), the theme and the terminal size. Sources are shown by file name only,
so the test's tmp data dir never reaches the screen. Regenerate with `--snapshot-update`.
"""

from __future__ import annotations

from pathlib import Path

from test_app import TEXT, at, make_article, test_config

from reader.app import make_app
from reader.article import Article
from reader.store import Library

SIZE = (100, 32)


def library_with_articles(data_dir: Path) -> Article:
    """Three articles, one opened and annotated, one model entity rejected."""
    library = Library(data_dir)
    article = make_article()
    library.add(article)
    library.add(
        make_article(
            "Moscow mourns the 139 victims. Crocus City Hall stays closed until Sunday.",
            title="Moscow mourns",
            source="https://news.example.org/2024/03/moscow-mourns",
            ingested_at="2024-03-28T10:00:00+00:00",
        )
    )
    library.add(
        make_article(
            "A third article, with no entity in it at all, only plain words.",
            title="A quiet day",
            source="/corpus/quiet.md",
            ingested_at="2024-03-25T08:00:00+00:00",
        )
    )
    # Emomali Rahmon tagged by hand, Crocus City Hall accepted from the model, overlapping
    # "City Hall" tagged ORG; Sunday rejected.
    library.add_annotation(article.id, *at(TEXT, "Emomali Rahmon"), "PERSON", "manual", "0000000a")
    library.add_annotation(article.id, *at(TEXT, "Crocus City Hall"), "FAC", "model", "0000000b")
    library.add_annotation(article.id, *at(TEXT, "City Hall"), "ORG", "manual", "0000000c")
    library.reject(article.id, *at(TEXT, "Sunday"), "DATE")
    return article


def app_on(tmp_path: Path, data_dir: Path):
    """The app with the reader-dark theme and default labels."""
    return make_app(data_dir=data_dir, config=test_config(tmp_path, theme="reader-dark"))


def test_library(snap_compare, data_dir: Path, tmp_path: Path) -> None:
    library_with_articles(data_dir)
    assert snap_compare(app_on(tmp_path, data_dir), terminal_size=SIZE)


def test_empty_library(snap_compare, data_dir: Path, tmp_path: Path) -> None:
    assert snap_compare(app_on(tmp_path, data_dir), terminal_size=SIZE)


def test_article_with_highlights(snap_compare, data_dir: Path, tmp_path: Path) -> None:
    library_with_articles(data_dir)
    # The Tajikistan article is the second row (newest first); the cursor goes to "Russia".
    assert snap_compare(
        app_on(tmp_path, data_dir), press=["down", "enter", "tab", "tab", "tab"], terminal_size=SIZE
    )


def test_entity_panel(snap_compare, data_dir: Path, tmp_path: Path) -> None:
    library_with_articles(data_dir)
    assert snap_compare(app_on(tmp_path, data_dir), press=["down", "enter", "e"], terminal_size=SIZE)


def test_label_picker(snap_compare, data_dir: Path, tmp_path: Path) -> None:
    library_with_articles(data_dir)
    assert snap_compare(
        app_on(tmp_path, data_dir), press=["down", "enter", "l", "o"], terminal_size=SIZE
    )


# -- the article screen and its dialogs at a small and a large terminal ------------------------------

SMALL, LARGE = (80, 24), (120, 40)


def test_article_small(snap_compare, data_dir: Path, tmp_path: Path) -> None:
    library_with_articles(data_dir)
    # Cursor on "Crocus City Hall" (accepted), the status line saying so.
    assert snap_compare(
        app_on(tmp_path, data_dir), press=["down", "enter", "tab", "tab", "tab", "tab"], terminal_size=SMALL
    )


def test_article_large_with_a_selection_and_a_search(snap_compare, data_dir: Path, tmp_path: Path) -> None:
    library_with_articles(data_dir)
    press = ["down", "enter", "slash", *"rahmon", "enter", "home", "v", "right", "right"]
    assert snap_compare(app_on(tmp_path, data_dir), press=press, terminal_size=LARGE)


def test_export_dialog_small(snap_compare, data_dir: Path, tmp_path: Path) -> None:
    library_with_articles(data_dir)
    assert snap_compare(app_on(tmp_path, data_dir), press=["down", "enter", "ctrl+e"], terminal_size=SMALL)


def test_export_dialog_large(snap_compare, data_dir: Path, tmp_path: Path) -> None:
    library_with_articles(data_dir)
    assert snap_compare(app_on(tmp_path, data_dir), press=["down", "enter", "ctrl+e"], terminal_size=LARGE)


def test_label_picker_offers_a_new_label_small(snap_compare, data_dir: Path, tmp_path: Path) -> None:
    library_with_articles(data_dir)
    press = ["down", "enter", "l", *"victim"]
    assert snap_compare(app_on(tmp_path, data_dir), press=press, terminal_size=SMALL)


def test_help_small(snap_compare, data_dir: Path, tmp_path: Path) -> None:
    library_with_articles(data_dir)
    assert snap_compare(app_on(tmp_path, data_dir), press=["down", "enter", "question_mark"], terminal_size=SMALL)


def test_library_small(snap_compare, data_dir: Path, tmp_path: Path) -> None:
    """At 80x24 the title keeps its room: the byline, language and word columns give way."""
    library_with_articles(data_dir)
    assert snap_compare(app_on(tmp_path, data_dir), terminal_size=(80, 24))


def test_library_large_to_review(snap_compare, data_dir: Path, tmp_path: Path) -> None:
    article = library_with_articles(data_dir)
    Library(data_dir).set_status(article.id, "done")
    assert snap_compare(app_on(tmp_path, data_dir), press=["t"], terminal_size=(120, 40))


def test_search_results(snap_compare, data_dir: Path, tmp_path: Path) -> None:
    library_with_articles(data_dir)
    async def search(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("ctrl+f", *"crocus", "enter")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(app_on(tmp_path, data_dir), run_before=search, terminal_size=(80, 24))


def test_the_articles_that_mention_an_entity(snap_compare, data_dir: Path, tmp_path: Path) -> None:
    library_with_articles(data_dir)

    async def to_the_list(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("down", "enter", "e")
        panel = pilot.app.screen.panel
        panel.highlighted = next(i for i, row in enumerate(panel._rows) if getattr(row, "text", "") == "Crocus City Hall")
        await pilot.press("m")

    assert snap_compare(app_on(tmp_path, data_dir), run_before=to_the_list, terminal_size=(100, 24))
