"""Reviewing articles for training data, in the app: status keys, next to review, labels made
in the app, tagging every occurrence, and a status line that says what is under the cursor."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_app import (
    SIZE,
    TEXT,
    at,
    cursor_to,
    make_article,
    make_test_app,
    notices,
    open_article,
    stored,
    test_config,
    view_of,
)
from textual.widgets import OptionList, Static

from reader import config as config_file
from reader.article import Article
from reader.store import ArticleGone, Library


def status_line(app) -> str:
    return str(app.screen.query_one("#article-status", Static).render())


@pytest.fixture
def three(data_dir: Path) -> list[Article]:
    """Three articles, newest first in the library: C, B, A."""
    library = Library(data_dir)
    articles = [
        make_article(f"Story {name}. " + TEXT, title=f"Story {name}", ingested_at=f"2024-03-2{i}T09:00:00+00:00")
        for i, name in enumerate("ABC", start=1)
    ]
    for article in articles:
        library.add(article)
    return articles[::-1]


# -- review status ------------------------------------------------------------------------------


async def test_done_marks_the_article_and_opens_the_next_to_review(
    data_dir: Path, tmp_path: Path, three: list[Article]
) -> None:
    first, second, third = three
    Library(data_dir).set_status(second.id, "ignored")
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot)
        assert app.screen.article.id == first.id
        await pilot.press("D", "D")  # the second marks it done with its model entities unsettled
        await pilot.pause()
        library = Library(data_dir)
        assert library.article_state(first.id).status == "done"
        # the ignored one is skipped
        assert type(app.screen).__name__ == "ArticleScreen" and app.screen.article.id == third.id
        assert "review: new" in str(app.screen.query_one("#article-review", Static).render())
        await pilot.press("I")
        await pilot.pause()
        assert library.article_state(third.id).status == "ignored"
        # nothing is left: back in the library, and told so
        assert type(app.screen).__name__ == "LibraryScreen"
        assert any("Nothing is left to review" in n for n in notices(app))
        assert len(app.screen_stack) == 2  # the default screen and the library: no article left over


async def test_review_keys_have_descriptions_and_ids(data_dir: Path, tmp_path: Path, three) -> None:
    from reader.screens.article import ArticleScreen
    from reader.widgets.article_view import ArticleView

    bindings = [*ArticleScreen.BINDINGS, *ArticleView.BINDINGS]
    assert all(b.description and b.id for b in bindings)  # type: ignore[union-attr]
    ids = [b.id for b in bindings]  # type: ignore[union-attr]
    assert len(ids) == len(set(ids))
    keys = [k for b in bindings for k in b.key.split(",")]  # type: ignore[union-attr]
    screen_keys = [k for b in ArticleScreen.BINDINGS for k in b.key.split(",")]  # type: ignore[union-attr]
    assert len(screen_keys) == len(set(screen_keys))
    assert {"D", "I", "asterisk"} <= set(keys)


# -- an article removed while it is open ---------------------------------------------------------


async def test_an_article_removed_meanwhile_is_said_and_left(
    data_dir: Path, tmp_path: Path, article: Article, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot)

        def gone(*args, **kwargs):
            raise ArticleGone(f"article {article.id} was removed")

        monkeypatch.setattr(app.library, "add_annotation", gone)
        monkeypatch.setattr(app.library, "set_position", gone)
        await cursor_to(pilot, "people")
        await pilot.press("1")
        await pilot.pause()
        assert type(app.screen).__name__ == "LibraryScreen"
        assert any("was removed from the library while it was open" in n for n in notices(app))
        assert not any("Not saved" in n for n in notices(app))
    assert Library(data_dir).annotations(article.id) == []


@pytest.fixture
def article(data_dir: Path) -> Article:
    article = make_article()
    Library(data_dir).add(article)
    return article


async def test_a_store_error_is_said_and_a_bug_is_logged(
    data_dir: Path, tmp_path: Path, article: Article, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reader.store import StoreError

    app = make_test_app(data_dir, tmp_path)
    with pytest.raises(AttributeError):
        async with app.run_test(size=SIZE) as pilot:
            await open_article(pilot)
            monkeypatch.setattr(app.library, "reject", lambda *a: (_ for _ in ()).throw(StoreError("disk full")))
            await cursor_to(pilot, "Putin")
            await pilot.press("x")
            await pilot.pause()
            assert any(n == "disk full" for n in notices(app)) and app.is_running

            def broken(*args):
                raise AttributeError("a programming error")

            monkeypatch.setattr(app.library, "remove_annotation", broken)
            await pilot.press("a", "d")  # accept, then delete: the delete hits the bug
            await pilot.pause()
    assert isinstance(app._exception, AttributeError)
    assert app.return_code == 1  # and `reader` exits 1 with it (test_cli_library)
    assert app.bug_log is not None and app.bug_log.parent == data_dir / "logs"
    assert "a programming error" in app.bug_log.read_text(encoding="utf-8")
    assert not any("Not saved" in n for n in notices(app))


# -- labels made in the app ------------------------------------------------------------------------


async def test_the_picker_makes_a_new_label_and_tags_with_it(
    data_dir: Path, tmp_path: Path, article: Article
) -> None:
    config_path = tmp_path / "config" / "config.toml"
    config_path.parent.mkdir(parents=True)
    config_path.write_text('# mine\ntheme = "reader-dark"  # dark\n', encoding="utf-8")
    app = make_test_app(data_dir, tmp_path, config=config_file.load(config_path))
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot)
        await cursor_to(pilot, "people")
        await pilot.press("l", *"victim")
        await pilot.pause()
        options = app.screen.query_one("#label-list", OptionList)
        assert options.option_count == 1 and "New label VICTIM" in str(options.get_option_at_index(0).prompt)
        await pilot.press("enter")
        await pilot.pause()
        assert stored(data_dir, article) == {("people", "VICTIM", "manual")}
        victim = app.config.label("VICTIM")
        assert victim is not None and victim.key == "0"
        # the new label has its own colour variable, and the 0 key tags with it
        assert app.get_css_variables()["label-victim"] == victim.color
        await cursor_to(pilot, "attack")
        await pilot.press("0")
        assert ("attack", "VICTIM", "manual") in stored(data_dir, article)
        assert "0·VICTIM" in str(app.screen.query_one("#label-legend", Static).render())
    # saved to the config, the user's lines as they were
    text = config_path.read_text(encoding="utf-8")
    assert text.startswith('# mine\ntheme = "reader-dark"  # dark\n')
    assert config_file.load(config_path).label("VICTIM") == victim


async def test_rename_and_recolour_from_the_palette(data_dir: Path, tmp_path: Path, article: Article) -> None:
    from reader.app import ReaderCommands

    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot)
        await cursor_to(pilot, "Russia")
        await pilot.press("3")  # GPE
        names = [str(h.text) for h in [h async for h in ReaderCommands(app.screen).discover()]]
        assert "Rename label GPE…" in names and "Recolour label GPE…" in names and "New label…" in names
        app.ask_recolour_label("GPE")
        await pilot.pause()
        await pilot.press(*"#00ff00", "enter")
        await pilot.pause()
        assert app.config.label("GPE").color == "#00ff00"
        assert app.get_css_variables()["label-gpe"] == "#00ff00"
        app.ask_rename_label("GPE")
        await pilot.pause()
        await pilot.press(*"country", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.config.label("COUNTRY") is not None and app.config.label("GPE") is None
        # the annotation follows the label
        assert stored(data_dir, article) == {("Russia", "COUNTRY", "manual")}
    loaded = config_file.load(app.config.path)
    assert loaded.label("COUNTRY").color == "#00ff00" and loaded.label("COUNTRY").key == "3"


# -- tag every occurrence ----------------------------------------------------------------------------


async def test_tag_every_occurrence_in_one_undoable_step(data_dir: Path, tmp_path: Path) -> None:
    text = "Rahmon met Rahmonov. Later Rahmon spoke, and Rahmon spoke again. RAHMON did not, nor Rahmon's aide."
    article = make_article(text, title="Rahmon")
    Library(data_dir).add(article)
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot)
        await cursor_to(pilot, "Rahmon", 3)
        await pilot.press("1")  # this one is a PERSON: left as it is
        await cursor_to(pilot, "Rahmon", 0)
        await pilot.press("3", "asterisk")  # GPE, then every other occurrence
        spans = {(a.start, a.end, a.label) for a in Library(data_dir).annotations(article.id)}
        # Rahmonov and Rahmon's are other tokens, RAHMON another case; the PERSON stays
        assert spans == {
            (*at(text, "Rahmon", 0), "GPE"),
            (*at(text, "Rahmon", 2), "GPE"),
            (*at(text, "Rahmon", 3), "PERSON"),
        }
        assert any("Tagged 1 more occurrence of 'Rahmon' as GPE" in n for n in notices(app))
        await pilot.press("asterisk")
        assert any("No other untagged occurrence" in n for n in notices(app))
        await pilot.press("u")  # one undo takes the step back
        assert len(Library(data_dir).annotations(article.id)) == 2
        await pilot.press("ctrl+r")
        assert len(Library(data_dir).annotations(article.id)) == 3
        await cursor_to(pilot, "Later")
        await pilot.press("asterisk")
        assert any("No annotation under the cursor" in n for n in notices(app))


async def test_tag_every_occurrence_across_the_library(data_dir: Path, tmp_path: Path, three) -> None:
    first, second, third = three
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot)
        await cursor_to(pilot, "Russia")
        await pilot.press("3")
        app.screen.tag_every_occurrence_in_library()
        await pilot.pause()
        question = str(app.screen.query_one("#question", Static).render())
        assert question.startswith("Tag 2 occurrences of 'Russia' as GPE in 2 articles?")
        await pilot.press("y")
        await pilot.pause()
        library = Library(data_dir)
        for each in three:
            assert [(each.text[a.start : a.end], a.label) for a in library.annotations(each.id)] == [
                ("Russia", "GPE")
            ]
        await pilot.press("u")
        assert library.annotations(second.id) == [] and library.annotations(third.id) == []
        assert len(library.annotations(first.id)) == 1


# -- seeing what you are doing ----------------------------------------------------------------------


async def test_the_status_line_names_the_span_and_the_selection(
    data_dir: Path, tmp_path: Path, article: Article
) -> None:
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot)
        await cursor_to(pilot, "Putin")
        assert status_line(app) == "'Vladimir Putin' · PERSON · model"
        await pilot.press("a")
        assert status_line(app) == "'Vladimir Putin' · PERSON · accepted"
        await cursor_to(pilot, "Sunday")
        await pilot.press("x")
        assert status_line(app) == "'Sunday' · DATE · rejected"
        await cursor_to(pilot, "people")
        await pilot.press("5")
        assert status_line(app) == "'people' · NORP · manual"
        await cursor_to(pilot, "attack", 1)
        await pilot.press("v", "right", "right")
        assert status_line(app).startswith("3 tokens selected: 'attack killed 139'")
        await pilot.press("escape")
        assert "selected" not in status_line(app)


async def test_selection_and_search_match_are_text_styles_and_escape_clears_the_match(
    data_dir: Path, tmp_path: Path, article: Article
) -> None:
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot)
        view = view_of(app)
        selection = view.get_component_rich_style("article-view--selection")
        match = view.get_component_rich_style("article-view--match")
        assert selection.reverse and match.underline
        # no colour of their own: only the text style, over whatever colour is beneath
        base = view.rich_style
        assert selection.bgcolor == base.bgcolor and match.bgcolor == base.bgcolor
        await pilot.press("slash", *"rahmon", "enter")
        assert len(view.matches) == 2
        await pilot.press("escape")
        assert view.matches == [] and view.search_query == ""


def test_config_is_the_test_one(tmp_path: Path) -> None:
    assert test_config(tmp_path).path == tmp_path / "config" / "config.toml"


# -- small screens and no browser -----------------------------------------------------------------


async def test_o_without_a_browser_says_so_and_offers_to_copy(data_dir: Path, tmp_path: Path) -> None:
    Library(data_dir).add(make_article(url="https://example.org/story"))
    app = make_test_app(data_dir, tmp_path)
    app.browser_missing = lambda: "no web browser is installed or set in $BROWSER"  # type: ignore[method-assign]
    opened: list[str] = []
    app.open_url = lambda url, **_: opened.append(url)  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot)
        await pilot.press("o")
        await pilot.pause()
        question = str(app.screen.query_one("#question", Static).render())
        assert "no web browser is installed" in question and "https://example.org/story" in question
        await pilot.press("y")
        await pilot.pause()
        assert app.clipboard == "https://example.org/story" and opened == []
        assert any(n.startswith("Copied https://example.org/story") for n in notices(app))


async def test_everything_fits_at_80_by_24(data_dir: Path, tmp_path: Path) -> None:
    article = make_article(title="A title long enough to need the whole width of a small terminal, and more")
    library = Library(data_dir)
    library.add(article)
    for label in ("PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "DATE", "WORK_OF_ART", "LAW"):
        library.add_annotation(article.id, *at(TEXT, "people"), label, "manual")
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_article(pilot)
        screen = app.screen
        legend = screen.query_one("#label-legend", Static)
        assert legend.size.height > 1 and "LAW" in str(legend.render())  # wrapped, not cut
        meta = screen.query_one("#article-meta", Static)
        shown = str(meta.render())
        assert "min read" in shown and meta.region.right <= 80
        assert meta.size.height * meta.size.width >= len(shown)  # wrapped onto lines enough for it
        await pilot.press("ctrl+e")
        await pilot.pause()
        for button in ("#export", "#cancel"):
            region = app.screen.query_one(button).region
            assert region.bottom <= 24 and region.right <= 80 and region.height > 0


async def test_an_article_removed_by_another_process_is_left_untouched(
    data_dir: Path, tmp_path: Path, article: Article
) -> None:
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot)
        Library(data_dir).remove(article.id)  # as `reader remove` would, meanwhile
        await cursor_to(pilot, "people")
        await pilot.press("1")
        await pilot.pause()
        assert type(app.screen).__name__ == "LibraryScreen"
        assert any("was removed from the library while it was open" in n for n in notices(app))
    library = Library(data_dir)
    assert not library.has(article.id)
    assert not (data_dir / "annotations" / f"{article.id}.json").exists()
