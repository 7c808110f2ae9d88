"""ArticleView driven by real keys and clicks: cursor, selection, search, highlighting, repaint cost."""

from __future__ import annotations

import unicodedata

from textual.app import App, ComposeResult

from reader.article import Analysis, Annotation, Article, Rejection, Span
from reader.config import default_labels
from reader.layout import Lines, line_of_offset
from reader.text import join_paragraphs, word_spans
from reader.widgets import ArticleView

SIZE = (60, 20)

PARAGRAPHS = [
    "Barack Obama visited Paris in 2015 with 3 advisers to meet the United Nations.",
    "Google paid 42 dollars. " * 8,
    "A closing paragraph about nothing in particular, long enough to wrap onto a second line.",
]


def make_article(paragraphs: list[str], spans: list[tuple[str, str, str]] = ()) -> Article:
    """An analysed article built by hand: word tokens, and a span on the first match of each text."""
    text = join_paragraphs(paragraphs)
    entities, numbers = [], []
    for fragment, label, kind in spans:
        start = text.index(fragment)
        span = Span(start, start + len(fragment), label, kind)  # type: ignore[arg-type]
        (numbers if kind == "number" else entities).append(span)
    tokens = [bound for pair in word_spans(text) for bound in pair]
    analysis = Analysis("test_model", "0", entities=entities, numbers=numbers, tokens=tokens)
    return Article(id="test", text=text, source="test", analysis=analysis)


def sample_article() -> Article:
    """The article most tests read: entities, a number entity and a bare number."""
    return make_article(
        PARAGRAPHS,
        [
            ("Barack Obama", "PERSON", "entity"),
            ("Paris", "GPE", "entity"),
            ("2015", "DATE", "entity"),
            ("3", "CARDINAL", "number"),
            ("Google", "ORG", "entity"),
            ("42", "NUM", "number"),
        ],
    )


def long_article(paragraph_count: int) -> Article:
    """An article of many identical paragraphs, with one entity."""
    paragraph = (
        "Tajikistan President Emomali Rahmon has affirmed his nation's commitment to combating "
        "terrorism alongside Russia, in the wake of the recent terrorist attack at the hall."
    )
    return make_article([paragraph] * paragraph_count, [("Russia", "GPE", "entity")])


class ViewApp(App[None]):
    """Just an ArticleView, recording what it posts."""

    def __init__(self, article: Article, **options: object) -> None:
        super().__init__()
        self.article = article
        self.options = options
        self.moves: list[int] = []
        self.selections: list[tuple[int, int] | None] = []

    def compose(self) -> ComposeResult:
        yield ArticleView(self.article, labels=default_labels(), **self.options)  # type: ignore[arg-type]

    def on_article_view_cursor_moved(self, message: ArticleView.CursorMoved) -> None:
        self.moves.append(message.offset)

    def on_article_view_selection_changed(self, message: ArticleView.SelectionChanged) -> None:
        self.selections.append(message.selection)


def tokens(article: Article) -> list[tuple[int, int]]:
    return article.token_bounds()


def cursor_line(view: ArticleView) -> int:
    return line_of_offset(view.lines, view.offset())


async def test_left_and_right_move_token_by_token() -> None:
    article = sample_article()
    app = ViewApp(article)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(ArticleView)
        assert view.cursor == 0 and view.has_focus
        await pilot.press("right", "right")
        assert view.cursor == 2
        assert view.offset() == tokens(article)[2][0]
        await pilot.press("left")
        assert view.cursor == 1
        await pilot.press("left", "left", "left")
        assert view.cursor == 0
        await pilot.pause()
        assert app.moves == [tokens(article)[i][0] for i in (1, 2, 1, 0)]


async def test_down_moves_one_line_and_keeps_the_column() -> None:
    article = make_article(["aaa bbb ccc ddd eee fff ggg hhh iii jjj kkk lll mmm " * 4])
    app = ViewApp(article)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(ArticleView)
        await pilot.press("right", "right")  # "ccc", column 8
        await pilot.press("down")
        assert cursor_line(view) == 1
        line = view.lines[1]
        column = view.offset() - line.start
        assert abs(column - 8) <= 3
        await pilot.press("up")
        assert view.cursor == 2


