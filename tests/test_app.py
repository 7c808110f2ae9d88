"""The app driven by real keys: every change checked through the store, not the screen."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, OptionList, Static

from reader import config as config_file
from reader.article import Analysis, Article, Span
from reader.config import Config, default_labels
from reader.store import Library
from reader.text import join_paragraphs, word_spans
from tests.conftest import SPAWNS_PROCESSES

ROOT = Path(__file__).resolve().parent.parent
SIZE = (100, 32)

PARAGRAPHS = [
    "Tajikistan President Emomali Rahmon has affirmed his nation's commitment to combating "
    "terrorism alongside Russia, after the attack at Moscow's Crocus City Hall.",
    "The attack killed 139 people. Vladimir Putin and Emomali Rahmon spoke on Sunday.",
]
TEXT = join_paragraphs(PARAGRAPHS)


def at(text: str, words: str, nth: int = 0) -> tuple[int, int]:
    """Character range of the nth occurrence of `words`."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(words, start + 1)
    return start, start + len(words)


def make_article(
    text: str = TEXT,
    *,
    title: str = "Tajikistan vows joint anti-terrorism efforts",
    source: str = "/corpus/tajikistan.txt",
    url: str | None = None,
    ingested_at: str = "2024-03-27T09:00:00+00:00",
) -> Article:
    """A hand-built article with an analysis, no spaCy involved."""
    entities = []
    for words, label, nth in (
        ("Tajikistan", "GPE", 0),
        ("Emomali Rahmon", "PERSON", 0),
        ("Russia", "GPE", 0),
        ("Crocus City Hall", "FAC", 0),
        ("Vladimir Putin", "PERSON", 0),
        ("Emomali Rahmon", "PERSON", 1),
        ("Sunday", "DATE", 0),
    ):
        if words in text:
            entities.append(Span(*at(text, words, nth), label, "entity"))
    numbers = [Span(*at(text, "139"), "CARDINAL", "number")] if "139" in text else []
    tokens = [edge for span in word_spans(text) for edge in span]
    analysis = Analysis(
        "test_model", "1.0", entities=entities, numbers=numbers, tokens=tokens,
        analysed_at="2024-03-27T09:00:00+00:00",
    )
    from reader.text import article_id

    return Article(
        id=article_id(text),
        text=text,
        source=source,
        title=title,
        byline="Vusala Abbasova",
        date="2024-03-26",
        site=None,
        url=url,
        ingested_at=ingested_at,
        analysis=analysis,
    )


def test_config(tmp_path: Path, **changes) -> Config:
    """A config of default labels whose file lives in the test's tmp dir."""
    return Config(labels=default_labels(), path=tmp_path / "config" / "config.toml", **changes)


test_config.__test__ = False  # a builder, not a test


@pytest.fixture
def article(data_dir: Path) -> Article:
    """The test article, stored in the test's library."""
    article = make_article()
    Library(data_dir).add(article)
    return article


def make_test_app(data_dir: Path, tmp_path: Path, **kwargs):
    """The app through its factory, on the test's data dir and config."""
    from reader.app import make_app

    config = kwargs.pop("config", None) or test_config(tmp_path)
    return make_app(data_dir=data_dir, config=config, **kwargs)


def notices(app) -> list[str]:
    """Every notification the app showed, oldest first."""
    return [str(n.message) for n in app._notifications]


async def open_article(pilot) -> None:
    """From the library, open the highlighted article and let it lay out."""
    await pilot.press("enter")
    await pilot.pause()


def view_of(app):
    """The article view on the current screen."""
    from reader.widgets.article_view import ArticleView

    return app.screen.query_one(ArticleView)


async def cursor_to(pilot, words: str, nth: int = 0) -> None:
    """Put the cursor on the first token of `words`."""
    view = view_of(pilot.app)
    view.move_to_offset(at(view.article.text, words, nth)[0])
    await pilot.pause()


# -- boundaries ------------------------------------------------------------------------------


@SPAWNS_PROCESSES
def test_importing_the_app_does_not_load_spacy() -> None:
    code = "import sys, reader.app, reader.screens.library, reader.screens.article; print('spacy' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert out.stdout.strip() == "False"


