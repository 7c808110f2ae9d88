"""The library screen, search results and the articles that mention an entity, with real keys."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, OptionList, Static

from reader.store import Library
from tests.test_app import SIZE, TEXT, make_article, make_test_app, notices, test_config


def titles(app) -> list[str]:  # type: ignore[no-untyped-def]
    """The titles in the library list, top to bottom (the continue-reading row included)."""
    return [s.title or "" for s in app.screen.table.rows()]


def title_line(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one("#library-title", Static).render())


@pytest.fixture
def three(data_dir: Path) -> Library:
    library = Library(data_dir)
    library.add(make_article("Short text about Russia.", title="Beta", ingested_at="2024-01-01T00:00:00+00:00",
                             source="https://bbc.co.uk/news/1"))
    library.add(make_article(TEXT, title="Alpha", ingested_at="2024-01-02T00:00:00+00:00"))
    library.add(make_article("Gamma is a long story about Sunday and Moscow and more words here.",
                             title="Gamma", ingested_at="2024-01-03T00:00:00+00:00", source="/x/zulu.txt"))
    return library


async def test_empty_library_says_what_to_do(data_dir: Path, tmp_path: Path) -> None:
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        empty = app.screen.query_one("#library-empty", Static)
        assert empty.display and not app.screen.table.display
        shown = str(empty.render())
        assert "reader ingest PATH" in shown and "press i" in shown.lower()


async def test_the_list_shows_newest_first_with_site_date_and_marks(data_dir: Path, tmp_path: Path, three: Library) -> None:
    alpha = next(s.id for s in three.summaries() if s.title == "Alpha")
    three.set_status(alpha, "done")
    three.set_read(alpha)
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        assert titles(app) == ["Gamma", "Alpha", "Beta"]
        lines = [app.screen.table.render_line(y).text for y in range(3)]
        assert "zulu.txt" in lines[0] and "bbc.co.uk" in lines[2] and "2024-03-26" in lines[1]
        assert "Vusala Abbasova" in lines[1]  # the byline column, on a wide screen
        assert [line[:2] for line in lines] == [" •", "✓ ", " •"]  # review status, unread


async def test_only_the_rows_on_screen_are_read(data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    library = Library(data_dir)
    library.add_many([make_article(f"Article number {n} about Moscow.", title=f"Story {n:03}") for n in range(300)])
    asked: list[tuple[int, int]] = []
    real = Library.page

    def page(self, view, offset, limit):  # type: ignore[no-untyped-def]
        asked.append((offset, limit))
        return real(self, view, offset, limit)

    monkeypatch.setattr(Library, "page", page)
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.screen.table.row_count == 300
        assert sum(limit for _, limit in asked) <= 128  # a page or two, not 300 rows
        await pilot.press("end")
        await pilot.pause()
        assert app.screen.highlighted().title == "Story 000"  # the oldest, at the bottom
        assert max(offset for offset, _ in asked) >= 256


async def test_sorting_by_key_reverse_and_by_heading(data_dir: Path, tmp_path: Path, three: Library) -> None:
    from reader.widgets.article_table import ArticleTableHeader

    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert titles(app) == ["Gamma", "Alpha", "Beta"]  # newest added first
        await pilot.press("s")  # by date (the article's own): Alpha's is 2024-03-26, the others' too
        await pilot.press("s")  # by title, A to Z
        assert titles(app) == ["Alpha", "Beta", "Gamma"]
        assert "by title ▲" in title_line(app)
        await pilot.press("S")
        assert titles(app) == ["Gamma", "Beta", "Alpha"]
        await pilot.press("s")  # by site, A to Z: bbc.co.uk, tajikistan.txt, zulu.txt
        assert titles(app) == ["Beta", "Alpha", "Gamma"]
        header = app.screen.query_one(ArticleTableHeader)
        header.post_message(ArticleTableHeader.Clicked("title"))
        await pilot.pause()
        assert titles(app) == ["Alpha", "Beta", "Gamma"]
        header.post_message(ArticleTableHeader.Clicked("title"))  # again: reversed
        await pilot.pause()
        assert titles(app) == ["Gamma", "Beta", "Alpha"]


async def test_the_filter_hands_the_keyboard_back(data_dir: Path, tmp_path: Path, three: Library) -> None:
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press("slash", *"gam")
        assert screen.filter_box.has_focus
        await pilot.press("enter")  # Enter goes to the list, it does not open
        await pilot.pause()
        assert type(app.screen).__name__ == "LibraryScreen"
        assert screen.table.has_focus and titles(app) == ["Gamma"]
        assert "1 of 3 articles" in title_line(app)
        await pilot.press("enter")  # now Enter opens
        await pilot.pause()
        assert type(app.screen).__name__ == "ArticleScreen"
        await pilot.press("q")  # back
        await pilot.pause()
        assert screen.table.has_focus
        await pilot.press("slash", *"zzz", "down")  # Down goes to the list too
        await pilot.pause()
        assert screen.filter_box.value == "zzz" and not screen.table.display  # typing replaced it
        assert "No article matches" in str(screen.query_one("#library-empty", Static).render())
        await pilot.press("escape")  # clears the filter
        await pilot.pause()
        assert titles(app) == ["Gamma", "Alpha", "Beta"] and not screen.filter_box.display
        await pilot.press("q")  # and q on the list quits
        await pilot.pause()
    assert app.return_code == 0


async def test_a_filter_of_markup_is_shown_as_typed(data_dir: Path, tmp_path: Path, three: Library) -> None:
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"[/]", "enter")
        await pilot.pause()
        assert app.is_running
        assert "[/]" in title_line(app)


async def test_read_state_continue_reading_and_unread_filter(data_dir: Path, tmp_path: Path) -> None:
    three = Library(data_dir)
    three.add(make_article("Short text about Russia.", title="Beta", ingested_at="2024-01-01T00:00:00+00:00"))
    long_text = "\n\n".join([TEXT] * 12)  # longer than the screen: read only at the end
    three.add(make_article(long_text, title="Alpha", ingested_at="2024-01-02T00:00:00+00:00"))
    three.add(make_article("Gamma is short.", title="Gamma", ingested_at="2024-01-03T00:00:00+00:00"))
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("down", "enter")  # Alpha
        await pilot.pause()
        assert type(app.screen).__name__ == "ArticleScreen"
        await pilot.press("right", "right", "q")
        await pilot.pause()
        alpha = next(s for s in three.summaries() if s.title == "Alpha")
        assert alpha.opened and not alpha.read
        # Alpha was left half read: it is offered first.
        table = app.screen.table
        assert table.pinned is not None and table.pinned.title == "Alpha"
        assert titles(app)[0] == "Alpha" and len(titles(app)) == 4
        await pilot.press("home", "enter")
        await pilot.pause()
        assert app.screen.article.title == "Alpha"
        await pilot.press("end")  # to the end: read
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
        assert next(s for s in three.summaries() if s.title == "Alpha").read
        assert app.screen.table.pinned is None
        # r toggles the highlighted article; u shows only unread ones.
        app.screen.table.move_to(0)  # Gamma
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("u")
        await pilot.pause()
        assert titles(app) == ["Beta"]
        assert "unread" in title_line(app)
        await pilot.press("escape")
        await pilot.pause()
        assert len(titles(app)) == 3


async def test_review_filter_and_progress(data_dir: Path, tmp_path: Path, three: Library) -> None:
    ids = {s.title: s.id for s in three.summaries()}
    three.set_status(ids["Alpha"], "done")
    three.set_status(ids["Beta"], "ignored")
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "1 of 2 reviewed" in title_line(app)
        await pilot.press("t")
        await pilot.pause()
        assert titles(app) == ["Gamma"] and "to review" in title_line(app)


async def test_label_filter(data_dir: Path, tmp_path: Path, three: Library) -> None:
    ids = {s.title: s.id for s in three.summaries()}
    alpha = three.get(ids["Alpha"])
    start = alpha.text.index("Emomali Rahmon")
    three.add_annotation(ids["Alpha"], start, start + len("Emomali Rahmon"), "PERSON")
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("L")
        await pilot.pause()
        await pilot.press(*"PERS", "enter")
        await pilot.pause()
        assert titles(app) == ["Alpha"] and "with PERSON" in title_line(app)
        await pilot.press("L", "escape")  # Escape in the picker: any label
        await pilot.pause()
        assert len(titles(app)) == 3


async def test_search_lists_ranked_hits_and_opens_at_the_first(data_dir: Path, tmp_path: Path, three: Library) -> None:
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+f")
        await pilot.pause()
        assert type(app.screen).__name__ == "SearchScreen"
        await pilot.press(*"moscow", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert [h.summary.title for h in screen.hits] == ["Gamma", "Alpha"]  # the shorter text first
        assert "2 articles match 'moscow'" in str(screen.query_one("#found-status", Static).render())
        assert screen.query_one(OptionList).has_focus
        alpha = next(h for h in screen.hits if h.summary.title == "Alpha")
        screen.query_one(OptionList).highlighted = screen.hits.index(alpha)
        await pilot.press("enter")
        await pilot.pause()
        view = app.screen.view
        assert app.screen.article.title == "Alpha"
        assert view.offset() == TEXT.index("Moscow")
        await pilot.press("q")
        await pilot.pause()
        assert type(app.screen).__name__ == "SearchScreen"
        await pilot.press("slash")
        box = app.screen.query_one("#search-input", Input)
        box.value = ""
        await pilot.press(*'"nothing like this"', "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.hits == []
        assert "No article matches" in str(app.screen.query_one("#found-status", Static).render())
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "LibraryScreen"


async def test_m_in_the_entity_panel_lists_the_other_articles(data_dir: Path, tmp_path: Path, three: Library) -> None:
    other = make_article("Emomali Rahmon visited Sunday markets. Emomali Rahmon again.", title="Delta",
                         ingested_at="2024-01-04T00:00:00+00:00")
    three.add(other)
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.table.move_to(titles(app).index("Alpha"))
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        panel = app.screen.panel
        person = next(i for i, row in enumerate(panel._rows) if getattr(row, "text", None) == "Emomali Rahmon")
        panel.highlighted = person
        await pilot.press("m")
        await pilot.pause()
        screen = app.screen
        assert type(screen).__name__ == "MentionsScreen"
        # As many mentions in each: the newer first.
        assert [(h.summary.title, str(h.detail)) for h in screen.hits] == [("Delta", "2 mentions"), ("Alpha", "2 mentions")]
        delta = next(h for h in screen.hits if h.summary.title == "Delta")
        screen.results.highlighted = screen.hits.index(delta)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.article.title == "Delta"
        assert app.screen.view.offset() == 0  # its first mention is its first word


async def test_remove_asks_first(data_dir: Path, tmp_path: Path, three: Library) -> None:
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        gamma = app.screen.highlighted()
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert three.has(gamma.id)
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert not three.has(gamma.id)
        assert titles(app) == ["Alpha", "Beta"]
        assert "2 articles" in title_line(app)


async def test_ingest_dialog_runs_the_pipeline_in_a_worker(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reader import pipeline

    calls: list[tuple[list[str], object, object]] = []

    def fake_ingest(library, inputs, *, model=None, on_progress=None, cancel=None, **_):  # type: ignore[no-untyped-def]
        calls.append((inputs, model, cancel))
        article = make_article(title="Freshly ingested")
        library.add(article)
        if on_progress:
            on_progress(1, 2, inputs[0])
            on_progress(2, 2, inputs[0])
        return pipeline.IngestReport(
            added=[article.id], duplicates=["0000"], failed=[("/somewhere/broken.pdf", "not a PDF")]
        )

    monkeypatch.setattr(pipeline, "ingest_into", fake_ingest)
    app = make_test_app(data_dir, tmp_path, config=test_config(tmp_path, model="my_model"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("i")
        await pilot.pause()
        box = app.screen.query_one("#ingest-input", Input)
        box.value = "story.html https://example.org/a"
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert calls == [(["story.html", "https://example.org/a"], "my_model", app.stop_requested)]
        assert titles(app) == ["Freshly ingested"]
        assert not app.screen.query_one("#ingest-status").display
        message = notices(app)[-1]
        assert "Added 1 article" in message
        assert "1 already in the library" in message
        assert "broken.pdf: not a PDF" in message and "/somewhere" not in message
        assert "press i to try again" in message


async def test_failed_ingest_explains_what_next(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reader import pipeline
    from reader.nlp import ModelError

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise ModelError("model 'xx_missing' is not installed")

    monkeypatch.setattr(pipeline, "ingest_into", broken)
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("i")
        await pilot.pause()
        await pilot.press(*"nothing.txt", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        message = notices(app)[-1]
        assert "xx_missing" in message and "press i to try again" in message
        assert app.screen.query_one("#library-empty", Static).display


async def test_ingest_dialog_escape_cancels(data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from reader import pipeline

    monkeypatch.setattr(pipeline, "ingest_into", lambda *a, **k: pytest.fail("must not ingest"))
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("i", *"x.txt", "escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "LibraryScreen"


async def test_done_and_next_follows_the_library_order_and_filter(data_dir: Path, tmp_path: Path) -> None:
    library = Library(data_dir)
    for n, title in enumerate(["Moscow one", "Weather", "Moscow two", "Sport"]):
        library.add(make_article(f"Story {n} about Moscow and more." if "Moscow" in title else f"Story {n}.",
                                 title=title, ingested_at=f"2024-01-0{n + 1}T00:00:00+00:00"))
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"moscow", "enter")
        await pilot.pause()
        assert titles(app) == ["Moscow two", "Moscow one"]
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.article.title == "Moscow two"
        await pilot.press("D")  # done: the next to review among what the library shows
        await pilot.pause()
        assert app.screen.article.title == "Moscow one"
        await pilot.press("D")
        await pilot.pause()
        assert type(app.screen).__name__ == "LibraryScreen"  # none left in this filter


async def test_typing_in_the_filter_rebuilds_the_footer_only_when_a_key_dims(
    data_dir: Path, tmp_path: Path, three: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press("slash")
        await pilot.pause()
        refreshed: list[bool] = []
        monkeypatch.setattr(screen, "refresh_bindings", lambda: refreshed.append(bool(screen.table.row_count)))
        for key in "gam":  # each keystroke narrows the list: the keys stay as they were
            await pilot.press(key)
            await pilot.pause(0.3)
        assert titles(app) == ["Gamma"] and refreshed == []
        await pilot.press("z")  # nothing matches: Open and the others dim, once
        await pilot.pause(0.5)
        assert titles(app) == [] and refreshed == [False]