async def test_down_skips_the_blank_line_between_paragraphs() -> None:
    app = ViewApp(make_article(["One short paragraph.", "Another one."]))
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(ArticleView)
        await pilot.press("down")
        assert view.article.text[view.offset() :].startswith("Another")


async def test_pagedown_moves_a_page_and_the_cursor_with_it() -> None:
    app = ViewApp(long_article(60))
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(ArticleView)
        height = view.scrollable_content_region.height
        await pilot.press("pagedown")
        assert view.scroll_y == height
        assert height - 1 <= cursor_line(view) <= height + 1
        await pilot.press("space")
        assert view.scroll_y == 2 * height
        await pilot.press("pageup")
        assert view.scroll_y == height
        assert height - 1 <= cursor_line(view) <= height + 1


async def test_end_and_home_go_to_the_ends_of_the_article() -> None:
    article = long_article(40)
    app = ViewApp(article)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(ArticleView)
        assert view.progress() == 0.0
        await pilot.press("end")
        assert view.cursor == len(tokens(article)) - 1
        assert view.scroll_y == view.max_scroll_y > 0
        assert view.progress() == 1.0
        await pilot.press("home")
        assert view.cursor == 0 and view.scroll_y == 0


async def test_v_then_moves_select_whole_tokens() -> None:
    article = sample_article()
    app = ViewApp(article)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(ArticleView)
        await pilot.press("right", "right", "v", "right", "right")
        bounds = tokens(article)
        assert view.selection == (bounds[2][0], bounds[4][1])
        assert view.target() == view.selection
        await pilot.press("v")  # ends the selection: it stays until the next plain move
        assert view.selection == (bounds[2][0], bounds[4][1])
        await pilot.press("right")
        assert view.selection is None
        await pilot.pause()
        assert app.selections[-1] is None


async def test_shift_right_starts_and_extends_a_selection() -> None:
    article = sample_article()
    app = ViewApp(article)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(ArticleView)
        bounds = tokens(article)
        await pilot.press("shift+right")
        assert view.selection == (bounds[0][0], bounds[1][1])
        await pilot.press("shift+right", "shift+left", "shift+left", "shift+left")
        assert view.cursor == 0
        assert view.selection == (bounds[0][0], bounds[0][1])


async def test_escape_clears_the_selection() -> None:
    app = ViewApp(sample_article())
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(ArticleView)
        await pilot.press("v", "right", "escape")
        assert view.selection is None
        await pilot.press("right")
        assert view.selection is None
        await pilot.pause()
        assert app.selections[-1] is None


async def test_target_is_the_entity_under_the_cursor_else_the_token() -> None:
    article = sample_article()
    app = ViewApp(article)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(ArticleView)
        text = article.text
        await pilot.press("right")  # "Obama", inside the PERSON entity
        assert view.entity_at_cursor() is not None
        assert view.target() == (0, len("Barack Obama"))
        await pilot.press("right")  # "visited"
        start = text.index("visited")
        assert view.entity_at_cursor() is None
        assert view.target() == (start, start + len("visited"))


async def test_annotation_at_cursor_is_the_innermost() -> None:
    article = sample_article()
    start = article.text.index("United Nations")
    outer = Annotation("a", start - 4, start + len("United Nations"), "ORG")
    inner = Annotation("b", start, start + len("United"), "GPE")
    app = ViewApp(article, annotations=[outer, inner])
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(ArticleView)
        view.move_to_offset(start)
        await pilot.pause()
        assert view.annotation_at_cursor() == inner
        view.move_to_offset(start + len("United "))
        assert view.annotation_at_cursor() == outer