# -- the acceptance scenario ------------------------------------------------------------------


async def test_acceptance_tag_by_hand_and_accept_a_model_entity(
    data_dir: Path, tmp_path: Path, article: Article
) -> None:
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot)
        view = view_of(app)
        assert view.offset() == 0  # on "Tajikistan"
        await pilot.press("tab")  # next entity: Emomali
        assert TEXT[view.offset() :].startswith("Emomali Rahmon")
        await pilot.press("v", "right", "1")
        await pilot.press("tab", "tab")  # Russia, then Crocus City Hall
        assert TEXT[view.offset() :].startswith("Crocus City Hall")
        await pilot.press("a")
        await pilot.press("q")
        await pilot.pause()
        assert type(app.screen).__name__ == "LibraryScreen"
        await pilot.press("q")
    stored = {(TEXT[a.start : a.end], a.label, a.source) for a in Library(data_dir).annotations(article.id)}
    assert stored == {("Emomali Rahmon", "PERSON", "manual"), ("Crocus City Hall", "FAC", "model")}


# -- tagging, accepting, rejecting, deleting, with undo and redo ------------------------------------


def stored(data_dir: Path, article: Article) -> set[tuple[str, str, str]]:
    """The article's annotations in the store as (text, label, source)."""
    return {(article.text[a.start : a.end], a.label, a.source) for a in Library(data_dir).annotations(article.id)}


async def test_label_key_tags_the_cursor_token_then_undo_and_redo(
    data_dir: Path, tmp_path: Path, article: Article
) -> None:
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot)
        await cursor_to(pilot, "terrorism")
        await pilot.press("2")  # ORG
        assert stored(data_dir, article) == {("terrorism", "ORG", "manual")}
        first_id = Library(data_dir).annotations(article.id)[0].id
        await pilot.press("u")
        assert stored(data_dir, article) == set()
        await pilot.press("ctrl+r")
        assert stored(data_dir, article) == {("terrorism", "ORG", "manual")}
        # redo brings back the very same annotation
        assert Library(data_dir).annotations(article.id)[0].id == first_id
        # the view shows what the store holds
        assert view_of(app).annotation_at_cursor() is not None


async def test_label_key_on_a_model_entity_tags_the_whole_entity(
    data_dir: Path, tmp_path: Path, article: Article
) -> None:
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot)
        await cursor_to(pilot, "City")  # inside "Crocus City Hall"
        await pilot.press("4")  # LOC
        assert stored(data_dir, article) == {("Crocus City Hall", "LOC", "manual")}


async def test_label_key_on_an_annotation_relabels_it_and_undo_restores(
    data_dir: Path, tmp_path: Path, article: Article
) -> None:
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot)
        await cursor_to(pilot, "Russia")
        await pilot.press("3")  # GPE
        assert stored(data_dir, article) == {("Russia", "GPE", "manual")}
        await pilot.press("4")  # LOC: relabel, not a second annotation
        assert stored(data_dir, article) == {("Russia", "LOC", "manual")}
        await pilot.press("u")
        assert stored(data_dir, article) == {("Russia", "GPE", "manual")}
        await pilot.press("ctrl+r")
        assert stored(data_dir, article) == {("Russia", "LOC", "manual")}
        assert any("GPE → LOC" in n for n in notices(app))


async def test_overlapping_annotations_are_allowed(data_dir: Path, tmp_path: Path, article: Article) -> None:
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot)
        await cursor_to(pilot, "Crocus")
        await pilot.press("a")  # FAC on the whole name
        await pilot.press("v", "right", "right", "right")  # "Crocus City Hall."
        await pilot.press("7")  # EVENT: a selection is tagged, not relabelled
        assert stored(data_dir, article) == {
            ("Crocus City Hall", "FAC", "model"),
            ("Crocus City Hall.", "EVENT", "manual"),
        }


