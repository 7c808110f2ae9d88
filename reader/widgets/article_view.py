"""The article body: wrapped text with entities, numbers and annotations highlighted inline.

A Line API widget: the text is wrapped into visual lines by `reader.layout.wrap_lines`, and
each line is rendered on its own, on demand, into a cached `Strip`. A cursor or selection move
repaints only the lines it touches, so a keypress costs the same on a long article as on a
short one.

How things look (the same in dark and light themes). A label's colour is the theme
variable `$label-<name>` (`$label-person`, `$label-work-of-art`) when the app defines one,
else the colour in the label set, else the `article-view--entity` background.

- model suggestions: the label's colour, faded into the background (the text keeps the
  theme's foreground colour, so it reads on any background);
- annotations: the label's colour solid, with black or white bold text, whichever contrasts;
  where two annotations overlap the innermost gives the colour and the text is italic;
- numbers: bold, in the `article-view--number` colour; numeric entities (CARDINAL, MONEY...)
  on their label's tint, plain numbers (NUM) on the bare background;
- rejected model spans and spans whose label is hidden: not highlighted;
- the cursor token and the selection: reversed; search matches: underlined. Text styles, never
  a background: a colour could be some label's colour (or land on the same entry of a
  256-colour terminal), and then a selection over that label would not show.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from operator import attrgetter, sub
from typing import Any, ClassVar, NamedTuple

from rich.cells import cell_len, get_character_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.color import Color, ColorParseError
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from reader.article import (
    NUM_LABEL,
    NUMBER_LABELS,
    Annotation,
    Article,
    ArticleState,
    Rejection,
    Span,
    in_text_order,
)
from reader.colours import label_variable
from reader.config import Label
from reader.layout import Lines, VisualLine, line_of_offset, wrap_lines

# How much of a label's colour a model suggestion gets over the background: enough to see
# the label, little enough that the theme's own text colour stays readable on it.
SUGGESTION_TINT = 0.4
# Spans longer than this are kept apart from the bisect index, so that one long annotation
# cannot widen every lookup window to the size of the article.
_LONG_SPAN = 256
# Anything below a space (and DEL, C1) would move the terminal's cursor; article text is
# cleaned at ingestion, this only guarantees the terminal never sees one.
_UNPRINTABLE = {c: " " for c in [*range(0x20), *range(0x7F, 0xA0)]}
# How a heading line stands out, and how a list bullet or quote bar is drawn.
_HEADING = Style(bold=True)
_PREFIX = Style(dim=True)
_START = attrgetter("start")
_END = attrgetter("end")


class _Mark(NamedTuple):
    """A plain character range (a search match)."""

    start: int
    end: int


class _SpanIndex:
    """Spans sorted by start and found by bisect: a lookup costs what it returns, not the article."""

    def __init__(self, spans: Iterable[Any]) -> None:
        spans = list(spans)
        # C-speed passes over int lists where it can: built on every open, over thousands.
        lengths = list(map(sub, map(_END, spans), map(_START, spans)))
        if lengths and max(lengths) > _LONG_SPAN:
            self._long = [s for s, n in zip(spans, lengths, strict=True) if n > _LONG_SPAN]
            spans = [s for s, n in zip(spans, lengths, strict=True) if n <= _LONG_SPAN]
            lengths = [n for n in lengths if n <= _LONG_SPAN]
        else:
            self._long = []
        self._reach = max(lengths, default=0)
        self._short = in_text_order(spans)
        self._starts = list(map(_START, self._short))

    def overlapping(self, start: int, end: int) -> list[Any]:
        """The spans that share at least one character with `[start, end)`."""
        lo = bisect_right(self._starts, start - self._reach)
        hi = bisect_left(self._starts, end)
        found = [s for s in self._short[lo:hi] if s.end > start]
        if self._long:
            found += [s for s in self._long if s.start < end and s.end > start]
        return found


class ArticleView(ScrollView, can_focus=True, inherit_bindings=False):
    """The article text with a token cursor, whole-token selection, search and highlighting."""

    ALLOW_SELECT = False  # selection is by whole tokens, done here, not by the screen

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "cursor_left", "Previous token", id="article.cursor_left", show=False),
        Binding("right", "cursor_right", "Next token", id="article.cursor_right", show=False),
        Binding("up", "cursor_up", "Line up", id="article.cursor_up", show=False),
        Binding("down", "cursor_down", "Line down", id="article.cursor_down", show=False),
        Binding("pageup", "page_up", "Page up", id="article.page_up", show=False),
        Binding("pagedown,space", "page_down", "Page down", id="article.page_down", show=False),
        Binding("home", "cursor_home", "Start of article", id="article.home", show=False),
        Binding("end", "cursor_end", "End of article", id="article.end", show=False),
        Binding("v", "toggle_selection", "Select", id="article.select", show=False),
        Binding(
            "shift+left",
            "extend_left",
            "Extend selection left",
            id="article.extend_left",
            show=False,
        ),
        Binding(
            "shift+right",
            "extend_right",
            "Extend selection right",
            id="article.extend_right",
            show=False,
        ),
        Binding("escape", "clear_selection", "Clear selection", id="article.clear_selection"),
        Binding("n", "next_match", "Next match", id="article.next_match", show=False),
        Binding("N", "previous_match", "Previous match", id="article.previous_match", show=False),
        Binding("tab", "next_stop", "Next entity", id="article.next_entity", show=False),
        Binding(
            "shift+tab",
            "previous_stop",
            "Previous entity",
            id="article.previous_entity",
            show=False,
        ),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "article-view--cursor",
        "article-view--selection",
        "article-view--match",
        "article-view--number",
        "article-view--entity",
        "article-view--overlap",
    }

    # Only Textual's own theme variables, so the widget works in any app and any theme; the
    # app restyles the component classes in its .tcss. Label colours come from the label set.
    DEFAULT_CSS = """
    ArticleView {
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-gutter: stable;
        & > .article-view--cursor { text-style: reverse; }
        & > .article-view--selection { text-style: reverse; }
        & > .article-view--match { text-style: underline; }
        & > .article-view--number { color: $text-warning; text-style: bold; }
        & > .article-view--entity { background: $secondary; }
        & > .article-view--overlap { text-style: italic; }
    }
    """

    @dataclass
    class CursorMoved(Message):
        """The cursor moved to another token; `offset` is that token's first character."""

        offset: int
        view: ArticleView | None = field(default=None, repr=False)

        @property
        def control(self) -> ArticleView | None:
            """The view whose cursor moved."""
            return self.view

    @dataclass
    class SelectionChanged(Message):
        """The selection changed; `selection` is `(start, end)` in characters, or None."""

        selection: tuple[int, int] | None
        view: ArticleView | None = field(default=None, repr=False)

        @property
        def control(self) -> ArticleView | None:
            """The view whose selection changed."""
            return self.view

    def __init__(
        self,
        article: Article,
        *,
        annotations: Sequence[Annotation] = (),
        rejections: Sequence[Rejection] = (),
        labels: Sequence[Label] = (),
        position: int = 0,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.article = article
        self._text = article.text
        self._paragraphs = article.paragraphs()
        self._kinds = article.paragraph_kinds()
        # Two int lists, not a tuple per token: a long article has tens of thousands of tokens,
        # and objects made on every open cost their making and then the collector's passes.
        self._tok_starts, self._tok_ends = article.token_edges()
        self._model_spans: list[Span] = article.analysis.spans() if article.analysis else []
        self._labels: dict[str, Label] = {label.name: label for label in labels}
        self._hidden: set[str] = set()

        self._lines = Lines()
        self._wrap_width = 0
        self._cursor = self._token_at_offset(position)
        self._anchor: int | None = None  # the other end of the selection, a token index
        self._selecting = False  # `v` mode: plain moves extend the selection
        self._drag_origin: int | None = None
        self._goal_column: int | None = None  # kept across up/down so the column survives
        self._center_on_layout = True

        self._query = ""
        self._matches = _SpanIndex(())
        self._match_list: list[_Mark] = []
        self._match_starts: list[int] = []
        self._match_version = 0

        # Everything a strip depends on besides the cursor, selection and matches: `_version`
        # for changes to every line (labels, hidden labels, theme), `_line_versions` for the
        # lines an annotation change touched.
        self._version = 0
        self._line_versions: dict[int, int] = {}
        self._strips: LRUCache[tuple[Any, ...], Strip] = LRUCache(1024)
        self._line_spans: dict[int, tuple[list[Span], list[Annotation]]] = {}
        self._label_styles: dict[tuple[str, str], Style | None] = {}
        self._stops: list[int] | None = None
        self._set_spans(annotations, rejections)

    # ---- state -------------------------------------------------------------------------

    @property
    def cursor(self) -> int:
        """Index of the cursor token in the article's tokens."""
        return self._cursor

    @cursor.setter
    def cursor(self, token: int) -> None:
        self._move(token)

    @property
    def selection(self) -> tuple[int, int] | None:
        """`(start, end)` characters of the whole-token selection, or None."""
        if self._anchor is None or not self._tok_starts:
            return None
        first, last = sorted((self._anchor, self._cursor))
        return self._tok_starts[first], self._tok_ends[last]

    @property
    def hidden_labels(self) -> frozenset[str]:
        """Labels whose highlighting is off; read-only, so that a change goes through the setter."""
        return frozenset(self._hidden)

    @hidden_labels.setter
    def hidden_labels(self, labels: Iterable[str]) -> None:
        self.set_hidden_labels(set(labels))

    @property
    def search_query(self) -> str:
        """The text last searched for ("" when there is no search)."""
        return self._query

    @property
    def matches(self) -> list[tuple[int, int]]:
        """`(start, end)` of every match of the search, in text order."""
        return [(m.start, m.end) for m in self._match_list]

    @property
    def lines(self) -> Sequence[VisualLine]:
        """The visual lines at the current width (empty until the view has a size)."""
        return self._lines

    def offset(self) -> int:
        """Character offset of the cursor token: the reading position to save."""
        return self._tok_starts[self._cursor] if self._tok_starts else 0

    def progress(self) -> float:
        """Reading progress, 0 to 1, from the scroll position (1 when it all fits)."""
        if not self._lines:
            return 0.0
        if self.max_scroll_y <= 0:
            return 1.0
        return min(1.0, self.scroll_y / self.max_scroll_y)

    def target(self) -> tuple[int, int] | None:
        """What a label key tags: the selection, else the model entity under the cursor, else the cursor token."""
        if (selection := self.selection) is not None:
            return selection
        if (entity := self.entity_at_cursor()) is not None:
            return entity.start, entity.end
        return self._token_bounds(self._cursor)

    def annotation_at_cursor(self) -> Annotation | None:
        """The innermost shown annotation that covers the cursor token."""
        if (bounds := self._token_bounds(self._cursor)) is None:
            return None
        found = [a for a in self._annotations.overlapping(*bounds) if a.label not in self._hidden]
        return min(found, key=lambda a: (a.end - a.start, a.start), default=None)

    def rejected_at_cursor(self) -> Span | None:
        """The innermost model span the reader rejected that covers the cursor token."""
        if (bounds := self._token_bounds(self._cursor)) is None:
            return None
        found = self._rejected.overlapping(*bounds)
        return min(found, key=lambda s: (s.end - s.start, s.start), default=None)

    def tokens_in(self, start: int, end: int) -> int:
        """How many tokens lie in `[start, end)`."""
        return max(0, bisect_left(self._tok_starts, end) - bisect_left(self._tok_starts, start))

    def entity_at_cursor(self) -> Span | None:
        """The shown, unrejected model entity or number covering the cursor token (innermost)."""
        if (bounds := self._token_bounds(self._cursor)) is None:
            return None
        found = [s for s in self._suggestions.overlapping(*bounds) if s.label not in self._hidden]
        return min(
            found, key=lambda s: (s.kind != "entity", s.end - s.start, s.start), default=None
        )

    # ---- commands from the screen --------------------------------------------------------

    def set_annotations(
        self, annotations: Sequence[Annotation], rejections: Sequence[Rejection]
    ) -> None:
        """Show a new set of annotations and rejections; repaints only the lines that changed."""
        old_annotations, old_rejections = self._shown_sets()
        self._set_spans(annotations, rejections)
        new_annotations, new_rejections = self._shown_sets()
        changed = [(a.start, a.end) for a in old_annotations ^ new_annotations]
        changed += [(r.start, r.end) for r in old_rejections ^ new_rejections]
        if not self._lines:
            return
        for start, end in changed:
            first, last = self._line_range(start, end)
            for index in range(first, last + 1):
                self._line_versions[index] = self._line_versions.get(index, 0) + 1
            self._refresh_line_range(first, last)

    def set_hidden_labels(self, labels: set[str]) -> None:
        """Turn highlighting off for these labels (and back on for all others)."""
        self._hidden = set(labels)
        self._invalidate_all()

    def set_labels(self, labels: Sequence[Label]) -> None:
        """Use another label set (colours) from now on."""
        self._labels = {label.name: label for label in labels}
        self._invalidate_all()

    def move_to_offset(self, offset: int, *, center: bool = True) -> None:
        """Put the cursor on the token containing (or else following) `offset` and show it."""
        self._move(self._token_at_offset(offset), center=center)

    def search(self, query: str) -> int:
        """Highlight every case-insensitive match of `query`; go to the first at or after the cursor."""
        self._query = query
        spans = (
            [_Mark(*m.span()) for m in re.finditer(re.escape(query), self._text, re.IGNORECASE)]
            if query
            else []
        )
        self._matches = _SpanIndex(spans)
        self._match_list = spans
        self._match_starts = [m.start for m in spans]
        self._match_version += 1
        self.refresh()
        if spans:
            here = self.offset()
            index = bisect_left(self._match_starts, here)
            start = self._match_starts[index % len(spans)]
            self._move(self._token_at_offset(start), center=True)
        return len(spans)

    def next_match(self) -> None:
        """Go to the next search match, wrapping round at the end."""
        if not self._match_starts or (bounds := self._token_bounds(self._cursor)) is None:
            return
        index = bisect_left(self._match_starts, bounds[1]) % len(self._match_starts)
        self._move(self._token_at_offset(self._match_starts[index]), center=True)

    def previous_match(self) -> None:
        """Go to the previous search match, wrapping round at the start."""
        if not self._match_starts or (bounds := self._token_bounds(self._cursor)) is None:
            return
        index = bisect_left(self._match_starts, bounds[0]) - 1
        self._move(self._token_at_offset(self._match_starts[index]), center=True)

    def clear_selection(self) -> None:
        """Drop the selection and leave selection mode."""
        before = self.selection
        self._anchor = None
        self._selecting = False
        self._selection_changed(before)

    # ---- actions ---------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Let escape and n/N fall through to the screen when they have nothing to do here."""
        if action == "clear_selection":
            return self._anchor is not None or self._selecting
        if action in ("next_match", "previous_match"):
            return bool(self._match_starts)
        return True

    def action_cursor_left(self) -> None:
        """Move the cursor one token back."""
        self._move(self._cursor - 1)

    def action_cursor_right(self) -> None:
        """Move the cursor one token on."""
        self._move(self._cursor + 1)

    def action_cursor_up(self) -> None:
        """Move the cursor one line up, keeping its column."""
        self._move_lines(-1)

    def action_cursor_down(self) -> None:
        """Move the cursor one line down, keeping its column."""
        self._move_lines(1)

    def action_page_up(self) -> None:
        """Scroll one page up; the cursor moves with the page."""
        self._page(-1)

    def action_page_down(self) -> None:
        """Scroll one page down; the cursor moves with the page."""
        self._page(1)

    def action_cursor_home(self) -> None:
        """Go to the first token."""
        self._move(0)

    def action_cursor_end(self) -> None:
        """Go to the last token."""
        self._move(len(self._tok_starts) - 1)

    def action_toggle_selection(self) -> None:
        """Start a selection at the cursor token; pressed again, stop extending it."""
        if self._selecting:
            self._selecting = False
            return
        before = self.selection
        self._anchor = self._cursor
        self._selecting = True
        self._selection_changed(before)

    def action_extend_left(self) -> None:
        """Extend the selection one token back (starting one at the cursor if none)."""
        self._move(self._cursor - 1, extend=True)

    def action_extend_right(self) -> None:
        """Extend the selection one token on (starting one at the cursor if none)."""
        self._move(self._cursor + 1, extend=True)

    def action_clear_selection(self) -> None:
        """Drop the selection."""
        self.clear_selection()

    def action_next_match(self) -> None:
        """Go to the next search match."""
        self.next_match()

    def action_previous_match(self) -> None:
        """Go to the previous search match."""
        self.previous_match()

    def action_next_stop(self) -> None:
        """Go to the start of the next entity, number or annotation."""
        stops = self._tab_stops()
        here = self.offset()
        index = bisect_right(stops, here)
        if index < len(stops):
            self._move(self._token_at_offset(stops[index]))

    def action_previous_stop(self) -> None:
        """Go to the start of the previous entity, number or annotation."""
        stops = self._tab_stops()
        index = bisect_left(stops, self.offset()) - 1
        if index >= 0:
            self._move(self._token_at_offset(stops[index]))

    # ---- mouse -----------------------------------------------------------------------------

    def on_mouse_down(self, event: events.MouseDown) -> None:
        """Put the cursor on the token under the pointer; a drag from here selects."""
        token = self._token_at_point(event)
        if token is None:
            return
        self.focus()
        self.clear_selection()
        self._move(token)
        self._drag_origin = token
        self.capture_mouse()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        """While dragging, select whole tokens from where the drag began."""
        if self._drag_origin is None:
            return
        token = self._token_at_point(event, capture=True)
        if token is None or (token == self._drag_origin and self._anchor is None):
            return
        if self._anchor is None:
            self._anchor = self._drag_origin
        self._move(token, extend=True)

    def on_mouse_up(self, event: events.MouseUp) -> None:
        """End a drag."""
        if self._drag_origin is not None:
            self._drag_origin = None
            self.release_mouse()

    def _token_at_point(self, event: events.MouseEvent, capture: bool = False) -> int | None:
        if not self._lines or not self._tok_starts:
            return None
        point = (
            event.get_content_offset_capture(self) if capture else event.get_content_offset(self)
        )
        if point is None:
            return None
        index = max(0, min(len(self._lines) - 1, point.y + self.scroll_offset.y))
        return self._token_at_column(index, point.x + self.scroll_offset.x)

    # ---- layout and rendering ------------------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        """Re-wrap when the width changed, keeping the top line's text at the top."""
        self._layout()

    def notify_style_update(self) -> None:
        """The theme or CSS changed: every cached colour and strip is stale."""
        super().notify_style_update()
        self._label_styles.clear()
        self._invalidate_all()

    def render_line(self, y: int) -> Strip:
        """The strip for row `y` of the view (Line API)."""
        self._layout()
        index = y + self.scroll_offset.y
        width = self._wrap_width
        if index >= len(self._lines) or width <= 0:
            return Strip.blank(width if width > 0 else self.size.width, self.rich_style)
        line = self._lines[index]
        start, end = line.start, line.end
        cursor = self._token_bounds(self._cursor)
        if cursor is not None and not (cursor[0] < end and cursor[1] > start):
            cursor = None
        selection = self.selection
        if selection is not None:
            selection = (max(selection[0], start), min(selection[1], end))
            if selection[0] >= selection[1]:
                selection = None
        matches = self._matches.overlapping(start, end) if self._match_starts else []
        key = (
            index,
            width,
            self._version,
            self._line_versions.get(index, 0),
            cursor,
            selection,
            self._match_version if matches else None,
        )
        strip = self._strips.get(key)
        if strip is None:
            strip = self._render_visual_line(index, line, cursor, selection, matches)
            self._strips[key] = strip
        return strip

    def _render_visual_line(
        self,
        index: int,
        line: VisualLine,
        cursor: tuple[int, int] | None,
        selection: tuple[int, int] | None,
        matches: list[_Mark],
    ) -> Strip:
        base = self.rich_style
        width = self._wrap_width
        if line.blank:
            return Strip.blank(width, base)
        start, end = line.start, line.end
        suggestions, annotations = self._spans_of_line(index, line)

        # Layers from the bottom up; a later layer wins where styles clash. Innermost spans
        # come later within a layer, so a short span inside a long one keeps its colour.
        layers: list[tuple[int, int, Style]] = []
        for span in sorted(suggestions, key=lambda s: s.start - s.end):
            style = self._label_style(span.label, "suggestion", span.kind)
            if style is not None:
                layers.append((span.start, span.end, style))
        ordered = sorted(annotations, key=lambda a: a.start - a.end)
        for annotation in ordered:
            layers.append(
                (
                    annotation.start,
                    annotation.end,
                    self._label_style(annotation.label, "annotation"),
                )
            )
        top: list[tuple[int, int, Style]] = []
        if matches:
            # The full style, not the partial one: it carries the theme's text colour and a
            # background already blended with the view's, so a match reads on any label colour.
            style = self.get_component_rich_style("article-view--match")
            top += [(m.start, m.end, style) for m in matches]
        if selection is not None:
            style = self.get_component_rich_style("article-view--selection")
            top.append((*selection, style))
        if cursor is not None:
            style = self.get_component_rich_style("article-view--cursor", partial=True)
            top.append((*cursor, style))
        overlap_style = (
            self.get_component_rich_style("article-view--overlap", partial=True)
            if len(ordered) > 1
            else None
        )

        cuts = {start, end}
        for layer in (layers, top):
            for s, e, _ in layer:
                cuts.add(min(max(s, start), end))
                cuts.add(min(max(e, start), end))
        points = sorted(cuts)
        text = self._text
        segments: list[Segment] = []
        for a, b in zip(points, points[1:], strict=False):
            style = base
            for s, e, layer_style in layers:
                if s <= a and e >= b:
                    style += layer_style
            if overlap_style is not None:
                covering = sum(1 for x in ordered if x.start <= a and x.end >= b)
                if covering > 1:
                    style += overlap_style
            for s, e, layer_style in top:
                if s <= a and e >= b:
                    style += layer_style
            segments.append(Segment(text[a:b].translate(_UNPRINTABLE), style))
        if self._kinds[line.paragraph] == "heading":
            segments = [Segment(t, (s or base) + _HEADING) for t, s, _ in segments]
        prefix = self._lines.prefix(index)
        if prefix:
            segments.insert(0, Segment(prefix, base + _PREFIX))
        # The space a line breaks at may hang one cell past the width: cropped here.
        return Strip(segments).adjust_cell_length(width, base)

    def _spans_of_line(self, index: int, line: VisualLine) -> tuple[list[Span], list[Annotation]]:
        """The shown suggestions and annotations on a line, found once per line and kept."""
        found = self._line_spans.get(index)
        if found is None:
            hidden = self._hidden
            suggestions = [
                s
                for s in self._suggestions.overlapping(line.start, line.end)
                if s.label not in hidden
            ]
            annotations = [
                a
                for a in self._annotations.overlapping(line.start, line.end)
                if a.label not in hidden
            ]
            found = self._line_spans[index] = (suggestions, annotations)
        return found

    def _label_style(self, label: str, role: str, kind: str = "entity") -> Style | None:
        """The style of a label as a suggestion or an annotation, resolved against the theme."""
        key = (label, role if role == "annotation" else f"{role}:{kind}")
        if key in self._label_styles:
            return self._label_styles[key]
        background = self.background_colors[1]
        is_number = kind == "number" or label in NUMBER_LABELS or label == NUM_LABEL
        # A plain number is not an entity: it is marked by the number style (a text colour),
        # not by a background, so that numbers stand apart from the entities around them.
        colour = None if role != "annotation" and label == NUM_LABEL else self._label_colour(label)
        style: Style | None
        if role == "annotation":
            colour = colour or self._fallback_colour()
            text = colour + colour.get_contrast_text(0.9)
            style = Style(color=text.rich_color, bgcolor=colour.rich_color, bold=True)
        else:
            if colour is None and not is_number:
                colour = self._fallback_colour()
            style = (
                Style(bgcolor=background.blend(colour, SUGGESTION_TINT).rich_color)
                if colour is not None
                else None
            )
            if is_number:
                number = self.get_component_rich_style("article-view--number", partial=True)
                style = number if style is None else style + number
        self._label_styles[key] = style
        return style

    def _label_colour(self, name: str) -> Color | None:
        """The theme's `$label-<name>` when the app defines it, else the label set's colour."""
        label = self._labels.get(name)
        for value in (self.app.theme_variables.get(label_variable(name)), label and label.color):
            if value:
                try:
                    return Color.parse(value)
                except ColorParseError:
                    continue
        return None

    def _fallback_colour(self) -> Color:
        style = self.get_component_rich_style("article-view--entity", partial=True)
        if style.bgcolor is not None:
            return Color.from_rich_color(style.bgcolor)
        return self.styles.color

    def _layout(self) -> None:
        """Wrap the text for the current width if it changed, and keep the reader's place."""
        width = self.scrollable_content_region.width
        if width <= 0 or width == self._wrap_width:
            return
        top = (
            self._lines.starts[self.scroll_offset.y]
            if self.scroll_offset.y < len(self._lines)
            else None
        )
        self._lines = wrap_lines(self._text, self._paragraphs, width, self._kinds)
        self._wrap_width = width
        self._strips.clear()
        self._line_spans.clear()
        self._line_versions.clear()
        self.virtual_size = Size(width, len(self._lines))
        # Forced: this may run mid-render, before Textual has re-measured the scrollbars, when
        # it still believes there is nothing to scroll.
        if top is not None:
            self.scroll_to(y=line_of_offset(self._lines, top), animate=False, force=True)
        self._show_cursor(center=self._center_on_layout, force=True)
        self._center_on_layout = False
        self.refresh()

    # ---- cursor machinery ------------------------------------------------------------------------

    def _move(
        self, token: int, *, extend: bool = False, center: bool = False, keep_column: bool = False
    ) -> None:
        """Put the cursor on `token`, extend or drop the selection, repaint what changed."""
        if not self._tok_starts:
            return
        token = max(0, min(len(self._tok_starts) - 1, token))
        old_cursor, old_selection = self._cursor, self.selection
        if extend:
            if self._anchor is None:
                self._anchor = old_cursor
        elif not self._selecting:
            self._anchor = None
        self._cursor = token
        if not keep_column:
            self._goal_column = None
        if token != old_cursor:
            self._refresh_token(old_cursor)
            self._refresh_token(token)
        self._show_cursor(center=center)
        self._selection_changed(old_selection)
        if token != old_cursor:
            self.post_message(self.CursorMoved(self.offset(), view=self))

    def _selection_changed(self, before: tuple[int, int] | None) -> None:
        """Repaint the lines where the selection grew or shrank, and tell the screen."""
        after = self.selection
        if after == before:
            return
        if before is None or after is None:
            s, e = before or after  # type: ignore[misc]
            self._refresh_chars(s, e)
        else:
            # Only the ends move when a selection is extended: repaint just those stretches.
            for a, b in ((before[0], after[0]), (before[1], after[1])):
                if a != b:
                    self._refresh_chars(min(a, b), max(a, b))
        self.post_message(self.SelectionChanged(after, view=self))

    def _move_lines(self, delta: int) -> None:
        """Move the cursor `delta` visual lines, keeping the goal column."""
        if not self._lines or not self._tok_starts:
            return
        current = line_of_offset(self._lines, self.offset())
        if self._goal_column is None:
            line = self._lines[current]
            self._goal_column = cell_len(self._text[line.start : self.offset()])
        target = max(0, min(len(self._lines) - 1, current + delta))
        step = 1 if delta > 0 else -1
        while self._lines.paragraphs[target] < 0:
            # Skip the blank line between paragraphs; at either end, step back instead.
            if not 0 <= target + step < len(self._lines):
                step = -step
            target += step
        if target == current:
            return
        column = self._goal_column
        self._move(self._token_at_column(target, column), extend=self._selecting, keep_column=True)

    def _page(self, direction: int) -> None:
        """Scroll a page and carry the cursor along by as many lines."""
        height = max(1, self.scrollable_content_region.height)
        self.scroll_to(y=self.scroll_y + direction * height, animate=False, immediate=True)
        self._move_lines(direction * height)

    def _show_cursor(self, *, center: bool, force: bool = False) -> None:
        """Scroll the cursor token into view, without animation."""
        if not self._lines or (bounds := self._token_bounds(self._cursor)) is None:
            return
        first, last = self._line_range(*bounds)
        self.scroll_to_region(
            Region(0, first, max(1, self._wrap_width), last - first + 1),
            animate=False,
            center=center,
            force=force,
            immediate=True,
        )

    def _refresh_token(self, token: int) -> None:
        if (bounds := self._token_bounds(token)) is not None:
            self._refresh_chars(*bounds)

    def _refresh_chars(self, start: int, end: int) -> None:
        if self._lines:
            self._refresh_line_range(*self._line_range(start, end))

    def _refresh_line_range(self, first: int, last: int) -> None:
        """Repaint lines `first..last`, only the part that is on screen."""
        top = self.scroll_offset.y
        bottom = top + self.scrollable_content_region.height - 1
        first, last = max(first, top), min(last, bottom)
        if first <= last:
            self.refresh_lines(first, last - first + 1)

    def _invalidate_all(self) -> None:
        self._version += 1
        self._line_spans.clear()
        self._stops = None
        self.refresh()

    # ---- lookups ---------------------------------------------------------------------------------

    def _set_spans(
        self, annotations: Sequence[Annotation], rejections: Sequence[Rejection]
    ) -> None:
        # Copies (the caller's list may change); the sets that diff one change from the next
        # are made on the first change, not on every open: hashing thousands of annotations
        # is not free.
        self._annotation_list = tuple(annotations)
        self._rejection_list = tuple(rejections)
        self._sets: tuple[set[Annotation], set[Rejection]] | None = None
        self._annotations = _SpanIndex(self._annotation_list)
        state = ArticleState(list(self._annotation_list), list(self._rejection_list))
        self._suggestions = _SpanIndex(state.suggestions(self._model_spans))
        rejected = state.rejected()
        self._rejected = _SpanIndex(
            [s for s in self._model_spans if (s.start, s.end, s.label) in rejected] if rejected else ()
        )
        self._line_spans.clear()
        self._stops = None

    def _shown_sets(self) -> tuple[set[Annotation], set[Rejection]]:
        """The annotations and rejections shown, as sets; made once per change."""
        if self._sets is None:
            self._sets = set(self._annotation_list), set(self._rejection_list)
        return self._sets

    def _tab_stops(self) -> list[int]:
        """Starts of every shown suggestion and annotation, sorted; rebuilt only after changes."""
        if self._stops is None:
            hidden = self._hidden
            starts = {
                s.start
                for s in self._suggestions.overlapping(0, len(self._text))
                if s.label not in hidden
            }
            starts |= {a.start for a in self._annotation_list if a.label not in hidden}
            self._stops = sorted(starts)
        return self._stops

    def _token_bounds(self, token: int) -> tuple[int, int] | None:
        if not 0 <= token < len(self._tok_starts):
            return None
        return self._tok_starts[token], self._tok_ends[token]

    def _token_at_offset(self, offset: int) -> int:
        """The token containing `offset`, else the next one, else the last."""
        if not self._tok_starts:
            return 0
        return min(bisect_right(self._tok_ends, offset), len(self._tok_starts) - 1)

    def _line_range(self, start: int, end: int) -> tuple[int, int]:
        """First and last visual line holding characters `[start, end)`."""
        first = line_of_offset(self._lines, start)
        last = line_of_offset(self._lines, max(start, end - 1))
        return first, last

    def _token_at_column(self, index: int, column: int) -> int:
        """The token at cell `column` of visual line `index`, or the nearest one on that line."""
        line = self._lines[index]
        column = max(0, column - cell_len(line.prefix))
        text = self._text
        offset, cells = line.start, 0
        while offset < line.end:
            cells += get_character_cell_size(text[offset])
            if cells > column:
                break
            offset += 1
        token = self._token_at_offset(min(offset, max(line.start, line.end - 1)))
        if self._tok_starts[token] >= line.end:
            # Past the last word of the line (or a line of spaces): take the line's last token.
            token = max(0, bisect_left(self._tok_starts, line.end) - 1)
        return token
