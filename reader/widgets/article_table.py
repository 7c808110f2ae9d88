"""The library's list of articles: a Line API table that fetches only the rows on screen.

A `DataTable` is given every row up front and measures each one, so its start-up grows
with the library (about a second for 10,000 rows). This table knows only how many rows its
source has; each repaint asks the source for the page of rows it draws (the catalog answers
from an index in about a millisecond), keeps a few pages, and forgets them when the source
changes. Opening a library of 100,000 articles costs what opening one of 100 does.

Columns share the width by priority: the title takes what is left, and the columns a
narrow terminal cannot fit are left out, least useful first.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, Protocol

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from reader.article import article_source
from reader.catalog import ArticleSummary, SortKey

# What a cell may never hold: a control character would move the terminal's cursor.
_UNPRINTABLE = {c: " " for c in [*range(0x20), *range(0x7F, 0xA0)]}
_PAGE = 64
_PAGES_KEPT = 16
REVIEW_MARKS = {"new": " ", "in_progress": "◐", "done": "✓", "ignored": "–"}


class RowSource(Protocol):
    """Where the table's rows come from (the library, through a view)."""

    def count(self) -> int:
        """How many rows there are."""
        ...

    def page(self, offset: int, limit: int) -> list[ArticleSummary]:
        """`limit` rows from `offset`."""
        ...

    def index_of(self, article_id: str) -> int | None:
        """Where an article is among the rows (None when it is not)."""
        ...


@dataclass(frozen=True, slots=True)
class Column:
    """A column: its key, heading, width (0: takes what is left), and when it is dropped."""

    key: str
    heading: str
    width: int
    priority: int  # the lower, the longer it stays on a narrow screen
    sort: SortKey | None = None
    right: bool = False

    def cell(self, s: ArticleSummary) -> str:
        """What a row shows in this column."""
        match self.key:
            case "mark":
                return REVIEW_MARKS.get(s.status, " ") + ("•" if not s.read else " ")
            case "title":
                return s.title or f"(untitled) {article_source(s.site, s.source)}"
            case "byline":
                return s.byline or ""
            case "site":
                return article_source(s.site, s.source)
            case "date":
                return (s.date or "")[:10] or "—"
            case "language":
                return s.language or ""
            case "words":
                return f"{s.words:,}"
            case "annotations":
                return f"{s.annotations:,}" if s.annotations else ""
            case _:
                return ""


COLUMNS: tuple[Column, ...] = (
    Column("mark", "", 2, 0, "status"),
    Column("title", "Title", 0, 0, "title"),
    Column("byline", "Byline", 20, 4),
    Column("site", "Site", 16, 2, "site"),
    Column("date", "Date", 10, 1, "date"),
    Column("language", "Lang", 4, 5),
    Column("words", "Words", 6, 3, right=True),
    Column("annotations", "Notes", 5, 1, "annotations", right=True),
)
MIN_TITLE = 24
_GAP = 1


def fit_columns(width: int) -> list[tuple[Column, int]]:
    """The columns that fit in `width` cells, with their widths; the title takes the rest."""
    shown = list(COLUMNS)
    while True:
        fixed = sum(c.width for c in shown if c.width) + _GAP * (len(shown) - 1)
        if width - fixed >= MIN_TITLE or len(shown) <= 3:
            break
        drop = max((c for c in shown if c.priority), key=lambda c: c.priority, default=None)
        if drop is None:
            break
        shown.remove(drop)
    fixed = sum(c.width for c in shown if c.width) + _GAP * (len(shown) - 1)
    return [(c, c.width or max(8, width - fixed)) for c in shown]


def _fit(text: str, width: int, right: bool = False) -> str:
    """`text` on one line in exactly `width` cells: cut with an ellipsis, or padded."""
    text = text.translate(_UNPRINTABLE)
    if cell_len(text) > width:
        text = set_cell_size(text, max(0, width - 1)) + "…" if width > 0 else ""
    pad = width - cell_len(text)
    return " " * pad + text if right else text + " " * pad