async def test_label_picker_tags_with_any_label(data_dir: Path, tmp_path: Path, article: Article) -> None:
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot)
        await cursor_to(pilot, "Sunday")
        await pilot.press("l")
        await pilot.pause()
        options = app.screen.query_one(OptionList)
        assert options.option_count == len(default_labels())
        await pilot.press(*"art")
        await pilot.pause()
        # the match first, then the offer to make a label of what was typed
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        assert ids == ["WORK_OF_ART", "\x00create:ART"]
        await pilot.press("enter")
        await pilot.pause()
        assert stored(data_dir, article) == {("Sunday", "WORK_OF_ART", "manual")}
        # escape closes the picker without tagging
        await cursor_to(pilot, "Russia")
        await pilot.press("l", "escape")
        await pilot.pause()
        assert stored(data_dir, article) == {("Sunday", "WORK_OF_ART", "manual")}


async def test_accept_and_undo(data_dir: Path, tmp_path: Path, article: Article) -> None:
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot)
        await cursor_to(pilot, "Putin")
        await pilot.press("a")
        assert stored(data_dir, article) == {("Vladimir Putin", "PERSON", "model")}
        await pilot.press("a")  # twice is still once
        assert len(Library(data_dir).annotations(article.id)) == 1
        await pilot.press("u")
        assert stored(data_dir, article) == set()
        await pilot.press("ctrl+r")
        assert stored(data_dir, article) == {("Vladimir Putin", "PERSON", "model")}
        await cursor_to(pilot, "people")
        await pilot.press("a")  # no entity here: nothing stored, the reader is told
        assert len(Library(data_dir).annotations(article.id)) == 1
        assert "No model entity under the cursor." in notices(app)


async def test_accept_all_skips_rejected_and_annotated_in_one_step(
    data_dir: Path, tmp_path: Path, article: Article
) -> None:
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot)
        await cursor_to(pilot, "Russia")
        await pilot.press("x")  # rejected: not accepted by A
        await cursor_to(pilot, "Sunday")
        await pilot.press("5")  # tagged NORP by hand: A leaves it alone
        await pilot.press("A")
        expected = {
            ("Sunday", "NORP", "manual"),
            ("Tajikistan", "GPE", "model"),
            ("Emomali Rahmon", "PERSON", "model"),
            ("Crocus City Hall", "FAC", "model"),
            ("Vladimir Putin", "PERSON", "model"),
            ("139", "CARDINAL", "model"),
        }
        assert stored(data_dir, article) == expected
        assert len(Library(data_dir).annotations(article.id)) == 7  # both Emomali Rahmons
        await pilot.press("u")  # one undo takes back the whole accept-all
        assert stored(data_dir, article) == {("Sunday", "NORP", "manual")}
        await pilot.press("ctrl+r")
        assert stored(data_dir, article) == expected
        await pilot.press("A")
        assert "No model entity left to accept." in notices(app)


async def test_reject_stops_highlighting_and_undo_brings_it_back(
    data_dir: Path, tmp_path: Path, article: Article
) -> None:
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot)
        view = view_of(app)
        await cursor_to(pilot, "Sunday")
        assert view.entity_at_cursor() is not None
        await pilot.press("x")
        rejections = Library(data_dir).rejections(article.id)
        assert [(TEXT[r.start : r.end], r.label) for r in rejections] == [("Sunday", "DATE")]
        assert view.entity_at_cursor() is None  # no longer highlighted
        await pilot.press("u")
        assert Library(data_dir).rejections(article.id) == []
        assert view.entity_at_cursor() is not None
        await pilot.press("ctrl+r")
        assert len(Library(data_dir).rejections(article.id)) == 1


async def test_delete_and_undo(data_dir: Path, tmp_path: Path, article: Article) -> None:
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot)
        await cursor_to(pilot, "Emomali")
        await pilot.press("1")
        before = Library(data_dir).annotations(article.id)
        await pilot.press("d")
        assert Library(data_dir).annotations(article.id) == []
        await pilot.press("u")
        assert Library(data_dir).annotations(article.id) == before  # same id, label, created
        await pilot.press("ctrl+r")
        assert Library(data_dir).annotations(article.id) == []
        await pilot.press("d")
        assert "No annotation under the cursor." in notices(app)


