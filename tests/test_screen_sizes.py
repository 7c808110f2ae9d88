"""The app at small terminal sizes and after a resize: what matters stays on screen.

Each test reads the screen as text (the compositor's lines) or a widget's region, at sizes a
user over SSH has: 40x12, 60x20, 80x24, and a resize from a large terminal to a small one.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_snapshots import app_on, library_with_articles
from textual.widgets import Button, DataTable

from reader.screens.article import ArticleScreen
from reader.screens.export import ExportDialog
from reader.widgets.article_view import ArticleView
from reader.widgets.entity_panel import EntityPanel


def screen_lines(app) -> list[str]:  # type: ignore[no-untyped-def]
    """What the terminal shows, line by line."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


async def press(pilot, *keys: str) -> None:  # type: ignore[no-untyped-def]
    for key in keys:
        await pilot.press(key)
        await pilot.pause()


SIZES = [(40, 12), (60, 20), (80, 24)]


@pytest.mark.parametrize("keys", [(), ("down", "enter")], ids=["library", "article"])
async def test_the_footer_ends_at_the_palette_key_with_no_stray_character(
    data_dir: Path, tmp_path: Path, keys: tuple[str, ...]
) -> None:
    """The compact footer's margin after the palette key left the last column to the keys
    scrolled under it: "…^p Commandss"."""
    library_with_articles(data_dir)
    app = app_on(tmp_path, data_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await press(pilot, *keys)
        for size in SIZES:
            await pilot.resize_terminal(*size)
            await pilot.pause()
            footer = screen_lines(app)[-1]
            assert footer.endswith("▏^p Commands "), (size, footer)


async def test_the_export_dialog_shows_both_buttons_whole(data_dir: Path, tmp_path: Path) -> None:
    library_with_articles(data_dir)
    app = app_on(tmp_path, data_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await press(pilot, "down", "enter", "ctrl+e")
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        for size in SIZES:
            await pilot.resize_terminal(*size)
            await pilot.pause()
            dialog.query_one("#dialog").scroll_end(animate=False)
            await pilot.pause()
            row = next(line for line in screen_lines(app) if "Export " in line and "│" in line)
            assert "Export" in row and "Cancel" in row, (size, row)
            for button in dialog.query(Button):
                assert button.region.width >= len(str(button.label)) + 2
                assert app.screen.region.contains_region(button.region)


async def test_the_help_shows_keys_on_a_short_terminal(data_dir: Path, tmp_path: Path) -> None:
    """At 40x12 the hint under the keys took all the room and the table had none."""
    library_with_articles(data_dir)
    app = app_on(tmp_path, data_dir)
    async with app.run_test(size=(40, 12)) as pilot:
        await press(pilot, "question_mark")
        table = app.screen.query_one(DataTable)
        assert table.region.height >= 5
        assert any("Open" in line for line in screen_lines(app))


async def test_a_short_terminal_keeps_the_article_text_in_sight(data_dir: Path, tmp_path: Path) -> None:
    """At 40x12 the header (title, metadata, legend) took eight of twelve rows and the text two."""
    library_with_articles(data_dir)
    app = app_on(tmp_path, data_dir)
    async with app.run_test(size=(40, 12)) as pilot:
        await press(pilot, "down", "enter")
        assert isinstance(app.screen, ArticleScreen)
        view = app.screen.query_one(ArticleView)
        assert view.region.height >= 6
        lines = screen_lines(app)
        assert lines[0].rstrip().endswith("…")  # the title, on one line
        assert any("review:" in line for line in lines)  # the status line
        await press(pilot, "e")
        panel = app.screen.query_one(EntityPanel)
        # The entity panel takes half the width at most: the text keeps the rest.
        assert view.region.width >= 16 and panel.region.width >= 16


async def test_a_resize_from_large_to_small_and_back_lays_the_article_out_again(data_dir: Path, tmp_path: Path) -> None:
    library_with_articles(data_dir)
    app = app_on(tmp_path, data_dir)
    async with app.run_test(size=(200, 60)) as pilot:
        await press(pilot, "down", "enter")
        screen = app.screen
        tall = screen.query_one(ArticleView).region.height
        await pilot.resize_terminal(40, 12)
        await pilot.pause()
        assert screen.has_class("-short")
        assert screen.query_one(ArticleView).region.height >= 6
        assert screen_lines(app)[-1].endswith("▏^p Commands ")
        await pilot.resize_terminal(200, 60)
        await pilot.pause()
        assert not screen.has_class("-short")
        assert screen.query_one(ArticleView).region.height == tall
        assert "Tajikistan vows joint anti-terrorism efforts" in screen_lines(app)[0]