class ArticleTableHeader(Widget):
    """The column headings, with the sort order; a click on one asks to sort by it."""

    DEFAULT_CSS = """
    ArticleTableHeader {
        height: 1;
        background: $panel;
        color: $text;
        text-style: bold;
        padding: 0 2 0 0;
    }
    """

    @dataclass
    class Clicked(Message):
        """A heading was clicked."""

        sort: SortKey

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.sort: SortKey = "added"
        self.descending = True

    def show_order(self, sort: SortKey, descending: bool) -> None:
        """Mark the column the rows are sorted by."""
        self.sort, self.descending = sort, descending
        self.refresh()

    def render_line(self, y: int) -> Strip:
        """The headings, laid out as the table lays out its columns."""
        parts: list[Segment] = []
        for n, (column, width) in enumerate(fit_columns(self.size.width)):
            heading = column.heading
            if column.sort is not None and column.sort == self.sort:
                heading += " ▼" if self.descending else " ▲"
            if n:
                parts.append(Segment(" " * _GAP))
            parts.append(Segment(_fit(heading, width, column.right)))
        return Strip(parts).adjust_cell_length(self.size.width).apply_style(self.rich_style)

    def on_click(self, event: events.Click) -> None:
        """Sort by the clicked column (when it sorts)."""
        x = 0
        for column, width in fit_columns(self.size.width):
            if x <= event.x < x + width and column.sort is not None:
                self.post_message(self.Clicked(column.sort))
                return
            x += width + _GAP


