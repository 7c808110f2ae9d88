"""Lists of articles found across the library: full-text search results, and the articles
that mention an entity. Choosing one opens it at the first hit (or first mention)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from reader.app import STORE_ERRORS, ReaderApp, reader_app
from reader.article import article_source
from reader.catalog import ArticleSummary
from reader.text import plural, quoted
from reader.widgets.key_footer import KeyFooter
from reader.widgets.text_input import TextInput

# Results shown at once: the best ones; the count says how many there are in all.
SHOWN = 200
_SEARCH_DELAY = 0.3


@dataclass(frozen=True, slots=True)
class FoundArticle:
    """One listed article: where to open it, and the line under its title."""

    summary: ArticleSummary
    offset: int
    detail: Content


def hit_option(hit: FoundArticle, index: int) -> Option:
    """Two lines: the title (with date and site), then the snippet or the count."""
    s = hit.summary
    where = " · ".join(p for p in ((s.date or "")[:10], article_source(s.site, s.source)) if p)
    title = Content.assemble((s.title or "(untitled)", "bold"), ("  " + where, "dim") if where else "")
    return Option(Content.assemble(title, "\n", hit.detail, "\n"), id=str(index))


def marked(text: str, marks: tuple[tuple[int, int], ...] | list[tuple[int, int]]) -> Content:
    """Plain text (never markup) with the hits underlined and bold."""
    content = Content(text)
    for start, end in marks:
        content = content.stylize("bold underline", start, end)
    return content


class HitsScreen(Screen[None]):
    """A list of articles; Enter opens one at its hit, Escape goes back."""

    HELP_SECTION = "Found articles"
    BINDINGS = [
        Binding("escape,q", "back", "Back", id="found.back"),
        Binding("question_mark", "help", "Help", id="found.help"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.hits: list[FoundArticle] = []

    @property
    def reader(self) -> ReaderApp:
        """The app, typed."""
        return reader_app(self)

    @property
    def results(self) -> OptionList:
        """The list of found articles."""
        return self.query_one("#found-list", OptionList)

    def show_hits(self, hits: list[FoundArticle], status: str) -> None:
        """Fill the list and say how many were found."""
        self.hits = hits
        results = self.results
        results.clear_options()
        results.add_options([hit_option(hit, n) for n, hit in enumerate(hits)])
        if hits:
            results.highlighted = 0
        self.query_one("#found-status", Static).update(Content(status))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Open the chosen article at its hit."""
        hit = self.hits[int(event.option.id or 0)]
        self.reader.open_article_screen(hit.summary.id, at=hit.offset)

    def action_back(self) -> None:
        """Back to where the list was opened from."""
        self.app.pop_screen()

    def action_help(self) -> None:
        """Show every key."""
        from reader.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self))

    def help_nodes(self) -> list[Any]:
        """What the help screen lists."""
        return [self]


class SearchScreen(HitsScreen):
    """Full-text search of every article: words, "phrases", prefix*, ranked, with snippets."""

    HELP_SECTION = "Search"
    BINDINGS = [
        Binding("escape", "back", "Back", id="search.back"),
        Binding("down", "to_results", "To the results", show=False, id="search.to_results"),
        Binding("slash,ctrl+f", "edit", "New search", id="search.edit"),
        Binding("question_mark", "help", "Help", id="search.help"),
    ]

    def __init__(self, query: str = "") -> None:
        super().__init__()
        self.query_text = query
        self._timer: Timer | None = None
        self._focus_results = False

    def compose(self) -> ComposeResult:
        """The query, how many match, the results."""
        yield Static(Content.assemble(("reader", "bold"), " · search every article"), id="found-title")
        yield TextInput(
            value=self.query_text,
            placeholder='Words, "a phrase", prefix*  (all must match; OR allows either) — Enter searches',
            id="search-input",
        )
        yield Static("", id="found-status")
        yield OptionList(id="found-list")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Ready to type (or showing the results of the query given)."""
        self.reader.steady_cursors(self)
        box = self.query_one("#search-input", Input)
        if self.query_text:
            self.search(self.query_text)
        box.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        """Search as the reader types, once the typing pauses."""
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(_SEARCH_DELAY, lambda: self.search(event.value))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter searches at once and moves to the results."""
        event.stop()
        if self._timer is not None:
            self._timer.stop()
        self._focus_results = True
        self.search(event.value)

    def search(self, query: str) -> None:
        """Run the query in a worker (a big library takes a moment) and show what it finds."""
        self.query_text = query
        if not query.strip():
            self.show_hits([], "Type what to look for.")
            return
        self.query_one("#found-status", Static).update(Content(f"Searching for {quoted(query)}…"))
        self.run_worker(lambda: self._search(query), thread=True, exclusive=True, group="search")

    def _search(self, query: str) -> None:
        library = self.reader.library
        try:
            found = library.search(query, limit=SHOWN)
            total = library.search_count(query) if len(found) == SHOWN else len(found)
        except ValueError as exc:
            self.app.call_from_thread(self._searched, query, [], f"{quoted(query)}: {exc}.")
            return
        except STORE_ERRORS as exc:
            self.app.call_from_thread(self._searched, query, [], f"Cannot search: {exc}")
            return
        hits = [FoundArticle(f.summary, f.offset, marked(f.snippet, f.marks)) for f in found]
        if not hits:
            status = f"No article matches {quoted(query)}."
        elif total > len(hits):
            status = f"{total:,} articles match {quoted(query)}; the best {len(hits)} are shown. Enter opens one at its first hit."
        else:
            status = f"{plural(total, 'article')} match{'es' if total == 1 else ''} {quoted(query)}. Enter opens one at its first hit."
        self.app.call_from_thread(self._searched, query, hits, status)

    def _searched(self, query: str, hits: list[FoundArticle], status: str) -> None:
        if query != self.query_text:
            return  # an older search, overtaken by what was typed since
        self.show_hits(hits, status)
        if self._focus_results and hits:
            self.results.focus()
        self._focus_results = False

    def action_to_results(self) -> None:
        """Down from the query goes to the results."""
        if self.hits:
            self.results.focus()

    def action_edit(self) -> None:
        """Back to the query."""
        self.query_one("#search-input", Input).focus()


class MentionsScreen(HitsScreen):
    """The articles that mention an entity, most mentions first; Enter opens one at the first."""

    def __init__(self, text: str, label: str | None) -> None:
        super().__init__()
        self.entity_text = text
        self.label = label

    def compose(self) -> ComposeResult:
        """Which entity, how many articles, the list."""
        what = f"articles that mention {quoted(self.entity_text)}" + (f" as {self.label}" if self.label else "")
        yield Static(Content.assemble(("reader", "bold"), " · " + what), id="found-title")
        yield Static("", id="found-status")
        yield OptionList(id="found-list")
        yield KeyFooter()

    def on_mount(self) -> None:
        """List the articles."""
        try:
            mentioned = self.reader.library.mentioned_in(self.entity_text, self.label)
            total = self.reader.library.mentioned_count(self.entity_text, self.label)
        except STORE_ERRORS as exc:
            self.show_hits([], f"Cannot read the library: {exc}")
            return
        hits = [
            FoundArticle(m.summary, m.first, Content(f"{plural(m.mentions, 'mention')}"))
            for m in mentioned
        ]
        if total > len(hits):
            status = f"The {len(hits):,} of {total:,} articles with the most mentions. Enter opens one at the first mention."
        else:
            status = f"{plural(len(hits), 'article')}. Enter opens one at the first mention."
        self.show_hits(hits, status)
        self.results.focus()
