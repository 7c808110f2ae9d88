"""The article screen: read, tag, accept and reject, with undo, search and the entity panel.

The screen owns what changes the store; the view only shows and posts messages. Every change
is written through `Library` as it is made, and the view is then given what the store holds.
A write can fail for reasons outside the program (a damaged store file, the article removed
meanwhile by the command line or another window): those are caught and said; anything else is
a bug and goes to the app's one handler.
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Input, Static

from reader.app import STORE_ERRORS, ReaderApp, reader_app
from reader.article import (
    NUM_LABEL,
    Annotation,
    Article,
    ArticleState,
    ReviewStatus,
    Span,
    article_source,
    other_occurrences,
    web_address,
)
from reader.config import HOTKEYS, Label
from reader.history import (
    AcrossLibrary,
    Added,
    AddedMany,
    Change,
    Deleted,
    History,
    Rejected,
    RejectedAccepted,
    Relabelled,
    ReviewChanged,
)
from reader.store import ArticleGone, Library
from reader.text import plural, quoted
from reader.textual_private import rename_bindings
from reader.widgets.article_header import ArticleHeader
from reader.widgets.article_view import ArticleView
from reader.widgets.entity_panel import EntityPanel, group_mentions
from reader.widgets.key_footer import KeyFooter
from reader.widgets.label_legend import LabelLegend
from reader.widgets.text_input import TextInput

# The status line when the cursor is on plain text: the keys the footer has no room for.
HINT = "tab next entity · v select · e entities · ? every key"
STATUS_NAMES: dict[str, str] = {
    "new": "new",
    "in_progress": "in progress",
    "done": "done",
    "ignored": "ignored",
}


def span_state(
    annotation: Annotation | None, suggestion: Span | None, rejected: Span | None
) -> tuple[str, str, int, int] | None:
    """What the cursor is on, for the status line: (label, state, start, end), or None.

    The state is the reader's word for it: `manual` (tagged by hand), `accepted` (a model
    entity kept), `model` (a suggestion nobody reviewed), `rejected`.
    """
    if annotation is not None:
        state = "accepted" if annotation.source == "model" else "manual"
        return annotation.label, state, annotation.start, annotation.end
    if suggestion is not None:
        if suggestion.label == NUM_LABEL:
            # reader's highlight of a number no entity covers: nothing to accept.
            return "plain number", "not an entity (1-9 or l tags it)", suggestion.start, suggestion.end
        return suggestion.label, "model", suggestion.start, suggestion.end
    if rejected is not None:
        return rejected.label, "rejected", rejected.start, rejected.end
    return None


class ArticleScreen(Screen[None]):
    """One article: header, legend, the text with highlights, the entity panel, and the keys."""

    HELP_SECTION = "Article"
    # At this many rows or fewer the header takes a line per part (`-short` in app.tcss).
    SHORT = 20
    BINDINGS = [
        Binding("q", "back", "Back", show=False, id="article.back"),
        Binding("slash", "search", "Search", id="article.search"),
        *(
            Binding(key, f"tag_key('{key}')", f"Tag with label {key}", show=False, id=f"article.tag_{key}")
            for key in HOTKEYS
        ),
        Binding("l", "pick_label", "Label…", id="article.pick_label"),
        Binding("a", "accept", "Accept", id="article.accept"),
        Binding("A", "accept_all", "Accept all", show=False, id="article.accept_all"),
        Binding("x", "reject", "Reject", id="article.reject"),
        Binding("d", "delete", "Delete", show=False, id="article.delete"),
        Binding("asterisk", "tag_every_occurrence", "Tag every occurrence", show=False, id="article.tag_every"),
        Binding("u", "undo", "Undo", id="article.undo"),
        Binding("ctrl+r", "redo", "Redo", show=False, id="article.redo"),
        Binding("D", "review_done", "Done, next", id="article.review_done"),
        Binding("I", "review_ignore", "Ignore, next", show=False, id="article.review_ignore"),
        Binding("R", "review_again", "Review again", show=False, id="article.review_again"),
        Binding("y", "copy", "Copy", show=False, id="article.copy"),
        Binding("o", "open_url", "Open in browser", show=False, id="article.open_url"),
        Binding("e", "toggle_entities", "Entities", show=False, id="article.entities"),
        Binding("ctrl+e", "export", "Export…", show=False, id="article.export"),
        Binding("h", "toggle_label", "Hide label", show=False, id="article.hide_label"),
        Binding("H", "show_all_labels", "Show all labels", show=False, id="article.show_labels"),
        Binding("escape", "close_search", "Close search", show=False, id="article.close_search"),
        Binding("question_mark", "help", "Help", id="article.help"),
    ]

    def __init__(self, article: Article, *, state: ArticleState | None = None) -> None:
        super().__init__()
        self.article = article
        self.state = state or ArticleState()
        self.history = History()
        self.hidden: set[str] = set()
        self._panel_stale = True
        self._gone = False
        # None: the first save always writes, which is also what marks the article as read.
        self._saved_position: int | None = None
        self._offset = self.state.position
        # How many unsettled model entities the last D warned about (0: none).
        self._done_warned = 0

    # -- the app's library and label set -----------------------------------------------------

    @property
    def reader(self) -> ReaderApp:
        """The app, typed."""
        return reader_app(self)

    @property
    def library(self) -> Library:
        """The library the article lives in."""
        return self.reader.library

    @property
    def labels(self) -> list[Label]:
        """The config's label set."""
        return list(self.reader.config.labels)

    @property
    def annotations(self) -> list[Annotation]:
        """The article's annotations, as the store last said."""
        return self.state.annotations

    def _describe_tag_keys(self) -> None:
        """Name the label each tag key tags with, for the footer, help and palette."""
        names = {f"article.tag_{label.key}": label.name for label in self.labels if label.key}

        def describe(binding: Binding) -> str | None:
            if not (binding.id or "").startswith("article.tag_") or binding.id == "article.tag_every":
                return None
            name = names.get(binding.id or "")
            return f"Tag as {name}" if name else f"Tag with label {binding.key}"

        rename_bindings(self, describe)

    def labels_changed(self) -> None:
        """The label set changed (a new label, a new name or colour): show the new one."""
        self._describe_tag_keys()
        if self.is_mounted:
            self.view.set_labels(self.labels)
            self.refresh_overview()
            self.refresh_bindings()

    def compose(self) -> ComposeResult:
        """Header, legend, the text and the (hidden) entity panel, status line, search, footer."""
        yield ArticleHeader(self.article, id="article-header")
        yield LabelLegend(id="label-legend")
        with Horizontal(id="article-body"):
            yield ArticleView(
                self.article,
                annotations=self.state.annotations,
                rejections=self.state.rejections,
                labels=self.labels,
                position=self.state.position,
                id="article-view",
            )
            yield EntityPanel(id="entity-panel")
        with Horizontal(id="article-status-row"):
            yield Static("", id="article-status")
            yield Static("", id="article-review")
        yield TextInput(placeholder="Search the article (Enter finds, n/N next/previous)", id="article-search")
        yield KeyFooter()

    @property
    def view(self) -> ArticleView:
        """The article text."""
        return self.query_one(ArticleView)

    @property
    def panel(self) -> EntityPanel:
        """The entity panel."""
        return self.query_one(EntityPanel)

    def on_mount(self) -> None:
        """Hide the panel and the search; show the legend; read from where the reader left off."""
        self._describe_tag_keys()
        self.refresh_bindings()
        self.panel.display = False
        self.query_one("#article-search", Input).display = False
        self.reader.steady_cursors(self)
        self.refresh_overview()
        self.view.focus()
        self.watch(self.view, "scroll_y", self._show_progress, init=False)
        self.call_after_refresh(self._show_progress)

    def on_resize(self, event: events.Resize) -> None:
        """A short terminal gets a header of a line per part, so the text keeps the room."""
        self.set_class(event.size.height <= self.SHORT, "-short")

    def on_unmount(self) -> None:
        """Leaving by any way (q, or quitting the app) keeps the reading position."""
        self.save_position()

    # -- what the screen shows --------------------------------------------------------------

    def shown_spans(self) -> list[tuple[int, int, str]]:
        """The model's suggestions and the annotations, as (start, end, label), unordered."""
        analysis = self.article.analysis
        model = self.state.suggestions(analysis.spans()) if analysis else []
        return [(s.start, s.end, s.label) for s in model] + [
            (a.start, a.end, a.label) for a in self.state.annotations
        ]

    def refresh_overview(self) -> None:
        """Redraw the legend and the status line, and the entity panel when it is shown."""
        spans = self.shown_spans()
        self.query_one(LabelLegend).show({label for _, _, label in spans}, self.labels, self.hidden)
        # Thousands of highlights make thousands of rows: built only for a reader who looks.
        self._panel_stale = True
        if self.panel.display:
            self.refresh_panel(spans)
        self.refresh_status()

    def refresh_panel(self, spans: list[tuple[int, int, str]] | None = None) -> None:
        """Rebuild the entity panel's groups."""
        spans = self.shown_spans() if spans is None else spans
        self.panel.show(
            group_mentions(self.article.text, spans), self.hidden, [lab.name for lab in self.labels]
        )
        self._panel_stale = False

    def status_line(self) -> Content:
        """The line under the text: the selection, else the span under the cursor and its state."""
        view, text = self.view, self.article.text
        if (selection := view.selection) is not None:
            return Content.assemble(
                (plural(view.tokens_in(*selection), "token"), "bold"),
                f" selected: {quoted(text[selection[0] : selection[1]], 50)}",
                ("  1-9 or l tags it · Escape clears", "dim"),
            )
        found = span_state(view.annotation_at_cursor(), view.entity_at_cursor(), view.rejected_at_cursor())
        if found is None:
            return Content.styled(HINT, "dim")
        label, state, start, end = found
        return Content.assemble(quoted(text[start:end], 50), " · ", (label, "bold"), " · ", state)

    def refresh_status(self) -> None:
        """Say what is under the cursor, what is selected, and where the article is in review."""
        if not self.query("#article-status"):
            return  # not composed yet
        self.query_one("#article-status", Static).update(self.status_line())
        status = STATUS_NAMES.get(self.state.status, self.state.status)
        self.query_one("#article-review", Static).update(
            Content.assemble(("review: ", "dim"), (status, "bold"))
        )

    def reload_annotations(self) -> None:
        """Read the article's annotations and rejections back from the store and show them."""
        self.state = self.library.article_state(self.article.id, len(self.article.text))
        self.view.set_annotations(self.state.annotations, self.state.rejections)
        self.refresh_overview()

    def _show_progress(self, *_: Any) -> None:
        progress = self.view.progress()
        self.query_one(ArticleHeader).set_progress(progress)
        if progress >= 1.0 and not self.state.read and not self._gone:
            self._mark_read()

    def _mark_read(self) -> None:
        """Scrolled to the end: the article is read (the library shows it, and it leaves
        "continue reading")."""
        try:
            self.library.set_read(self.article.id, True)
        except ArticleGone:
            self.article_gone()
            return
        except STORE_ERRORS as exc:
            self.notify(f"Could not mark the article read: {exc}", severity="warning")
        self.state.read = True

    def on_article_view_cursor_moved(self, message: ArticleView.CursorMoved) -> None:
        """Keep the progress indicator and the status line up to date; remember where the reader is."""
        self._offset = message.offset
        self._show_progress()
        self.refresh_status()

    def on_article_view_selection_changed(self, message: ArticleView.SelectionChanged) -> None:
        """The status line says how much is selected."""
        self.refresh_status()

    # -- changes ----------------------------------------------------------------------------

    def apply(self, change: Change, message: str) -> None:
        """A change was stored: remember it for undo, show it, and say what happened."""
        self.history.record(change)
        self.reload_annotations()
        self.notify(message, timeout=3)

    def _store_failed(self, exc: Exception) -> None:
        """A write was refused: the article is gone, or the store said why."""
        if isinstance(exc, ArticleGone):
            self.article_gone()
            return
        self.notify(f"{exc}", title="Not saved", severity="error", timeout=8)
        try:
            self.reload_annotations()
        except STORE_ERRORS:
            pass  # the notice above already says the store is in trouble

    def article_gone(self) -> None:
        """The article was removed meanwhile (from the command line, another window): say so, leave."""
        if self._gone:
            return
        self._gone = True
        title = self.article.name
        self.notify(
            f"{quoted(title, 60)} was removed from the library while it was open; nothing more is saved for it.",
            title="Article removed",
            severity="warning",
            timeout=10,
        )
        if self.is_current:
            self.dismiss()

    def action_tag_key(self, key: str) -> None:
        """Tag the target with the label on this hotkey."""
        label = next((lab for lab in self.labels if lab.key == key), None)
        if label is None:
            self.notify(f"No label is on key {key}. Press l to pick any label.", severity="warning")
            return
        self.tag_with(label.name)

    def tag_with(self, label: str) -> None:
        """Tag the selection (or entity, or token under the cursor) with `label`.

        With no selection, an annotation under the cursor is relabelled instead.
        """
        view, text = self.view, self.article.text
        try:
            if view.selection is None and (current := view.annotation_at_cursor()) is not None:
                if current.label == label:
                    self.notify(f"{quoted(text[current.start : current.end])} is already {label}.", timeout=3)
                    return
                # The label is the reader's now, not the model's: the annotation is manual.
                self.library.relabel_annotation(self.article.id, current.id, label, source="manual")
                self.apply(
                    Relabelled(current, label, "manual"),
                    f"{quoted(text[current.start : current.end])}: {current.label} → {label}",
                )
                return
            target = view.target()
            if target is None:
                self.notify("Nothing to tag here.", severity="warning")
                return
            start, end = target
            if self.article.crosses_paragraphs(start, end):
                self.notify(
                    "The selection runs across a paragraph break, and an entity lies within one "
                    "paragraph: select each part on its own.",
                    severity="warning",
                    timeout=5,
                )
                return
            if any((a.start, a.end, a.label) == (start, end, label) for a in self.annotations):
                self.notify(f"{quoted(text[start:end])} is already tagged {label}.", timeout=3)
                view.clear_selection()
                return
            annotation = self.library.add_annotation(self.article.id, start, end, label, "manual")
        except STORE_ERRORS as exc:
            self._store_failed(exc)
            return
        view.clear_selection()
        self.apply(Added(annotation), f"Tagged {quoted(text[start:end])} as {label}")

    def action_pick_label(self) -> None:
        """Choose any label from a searchable list (or make a new one), then tag with it."""
        from reader.screens.label_picker import LabelPicker

        def picked(choice: str | None) -> None:
            if not choice:
                return
            if choice.startswith(LabelPicker.CREATE):
                label = self.reader.create_label(choice.removeprefix(LabelPicker.CREATE))
                if label is None:
                    return
                choice = label.name
            self.tag_with(choice)

        self.app.push_screen(LabelPicker(self.labels), picked)

    def action_accept(self) -> None:
        """Keep the model entity under the cursor as an annotation with the model's label."""
        entity = self.view.entity_at_cursor()
        text = self.article.text
        if entity is None:
            self.notify("No model entity under the cursor.", severity="warning", timeout=3)
            return
        shown = quoted(text[entity.start : entity.end])
        offsets = (entity.start, entity.end)
        other = [a.label for a in self.annotations if (a.start, a.end) == offsets and a.label != entity.label]
        if other:
            # The reader's label for these words stands; a second label would compete with it
            # in the training data.
            self.notify(
                f"{shown} is already tagged {other[0]}: x rejects the model's {entity.label}.",
                severity="warning",
                timeout=4,
            )
            return
        if entity.label == NUM_LABEL:
            # A plain number is reader's highlight, not an entity type: accepting it would put
            # reader's own mark into the training data.
            self.notify(
                f"{shown} is a plain number, not an entity: tag it with a label (1-9 or l) to keep it.",
                severity="warning",
                timeout=4,
            )
            return
        if any((a.start, a.end, a.label) == (entity.start, entity.end, entity.label) for a in self.annotations):
            self.notify(f"{shown} is already accepted as {entity.label}.", timeout=3)
            return
        try:
            annotation = self.library.add_annotation(
                self.article.id, entity.start, entity.end, entity.label, "model"
            )
        except STORE_ERRORS as exc:
            self._store_failed(exc)
            return
        self.apply(Added(annotation), f"Accepted {shown} as {entity.label}")

    def action_accept_all(self) -> None:
        """Accept every open model entity the article shows, in one store write. Those of a
        label the reader hid are not shown, so they are not accepted unseen."""
        analysis = self.article.analysis
        unsettled = self.state.open_suggestions(analysis.spans()) if analysis else []
        items = [(s.start, s.end, s.label, "model") for s in unsettled if s.label not in self.hidden]
        hidden = len(unsettled) - len(items)
        left = f"; {plural(hidden, 'entity', 'entities')} of hidden labels left as they are (H shows them)"
        if not items:
            self.notify("No model entity left to accept" + (left if hidden else "."), timeout=4)
            return
        try:
            made = self.library.add_annotations(self.article.id, items)
        except STORE_ERRORS as exc:
            self._store_failed(exc)
            return
        message = f"Accepted {plural(len(made), 'entity', 'entities')} (u undoes)" + (left if hidden else "")
        self.apply(AddedMany(made), message)

    def action_reject(self) -> None:
        """Say the model entity under the cursor is wrong: it stops being highlighted."""
        entity = self.view.entity_at_cursor()
        if entity is None:
            self.notify("No model entity under the cursor.", severity="warning", timeout=3)
            return
        key = (entity.start, entity.end, entity.label)
        # Accepted before (or tagged the same by hand): rejecting it takes that back too, or
        # the "rejected" span would still be exported as an entity.
        accepted = [a for a in self.annotations if (a.start, a.end, a.label) == key]
        try:
            if accepted:
                self.library.remove_annotations(self.article.id, [a.id for a in accepted])
            rejection = self.library.reject(self.article.id, entity.start, entity.end, entity.label)
        except STORE_ERRORS as exc:
            self._store_failed(exc)
            return
        shown = quoted(self.article.text[entity.start : entity.end])
        if accepted:
            change: Change = RejectedAccepted(rejection, accepted)
            self.apply(change, f"Rejected {shown} as {entity.label}; it is no longer accepted (u undoes)")
        else:
            self.apply(Rejected(rejection), f"Rejected {shown} as {entity.label}")

    def action_delete(self) -> None:
        """Delete the annotation under the cursor."""
        annotation = self.view.annotation_at_cursor()
        if annotation is None:
            self.notify("No annotation under the cursor.", severity="warning", timeout=3)
            return
        try:
            self.library.remove_annotation(self.article.id, annotation.id)
        except STORE_ERRORS as exc:
            self._store_failed(exc)
            return
        shown = quoted(self.article.text[annotation.start : annotation.end])
        self.apply(Deleted(annotation), f"Deleted {shown} ({annotation.label})")

    def _annotation_to_spread(self) -> Annotation | None:
        """The annotation under the cursor, for tagging its other occurrences; None, said, if none."""
        annotation = self.view.annotation_at_cursor()
        if annotation is None:
            self.notify(
                "No annotation under the cursor: tag it first (1-9, l or a), then * tags every other occurrence.",
                severity="warning",
                timeout=5,
            )
        return annotation

    def action_tag_every_occurrence(self) -> None:
        """Give every other occurrence of the annotation's text in the article its label, as one step."""
        annotation = self._annotation_to_spread()
        if annotation is None:
            return
        phrase, label = self.article.text[annotation.start : annotation.end], annotation.label
        places = other_occurrences(self.article, self.state.annotations, phrase, label, self.state.rejections)
        if not places:
            self.notify(f"No other untagged occurrence of {quoted(phrase)} in this article.", timeout=3)
            return
        try:
            made = self.library.add_annotations(self.article.id, [(s, e, label, "manual") for s, e in places])
        except STORE_ERRORS as exc:
            self._store_failed(exc)
            return
        self.apply(
            AddedMany(made, "occurrence", "tagging"),
            f"Tagged {plural(len(made), 'more occurrence')} of {quoted(phrase)} as {label} (u undoes)",
        )

    def tag_every_occurrence_in_library(self) -> None:
        """Give every occurrence of the annotation's text in every article its label, after
        asking. Finding them reads every article that holds the text: in a background worker,
        so the screen stays responsive (and quitting stops it)."""
        annotation = self._annotation_to_spread()
        if annotation is None:
            return
        phrase, label = self.article.text[annotation.start : annotation.end], annotation.label
        self.notify(f"Looking for {quoted(phrase)} across the library…", timeout=3)
        self.run_worker(
            lambda: self._plan_across_library(phrase, label),
            thread=True,
            exclusive=True,
            group="across-library",
        )

    def _plan_across_library(self, phrase: str, label: str) -> None:
        """In a worker: where else the phrase wants the label; then ask, on the UI thread."""
        plan: dict[str, list[tuple[int, int]]] = {}
        unread: list[str] = []
        try:
            found = self.library.articles_containing(phrase)
        except STORE_ERRORS as exc:
            self.app.call_from_thread(self._store_failed, exc)
            return
        for article_id in found:
            if self.reader.stop_requested.is_set():
                return
            try:
                if article_id == self.article.id:
                    article, state = self.article, self.state
                else:
                    article = self.library.get(article_id)
                    state = self.library.article_state(article_id, len(article.text))
            except STORE_ERRORS as exc:  # removed meanwhile, or a damaged file: left alone
                unread.append(f"{article_id[:10]}: {exc}")
                continue
            places = other_occurrences(article, state.annotations, phrase, label, state.rejections)
            if places:
                plan[article_id] = places
        self.app.call_from_thread(self._confirm_across_library, plan, unread, phrase, label)

    def _confirm_across_library(
        self, plan: dict[str, list[tuple[int, int]]], unread: list[str], phrase: str, label: str
    ) -> None:
        from reader.screens.confirm import ConfirmDialog

        total = sum(len(p) for p in plan.values())
        if not total:
            self.notify(f"No other untagged occurrence of {quoted(phrase)} in the library.", timeout=4)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.notify(f"Tagging {plural(total, 'occurrence')} of {quoted(phrase)}…", timeout=3)
                self.run_worker(
                    lambda: self._tag_across_library(plan, label, phrase),
                    thread=True,
                    exclusive=True,
                    group="across-library",
                )

        note = f"\n\n{plural(len(unread), 'article')} could not be read and stay as they are." if unread else ""
        self.app.push_screen(
            ConfirmDialog(
                f"Tag {plural(total, 'occurrence')} of {quoted(phrase)} as {label} "
                f"in {plural(len(plan), 'article')}? One u undoes it all.{note}",
                yes="Tag",
                title="Tag every occurrence in the library",
                dangerous=False,
            ),
            answered,
        )

    def _tag_across_library(self, plan: dict[str, list[tuple[int, int]]], label: str, phrase: str) -> None:
        """In a worker: write the plan, one article at a time; then record it for undo."""
        change = AcrossLibrary()
        skipped = 0
        gone = False
        for article_id, places in plan.items():
            try:
                change.added[article_id] = self.library.add_annotations(
                    article_id, [(s, e, label, "manual") for s, e in places]
                )
            except STORE_ERRORS as exc:
                gone = gone or (article_id == self.article.id and isinstance(exc, ArticleGone))
                skipped += 1
        self.app.call_from_thread(self._tagged_across_library, change, skipped, gone, label, phrase)

    def _tagged_across_library(
        self, change: AcrossLibrary, skipped: int, gone: bool, label: str, phrase: str
    ) -> None:
        if gone:
            self.article_gone()
        if not change.added:
            self.notify("Nothing was tagged: the store refused every article.", severity="error")
            return
        message = f"Tagged {quoted(phrase)} as {label}: {change.describe('').removeprefix('tagging ')} (u undoes)"
        if skipped:
            message += f"; {plural(skipped, 'article')} could not be changed"
        if not self._gone:
            self.apply(change, message)

    def action_undo(self) -> None:
        """Take back the last change (saved at once)."""
        self._step(undo=True)

    def action_redo(self) -> None:
        """Make the last undone change again (saved at once)."""
        self._step(undo=False)

    def _step(self, *, undo: bool) -> None:
        try:
            change = (self.history.undo if undo else self.history.redo)(self.library, self.article.id)
        except STORE_ERRORS as exc:  # e.g. the annotation was removed from the command line meanwhile
            self._store_failed(exc)
            return
        if change is None:
            self.notify(f"Nothing to {'undo' if undo else 'redo'}.", timeout=2)
            return
        if isinstance(change, ReviewChanged) and change.article_id != self.article.id:
            # The mark of the article reviewed before this one: back to it, to go on.
            self.notify(f"Undid {change.describe('')}; back to it.", timeout=3)
            self.save_position()
            self.reader.open_article_screen(change.article_id, replace=True)
            return
        self.reload_annotations()
        verb = "Undid" if undo else "Redid"
        self.notify(f"{verb} {change.describe(self.article.text)}", timeout=3)

    # -- review -----------------------------------------------------------------------------

    def action_review_done(self) -> None:
        """Mark the article fully reviewed, and open the next one to review.

        A done article counts every model entity not accepted as no entity. So while some
        are neither accepted nor rejected, the first press says so (and how to settle them),
        and only a second press marks the article done as it is.
        """
        pending = self.state.unsettled_entities(self.article.analysis)
        if pending and self._done_warned != pending:
            self._done_warned = pending
            them = "it" if pending == 1 else "them"
            self.notify(
                f"{plural(pending, 'model entity', 'model entities')} here "
                f"{'is' if pending == 1 else 'are'} neither accepted nor rejected, and a done "
                f"article counts {them} as no entity: A accepts them all, a or x one at a time. "
                "D again marks the article done as it is.",
                title="Not marked done yet",
                severity="warning",
                timeout=10,
            )
            return
        self._review("done")

    def action_review_ignore(self) -> None:
        """Set the article aside (left out of training data), and open the next one to review."""
        self._review("ignored")

    def action_review_again(self) -> None:
        """Put a done or ignored article back in review (in progress): exports take its
        untagged tokens as unknown again, not as "no entity"."""
        before = self.state.status
        if before not in ("done", "ignored"):
            self.notify("This article is in review already.", timeout=3)
            return
        try:
            self.library.set_status(self.article.id, "in_progress")
        except STORE_ERRORS as exc:
            self._store_failed(exc)
            return
        title = self.article.name
        self.state.status = "in_progress"
        self.apply(
            ReviewChanged(self.article.id, before, "in_progress", title),
            f"Back in review (it was {before}); D marks it done again.",
        )

    def _review(self, status: ReviewStatus) -> None:
        before = self.state.status
        try:
            self.library.set_status(self.article.id, status)
            self.state.status = status
            # The next in the order, and among the filters, that the library shows.
            following = self.library.next_to_review(self.article.id, self.reader.library_view)
        except STORE_ERRORS as exc:
            self._store_failed(exc)
            return
        what = "done" if status == "done" else "ignored"
        self.save_position()
        if following is None:
            self.notify(f"Marked {what}. Nothing is left to review.", timeout=5)
            self.dismiss()
            return
        title = self.article.name
        change = ReviewChanged(self.article.id, before, status, title)
        if self.reader.open_article_screen(following, replace=True, undoable=change):
            self.notify(f"Marked {what}; here is the next article to review (u takes it back).", timeout=3)
        else:
            self.refresh_status()

    # -- reading ----------------------------------------------------------------------------

    def action_copy(self) -> None:
        """Copy the selection, or the entity or token under the cursor."""
        target = self.view.target()
        if target is None:
            self.notify("Nothing to copy.", severity="warning")
            return
        text = self.article.text[target[0] : target[1]]
        where = self.reader.copy_text(text)
        self.notify(f"Copied {quoted(text)} ({where})", timeout=4)

    def action_open_url(self) -> None:
        """Open the article's web page in the browser; without one, offer to copy its address."""
        from reader.screens.confirm import ConfirmDialog

        url = web_address(self.article)
        if url is None:
            source = article_source(self.article.site, self.article.source, self.article.url)
            self.notify(f"This article has no web address (it came from {source}).", severity="warning")
            return
        why = self.reader.browser_missing()
        if why is None:
            self.app.open_url(url)
            self.notify(f"Opening {url}", timeout=3)
            return

        def answered(copy: bool | None) -> None:
            if copy:
                where = self.reader.copy_text(url)
                self.notify(f"Copied {url} ({where})", timeout=4)

        self.app.push_screen(
            ConfirmDialog(
                f"No browser can open it from here: {why}.\n\n{url}\n\nCopy the address instead?",
                yes="Copy",
                title="Open in browser",
                dangerous=False,
            ),
            answered,
        )

    def action_search(self) -> None:
        """Show the search input."""
        box = self.query_one("#article-search", Input)
        box.display = True
        box.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter searches, highlights every match and goes to the first one after the cursor."""
        if event.input.id != "article-search":
            return
        event.stop()
        query = event.value.strip()
        count = self.view.search(query)
        self._close_search_box()
        if not query:
            return
        if count:
            self.notify(
                f"{plural(count, 'match', 'matches')} for {quoted(query)}: n next, N previous, Escape clears",
                timeout=3,
            )
        else:
            self.notify(f"No match for {quoted(query)}.", severity="warning", timeout=3)

    def action_close_search(self) -> None:
        """Escape: close the search input, or drop the search highlights."""
        box = self.query_one("#article-search", Input)
        if box.display:
            self._close_search_box()
        else:
            self.view.search("")

    def _close_search_box(self) -> None:
        box = self.query_one("#article-search", Input)
        box.display = False
        self.view.focus()

    def action_toggle_entities(self) -> None:
        """Show the entity panel (and focus it), or hide it."""
        panel = self.panel
        if panel.display:
            panel.display = False
            self.view.focus()
            return
        if self._panel_stale:
            self.refresh_panel()
        panel.display = True
        panel.focus()

    def on_entity_panel_jump_to(self, message: EntityPanel.JumpTo) -> None:
        """Go to the chosen entity's next occurrence after the cursor, wrapping round."""
        spans = sorted(message.mention.spans)
        here = self.view.offset()
        start = next((s for s, _ in spans if s > here), spans[0][0])
        self.view.move_to_offset(start)
        index = [s for s, _ in spans].index(start) + 1
        self.notify(f"{quoted(message.mention.text)}: {index} of {len(spans)}", timeout=2)

    def on_entity_panel_other_articles(self, message: EntityPanel.OtherArticles) -> None:
        """The other articles that mention the entity, across the library."""
        from reader.screens.search import MentionsScreen

        label = None if message.mention.label == NUM_LABEL else message.mention.label
        self.app.push_screen(MentionsScreen(message.mention.text, label))

    def on_entity_panel_label_toggled(self, message: EntityPanel.LabelToggled) -> None:
        """Switch a label's highlighting off or on."""
        self.set_hidden(self.hidden ^ {message.label})

    def on_entity_panel_left(self, message: EntityPanel.Left) -> None:
        """Escape in the panel goes back to the text."""
        self.view.focus()

    def set_hidden(self, hidden: set[str]) -> None:
        """Hide these labels' highlighting, show the rest."""
        self.hidden = set(hidden)
        self.view.set_hidden_labels(self.hidden)
        self.refresh_overview()

    def action_toggle_label(self) -> None:
        """Hide the highlighting of the label under the cursor."""
        found = self.view.annotation_at_cursor() or self.view.entity_at_cursor()
        if found is None:
            self.notify("No highlighted span under the cursor; press e to show or hide labels.", timeout=3)
            return
        self.set_hidden(self.hidden | {found.label})
        self.notify(f"{found.label} hidden; H shows every label again.", timeout=3)

    def action_show_all_labels(self) -> None:
        """Highlight every label again."""
        self.set_hidden(set())

    def save_position(self) -> None:
        """Remember where the reader is, when it changed (never for an article that is gone)."""
        if self._gone:
            return
        offset = self.view.offset() if self.is_mounted and self.query(ArticleView) else self._offset
        if offset == self._saved_position:
            return
        try:
            self.library.set_position(self.article.id, offset)
        except ArticleGone:
            self._gone = True  # removed meanwhile: there is nothing to keep a position for
            return
        except STORE_ERRORS as exc:
            self.notify(f"Could not save the reading position: {exc}", severity="warning")
            return
        self._saved_position = offset

    def action_back(self) -> None:
        """Back to the library, keeping the reading position."""
        self.save_position()
        self.dismiss()

    def action_export(self) -> None:
        """Export this article (or the whole library), through the export dialog."""
        from reader.screens.export import open_export_dialog

        open_export_dialog(self.reader, self.article.id)

    def action_help(self) -> None:
        """Show every key."""
        from reader.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self))

    def help_nodes(self) -> list[Any]:
        """What the help screen lists: this screen's keys, the text's, and the panel's."""
        return [self, self.view, self.panel]