async def test_undo_walks_back_through_every_kind_of_change(
    data_dir: Path, tmp_path: Path, article: Article
) -> None:
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot)
        await cursor_to(pilot, "Emomali")
        await pilot.press("1")  # tag
        await pilot.press("2")  # relabel
        await cursor_to(pilot, "Sunday")
        await pilot.press("x")  # reject
        await cursor_to(pilot, "Putin")
        await pilot.press("a")  # accept
        await pilot.press("d")  # delete
        await pilot.press("A")  # accept all
        library = Library(data_dir)
        # Emomali (ORG) by hand, and every other open entity: the deleted Putin included
        assert len(library.annotations(article.id)) == 7
        for _ in range(6):
            await pilot.press("u")
        assert library.annotations(article.id) == [] and library.rejections(article.id) == []
        await pilot.press("u")
        assert "Nothing to undo." in notices(app)
        for _ in range(6):
            await pilot.press("ctrl+r")
        assert len(library.annotations(article.id)) == 7
        assert len(library.rejections(article.id)) == 1
        assert ("Emomali Rahmon", "ORG", "manual") in stored(data_dir, article)
        # a new change after undo drops what could be redone
        await pilot.press("u")
        await cursor_to(pilot, "people")
        await pilot.press("9")
        await pilot.press("ctrl+r")
        assert "Nothing to redo." in notices(app)


# -- copying, opening, searching --------------------------------------------------------------


async def test_copy_uses_the_terminal_clipboard_and_says_so(
    data_dir: Path, tmp_path: Path, article: Article, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyperclip

    def no_clipboard(text: str) -> None:
        raise pyperclip.PyperclipException("no clipboard program")

    monkeypatch.setattr(pyperclip, "copy", no_clipboard)
    monkeypatch.delenv("SSH_CONNECTION", raising=False)
    monkeypatch.delenv("SSH_TTY", raising=False)
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot)
        await cursor_to(pilot, "Rahmon")  # inside the entity: copies all of it
        await pilot.press("y")
        assert app.clipboard == "Emomali Rahmon"
        assert "Copied 'Emomali Rahmon' (terminal clipboard; system clipboard unavailable)" in notices(app)
        await cursor_to(pilot, "killed")
        await pilot.press("v", "right", "right", "y")
        assert app.clipboard == "killed 139 people"


async def test_copy_also_uses_pyperclip_where_it_works(
    data_dir: Path, tmp_path: Path, article: Article, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyperclip

    copied: list[str] = []
    monkeypatch.setattr(pyperclip, "copy", copied.append)
    monkeypatch.delenv("SSH_CONNECTION", raising=False)
    monkeypatch.delenv("SSH_TTY", raising=False)
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot)
        await cursor_to(pilot, "people")
        await pilot.press("y")
        assert copied == ["people"] and app.clipboard == "people"
        assert "Copied 'people' (terminal and system clipboard)" in notices(app)
        # over SSH the system clipboard is the remote machine's: not used
        monkeypatch.setenv("SSH_CONNECTION", "10.0.0.1 22 10.0.0.2 22")
        await cursor_to(pilot, "attack")
        await pilot.press("y")
        assert copied == ["people"] and app.clipboard == "attack"
        assert "Copied 'attack' (terminal clipboard)" in notices(app)


async def test_o_opens_the_url_or_says_there_is_none(data_dir: Path, tmp_path: Path) -> None:
    library = Library(data_dir)
    with_url = make_article(url="https://example.org/story", title="Has a URL")
    library.add(with_url)
    app = make_test_app(data_dir, tmp_path)
    opened: list[str] = []
    app.open_url = lambda url, **_: opened.append(url)  # type: ignore[method-assign]
    app.browser_missing = lambda: None  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot)
        await pilot.press("o")
        assert opened == ["https://example.org/story"]
    library.remove(with_url.id)
    library.add(make_article(title="No URL"))
    app = make_test_app(data_dir, tmp_path)
    app.open_url = lambda url, **_: opened.append(url)  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot)
        await pilot.press("o")
        assert opened == ["https://example.org/story"]
        assert any("no web address" in n and "tajikistan.txt" in n for n in notices(app))