async def test_tab_jumps_between_entities_numbers_and_annotations() -> None:
    article = sample_article()
    text = article.text
    annotation = Annotation("a", text.index("United"), text.index("United") + 14, "ORG")
    app = ViewApp(article, annotations=[annotation])
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(ArticleView)
        stops = []
        for _ in range(6):
            await pilot.press("tab")
            stops.append(text[view.offset() :].split()[0])
        assert stops == ["Paris", "2015", "3", "United", "Google", "42"]
        await pilot.press("shift+tab")
        assert text[view.offset() :].startswith("Google")


async def test_search_and_next_and_previous_match() -> None:
    article = sample_article()
    text = article.text
    app = ViewApp(article)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(ArticleView)
        assert view.search("GOOGLE") == 8
        assert view.search_query == "GOOGLE" and view.matches[0] == (
            text.index("Google"),
            text.index("Google") + 6,
        )
        first = text.index("Google")
        assert view.offset() == first
        await pilot.press("n")
        assert view.offset() == text.index("Google", first + 1)
        await pilot.press("N", "N")  # back past the first match: wraps to the last
        assert view.offset() == text.rindex("Google")
        await pilot.press("n")
        assert view.offset() == first
        # Matches are highlighted; clearing the search removes the highlight.
        line = line_of_offset(view.lines, first) - int(view.scroll_y)
        highlighted = [s for s in view.render_line(line) if s.text == "Google"]
        assert highlighted and highlighted[0].style.bgcolor is not None
        assert view.search("") == 0
        assert view.search("no such words") == 0


async def test_click_places_the_cursor_and_drag_selects_whole_tokens() -> None:
    article = sample_article()
    text = article.text
    app = ViewApp(article)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(ArticleView)
        column = text.index("Paris") + 2  # the middle of "Paris", on the first line
        await pilot.click(ArticleView, offset=(column, 0))
        assert view.offset() == text.index("Paris")
        assert view.selection is None
        # Drag from "visited" to the middle of "2015".
        await pilot.mouse_down(ArticleView, offset=(text.index("visited") + 1, 0))
        await pilot.hover(ArticleView, offset=(text.index("2015") + 1, 0))
        await pilot.mouse_up(ArticleView, offset=(text.index("2015") + 1, 0))
        assert view.selection == (text.index("visited"), text.index("2015") + 4)
        assert view.offset() == text.index("2015")
        # A plain click drops the selection.
        await pilot.click(ArticleView, offset=(1, 0))
        assert view.selection is None and view.cursor == 0
        await pilot.pause()
        assert app.selections[-1] is None


