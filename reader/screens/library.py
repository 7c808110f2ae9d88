"""The library: every article, sorted and filtered by the catalog, shown a screenful at a time.

The screen holds a `View` (order, filters); the table asks the library for the rows it draws,
so opening, sorting and filtering cost the same at any library size. Full-text search
(ctrl+f) has a screen of its own (`reader.screens.search`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, Label, ProgressBar, Static

from reader.app import STORE_ERRORS, ReaderApp, reader_app
from reader.article import article_source
from reader.catalog import SORT_KEYS, ArticleSummary, SortKey, View
from reader.config import Label as LabelConfig
from reader.store import Library
from reader.text import plural, quoted
from reader.widgets.article_table import ArticleTable, ArticleTableHeader, OrderedSource, ViewSource
from reader.widgets.key_footer import KeyFooter
from reader.widgets.text_input import TextInput

EMPTY_LIBRARY = Content.from_markup(
    "[b]Your library is empty.[/b]\n\n"
    "Press [b]i[/b] to ingest a file, a folder or an http(s) URL,\n"
    "or run [b]reader ingest PATH[/b] in a shell, then come back.\n\n"
    "Press [b]?[/b] for every key, [b]q[/b] to quit."
)
# The order each sort starts in: newest, latest, most annotated and most to review first;
# titles and sites A to Z; unread first.
FIRST_DESCENDING: dict[SortKey, bool] = {
    "added": True,
    "date": True,
    "title": False,
    "site": False,
    "annotations": True,
    "unread": False,
    "status": True,
}
SORT_NAMES: dict[SortKey, str] = {
    "added": "date added",
    "date": "date",
    "title": "title",
    "site": "site",
    "annotations": "annotations",
    "unread": "unread first",
    "status": "review status",
}
# How long the filter waits for the typing to pause.
_FILTER_DELAY = 0.12


class LibraryScreen(Screen[None]):
    """Every article in the library, in a sortable, filterable list."""

    HELP_SECTION = "Library"
    AUTO_FOCUS = "#library-table"  # not the filter, which is hidden until `/`
    BINDINGS = [
        Binding("enter", "open", "Open", id="library.open"),
        Binding("slash", "filter", "Filter", id="library.filter"),
        Binding("ctrl+f", "search", "Search", id="library.search"),
        Binding("s", "sort", "Sort", id="library.sort"),
        Binding("S", "reverse", "Reverse order", show=False, id="library.reverse"),
        Binding("t", "to_review", "To review", show=False, id="library.to_review"),
        Binding("u", "unread", "Unread only", show=False, id="library.unread"),
        Binding("L", "label_filter", "With label…", show=False, id="library.label_filter"),
        Binding("r", "toggle_read", "Read/unread", show=False, id="library.toggle_read"),
        Binding("i", "ingest", "Ingest", id="library.ingest"),
        Binding("ctrl+e", "export", "Export…", show=False, id="library.export"),
        Binding("d", "remove", "Remove", show=False, id="library.remove"),
        Binding("down", "to_table", "To the list", show=False, id="library.to_table"),
        Binding("escape", "clear", "Clear filters", show=False, id="library.clear"),
        Binding("q", "quit", "Quit", id="library.quit"),
        Binding("question_mark", "help", "Help", id="library.help"),
    ]

    class IngestProgress(Message):
        """The ingest worker read one more input."""

        def __init__(self, done: int, total: int, name: str) -> None:
            super().__init__()
            self.done, self.total, self.name = done, total, name

    class IngestFinished(Message):
        """The ingest worker is done: its report, or the error that stopped it."""

        def __init__(self, report: Any | None, error: str | None = None) -> None:
            super().__init__()
            self.report, self.error = report, error

    def __init__(self) -> None:
        super().__init__()
        self.view = View()
        self._filter_timer: Timer | None = None
        self._count = 0
        self._total = 0
        self._enabled: tuple[bool, bool] | None = None  # what check_action last answered on
        self._shown_once = False

    # -- the app's library -------------------------------------------------------------------

    @property
    def reader(self) -> ReaderApp:
        """The app, typed."""
        return reader_app(self)

    @property
    def library(self) -> Library:
        """The library shown."""
        return self.reader.library

    @property
    def table(self) -> ArticleTable:
        """The list of articles."""
        return self.query_one("#library-table", ArticleTable)

    @property
    def filter_box(self) -> Input:
        """The filter input (shown by /)."""
        return self.query_one("#library-filter", Input)

    def compose(self) -> ComposeResult:
        """Title line, filter input (hidden until /), headings, the list, the empty message,
        ingest progress, footer."""
        yield Static("", id="library-title")
        yield TextInput(placeholder="Filter by title, byline or site (Enter or Down: to the list; Escape clears)",
                    id="library-filter")
        yield ArticleTableHeader(id="library-header")
        yield ArticleTable(id="library-table")
        yield Static("", id="library-empty")
        with Horizontal(id="ingest-status"):
            yield Label("", id="ingest-label")
            yield ProgressBar(id="ingest-progress", show_eta=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        """Read the first screenful."""
        self.filter_box.display = False
        self.query_one("#ingest-status").display = False
        self.reload()
        self.reader.steady_cursors(self)
        self.table.focus()

    def on_screen_resume(self) -> None:
        """Back from an article: its read state and annotations may have changed (the first
        showing of the screen has just been read by `on_mount`)."""
        if self.is_mounted and self._shown_once:
            self.reload()
        self._shown_once = True

    # -- what is shown -------------------------------------------------------------------------

    @property
    def filtering(self) -> bool:
        """Whether anything narrows the list."""
        v = self.view
        return bool(v.text.strip()) or v.label is not None or v.review != "all" or v.unread

    def reload(self, keep: str | None = None) -> None:
        """Show the view afresh, the cursor on `keep` (or on the article it is on now)."""
        keep = keep or self.highlighted_id()
        library, view = self.library, self.view
        self.reader.library_view = view
        pinned = None
        try:
            self._total = library.count()
            if not self.filtering:
                pinned = library.continue_reading()
            source: ViewSource | OrderedSource
            if view.filtered:
                source = OrderedSource(library.ordered_rows(view), library.rows_numbered, library.row_number)
            else:
                source = ViewSource(
                    lambda: library.count(view),
                    lambda offset, limit: library.page(view, offset, limit),
                    lambda article_id: library.index_of(view, article_id),
                )
            self.table.show(source, pinned=pinned, keep=keep)
            self._count = library.count(view)
            counts = library.review_counts()
        except STORE_ERRORS as exc:  # a damaged catalog or store: say which file
            self.notify(str(exc), title="Cannot read the library", severity="error", timeout=10)
            self._total = self._count = 0
            counts = {}
        self.query_one("#library-header", ArticleTableHeader).show_order(view.sort, view.descending)
        self._show_title(counts)
        self._show_empty()
        # The footer is rebuilt whenever bindings are refreshed: only when what check_action
        # answers has changed, not at every keystroke in the filter.
        enabled = (bool(self.table.row_count), bool(self._total))
        if enabled != self._enabled:
            self._enabled = enabled
            self.refresh_bindings()

    def _show_title(self, counts: dict[str, int]) -> None:
        view = self.view
        parts = ["reader", "library"]
        if self.filtering:
            parts.append(f"{self._count:,} of {plural(self._total, 'article')}")
        else:
            parts.append(plural(self._total, "article"))
        reviewable = self._total - counts.get("ignored", 0)
        if counts.get("done") or counts.get("in_progress"):
            parts.append(f"{counts.get('done', 0):,} of {reviewable:,} reviewed")
        if view.review == "to_review":
            parts.append("to review")
        elif view.review != "all":
            parts.append(view.review.replace("_", " "))
        if view.unread:
            parts.append("unread")
        if view.label:
            parts.append(f"with {view.label}")
        if view.text.strip():
            parts.append(f"matching {quoted(view.text)}")
        if view.sort != "added" or not view.descending:
            arrow = "▼" if view.descending else "▲"
            parts.append(f"by {SORT_NAMES[view.sort]} {arrow}")
        title = Content.assemble(("reader", "bold"), " · " + " · ".join(parts[1:]))
        self.query_one("#library-title", Static).update(title)

    def _show_empty(self) -> None:
        empty = self.query_one("#library-empty", Static)
        if not self._total:
            empty.update(EMPTY_LIBRARY)
        elif not self._count:
            empty.update(Content(f"No article matches.\n\nPress Escape to clear the filters ({self._describe_filters()})."))
        shown = self.table.row_count > 0
        empty.display = not shown
        self.table.display = shown
        self.query_one("#library-header").display = shown

    def _describe_filters(self) -> str:
        v = self.view
        parts = []
        if v.text.strip():
            parts.append(f"text {quoted(v.text)}")
        if v.label:
            parts.append(f"label {v.label}")
        if v.review != "all":
            parts.append(v.review.replace("_", " "))
        if v.unread:
            parts.append("unread only")
        return ", ".join(parts)

    def highlighted_id(self) -> str | None:
        """The id of the highlighted article, if any."""
        if not self.is_mounted:
            return None
        summary = self.table.highlighted()
        return summary.id if summary else None

    def highlighted(self) -> ArticleSummary | None:
        """The highlighted article's summary."""
        return self.table.highlighted() if self.is_mounted else None

    def set_view(self, view: View) -> None:
        """Show another order or filter, keeping the cursor on the same article when it can."""
        self.view = view
        self.reload()

    # -- actions ---------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Open, remove, read and sort are dimmed while the list is empty; export and search
        while the library is."""
        if not self.is_mounted:
            return True
        if action in ("open", "remove", "toggle_read") and not self.table.row_count:
            return None
        if action in ("export", "search", "sort", "reverse") and not self._total:
            return None
        return True

    def on_article_table_chosen(self, message: ArticleTable.Chosen) -> None:
        """Enter or a click on an article opens it (if it is gone meanwhile, the list is read again)."""
        if not self.reader.open_article_screen(message.article_id):
            self.reload()

    def action_open(self) -> None:
        """Open the highlighted article (where the reader left it)."""
        if self.focused is self.filter_box:
            self.table.focus()
            return
        self.table.choose()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the filter goes to the list."""
        if event.input is self.filter_box:
            event.stop()
            self._apply_filter()
            self.table.focus()

    def action_to_table(self) -> None:
        """Down from the filter goes to the list."""
        if self.focused is self.filter_box:
            self._apply_filter()
            self.table.focus()

    def action_sort(self) -> None:
        """Sort by the next key, in its natural order."""
        keys = list(SORT_KEYS)
        sort = keys[(keys.index(self.view.sort) + 1) % len(keys)]
        self.set_view(replace(self.view, sort=sort, descending=FIRST_DESCENDING[sort]))
        self.notify(f"Sorted by {SORT_NAMES[sort]}. S reverses.", timeout=2)

    def action_reverse(self) -> None:
        """The same order, the other way round."""
        self.set_view(replace(self.view, descending=not self.view.descending))

    def on_article_table_header_clicked(self, message: ArticleTableHeader.Clicked) -> None:
        """A click on a heading sorts by it; a second click reverses."""
        if message.sort == self.view.sort:
            self.action_reverse()
        else:
            self.set_view(replace(self.view, sort=message.sort, descending=FIRST_DESCENDING[message.sort]))

    def action_to_review(self) -> None:
        """Show only the articles left to review (new or in progress), or all again."""
        review = "all" if self.view.review == "to_review" else "to_review"
        self.set_view(replace(self.view, review=review))

    def action_unread(self) -> None:
        """Show only unread articles, or all again."""
        self.set_view(replace(self.view, unread=not self.view.unread))

    def action_label_filter(self) -> None:
        """Show only the articles with an annotation of the chosen label (Escape: any)."""
        from reader.screens.label_picker import LabelPicker

        known = {label.name: label for label in self.reader.config.labels}
        try:
            in_use = self.library.labels_in_use()
        except STORE_ERRORS as exc:
            self.notify(str(exc), title="Cannot read the library", severity="error")
            return
        if not in_use:
            self.notify("No article has an annotation yet.", timeout=3)
            return
        choices = [known.get(name) or LabelConfig(name, None, "#dddddd") for name in in_use]

        def picked(name: str | None) -> None:
            if name and name.startswith(LabelPicker.CREATE):
                name = name[len(LabelPicker.CREATE) :]
            self.set_view(replace(self.view, label=name.upper() if name else None))

        self.app.push_screen(LabelPicker(choices, title="Articles annotated with…"), picked)

    def action_toggle_read(self) -> None:
        """Mark the highlighted article read, or unread again."""
        summary = self.highlighted()
        if summary is None:
            return
        try:
            self.library.set_read(summary.id, not summary.read)
        except STORE_ERRORS as exc:
            self.notify(str(exc), title="Not saved", severity="error")
            return
        self.reload(keep=summary.id)
        self.notify(f"Marked {'unread' if summary.read else 'read'}: {quoted(summary.title or summary.id)}", timeout=2)

    def action_filter(self) -> None:
        """Show the filter input."""
        box = self.filter_box
        box.display = True
        box.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        """Filter as the reader types (once the typing pauses)."""
        if event.input is not self.filter_box:
            return
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._filter_timer = self.set_timer(_FILTER_DELAY, self._apply_filter)

    def _apply_filter(self) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
            self._filter_timer = None
        text = self.filter_box.value
        if text != self.view.text:
            self.set_view(replace(self.view, text=text))

    def action_clear(self) -> None:
        """Escape: clear and hide the filter, then every other filter; back to the list."""
        box = self.filter_box
        if self._filter_timer is not None:
            self._filter_timer.stop()
            self._filter_timer = None
        if box.display or self.view.text:
            with box.prevent(Input.Changed):
                box.value = ""
            box.display = False
            self.set_view(replace(self.view, text=""))
        elif self.filtering:
            self.set_view(View(self.view.sort, self.view.descending))
        self.table.focus()

    def action_search(self) -> None:
        """Search the text of every article."""
        from reader.screens.search import SearchScreen

        self.app.push_screen(SearchScreen())

    def action_remove(self) -> None:
        """Remove the highlighted article, after asking."""
        from reader.screens.confirm import ConfirmDialog

        summary = self.highlighted()
        if summary is None:
            self.notify("Nothing to remove here.", severity="warning")
            return
        notes = f" and its {plural(summary.annotations, 'annotation')}" if summary.annotations else ""
        title = summary.title or article_source(summary.site, summary.source)

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            try:
                self.library.remove(summary.id)
            except STORE_ERRORS as exc:
                self.notify(str(exc), title="Could not remove", severity="error")
                return
            self.notify(f"Removed {quoted(title)}.")
            self.reload()

        self.app.push_screen(
            ConfirmDialog(
                f"Remove {quoted(title, 60)}{notes} from the library?\nThis cannot be undone.",
                yes="Remove",
                title="Remove article",
            ),
            answered,
        )

    def action_export(self) -> None:
        """Export the whole library, through the export dialog."""
        from reader.screens.export import open_export_dialog

        open_export_dialog(self.app)

    def action_quit(self) -> None:
        """Leave reader."""
        self.app.exit()

    def action_help(self) -> None:
        """Show every key."""
        from reader.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self))

    def help_nodes(self) -> list[Any]:
        """What the help screen lists: this screen's keys, then the list's."""
        return [self, self.table]

    # -- ingesting -------------------------------------------------------------------------------

    def action_ingest(self) -> None:
        """Ask for paths or URLs, then ingest them in the background."""
        from reader.screens.ingest import IngestDialog

        if self.ingesting:
            self.notify("An ingest is already running.", severity="warning")
            return

        def answered(inputs: list[str] | None) -> None:
            if inputs:
                self.start_ingest(inputs)

        self.app.push_screen(IngestDialog(), answered)

    @property
    def ingesting(self) -> bool:
        """Whether an ingest worker is running."""
        return any(w.group == "ingest" and w.is_running for w in self.workers)

    def start_ingest(self, inputs: list[str]) -> None:
        """Show the progress bar and start the worker."""
        self.query_one("#ingest-status").display = True
        self.query_one("#ingest-label", Label).update(Content(f"Ingesting {plural(len(inputs), 'input')}…"))
        self.query_one("#ingest-progress", ProgressBar).update(total=None, progress=0)
        self.ingest(inputs)

    @work(thread=True, exclusive=True, group="ingest")
    def ingest(self, inputs: list[str]) -> None:
        """Read, analyse and store the inputs (spaCy is loaded here, never on the UI thread).

        Quitting sets the app's `stop_requested`, which the pipeline checks between inputs
        and inside a download, so the worker ends within a second.
        """
        from reader import pipeline
        from reader.nlp import ModelError

        app = self.reader

        def progress(done: int, total: int, name: str) -> None:
            self.post_message(self.IngestProgress(done, total, name))

        try:
            report = pipeline.ingest_into(
                app.library,
                inputs,
                model=app.config.model,
                models=app.config.models,
                on_progress=progress,
                cancel=app.stop_requested,
            )
        except (*STORE_ERRORS, ModelError, OSError) as exc:  # a missing model, an unreadable store
            self.post_message(self.IngestFinished(None, f"{exc}"))
            return
        self.post_message(self.IngestFinished(report))

    def on_library_screen_ingest_progress(self, message: IngestProgress) -> None:
        """Move the progress bar."""
        self.query_one("#ingest-progress", ProgressBar).update(total=message.total, progress=message.done)
        name = message.name.rsplit("/", 1)[-1] or message.name
        self.query_one("#ingest-label", Label).update(Content(f"Ingesting {message.done}/{message.total}: {name}"))

    def on_library_screen_ingest_finished(self, message: IngestFinished) -> None:
        """Hide the progress bar, show the new articles, and say what happened."""
        self.query_one("#ingest-status").display = False
        report = message.report
        if report is None:
            self.notify(
                f"{message.error}\n\nNothing was added. Fix the cause above and press i to try again.",
                title="Ingest failed",
                severity="error",
                timeout=15,
            )
            return
        self.reload(keep=report.added[0] if report.added else None)
        self.notify(ingest_summary(report), title="Ingest finished", severity=ingest_severity(report), timeout=10)


def ingest_summary(report: Any) -> str:
    """One notification's worth of what an ingest did, with what to do next when it failed."""
    parts: list[str] = []
    if report.added:
        parts.append(f"Added {plural(len(report.added), 'article')}.")
    if report.duplicates:
        parts.append(f"{len(report.duplicates)} already in the library.")
    if report.failed:
        shown = "; ".join(f"{name.rsplit('/', 1)[-1] or name}: {reason}" for name, reason in report.failed[:3])
        more = f" (and {len(report.failed) - 3} more)" if len(report.failed) > 3 else ""
        parts.append(f"{len(report.failed)} failed: {shown}{more}.")
        parts.append("Check the path or URL and press i to try again, or run `reader ingest PATH` for details.")
    if not parts:
        parts.append("No article found. Press i and give a file, a folder or an http(s) URL.")
    warning = getattr(report, "warning", None)
    if warning:
        parts.append(warning)
    return " ".join(parts)


def ingest_severity(report: Any) -> str:
    """Error when nothing was added and something failed, warning when some failed, else information."""
    if report.failed and not report.added:
        return "error"
    if report.failed:
        return "warning"
    return "information"