async def test_search_goes_to_matches(data_dir: Path, tmp_path: Path, article: Article) -> None:
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot)
        view = view_of(app)
        await pilot.press("slash")
        assert app.screen.query_one("#article-search", Input).has_focus
        await pilot.press(*"rahmon", "enter")
        await pilot.pause()
        assert view.has_focus
        first = view.offset()
        assert TEXT[first:].startswith("Rahmon")
        await pilot.press("n")
        assert view.offset() == at(TEXT, "Rahmon", 1)[0]
        await pilot.press("N")
        assert view.offset() == first
        assert any("2 matches" in n for n in notices(app))
        await pilot.press("slash", *"nowhere", "enter")
        assert any("No match" in n for n in notices(app))


# -- position and progress ---------------------------------------------------------------------


async def test_reading_position_is_restored_on_reopen(data_dir: Path, tmp_path: Path, article: Article) -> None:
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot)
        await cursor_to(pilot, "Sunday")
        await pilot.press("q")
        await pilot.pause()
        assert Library(data_dir).position(article.id) == at(TEXT, "Sunday")[0]
        assert Library(data_dir).summary(article.id).read  # it fits on the screen: read
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot)
        assert view_of(app).offset() == at(TEXT, "Sunday")[0]


async def test_open_article_from_the_factory_and_progress(data_dir: Path, tmp_path: Path) -> None:
    long_text = join_paragraphs([f"Paragraph {i} mentions Crocus City Hall once more." for i in range(60)])
    article = make_article(long_text, title="Long")
    Library(data_dir).add(article)
    app = make_test_app(data_dir, tmp_path, open_article=article.id[:6])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert type(app.screen).__name__ == "ArticleScreen"
        progress = app.screen.query_one("#article-progress", Static)
        assert "0%" in str(progress.render())
        await pilot.press("end")
        await pilot.pause()
        assert "100%" in str(progress.render())
        await pilot.press("ctrl+q")
    # quitting the app from the article keeps the position too
    assert Library(data_dir).position(article.id) == at(long_text, "once more.", 59)[0] + len("once more")


# -- the entity panel and hidden labels ------------------------------------------------------------


async def test_entity_panel_groups_jumps_and_hides(data_dir: Path, tmp_path: Path, article: Article) -> None:
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot)
        view = view_of(app)
        panel = app.screen.query_one("#entity-panel")
        assert not panel.display
        await pilot.press("e")
        assert panel.display and panel.has_focus
        rows = [str(panel.get_option_at_index(i).prompt) for i in range(panel.option_count)]
        assert rows[0].split() == ["PERSON", "3"]
        assert rows[1].split() == ["Emomali", "Rahmon", "×2"]
        assert rows[2].split() == ["Vladimir", "Putin", "×1"]
        # Enter on an entity jumps to its next occurrence, and again to the one after
        await pilot.press("down", "enter")
        assert view.offset() == at(TEXT, "Emomali Rahmon")[0]
        await pilot.press("enter")
        assert view.offset() == at(TEXT, "Emomali Rahmon", 1)[0]
        await pilot.press("enter")
        assert view.offset() == at(TEXT, "Emomali Rahmon")[0]
        # Enter on a label row switches its highlighting off, and on again
        await pilot.press("up", "enter")
        assert view.hidden_labels == {"PERSON"}
        assert "hidden" in str(panel.get_option_at_index(0).prompt)
        await pilot.press("space")
        assert view.hidden_labels == set()
        await pilot.press("escape")
        assert view.has_focus and panel.display
        await pilot.press("e")
        assert not panel.display and view.has_focus


async def test_h_hides_the_label_under_the_cursor(data_dir: Path, tmp_path: Path, article: Article) -> None:
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot)
        view = view_of(app)
        await cursor_to(pilot, "Crocus")
        await pilot.press("h")
        assert view.hidden_labels == {"FAC"}
        assert view.entity_at_cursor() is None
        legend = str(app.screen.query_one("#label-legend").render())
        assert "FAC" in legend
        await pilot.press("H")
        assert view.hidden_labels == set()


# -- help, command palette, themes and keys -------------------------------------------------------


async def test_help_lists_every_binding(data_dir: Path, tmp_path: Path, article: Article) -> None:
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        table = app.screen.query_one("#help-table", DataTable)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        ids = {row[3] for row in rows}
        for wanted in ("article.tag_1", "article.accept", "article.accept_all", "article.reject",
                       "article.delete", "article.undo", "article.redo", "article.copy",
                       "article.open_url", "article.back", "article.search", "article.pick_label",
                       "article.select", "article.next_match", "article.entities", "entities.toggle_label"):
            assert wanted in ids
        assert ["1", "Tag as PERSON", "Article", "article.tag_1"] in rows
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "ArticleScreen"


