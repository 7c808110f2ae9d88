"""The library: every article in one table, to sort, filter, open, ingest into and prune."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from typing import Any
from urllib.parse import urlparse

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Label, ProgressBar, Static

from reader.store import ArticleSummary

EMPTY_LIBRARY = (
    "[b]Your library is empty.[/b]\n\n"
    "Press [b]i[/b] to ingest a file, a folder or an http(s) URL,\n"
    "or run [b]reader ingest PATH[/b] in a shell, then come back.\n\n"
    "Press [b]?[/b] for every key, [b]q[/b] to quit."
)


def source_name(summary: ArticleSummary) -> str:
    """Where an article came from, short: the site, a URL's host, or a file's name (never a full path)."""
    if summary.site:
        return summary.site
    source = summary.source or ""
    if "://" in source:
        return urlparse(source).netloc or source
    return PurePath(source).name or source


@dataclass(frozen=True, slots=True)
class Column:
    """A column of the library table: its key, heading, how to sort it and how to show it."""

    key: str
    heading: str
    descending_first: bool

    def sort_key(self, s: ArticleSummary) -> Any:
        """The value rows are ordered by."""
        match self.key:
            case "title":
                return (s.title or "").casefold()
            case "source":
                return source_name(s).casefold()
            case "date":
                return s.date or ""
            case "words":
                return s.words
            case "entities":
                return s.entities + s.numbers
            case "annotations":
                return s.annotations
            case _:
                return (s.opened, s.position)

    def cell(self, s: ArticleSummary) -> str | Text:
        """What the row shows in this column."""
        match self.key:
            case "title":
                return Text(s.title or f"(untitled) {source_name(s)}", overflow="ellipsis", no_wrap=True)
            case "source":
                return Text(source_name(s), overflow="ellipsis", no_wrap=True)
            case "date":
                return (s.date or "")[:10] or "—"
            case "words":
                return Text(f"{s.words:,}", justify="right")
            case "entities":
                return Text(f"{s.entities + s.numbers:,}", justify="right")
            case "annotations":
                return Text(f"{s.annotations:,}", justify="right")
            case _:
                return "read" if s.opened else "new"


COLUMNS = (
    Column("title", "Title", False),
    Column("source", "Source", False),
    Column("date", "Date", True),
    Column("words", "Words", True),
    Column("entities", "Spans", True),
    Column("annotations", "Notes", True),
    Column("read", "Read", False),
)
# Title takes what the other columns leave.
_FIXED_WIDTHS = {"source": 18, "date": 10, "words": 7, "entities": 6, "annotations": 6, "read": 5}


class LibraryScreen(Screen[None]):
    """Every article in the library, in a sortable, filterable table."""

    HELP_SECTION = "Library"
    BINDINGS = [
        # A priority binding, so that Enter also opens the highlighted match while filtering.
        Binding("enter", "open", "Open", id="library.open", priority=True),
        Binding("slash", "filter", "Filter", id="library.filter"),
        Binding("s", "sort", "Sort", id="library.sort"),
        Binding("i", "ingest", "Ingest", id="library.ingest"),
        Binding("d", "remove", "Remove", id="library.remove"),
        Binding("escape", "close_filter", "Clear filter", show=False, id="library.close_filter"),
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
        self.summaries: list[ArticleSummary] = []
        self.sort_column: Column | None = None
        self.sort_descending = False
        self.filter_text = ""

    def compose(self) -> ComposeResult:
        """Title bar, filter input (hidden until /), the table, the empty message, progress, footer."""
        yield Static("", id="library-title")
        yield Input(placeholder="Filter by title or source (escape clears)", id="library-filter")
        with Vertical(id="library-body"):
            yield DataTable(id="library-table", cursor_type="row", zebra_stripes=True)
            yield Static(EMPTY_LIBRARY, id="library-empty")
        with Horizontal(id="ingest-status"):
            yield Label("", id="ingest-label")
            yield ProgressBar(id="ingest-progress", show_eta=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        """Load the index and fill the table."""
        self.query_one("#library-filter", Input).display = False
        self.query_one("#ingest-status").display = False
        self.reload()
        self.app.steady_cursors(self)  # type: ignore[attr-defined]
        self.query_one(DataTable).focus()

    def on_screen_resume(self) -> None:
        """Coming back from an article: its read state and annotation count may have changed."""
        if self.is_mounted:
            self.reload()

    # -- the table --------------------------------------------------------------------------

    def reload(self, select: str | None = None) -> None:
        """Read the summaries again (the index only) and redraw the table."""
        try:
            self.summaries = self.app.library.summaries()  # type: ignore[attr-defined]
        except Exception as exc:  # a corrupt index: say which file, keep the app usable
            self.summaries = []
            self.notify(str(exc), title="Cannot read the library", severity="error", timeout=10)
        self.show_rows(select)

    def visible(self) -> list[ArticleSummary]:
        """The summaries that pass the filter, in the chosen order."""
        rows = self.summaries
        needle = self.filter_text.strip().casefold()
        if needle:
            rows = [
                s
                for s in rows
                if needle in f"{s.title or ''}\n{source_name(s)}\n{s.source}\n{s.site or ''}".casefold()
            ]
        if self.sort_column is not None:
            rows = sorted(rows, key=self.sort_column.sort_key, reverse=self.sort_descending)
        return rows

    def show_rows(self, select: str | None = None) -> None:
        """Redraw the table, keeping the highlighted article highlighted when it is still shown."""
        table = self.query_one(DataTable)
        current = select or self.highlighted_id()
        table.clear(columns=True)
        title_width = max(12, self.size.width - sum(_FIXED_WIDTHS.values()) - 3 * len(COLUMNS) - 2)
        for column in COLUMNS:
            heading = column.heading
            if column is self.sort_column:
                heading += " ▼" if self.sort_descending else " ▲"
            table.add_column(heading, key=column.key, width=_FIXED_WIDTHS.get(column.key, title_width))
        rows = self.visible()
        for s in rows:
            table.add_row(*(column.cell(s) for column in COLUMNS), key=s.id)
        if current is not None:
            try:
                table.move_cursor(row=table.get_row_index(current))
            except Exception:  # not shown any more (filtered out or removed)
                table.move_cursor(row=0)
        self._show_counts(len(rows))
        empty = self.query_one("#library-empty", Static)
        if not self.summaries:
            empty.update(EMPTY_LIBRARY)
        elif not rows:
            empty.update(f"No article matches “{self.filter_text}”.\n\nPress escape to clear the filter.")
        empty.display = not rows
        table.display = bool(rows)

    def _show_counts(self, shown: int) -> None:
        total = len(self.summaries)
        what = f"{total:,} article{'s' if total != 1 else ''}"
        if shown != total:
            what = f"{shown:,} of {what}"
        order = ""
        if self.sort_column is not None:
            order = f" · by {self.sort_column.heading.lower()}"
        self.query_one("#library-title", Static).update(f"[b]reader[/b] · library · {what}{order}")

    def on_resize(self) -> None:
        """The title column takes the width the others leave."""
        if self.is_mounted:
            self.show_rows()

    def highlighted_id(self) -> str | None:
        """The id of the highlighted article, if any."""
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        except Exception:
            return None
        return key.value

    def highlighted(self) -> ArticleSummary | None:
        """The highlighted article's summary."""
        article_id = self.highlighted_id()
        return next((s for s in self.summaries if s.id == article_id), None)

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        """Clicking a heading sorts by it; clicking it again reverses the order."""
        column = next(c for c in COLUMNS if c.key == event.column_key.value)
        if column is self.sort_column:
            self.sort_descending = not self.sort_descending
        else:
            self.sort_column, self.sort_descending = column, column.descending_first
        self.show_rows()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """A click on a row (Enter goes through the binding) opens it."""
        event.stop()
        self.action_open()

    # -- actions ---------------------------------------------------------------------------

    def action_open(self) -> None:
        """Open the highlighted article."""
        article_id = self.highlighted_id()
        if article_id is None or not self.query_one(DataTable).display:
            self.notify("Nothing to open here.", severity="warning")
            return
        self.app.open_article_screen(article_id)  # type: ignore[attr-defined]

    def action_sort(self) -> None:
        """Sort by the next column (the last step goes back to the order of ingestion)."""
        order = [None, *COLUMNS]
        self.sort_column = order[(order.index(self.sort_column) + 1) % len(order)]
        self.sort_descending = bool(self.sort_column and self.sort_column.descending_first)
        self.show_rows()
        how = self.sort_column.heading.lower() if self.sort_column else "date added"
        self.notify(f"Sorted by {how}.", timeout=2)

    def action_filter(self) -> None:
        """Show the filter input."""
        box = self.query_one("#library-filter", Input)
        box.display = True
        box.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        """Filter as the reader types."""
        if event.input.id == "library-filter":
            self.filter_text = event.value
            self.show_rows()

    def action_close_filter(self) -> None:
        """Escape: clear and hide the filter."""
        box = self.query_one("#library-filter", Input)
        if not box.display:
            return
        box.value = ""
        box.display = False
        self.filter_text = ""
        self.show_rows()
        self.query_one(DataTable).focus()

    def action_remove(self) -> None:
        """Remove the highlighted article, after asking."""
        from reader.screens.confirm import ConfirmDialog

        summary = self.highlighted()
        if summary is None or not self.query_one(DataTable).display:
            self.notify("Nothing to remove here.", severity="warning")
            return
        notes = f" and its {summary.annotations} annotation{'s' if summary.annotations != 1 else ''}"
        title = summary.title or source_name(summary)

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            try:
                self.app.library.remove(summary.id)  # type: ignore[attr-defined]
            except Exception as exc:
                self.notify(str(exc), title="Could not remove", severity="error")
                return
            self.notify(f"Removed “{title}”.")
            self.reload()

        self.app.push_screen(
            ConfirmDialog(
                f"Remove “{title}”{notes if summary.annotations else ''} from the library?\n"
                "This cannot be undone.",
                yes="Remove",
                title="Remove article",
            ),
            answered,
        )

    def action_quit(self) -> None:
        """Leave reader."""
        self.app.exit()

    def action_help(self) -> None:
        """Show every key."""
        from reader.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self))

    def help_nodes(self) -> list[Any]:
        """What the help screen lists: this screen's keys, then the table's."""
        return [self]

    # -- ingesting -------------------------------------------------------------------------

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
        self.query_one("#ingest-label", Label).update(f"Ingesting {len(inputs)} input(s)…")
        self.query_one("#ingest-progress", ProgressBar).update(total=None, progress=0)
        self.ingest(inputs)

    @work(thread=True, exclusive=True, group="ingest")
    def ingest(self, inputs: list[str]) -> None:
        """Read, analyse and store the inputs (spaCy is loaded here, never on the UI thread)."""
        from reader import pipeline

        def progress(done: int, total: int, name: str) -> None:
            self.post_message(self.IngestProgress(done, total, name))

        try:
            report = pipeline.ingest_into(
                self.app.library,  # type: ignore[attr-defined]
                inputs,
                model=self.app.config.model,  # type: ignore[attr-defined]
                on_progress=progress,
            )
        except Exception as exc:  # a missing model, an unreadable store: report, don't crash
            self.post_message(self.IngestFinished(None, f"{exc}"))
            return
        self.post_message(self.IngestFinished(report))

    def on_library_screen_ingest_progress(self, message: IngestProgress) -> None:
        """Move the progress bar."""
        self.query_one("#ingest-progress", ProgressBar).update(total=message.total, progress=message.done)
        self.query_one("#ingest-label", Label).update(
            f"Ingesting {message.done}/{message.total}: {PurePath(message.name).name or message.name}"
        )

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
        self.reload(select=report.added[0] if report.added else None)
        self.notify(ingest_summary(report), title="Ingest finished", severity=ingest_severity(report), timeout=10)


def ingest_summary(report: Any) -> str:
    """One notification's worth of what an ingest did, with what to do next when it failed."""
    parts: list[str] = []
    if report.added:
        parts.append(f"Added {len(report.added)} article{'s' if len(report.added) != 1 else ''}.")
    if report.duplicates:
        parts.append(f"{len(report.duplicates)} already in the library.")
    if report.failed:
        shown = "; ".join(f"{PurePath(name).name or name}: {reason}" for name, reason in report.failed[:3])
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
