"""The article screen: read, tag, accept and reject, with undo, search and the entity panel.

The screen owns what changes the store; the view only shows and posts messages. Every change
is written through `Library` as it is made, and the view is then given what the store holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Input

from reader.article import NUM_LABEL, Annotation, Article, Rejection
from reader.config import Label, default_labels
from reader.history import (
    AcceptedAll,
    Added,
    Change,
    Deleted,
    History,
    Rejected,
    Relabelled,
)
from reader.widgets.article_header import ArticleHeader, article_source
from reader.widgets.article_view import ArticleView
from reader.widgets.entity_panel import EntityPanel, group_mentions
from reader.widgets.label_legend import LabelLegend


def quoted(text: str, limit: int = 40) -> str:
    """Text for a notification: one line, cut at `limit` characters, in single quotes."""
    words = " ".join(text.split())
    return f"'{words[:limit]}…'" if len(words) > limit else f"'{words}'"


def web_address(article: Article) -> str | None:
    """Where the article lives on the web: its url, else an http(s) source."""
    for where in (article.url, article.source):
        if where and where.startswith(("http://", "https://")):
            return where
    return None


class ArticleScreen(Screen[None]):
    """One article: header, legend, the text with highlights, the entity panel, and the keys."""

    HELP_SECTION = "Article"
    BINDINGS = [
        Binding("q", "back", "Back", show=False, id="article.back"),
        Binding("slash", "search", "Search", id="article.search"),
        *(
            Binding(str(n), f"tag_key('{n}')", f"Tag with label {n}", show=False, id=f"article.tag_{n}")
            for n in range(1, 10)
        ),
        Binding("l", "pick_label", "Label…", id="article.pick_label"),
        Binding("a", "accept", "Accept", id="article.accept"),
        Binding("A", "accept_all", "Accept all", show=False, id="article.accept_all"),
        Binding("x", "reject", "Reject", id="article.reject"),
        Binding("d", "delete", "Delete", show=False, id="article.delete"),
        Binding("u", "undo", "Undo", id="article.undo"),
        Binding("ctrl+r", "redo", "Redo", show=False, id="article.redo"),
        Binding("y", "copy", "Copy", show=False, id="article.copy"),
        Binding("o", "open_url", "Open in browser", show=False, id="article.open_url"),
        Binding("e", "toggle_entities", "Entities", id="article.entities"),
        Binding("ctrl+e", "export", "Export…", show=False, id="article.export"),
        Binding("h", "toggle_label", "Hide label", show=False, id="article.hide_label"),
        Binding("H", "show_all_labels", "Show all labels", show=False, id="article.show_labels"),
        Binding("escape", "close_search", "Close search", show=False, id="article.close_search"),
        Binding("question_mark", "help", "Help", id="article.help"),
    ]

    def __init__(
        self,
        article: Article,
        *,
        annotations: Sequence[Annotation] = (),
        rejections: Sequence[Rejection] = (),
        position: int = 0,
    ) -> None:
        super().__init__()
        self.article = article
        self.annotations = list(annotations)
        self.rejections = list(rejections)
        self.position = position
        self.history = History()
        self.hidden: set[str] = set()
        self._panel_stale = True
        # None: the first save always writes, which is also what marks the article as read.
        self._saved_position: int | None = None
        self._offset = position
        self._describe_tag_keys()

    @property
    def labels(self) -> list[Label]:
        """The config's label set."""
        return list(self.app.config.labels)  # type: ignore[attr-defined]

    def _describe_tag_keys(self) -> None:
        """Name the label each of the keys 1-9 tags with, for the footer, help and palette."""
        try:
            labels = self.app.config.labels  # type: ignore[attr-defined]
        except Exception:  # built outside a running app (a unit test): the default label set
            labels = default_labels()
        names = {f"article.tag_{label.key}": label.name for label in labels if label.key}
        bindings = self._bindings.key_to_bindings
        for key, items in bindings.items():
            bindings[key] = [
                replace(b, description=f"Tag as {names[b.id]}") if b.id in names else b for b in items
            ]

    def compose(self) -> ComposeResult:
        """Header, legend, the text and the (hidden) entity panel, search input, footer."""
        yield ArticleHeader(self.article, id="article-header")
        yield LabelLegend(id="label-legend")
        with Horizontal(id="article-body"):
            yield ArticleView(
                self.article,
                annotations=self.annotations,
                rejections=self.rejections,
                labels=self.labels,
                position=self.position,
                id="article-view",
            )
            yield EntityPanel(id="entity-panel")
        yield Input(placeholder="Search the article (Enter finds, n/N next/previous)", id="article-search")
        yield Footer(compact=True)

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
        self.panel.display = False
        self.query_one("#article-search", Input).display = False
        self.app.steady_cursors(self)  # type: ignore[attr-defined]
        self.refresh_overview()
        self.view.focus()
        self.watch(self.view, "scroll_y", self._show_progress, init=False)
        self.call_after_refresh(self._show_progress)

    def on_unmount(self) -> None:
        """Leaving by any way (q, or quitting the app) keeps the reading position."""
        self.save_position()

    # -- what the screen shows --------------------------------------------------------------

    def shown_spans(self) -> list[tuple[int, int, str]]:
        """The model's unrejected spans and the annotations, as (start, end, label), unordered."""
        rejected = {(r.start, r.end, r.label) for r in self.rejections}
        spans: list[tuple[int, int, str]] = []
        analysis = self.article.analysis
        if analysis:
            for span in (*analysis.entities, *analysis.numbers):
                key = (span.start, span.end, span.label)
                if key not in rejected:
                    spans.append(key)
        spans += [(a.start, a.end, a.label) for a in self.annotations]
        return spans

    def refresh_overview(self) -> None:
        """Redraw the legend, and the entity panel when it is shown (else when it next is)."""
        spans = self.shown_spans()
        self.query_one(LabelLegend).show({label for _, _, label in spans}, self.labels, self.hidden)
        # Thousands of highlights make thousands of rows: built only for a reader who looks.
        self._panel_stale = True
        if self.panel.display:
            self.refresh_panel(spans)

    def refresh_panel(self, spans: list[tuple[int, int, str]] | None = None) -> None:
        """Rebuild the entity panel's groups."""
        spans = self.shown_spans() if spans is None else spans
        self.panel.show(
            group_mentions(self.article.text, spans), self.hidden, [lab.name for lab in self.labels]
        )
        self._panel_stale = False

    def reload_annotations(self) -> None:
        """Read the article's annotations and rejections back from the store and show them."""
        library = self.app.library  # type: ignore[attr-defined]
        state = library.article_state(self.article.id)
        self.annotations, self.rejections = state.annotations, state.rejections
        self.view.set_annotations(self.annotations, self.rejections)
        self.refresh_overview()

    def _show_progress(self, *_: Any) -> None:
        self.query_one(ArticleHeader).set_progress(self.view.progress())

    def on_article_view_cursor_moved(self, message: ArticleView.CursorMoved) -> None:
        """Keep the progress indicator up to date, and remember where the reader is."""
        self._offset = message.offset
        self._show_progress()

    # -- changes ----------------------------------------------------------------------------

    def apply(self, change: Change, message: str) -> None:
        """A change was stored: remember it for undo, show it, and say what happened."""
        self.history.record(change)
        self.reload_annotations()
        self.notify(message, timeout=3)

    def _store_failed(self, exc: Exception) -> None:
        self.notify(f"{exc}", title="Not saved", severity="error", timeout=8)
        self.reload_annotations()

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
        view, library, text = self.view, self.app.library, self.article.text  # type: ignore[attr-defined]
        try:
            if view.selection is None and (current := view.annotation_at_cursor()) is not None:
                if current.label == label:
                    self.notify(f"{quoted(text[current.start : current.end])} is already {label}.", timeout=3)
                    return
                library.relabel_annotation(self.article.id, current.id, label)
                self.apply(
                    Relabelled(current, label),
                    f"{quoted(text[current.start : current.end])}: {current.label} → {label}",
                )
                return
            target = view.target()
            if target is None:
                self.notify("Nothing to tag here.", severity="warning")
                return
            start, end = target
            if any((a.start, a.end, a.label) == (start, end, label) for a in self.annotations):
                self.notify(f"{quoted(text[start:end])} is already tagged {label}.", timeout=3)
                view.clear_selection()
                return
            annotation = library.add_annotation(self.article.id, start, end, label, "manual")
        except Exception as exc:  # a span outside the text, an unreadable store file
            self._store_failed(exc)
            return
        view.clear_selection()
        self.apply(Added(annotation), f"Tagged {quoted(text[start:end])} as {label}")

    def action_pick_label(self) -> None:
        """Choose any label from a searchable list, then tag with it."""
        from reader.screens.label_picker import LabelPicker

        def picked(label: str | None) -> None:
            if label:
                self.tag_with(label)

        self.app.push_screen(LabelPicker(self.labels), picked)

    def action_accept(self) -> None:
        """Keep the model entity under the cursor as an annotation with the model's label."""
        entity = self.view.entity_at_cursor()
        text = self.article.text
        if entity is None:
            self.notify("No model entity under the cursor.", severity="warning", timeout=3)
            return
        shown = quoted(text[entity.start : entity.end])
        if any((a.start, a.end, a.label) == (entity.start, entity.end, entity.label) for a in self.annotations):
            self.notify(f"{shown} is already accepted as {entity.label}.", timeout=3)
            return
        try:
            annotation = self.app.library.add_annotation(  # type: ignore[attr-defined]
                self.article.id, entity.start, entity.end, entity.label, "model"
            )
        except Exception as exc:
            self._store_failed(exc)
            return
        self.apply(Added(annotation), f"Accepted {shown} as {entity.label}")

    def open_suggestions(self) -> list[tuple[int, int, str, str]]:
        """The model's spans not rejected and not yet annotated (plain numbers aside), to accept."""
        if not self.article.analysis:
            return []
        rejected = {(r.start, r.end, r.label) for r in self.rejections}
        annotated = {(a.start, a.end) for a in self.annotations}
        return [
            (s.start, s.end, s.label, "model")
            for s in self.article.analysis.spans()
            # A plain number is not something the model named; and a span the reader already
            # tagged, with whatever label, is the reader's call, not the model's.
            if s.label != NUM_LABEL
            and (s.start, s.end, s.label) not in rejected
            and (s.start, s.end) not in annotated
        ]

    def action_accept_all(self) -> None:
        """Accept every open model entity of the article, in one store write."""
        items = self.open_suggestions()
        if not items:
            self.notify("No model entity left to accept.", timeout=3)
            return
        try:
            made = self.app.library.add_annotations(self.article.id, items)  # type: ignore[attr-defined]
        except Exception as exc:
            self._store_failed(exc)
            return
        n = len(made)
        self.apply(AcceptedAll(made), f"Accepted {n} entit{'ies' if n != 1 else 'y'} (u undoes)")

    def action_reject(self) -> None:
        """Say the model entity under the cursor is wrong: it stops being highlighted."""
        entity = self.view.entity_at_cursor()
        if entity is None:
            self.notify("No model entity under the cursor.", severity="warning", timeout=3)
            return
        try:
            rejection = self.app.library.reject(  # type: ignore[attr-defined]
                self.article.id, entity.start, entity.end, entity.label
            )
        except Exception as exc:
            self._store_failed(exc)
            return
        shown = quoted(self.article.text[entity.start : entity.end])
        self.apply(Rejected(rejection), f"Rejected {shown} as {entity.label}")

    def action_delete(self) -> None:
        """Delete the annotation under the cursor."""
        annotation = self.view.annotation_at_cursor()
        if annotation is None:
            self.notify("No annotation under the cursor.", severity="warning", timeout=3)
            return
        try:
            self.app.library.remove_annotation(self.article.id, annotation.id)  # type: ignore[attr-defined]
        except Exception as exc:
            self._store_failed(exc)
            return
        shown = quoted(self.article.text[annotation.start : annotation.end])
        self.apply(Deleted(annotation), f"Deleted {shown} ({annotation.label})")

    def action_undo(self) -> None:
        """Take back the last change (saved at once)."""
        self._step(undo=True)

    def action_redo(self) -> None:
        """Make the last undone change again (saved at once)."""
        self._step(undo=False)

    def _step(self, *, undo: bool) -> None:
        library = self.app.library  # type: ignore[attr-defined]
        try:
            change = (self.history.undo if undo else self.history.redo)(library, self.article.id)
        except Exception as exc:  # e.g. the annotation was removed from the command line meanwhile
            self._store_failed(exc)
            return
        if change is None:
            self.notify(f"Nothing to {'undo' if undo else 'redo'}.", timeout=2)
            return
        self.reload_annotations()
        verb = "Undid" if undo else "Redid"
        self.notify(f"{verb} {change.describe(self.article.text)}", timeout=3)

    # -- reading ----------------------------------------------------------------------------

    def action_copy(self) -> None:
        """Copy the selection, or the entity or token under the cursor."""
        target = self.view.target()
        if target is None:
            self.notify("Nothing to copy.", severity="warning")
            return
        text = self.article.text[target[0] : target[1]]
        where = self.app.copy_text(text)  # type: ignore[attr-defined]
        self.notify(f"Copied {quoted(text)} ({where})", timeout=4)

    def action_open_url(self) -> None:
        """Open the article's web page in the browser."""
        url = web_address(self.article)
        if url is None:
            self.notify(
                f"This article has no web address (it came from {article_source(self.article)}).",
                severity="warning",
            )
            return
        self.app.open_url(url)
        self.notify(f"Opening {url}", timeout=3)

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
            self.notify(f"{count} match{'es' if count != 1 else ''} for {quoted(query)}: n next, N previous", timeout=3)
        else:
            self.notify(f"No match for {quoted(query)}.", severity="warning", timeout=3)

    def action_close_search(self) -> None:
        """Escape: close the search input, or leave the panel, or drop the search highlights."""
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
        """Remember where the reader is, when it changed."""
        try:
            offset = self.view.offset()
        except Exception:  # the view is already gone (the app is closing): the last move
            offset = self._offset
        if offset == self._saved_position:
            return
        try:
            self.app.library.set_position(self.article.id, offset)  # type: ignore[attr-defined]
            self._saved_position = offset
        except Exception as exc:
            self.notify(f"Could not save the reading position: {exc}", severity="warning")

    def action_back(self) -> None:
        """Back to the library, keeping the reading position."""
        self.save_position()
        self.app.pop_screen()

    def action_export(self) -> None:
        """Export this article (or the whole library), through the export dialog."""
        from reader.screens.export import open_export_dialog

        open_export_dialog(self.app, self.article.id)

    def action_help(self) -> None:
        """Show every key."""
        from reader.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self))

    def help_nodes(self) -> list[Any]:
        """What the help screen lists: this screen's keys, the text's, and the panel's."""
        return [self, self.view, self.panel]