class ArticleTable(ScrollView, can_focus=True):
    """Every article of a view, one per line; the highlighted one is the cursor row.

    With a `pinned` summary, an extra first row offers it (the library's "continue reading").
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False, id="library.cursor_up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="library.cursor_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="library.page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="library.page_down"),
        Binding("home,g", "first", "First article", show=False, id="library.first"),
        Binding("end,G", "last", "Last article", show=False, id="library.last"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "article-table--cursor",
        "article-table--even",
        "article-table--pinned",
        "article-table--unread",
        "article-table--set-aside",
    }

    DEFAULT_CSS = """
    ArticleTable {
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-gutter: stable;
        & > .article-table--cursor { background: $block-cursor-background; color: $block-cursor-foreground; text-style: bold; }
        & > .article-table--even { background: $surface; }
        & > .article-table--pinned { color: $accent; text-style: bold italic; }
        & > .article-table--unread { text-style: bold; }
        & > .article-table--set-aside { color: $text-muted; }
    }
    """

    @dataclass
    class Highlighted(Message):
        """The cursor moved to another article (None: the table is empty)."""

        article_id: str | None

    @dataclass
    class Chosen(Message):
        """Enter (or a click on the highlighted row) on an article; `pinned` for the pinned row."""

        article_id: str
        pinned: bool

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._source: RowSource | None = None
        self._count = 0
        self._pinned: ArticleSummary | None = None
        self._pages: OrderedDict[int, list[ArticleSummary]] = OrderedDict()
        self._cursor = 0
        self._highlighted: str | None = None

    # -- what it shows -------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        """Rows in the table, the pinned one included."""
        return self._count + (1 if self._pinned else 0)

    @property
    def cursor(self) -> int:
        """The cursor row."""
        return self._cursor

    @property
    def pinned(self) -> ArticleSummary | None:
        """The pinned first row's article, if any."""
        return self._pinned

    def show(self, source: RowSource, *, pinned: ArticleSummary | None = None, keep: str | None = None) -> None:
        """Show the rows of `source` (and a pinned first row); the cursor stays on `keep` when
        the new rows hold it, else goes to the first row."""
        self._source = source
        self._pinned = pinned
        self._pages.clear()
        self._count = source.count()
        self.virtual_size = Size(self.size.width, self.row_count)
        row = 0
        if keep is not None:
            found = source.index_of(keep)
            if found is not None:
                row = found + (1 if pinned else 0)
        self._cursor = min(row, max(0, self.row_count - 1))
        self.refresh()
        self._cursor_moved(center=True)

    def summary_at(self, row: int) -> ArticleSummary | None:
        """The article on row `row`."""
        if self._pinned is not None:
            if row == 0:
                return self._pinned
            row -= 1
        if self._source is None or not 0 <= row < self._count:
            return None
        page = self._pages.get(row // _PAGE)
        if page is None:
            page = self._source.page(row // _PAGE * _PAGE, _PAGE)
            self._pages[row // _PAGE] = page
            while len(self._pages) > _PAGES_KEPT:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(row // _PAGE)
        index = row % _PAGE
        return page[index] if index < len(page) else None

    def highlighted(self) -> ArticleSummary | None:
        """The article under the cursor."""
        return self.summary_at(self._cursor) if self.row_count else None

    def rows(self) -> list[ArticleSummary]:
        """Every row's article (for tests and small tables: it fetches them all)."""
        return [s for s in (self.summary_at(i) for i in range(self.row_count)) if s is not None]

    def move_to(self, row: int) -> None:
        """Put the cursor on `row` (clamped)."""
        if not self.row_count:
            return
        row = max(0, min(row, self.row_count - 1))
        if row != self._cursor:
            before = self._cursor
            self._cursor = row
            self._refresh_row(before)
            self._refresh_row(row)
        self._cursor_moved(center=False)

    # -- keys and mouse ------------------------------------------------------------------------

    def _page_height(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def action_cursor_up(self) -> None:
        """One row up."""
        self.move_to(self._cursor - 1)

    def action_cursor_down(self) -> None:
        """One row down."""
        self.move_to(self._cursor + 1)

    def action_page_up(self) -> None:
        """A screenful up."""
        self.move_to(self._cursor - self._page_height())

    def action_page_down(self) -> None:
        """A screenful down."""
        self.move_to(self._cursor + self._page_height())

    def action_first(self) -> None:
        """The first row."""
        self.move_to(0)

    def action_last(self) -> None:
        """The last row."""
        self.move_to(self.row_count - 1)

    def choose(self) -> None:
        """Say that the highlighted article was chosen."""
        summary = self.highlighted()
        if summary is not None:
            self.post_message(self.Chosen(summary.id, self._pinned is not None and self._cursor == 0))

    def on_click(self, event: events.Click) -> None:
        """A click highlights a row; a click on the highlighted row (or a double click) opens it."""
        row = event.y + self.scroll_offset.y
        if not 0 <= row < self.row_count:
            return
        if row == self._cursor or event.chain > 1:
            self.move_to(row)
            self.choose()
        else:
            self.move_to(row)

    # -- drawing -------------------------------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        """Columns are laid out for the width: repaint everything."""
        self.virtual_size = Size(self.size.width, self.row_count)
        self.refresh()

    def render_line(self, y: int) -> Strip:
        """Row `y` of the window onto the table."""
        row = y + self.scroll_offset.y
        width = self.scrollable_content_region.width or self.size.width
        summary = self.summary_at(row) if row < self.row_count else None
        if summary is None:
            return Strip.blank(width, self.rich_style)
        style = self.rich_style
        if row % 2:
            style += self.get_component_rich_style("article-table--even", partial=True)
        if not summary.read:
            style += self.get_component_rich_style("article-table--unread", partial=True)
        if summary.status in ("done", "ignored"):
            style += self.get_component_rich_style("article-table--set-aside", partial=True)
        pinned = self._pinned is not None and row == 0
        if pinned:
            style += self.get_component_rich_style("article-table--pinned", partial=True)
        if row == self._cursor and self.row_count:
            style += self.get_component_rich_style("article-table--cursor", partial=True)
        parts: list[Segment] = []
        for n, (column, cells) in enumerate(fit_columns(width)):
            text = column.cell(summary)
            if pinned and column.key == "title":
                text = f"↻ Continue reading: {text}"
            if n:
                parts.append(Segment(" " * _GAP, style))
            parts.append(Segment(_fit(text, cells, column.right), style))
        return Strip(parts).adjust_cell_length(width, style)

    def _refresh_row(self, row: int) -> None:
        top = self.scroll_offset.y
        if top <= row < top + self.scrollable_content_region.height:
            self.refresh_line(row - top)

    def _cursor_moved(self, *, center: bool) -> None:
        if self.row_count:
            self.scroll_to_region(
                Region(0, self._cursor, 1, 1), animate=False, center=center, immediate=True
            )
        summary = self.highlighted()
        article_id = summary.id if summary else None
        if article_id != self._highlighted:
            self._highlighted = article_id
            self.post_message(self.Highlighted(article_id))


class ViewSource:
    """A library view as the table's rows."""

    def __init__(self, count: Callable[[], int], page: Callable[[int, int], list[ArticleSummary]],
                 index_of: Callable[[str], int | None]) -> None:
        self.count = count  # type: ignore[method-assign]
        self.page = page  # type: ignore[method-assign]
        self.index_of = index_of  # type: ignore[method-assign]


class OrderedSource:
    """A view's rows from a list of its row numbers in order, made once: for views that no
    index keeps in order, whose every page would otherwise sort all their rows again."""

    def __init__(
        self,
        numbers: list[int],
        rows: Callable[[list[int]], list[ArticleSummary]],
        number_of: Callable[[str], int | None],
    ) -> None:
        self._numbers = numbers
        self._rows = rows
        self._number_of = number_of
        self._ids: dict[str, int] = {}

    def count(self) -> int:
        """How many rows there are."""
        return len(self._numbers)

    def page(self, offset: int, limit: int) -> list[ArticleSummary]:
        """`limit` rows from `offset`."""
        page = self._rows(self._numbers[offset : offset + limit])
        for n, summary in enumerate(page, offset):
            self._ids[summary.id] = n
        return page

    def index_of(self, article_id: str) -> int | None:
        """Where an article is among the rows (None when the view does not show it)."""
        if article_id not in self._ids:
            number = self._number_of(article_id)
            if number is None or number not in self._numbers:
                return None
            self._ids[article_id] = self._numbers.index(number)
        return self._ids[article_id]
