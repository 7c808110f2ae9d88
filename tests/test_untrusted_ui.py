"""No string from outside is ever read as Textual markup, anywhere in the app.

Article text, titles, sources, search queries, labels and copied text are full of square
brackets. Read as markup, `[/]` crashes a widget's render (and with it the app) and
`[@click=app.quit]` becomes a live action. Each reproduction below drives the app with real
keys; a static check then walks every place in the UI modules where a string could be read
as markup, so that a new call site cannot slip through.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from test_app import SIZE, make_test_app, test_config
from textual.content import Content
from textual.widgets import DataTable, OptionList, Static

from reader.article import Analysis, Article, Span
from reader.config import Config, Label, default_labels
from reader.store import Library
from reader.text import article_id, join_paragraphs

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = ["[/]", "[/b]", "[@click=app.quit]x[/]", "[link=https://evil.example]here[/link]", "[b]bold"]
TEXT = join_paragraphs(
    [
        "Call [/b] now and [@click=app.quit]x[/] or [link=https://evil.example]here[/link] today.",
        "Then [b]bold and [/] again, and [/b] once more.",
    ]
)
TITLE = "[Updated] Story [b]of[/b] the day"


def hostile_article() -> Article:
    """An article whose tokens are white-space separated words, brackets and all."""
    tokens = [edge for m in re.finditer(r"\S+", TEXT) for edge in m.span()]

    def span(words: str, label: str, nth: int = 0) -> Span:
        start = -1
        for _ in range(nth + 1):
            start = TEXT.index(words, start + 1)
        return Span(start, start + len(words), label)

    entities = [span("[/b]", "PERSON"), span("[@click=app.quit]x[/]", "ORG"), span("[/b]", "PERSON", 1)]
    return Article(
        id=article_id(TEXT),
        text=TEXT,
        source="/tmp/[red]evil.txt",
        title=TITLE,
        analysis=Analysis("test_model", "1.0", entities=entities, tokens=tokens),
    )


@pytest.fixture
def stored(data_dir: Path) -> Article:
    article = hostile_article()
    Library(data_dir).add(article)
    return article


def toasts(app) -> list[str]:
    """The text every notification on screen renders (a render that fails fails the test)."""
    from textual.widgets._toast import Toast

    return [str(toast.render()) for toast in app.screen.query(Toast)]


async def settle(pilot) -> None:
    """Let notifications mount and paint."""
    await pilot.pause()
    await pilot.pause()


async def to_token(pilot, words: str, nth: int = 0) -> None:
    view = pilot.app.screen.query_one("#article-view")
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(words, start + 1)
    view.move_to_offset(start)
    await pilot.pause()


async def test_a_search_for_markup_is_a_search(data_dir: Path, tmp_path: Path, stored: Article) -> None:
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("slash", *"[/]", "enter")
        await settle(pilot)
        assert app.is_running and type(app.screen).__name__ == "ArticleScreen"
        assert any("for '[/]'" in t for t in toasts(app))
        assert app.screen.query_one("#article-view").matches  # found in the text, literally


async def test_tagging_copying_and_the_entity_panel_quote_brackets_as_text(
    data_dir: Path, tmp_path: Path, stored: Article
) -> None:
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("enter")
        await settle(pilot)
        await to_token(pilot, "[b]bold")
        await pilot.press("2")  # tag
        await settle(pilot)
        await to_token(pilot, "[@click=app.quit]x[/]")
        await pilot.press("y")  # copy
        await settle(pilot)
        assert app.clipboard == "[@click=app.quit]x[/]"
        await pilot.press("e", "down", "enter")  # the entity panel: jump to '[/b]'
        await settle(pilot)
        assert app.is_running
        shown = "\n".join(toasts(app))
        assert "Tagged '[b]bold' as ORG" in shown
        assert "Copied '[@click=app.quit]x[/]'" in shown
        assert "'[/b]': 2 of 2" in shown
        panel = app.screen.query_one("#entity-panel", OptionList)
        rows = [str(panel.get_option_at_index(i).prompt) for i in range(panel.option_count)]
        assert any("[/b]" in row for row in rows)
        # The status line quotes the span under the cursor as it is.
        assert "'[/b]' · PERSON · model" in str(app.screen.query_one("#article-status", Static).render())


async def test_a_click_action_in_text_is_not_live(data_dir: Path, tmp_path: Path, stored: Article) -> None:
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("enter")
        await settle(pilot)
        await to_token(pilot, "[@click=app.quit]x[/]")
        await pilot.press("a")
        await settle(pilot)
        from textual.widgets._toast import Toast

        [toast] = [t for t in app.screen.query(Toast) if "click" in str(t.render())]
        rendered = toast.render()
        assert isinstance(rendered, Content)
        # No span of the toast carries an action or a link: the brackets are just text.
        assert all("@click" not in str(span.style) and "link" not in str(span.style) for span in rendered.spans)
        await pilot.click(Toast)
        await settle(pilot)
        assert app.is_running


async def test_a_bracketed_title_keeps_its_words(data_dir: Path, tmp_path: Path, stored: Article) -> None:
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("enter")
        await settle(pilot)
        assert str(app.screen.query_one("#article-title", Static).render()) == TITLE
        assert "[red]evil.txt" in str(app.screen.query_one("#article-meta", Static).render())
        await pilot.press("q", "d", "y")  # remove it: the notification names it
        await settle(pilot)
        assert any(TITLE in t for t in toasts(app))


async def test_a_label_made_of_brackets_shows_everywhere(data_dir: Path, tmp_path: Path, stored: Article) -> None:
    labels = [Label("[/]", "1", "#ff8700"), Label("[B]", "2", "#87d7ff"), *default_labels()[2:]]
    config = Config(labels=labels, path=tmp_path / "config" / "config.toml")
    app = make_test_app(data_dir, tmp_path, config=config)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("enter")
        await settle(pilot)
        await to_token(pilot, "[b]bold")
        await pilot.press("1")
        await settle(pilot)
        assert any("Tagged '[b]bold' as [/]" in t for t in toasts(app))
        await pilot.press("e")  # the panel lists the label
        await settle(pilot)
        panel = app.screen.query_one("#entity-panel", OptionList)
        assert "[/]" in str(panel.get_option_at_index(0).prompt)
        assert "1·[/]" in str(app.screen.query_one("#label-legend", Static).render())
        await pilot.press("escape", "l")  # the picker
        await settle(pilot)
        picker = app.screen.query_one("#label-list", OptionList)
        assert "[/]" in str(picker.get_option_at_index(0).prompt)
        await pilot.press("escape", "question_mark")  # the help screen
        await settle(pilot)
        table = app.screen.query_one("#help-table", DataTable)
        cells = [str(c) for i in range(table.row_count) for c in table.get_row_at(i)]
        assert "Tag as [/]" in cells
        await pilot.press("escape", "ctrl+p")  # the palette
        await settle(pilot)
        await pilot.press(*"tag as [")
        await pilot.pause(0.3)
        assert app.is_running


async def test_every_notification_is_plain_text(data_dir: Path, tmp_path: Path, stored: Article) -> None:
    """Whatever a screen or a worker thread passes, and even with markup=True."""
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("enter")
        await settle(pilot)
        for text in HOSTILE:
            app.screen.notify(text, title=text, markup=True)
            app.notify(text, severity="error")
        await settle(pilot)
        shown = toasts(app)
        for text in HOSTILE:
            assert f"{text}\n{text}" in shown and text in shown


# -- the static walk ---------------------------------------------------------------------------

UI_MODULES = [
    ROOT / "reader" / "app.py",
    *sorted((ROOT / "reader" / "screens").glob("*.py")),
    *sorted((ROOT / "reader" / "widgets").glob("*.py")),
]
# Widgets that read a plain string argument as markup unless told not to.
MARKUP_WIDGETS = {"Static", "Label", "Button", "Checkbox", "RadioButton", "Option", "Hit", "DiscoveryHit"}
PARSERS = {"from_markup"}
# Functions of reader's that return plain strings.
STRING_FUNCTIONS = {"str", "quoted", "plural", "article_source", "shown_path", "failure"}


def _is_literal(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _is_text_string(node: ast.AST) -> bool:
    """An expression that is plainly a built string (f-string, concatenation, format)."""
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and (_is_literal(node.left) or _is_text_string(node.left)):
        return True
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in {
        "format",
        "join",
    }


def markup_risks(source: str, name: str) -> list[str]:
    """Every call in `source` where a string that is not a literal could be read as markup."""
    risks: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        keywords = {k.arg: k.value for k in node.keywords}
        where = f"{name}:{node.lineno} {called}"
        if called in PARSERS and node.args and not _is_literal(node.args[0]):
            risks.append(f"{where}: markup parsed from a built string")
        if called == "notify" and isinstance(keywords.get("markup"), ast.Constant) and keywords["markup"].value:
            risks.append(f"{where}: markup=True")
        shown_at = 1 if called == "Hit" else 0  # a Hit's first argument is its score
        if called in MARKUP_WIDGETS and len(node.args) > shown_at:
            first = node.args[shown_at]
            plain = isinstance(keywords.get("markup"), ast.Constant) and keywords["markup"].value is False
            # A literal, or what a function builds (Content, Text): anything else may be a string.
            built = isinstance(first, ast.Call) and not _is_text_string(first) and not (
                isinstance(first.func, ast.Name) and first.func.id in STRING_FUNCTIONS
            )
            if not plain and not _is_literal(first) and not built:
                risks.append(f"{where}: a string that is not a literal, without markup=False")
        if called in {"Hit", "DiscoveryHit"} and "help" in keywords:
            if not isinstance(keywords["help"], ast.Call) or _is_text_string(keywords["help"]):
                risks.append(f"{where}: the palette reads a help string as markup")
        if called == "update" and node.args and _is_text_string(node.args[0]):
            risks.append(f"{where}: update() with a built string")
        if called in {"add_row", "add_rows"} and any(_is_text_string(a) for a in node.args):
            risks.append(f"{where}: a DataTable reads string cells as markup")
    return risks


def test_the_walk_finds_what_it_looks_for() -> None:
    bad = (
        "Static(f'{title}')\nself.notify(x, markup=True)\nContent.from_markup(f'[b]{x}[/]')\n"
        "box.update('a' + name)\nLabel(name)\ntable.add_row(f'{x}')\nButton(quoted(x))\n"
        "Static(article.title)\n"
    )
    assert len(markup_risks(bad, "example")) == 8
    good = (
        "Static(title, markup=False)\nStatic('[b]fixed[/b]')\nContent.from_markup('$x', x=name)\n"
        "Button(Content(name))\n"
    )
    assert markup_risks(good, "example") == []


@pytest.mark.parametrize("path", UI_MODULES, ids=lambda p: p.name)
def test_no_ui_module_reads_a_built_string_as_markup(path: Path) -> None:
    assert markup_risks(path.read_text(encoding="utf-8"), path.name) == []


def test_label_theme_variables_are_identifiers_whatever_the_name() -> None:
    from reader.colours import label_variable

    names = ["PERSON", "WORK_OF_ART", "[/]", "a b", "on $x", "Ünïcode", "", "label-x", "LABEL_X"]
    variables = [label_variable(n) for n in names]
    assert variables[:2] == ["label-person", "label-work-of-art"]
    assert all(re.fullmatch(r"label-[a-z0-9-]+", v) for v in variables)
    assert len(set(variables)) == len(variables)


def test_config_fixture_is_plain() -> None:
    # test_config builds configs for these tests; a sanity check that it uses the default set.
    assert test_config(Path("/nonexistent")).labels == default_labels()


async def test_a_notification_sends_no_control_character_to_the_terminal(
    data_dir: Path, tmp_path: Path, stored: Article
) -> None:
    """A path pasted into the export or ingest dialog comes back in a notification; Textual
    writes a widget's characters as they are, so an escape in it would reach the terminal."""
    from textual.widgets._toast import Toast

    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        app.screen.notify("saved to out\x1b]52;c;aGk=\x07\x9b2J\u202e.jsonl", title="T\x1b]2;X\x07")
        await settle(pilot)
        [toast] = app.screen.query(Toast)
        written = "".join(s.text for line in toast.render_lines(toast.region.reset_offset) for s in line)
        assert "saved to out" in written and ".jsonl" in written
        assert not any(c in written for c in "\x1b\x07\x9b\u202e")


async def test_a_paste_into_any_input_leaves_its_control_characters_out(
    data_dir: Path, tmp_path: Path, stored: Article
) -> None:
    """A paste comes from anywhere, escapes and all, and an input shows what it holds as it is."""
    from textual import events
    from textual.widgets import Input

    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("slash")
        box = app.screen.query_one("#article-search", Input)
        box.post_message(events.Paste("[/b]\x1b]52;c;aGk=\x07 no\x9b2Jw\u202e\nsecond line"))
        await settle(pilot)
        assert box.value == "[/b] now"
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.query_one("#article-view").matches


def test_every_input_in_the_ui_is_a_text_input() -> None:
    for path in UI_MODULES:
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"(?<![\w.])Input\(", source), f"{path.name} makes a bare Input"