async def test_command_palette_has_actions_labels_and_themes(
    data_dir: Path, tmp_path: Path, article: Article
) -> None:
    from reader.app import ReaderCommands

    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot)
        screen = app.screen
        provider = ReaderCommands(screen)
        names = [hit.text for hit in [h async for h in provider.discover()]]
        assert "Tag as PERSON" in names and "Tag as LANGUAGE" in names
        assert "Accept all" in names and "Undo" in names and "Select" in names
        assert "Theme: reader-light" in names and "Theme: nord" in names
        # running "Tag as GPE" from the palette tags what is under the cursor
        await cursor_to(pilot, "Moscow")
        hits = [h async for h in provider.search("Tag as GPE")]
        # the palette runs the chosen command with call_later, as here
        app.call_later(next(h for h in hits if str(h.text) == "Tag as GPE").command)
        await pilot.pause()
        assert stored(data_dir, article) == {("Moscow's", "GPE", "manual")}
        hits = [h async for h in provider.search("Undo")]
        app.call_later(next(h for h in hits if str(h.text) == "Undo").command)
        await pilot.pause()
        assert stored(data_dir, article) == set()
        # the palette itself opens on ctrl+p
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert type(app.screen).__name__ == "CommandPalette"


async def test_theme_change_is_saved_to_the_config(data_dir: Path, tmp_path: Path) -> None:
    config = test_config(tmp_path)
    app = make_test_app(data_dir, tmp_path, config=config)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme == "reader-dark"
        assert not config.path.exists()  # starting up writes nothing
        app.theme = "reader-light"
        await pilot.pause()
    assert config_file.load(config.path).theme == "reader-light"
    app = make_test_app(data_dir, tmp_path, config=config_file.load(config.path))
    async with app.run_test(size=SIZE) as pilot:
        assert app.theme == "reader-light"
        assert app.get_css_variables()["label-person"] == "#aa9cfc"


async def test_keys_are_remapped_from_the_config(data_dir: Path, tmp_path: Path, article: Article) -> None:
    config = test_config(tmp_path, keys={"article.tag_1": "p", "article.accept": "enter"})
    app = make_test_app(data_dir, tmp_path, config=config)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot)
        await cursor_to(pilot, "people")
        await pilot.press("1")  # no longer PERSON
        assert stored(data_dir, article) == set()
        await pilot.press("p")
        assert stored(data_dir, article) == {("people", "PERSON", "manual")}
        # the help screen and the command palette show the remapped keys
        from textual.binding import Binding

        from reader.app import ReaderCommands

        hits = [h async for h in ReaderCommands(app.screen).discover()]
        enter = app.get_key_display(Binding("enter", "accept"))
        assert next(h for h in hits if h.text == "Accept").help == f"Key: {enter}"
        await pilot.press("question_mark")
        await pilot.pause()
        table = app.screen.query_one("#help-table", DataTable)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert ["p", "Tag as PERSON", "Article", "article.tag_1"] in rows
        await pilot.press("escape")
        await cursor_to(pilot, "Putin")
        await pilot.press("enter")
        assert ("Vladimir Putin", "PERSON", "model") in stored(data_dir, article)


async def test_label_set_comes_from_the_config(data_dir: Path, tmp_path: Path, article: Article) -> None:
    from reader.config import Label

    labels = [Label("VICTIM", "1", "#ff0000"), Label("PLACE", "2", "#00ff00")]
    app = make_test_app(data_dir, tmp_path, config=Config(labels=labels, path=tmp_path / "c.toml"))
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot)
        await cursor_to(pilot, "people")
        await pilot.press("1")
        await pilot.press("3")  # no label on 3
        assert stored(data_dir, article) == {("people", "VICTIM", "manual")}
        assert any("No label is on key 3" in n for n in notices(app))
        assert app.get_css_variables()["label-victim"] == "#ff0000"
