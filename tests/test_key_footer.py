"""The footer of keys: always the keys of the moment, rebuilt only when they change."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from reader.store import Library
from reader.widgets.key_footer import KeyFooter
from tests.test_app import SIZE, make_article, make_test_app, open_article


def keys_on_show(app) -> list[tuple[str, str, bool]]:  # type: ignore[no-untyped-def]
    """(key, description, dimmed) for each key the current screen's footer shows."""
    footer = app.screen.query_one(KeyFooter)
    return [(k.key, k.description, k.has_class("-disabled")) for k in footer.query(FooterKey)]


def keys_expected(app) -> list[tuple[str, str, bool]]:  # type: ignore[no-untyped-def]
    """What Textual's footer would show for the current screen's bindings, in its order."""
    shown = [
        (key, active.binding.description, not active.enabled)
        for key, active in app.screen.active_bindings.items()
        if active.binding.show and key != app.COMMAND_PALETTE_BINDING
    ]
    palette = app.screen.active_bindings.get(app.COMMAND_PALETTE_BINDING)
    if palette is not None:
        shown.append((app.COMMAND_PALETTE_BINDING, palette.binding.description, not palette.enabled))
    return shown


@pytest.fixture
def rebuilds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of the screen each time a footer really rebuilds its keys."""
    built: list[str] = []
    real = Footer.recompose

    async def recompose(self: Footer) -> None:
        built.append(type(self.screen).__name__)
        await real(self)

    monkeypatch.setattr(Footer, "recompose", recompose)
    return built


async def test_a_burst_of_binding_changes_is_one_rebuild_and_a_dialog_none(
    data_dir: Path, tmp_path: Path, rebuilds: list[str]
) -> None:
    Library(data_dir).add(make_article())
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert rebuilds == ["LibraryScreen"]
        assert keys_on_show(app) == keys_expected(app) and ("enter", "Open", False) in keys_on_show(app)
        await open_article(pilot)  # the screen, its focus and its labels each refresh bindings
        assert rebuilds == ["LibraryScreen", "ArticleScreen"]
        assert keys_on_show(app) == keys_expected(app)
        await pilot.press("question_mark")  # the help dialog opens and closes over the article
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "ArticleScreen"
        assert rebuilds == ["LibraryScreen", "ArticleScreen"]
        assert keys_on_show(app) == keys_expected(app)
        await pilot.press("q")  # back to the library, whose keys are as they were
        await pilot.pause()
        assert rebuilds == ["LibraryScreen", "ArticleScreen"]
        assert keys_on_show(app) == keys_expected(app)


async def test_a_key_that_dims_is_redrawn_dimmed_and_lit_again(
    data_dir: Path, tmp_path: Path, rebuilds: list[str]
) -> None:
    Library(data_dir).add(make_article())
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("slash")  # the filter's keys
        await pilot.pause()
        filter_keys = keys_on_show(app)
        assert ("enter", "Open", False) not in filter_keys and filter_keys == keys_expected(app)
        await pilot.press("z", "z", "z")  # nothing matches, which the filter's keys do not show
        await pilot.pause(0.5)
        assert keys_on_show(app) == filter_keys
        await pilot.press("down")  # to the empty list: Open is dimmed
        await pilot.pause()
        assert ("enter", "Open", True) in keys_on_show(app)
        assert keys_on_show(app) == keys_expected(app)
        await pilot.press("slash", "backspace", "backspace", "backspace")
        await pilot.pause(0.5)
        await pilot.press("down")  # the list is back: Open lights up again
        await pilot.pause()
        assert ("enter", "Open", False) in keys_on_show(app)
        assert keys_on_show(app) == keys_expected(app)
        # the first showing, then each focus change that changed the keys: none while typing
        assert rebuilds == ["LibraryScreen"] * 5


async def test_closed_widgets_leave_no_style_cache_behind(data_dir: Path, tmp_path: Path) -> None:
    """Textual's lru_cache on `StylesCache.get_inner_outer` kept the style cache, and every
    line drawn, of each widget removed: about 0.3 MB each time an article was opened and
    closed, without limit. Screens closing and footers rebuilding let them go."""
    import gc

    from textual._styles_cache import StylesCache
    from textual.widget import Widget

    Library(data_dir).add(make_article())
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for _ in range(3):
            await open_article(pilot)
            await pilot.press("question_mark")  # a dialog over the article, and closed
            await pilot.pause()
            await pilot.press("escape")
            await pilot.pause()
            await pilot.press("q")
            await pilot.pause()
        await pilot.press("slash")  # the footer rebuilt twice
        await pilot.pause()
        await pilot.press("down")
        await pilot.pause()
        gc.collect()
        # Every widget still alive: those the collector sees, and those on the screens (the
        # app freezes what start-up made, which the collector then leaves out).
        alive = [o for o in gc.get_objects() if isinstance(o, Widget)]
        alive += [w for screen in app.screen_stack for w in screen.walk_children(with_self=True)]
        live = {id(widget._styles_cache) for widget in alive}
        kept = [c for c in gc.get_objects() if isinstance(c, StylesCache) and id(c) not in live]
        assert kept == []