async def test_the_saved_position_is_restored_and_shown() -> None:
    article = long_article(80)
    position = article.text.index("Russia", len(article.text) // 2)
    app = ViewApp(article, position=position + 2)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(ArticleView)
        await pilot.pause()
        assert view.offset() == position
        assert view.scroll_y > 0
        assert view.scroll_y <= cursor_line(view) < view.scroll_y + SIZE[1]
        assert 0.0 < view.progress() < 1.0


async def test_highlighting_styles_and_hidden_labels() -> None:
    article = sample_article()
    start = article.text.index("United Nations")
    annotation = Annotation("a", start, start + len("United Nations"), "ORG")
    app = ViewApp(article, annotations=[annotation])
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(ArticleView)
        # The cursor's reverse video out of the way, on the last paragraph.
        view.move_to_offset(article.text.index("closing"))
        await pilot.pause()
        base = view.rich_style
        line = view.render_line(0)
        styles = {segment.text: segment.style for segment in line}
        person = styles["Barack Obama"]
        assert person.bgcolor is not None and person.bgcolor != base.bgcolor
        assert not person.bold  # a model suggestion: tinted, not bold
        # A bare number stands out on its own; an annotation is solid and bold.
        google_line = line_of_offset(view.lines, article.text.index("42"))
        numbers = [s for s in view.render_line(google_line) if s.text == "42"]
        assert numbers and numbers[0].style.bold and numbers[0].style.color != base.color
        annotated = [s for y in range(4) for s in view.render_line(y) if s.text == "United Nations"]
        assert annotated and annotated[0].style.bold
        assert annotated[0].style.bgcolor != person.bgcolor
        # Hiding a label turns its highlighting off.
        view.set_hidden_labels({"PERSON", "ORG"})
        assert view.hidden_labels == {"PERSON", "ORG"}
        styles = {segment.text: segment.style for segment in view.render_line(0)}
        assert "Barack Obama" not in styles  # merged into plain text now
        plain = [s for y in range(4) for s in view.render_line(y) if "United Nations" in s.text]
        assert plain and not plain[0].style.bold
        assert view.entity_at_cursor() is None or view.entity_at_cursor().label != "PERSON"


class ThemedApp(ViewApp):
    """An app whose theme defines a label colour, as reader's themes do."""

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return {"label-person": "#ff0000"}


async def test_a_label_colour_from_the_theme_wins_over_the_label_set() -> None:
    article = sample_article()
    start = article.text.index("Paris")
    plain, themed = ViewApp(article), ThemedApp(article)
    colours = []
    for app in (plain, themed):
        async with app.run_test(size=SIZE) as pilot:
            view = app.query_one(ArticleView)
            view.move_to_offset(start + 10)  # the cursor off the names
            await pilot.pause()
            styles = {segment.text: segment.style for segment in view.render_line(0)}
            colours.append((styles["Barack Obama"].bgcolor, styles["Paris"].bgcolor))
    assert colours[0][1] == colours[1][1]  # GPE is not in the theme: label set colour both times
    assert colours[0][0] != colours[1][0]
    assert colours[1][0].triplet.red > colours[1][0].triplet.green  # tinted red


async def test_rejected_model_spans_are_not_highlighted() -> None:
    article = sample_article()
    app = ViewApp(article)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(ArticleView)
        await pilot.press("right", "right", "right", "right", "right")  # past Paris
        start = article.text.index("Paris")
        view.set_annotations([], [Rejection(start, start + 5, "GPE")])
        await pilot.pause()
        assert not [s for s in view.render_line(0) if s.text == "Paris"]
        view.move_to_offset(start)
        assert view.entity_at_cursor() is None


async def test_cursor_moved_is_posted_with_the_offset() -> None:
    article = sample_article()
    app = ViewApp(article)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(ArticleView)
        view.move_to_offset(article.text.index("Google"))
        await pilot.pause()
        assert app.moves == [article.text.index("Google")]


async def test_rendered_text_holds_no_control_character() -> None:
    article = sample_article()
    app = ViewApp(article)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(ArticleView)
        await pilot.pause()
        seen = ""
        for y in range(len(view.lines)):
            for segment in view.render_line(y):
                assert segment.control is None
                assert not any(unicodedata.category(c) == "Cc" for c in segment.text)
                seen += segment.text
        assert "Barack Obama visited Paris" in seen


async def test_resize_rewraps_and_keeps_the_cursor_visible() -> None:
    app = ViewApp(long_article(30))
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(ArticleView)
        await pilot.press("pagedown", "pagedown")
        offset = view.offset()
        await pilot.resize_terminal(40, 20)
        await pilot.pause()
        assert view.offset() == offset
        width = view.scrollable_content_region.width
        assert all(line.end - line.start <= width + 1 for line in view.lines)
        assert view.scroll_y <= cursor_line(view) < view.scroll_y + 20


async def _repaints_per_key(article: Article) -> list[int]:
    """How many lines get rendered for each of a few cursor moves that do not scroll."""
    app = ViewApp(article)
    counts = []
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(ArticleView)
        await pilot.pause()
        calls = 0
        render_line = view.render_line

        def counting(y: int):
            nonlocal calls
            calls += 1
            return render_line(y)

        view.render_line = counting  # type: ignore[method-assign]
        for key in ("right", "down", "down", "v", "right", "left", "escape"):
            calls = 0
            await pilot.press(key)
            await pilot.pause()
            counts.append(calls)
    return counts


async def test_a_cursor_move_repaints_only_the_lines_it_touches(seed_text: str) -> None:
    seed = make_article(seed_text.split("\n\n"))
    huge = long_article(1000)  # about 5,000 lines at this width
    small_counts = await _repaints_per_key(seed)
    huge_counts = await _repaints_per_key(huge)
    assert max(small_counts) <= 3
    assert huge_counts == small_counts


async def test_set_annotations_repaints_only_changed_lines() -> None:
    article = long_article(10)
    app = ViewApp(article)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(ArticleView)
        await pilot.pause()
        calls = 0
        render_line = view.render_line

        def counting(y: int):
            nonlocal calls
            calls += 1
            return render_line(y)

        view.render_line = counting  # type: ignore[method-assign]
        start = article.text.index("President")
        view.set_annotations([Annotation("a", start, start + 9, "PERSON")], [])
        await pilot.pause()
        assert calls == 1
        styles = [s for s in render_line(0) if s.text == "President"]
        assert styles and styles[0].style.bold


async def test_set_annotations_diffs_against_what_was_shown_not_the_callers_list() -> None:
    article = long_article(10)
    app = ViewApp(article)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(ArticleView)
        await pilot.pause()
        first = article.text.index("President")
        shown = [Annotation("a", first, first + 9, "PERSON")]
        view.set_annotations(shown, [])
        await pilot.pause()
        # The caller's list changes after the call: the view must diff against what it showed.
        later = article.text.index("President", first + 1)
        shown.append(Annotation("b", later, later + 9, "PERSON"))
        assert line_of_offset(view.lines, later) < 20  # on screen: a wrong diff would repaint it
        calls = 0
        render_line = view.render_line

        def counting(y: int):
            nonlocal calls
            calls += 1
            return render_line(y)

        view.render_line = counting  # type: ignore[method-assign]
        view.set_annotations([], [])
        await pilot.pause()
        assert calls == 1
        assert view.annotation_at_cursor() is None


async def test_a_long_article_opens_without_an_object_per_token_or_line(monkeypatch) -> None:
    article = long_article(1000)
    tokens = article.analysis.tokens  # type: ignore[union-attr]

    def refuse(self):  # type: ignore[no-untyped-def]
        raise AssertionError("a tuple per token built while reading")

    monkeypatch.setattr(Article, "token_bounds", refuse)
    monkeypatch.setattr(Analysis, "token_spans", refuse)
    app = ViewApp(article)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(ArticleView)
        await pilot.press("end")
        assert view.cursor == len(tokens) // 2 - 1 and view.offset() == tokens[-2]
        await pilot.press("home", "right", "v", "right", "down", "pagedown", "tab")
        assert view.selection is not None and view.selection[0] == tokens[2]
        # The lines are a table of ints, read as line objects only where one is asked for.
        assert isinstance(view.lines, Lines)
        line = view.lines[cursor_line(view)]
        assert line.start <= view.offset() < line.end


def test_token_edges_are_the_token_bounds_split_in_two() -> None:
    analysed = sample_article()
    plain = Article(id="plain", text=analysed.text, source="test")
    for article in (analysed, plain):
        starts, ends = article.token_edges()
        assert list(zip(starts, ends, strict=True)) == article.token_bounds()
        start = article.text.index("Obama") + 2
        assert article.snap(start, start + 1) == (start - 2, start + 3)


def test_the_span_index_finds_what_a_scan_of_every_span_finds() -> None:
    from random import Random

    from reader.widgets.article_view import _SpanIndex

    rng = Random(5)
    for _ in range(200):
        spans = []
        for _ in range(rng.randint(0, 40)):
            start = rng.randint(0, 2000)
            length = rng.choice([1, 2, 5, 256, 257, 600])  # around the long-span cut too
            spans.append(Span(start, start + length, rng.choice("AB")))
        index = _SpanIndex(spans)
        for _ in range(30):
            start = rng.randint(0, 2700)
            end = start + rng.randint(1, 90)
            expected = [s for s in spans if s.start < end and s.end > start]
            assert sorted(index.overlapping(start, end), key=spans.index) == sorted(
                expected, key=spans.index
            )
