"""The library: every article in one table, to sort, filter, open, ingest into and prune."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from typing import Any
from urllib.parse import urlparse

from rich.console import Console, ConsoleOptions, JustifyMethod, RenderResult
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Input, Label, ProgressBar, Static
from textual.widgets.data_table import ColumnKey, RowDoesNotExist

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


class Cell:
    """A library table cell, rendered only when it is on screen.

    DataTable measures every cell of every row it is given; an object without
    `__rich_measure__` costs nothing to measure, and the columns have fixed widths anyway.
    This is what keeps a library of thousands of articles instant.
    """

    __slots__ = ("text", "justify", "summary")

    def __init__(self, text: str, summary: ArticleSummary, justify: JustifyMethod = "left") -> None:
        self.text = text
        self.summary = summary  # what sorting in place looks at
        self.justify = justify

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        """The text, cut with an ellipsis when the column is too narrow."""
        yield Text(self.text, justify=self.justify, overflow="ellipsis", no_wrap=True, end="")

    def __str__(self) -> str:
        return self.text


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

    def cell(self, s: ArticleSummary) -> Cell:
        """What the row shows in this column."""
        match self.key:
            case "title":
                return Cell(s.title or f"(untitled) {source_name(s)}", s)
            case "source":
                return Cell(source_name(s), s)
            case "date":
                return Cell((s.date or "")[:10] or "—", s)
            case "words":
                return Cell(f"{s.words:,}", s, "right")
            case "entities":
                return Cell(f"{s.entities + s.numbers:,}", s, "right")
            case "annotations":
                return Cell(f"{s.annotations:,}", s, "right")
            case _:
                return Cell("read" if s.opened else "new", s)


COLUMNS = (
    Column("title", "Title", False),
    Column("source", "Source", False),
    Column("date", "Date", True),
    Column("words", "Words", True),
    Column("entities", "Spans", True),
    Column("annotations", "Notes", True),
    Column("read", "Read", False),
)
_NUMERIC = {"words", "entities", "annotations"}
# Up to this many articles the filter refills the table on every keystroke.
_REFILL_AT_ONCE = 500
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
        Binding("ctrl+e", "export", "Export…", id="library.export"),
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
        self._shown_title_width = 0
        self._filter_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        """Title bar, filter input (hidden until /), the tables, the empty message, progress, footer."""
        yield Static("", id="library-title")
        yield Input(placeholder="Filter by title or source (escape clears)", id="library-filter")
        with Vertical(id="library-body"):
            # Every article, filled when the library is read; and the matches while filtering.
            # Two tables, so that clearing a filter just shows the full one again instead of
            # refilling thousands of rows.
            yield DataTable(id="library-table", cursor_type="row", zebra_stripes=True)
            yield DataTable(id="library-matches", cursor_type="row", zebra_stripes=True)
            yield Static(EMPTY_LIBRARY, id="library-empty")
        with Horizontal(id="ingest-status"):
            yield Label("", id="ingest-label")
            yield ProgressBar(id="ingest-progress", show_eta=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        """Load the index and fill the table."""
        self.query_one("#library-filter", Input).display = False
        self.query_one("#ingest-status").display = False
        self.matches_table.display = False
        self.reload()
        self.app.steady_cursors(self)  # type: ignore[attr-defined]
        self.all_table.focus()

    def on_screen_resume(self) -> None:
        """Coming back from an article: its read state and annotation count may have changed."""
        if self.is_mounted:
            self.refresh_changed()

    # -- the tables -------------------------------------------------------------------------

    @property
    def all_table(self) -> DataTable[Any]:
        """The table of every article."""
        return self.query_one("#library-table", DataTable)

    @property
    def matches_table(self) -> DataTable[Any]:
        """The table of the articles that pass the filter."""
        return self.query_one("#library-matches", DataTable)

    @property
    def filtering(self) -> bool:
        """Whether a filter is typed."""
        return bool(self.filter_text.strip())

    @property
    def table(self) -> DataTable[Any]:
        """The table on screen."""
        return self.matches_table if self.filtering else self.all_table

    def read_summaries(self) -> None:
        """Read the summaries (the index only, never the articles)."""
        try:
            self.summaries = self.app.library.summaries()  # type: ignore[attr-defined]
        except Exception as exc:  # a corrupt index: say which file, keep the app usable
            self.summaries = []
            self.notify(str(exc), title="Cannot read the library", severity="error", timeout=10)

    def reload(self, select: str | None = None) -> None:
        """Read the summaries again and refill the tables."""
        current = select or self.highlighted_id()
        self.read_summaries()
        self.fill(self.all_table, self.ordered(self.summaries))
        if self.filtering:
            self.fill(self.matches_table, self.ordered(self.matching()))
        self.show_table(current)

    def refresh_changed(self) -> None:
        """Read the summaries again and update only the rows that changed (back from an article)."""
        before = {s.id: s for s in self.summaries}
        self.read_summaries()
        if set(before) != {s.id for s in self.summaries}:
            self.reload()
            return
        for summary in self.summaries:
            if before[summary.id] == summary:
                continue
            for table in (self.all_table, self.matches_table):
                if summary.id not in table.rows:
                    continue
                for column in COLUMNS:
                    table.update_cell(summary.id, column.key, column.cell(summary))

    def matching(self) -> list[ArticleSummary]:
        """The summaries whose title or source contains the filter text."""
        needle = self.filter_text.strip().casefold()
        return [
            s
            for s in self.summaries
            if needle in f"{s.title or ''}\n{source_name(s)}\n{s.source}\n{s.site or ''}".casefold()
        ]

    def ordered(self, rows: list[ArticleSummary]) -> list[ArticleSummary]:
        """`rows` in the chosen order (the index's order, newest first, when none is chosen)."""
        if self.sort_column is None:
            return rows
        return sorted(rows, key=self.sort_column.sort_key, reverse=self.sort_descending)

    def _title_width(self) -> int:
        # The title takes what the other columns leave; each column has one cell of padding
        # either side, and the scrollbar takes two.
        width = self.size.width or self.app.size.width
        return max(12, width - sum(_FIXED_WIDTHS.values()) - 2 * len(COLUMNS) - 2)

    def _heading(self, column: Column) -> Text:
        heading = column.heading
        if column is self.sort_column:
            heading += " ▼" if self.sort_descending else " ▲"
        return Text(heading, justify="right" if column.key in _NUMERIC else "left")

    def fill(self, table: DataTable[Any], rows: list[ArticleSummary]) -> None:
        """Replace a table's rows (and columns, sized to the screen)."""
        table.clear(columns=True)
        self._shown_title_width = self._title_width()
        for column in COLUMNS:
            width = _FIXED_WIDTHS.get(column.key, self._shown_title_width)
            table.add_column(self._heading(column), key=column.key, width=width)
        for s in rows:
            table.add_row(*(column.cell(s) for column in COLUMNS), key=s.id)

    def show_table(self, article_id: str | None = None) -> None:
        """Show the full table or the matches (or why there is nothing), cursor on `article_id`."""
        filtering, table = self.filtering, self.table
        focused = self.focused in (self.all_table, self.matches_table)
        self.all_table.display = not filtering and table.row_count > 0
        self.matches_table.display = filtering and table.row_count > 0
        if focused and table.display:
            table.focus()
        self._keep_cursor_on(table, article_id)
        self._show_counts(table.row_count)
        empty = self.query_one("#library-empty", Static)
        if not self.summaries:
            empty.update(EMPTY_LIBRARY)
        elif not table.row_count:
            empty.update(f"No article matches “{self.filter_text}”.\n\nPress escape to clear the filter.")
        empty.display = not table.row_count
        self.refresh_bindings()

    def apply_filter(self) -> None:
        """Show the articles that match the filter text (or all, when it is empty)."""
        current = self.highlighted_id()
        if self.filtering:
            self.fill(self.matches_table, self.ordered(self.matching()))
        else:
            self.matches_table.clear(columns=True)
        self.show_table(current)

    def reorder(self) -> None:
        """Sort the rows already in the tables in place: much cheaper than refilling them."""
        current = self.highlighted_id()
        column = self.sort_column
        rank = {s.id: i for i, s in enumerate(self.summaries)}
        for table in (self.all_table, self.matches_table):
            if column is None:
                table.sort(key=lambda cells: rank[cells[0].summary.id])
            else:
                table.sort(key=lambda cells: column.sort_key(cells[0].summary), reverse=self.sort_descending)
            for each in COLUMNS:
                if ColumnKey(each.key) in table.columns:
                    table.columns[ColumnKey(each.key)].label = self._heading(each)
        self._keep_cursor_on(self.table, current)
        self._show_counts(self.table.row_count)

    def _keep_cursor_on(self, table: DataTable[Any], article_id: str | None) -> None:
        if article_id is None or not table.row_count:
            return
        try:
            table.move_cursor(row=table.get_row_index(article_id))
        except RowDoesNotExist:  # not shown any more (filtered out or removed)
            table.move_cursor(row=0)

    def _show_counts(self, shown: int) -> None:
        total = len(self.summaries)
        what = f"{total:,} article{'s' if total != 1 else ''}"
        if shown != total or self.filtering:
            what = f"{shown:,} of {what}"
        order = ""
        if self.sort_column is not None:
            order = f" · by {self.sort_column.heading.lower()}"
        self.query_one("#library-title", Static).update(f"[b]reader[/b] · library · {what}{order}")

    def on_resize(self) -> None:
        """The title column takes the width the others leave: refill only when that changed."""
        if self.is_mounted and self._title_width() != self._shown_title_width:
            self.reload()

    def highlighted_id(self) -> str | None:
        """The id of the highlighted article, if any."""
        table = self.table
        if not table.row_count or not table.display:
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
        self.reorder()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """A click on a row (Enter goes through the binding) opens it."""
        event.stop()
        self.action_open()

    # -- actions ---------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Open, remove and sort are dimmed while no article is shown; export, while the library is empty."""
        if action in ("open", "remove", "sort") and self.is_mounted and not self.table.row_count:
            return None
        if action == "export" and self.is_mounted and not self.summaries:
            return None
        return True

    def action_open(self) -> None:
        """Open the highlighted article."""
        article_id = self.highlighted_id()
        if article_id is None:
            self.notify("Nothing to open here.", severity="warning")
            return
        self.app.open_article_screen(article_id)  # type: ignore[attr-defined]

    def action_sort(self) -> None:
        """Sort by the next column (the last step goes back to the order of ingestion)."""
        order = [None, *COLUMNS]
        self.sort_column = order[(order.index(self.sort_column) + 1) % len(order)]
        self.sort_descending = bool(self.sort_column and self.sort_column.descending_first)
        self.reorder()
        how = self.sort_column.heading.lower() if self.sort_column else "date added"
        self.notify(f"Sorted by {how}.", timeout=2)

    def action_filter(self) -> None:
        """Show the filter input."""
        box = self.query_one("#library-filter", Input)
        box.display = True
        box.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        """Filter as the reader types."""
        if event.input.id != "library-filter":
            return
        self.filter_text = event.value
        if self._filter_timer is not None:
            self._filter_timer.stop()
        if len(self.summaries) > _REFILL_AT_ONCE and self.filtering:
            # A big library refills once the typing pauses, not on every keystroke.
            self._filter_timer = self.set_timer(0.15, self.apply_filter)
        else:
            self.apply_filter()

    def action_close_filter(self) -> None:
        """Escape: clear and hide the filter; the full table comes back at once."""
        box = self.query_one("#library-filter", Input)
        if not box.display:
            return
        current = self.highlighted_id()
        if self._filter_timer is not None:
            self._filter_timer.stop()
        with box.prevent(Input.Changed):
            box.value = ""
        box.display = False
        self.filter_text = ""
        self.matches_table.clear(columns=True)
        self.show_table(current)
        self.all_table.focus()

    def action_remove(self) -> None:
        """Remove the highlighted article, after asking."""
        from reader.screens.confirm import ConfirmDialog

        summary = self.highlighted()
        if summary is None:
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
