"""The export dialog: which format, which articles, what to include, and where to write.

The dialog only asks; `export_and_notify` does the export, in a worker the app runs (so an
export started from an article still reports after the reader has gone back to the library).
`reader.export` picks the articles and writes the file; only its spaCy format loads spaCy,
and only when it runs.
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.notifications import SeverityLevel
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, RadioButton, RadioSet, Static

from reader.export import FORMATS, ExportError
from reader.text import plural
from reader.widgets.text_input import TextInput

if TYPE_CHECKING:
    from reader.app import ReaderApp

LIBRARY_STEM = "reader-export"


@dataclass(frozen=True, slots=True)
class ExportRequest:
    """What the reader asked for: a format, a target path, and which articles and spans."""

    format: str
    path: Path
    ids: list[str] | None = None  # None: the whole library
    include_predictions: bool = False
    include_all: bool = False
    numbers: bool = False


def suggested_path(format: str, article_id: str | None = None) -> str:
    """The default target, relative to the working dir: `<id10><ext>` for one article.

    The whole library goes to `reader-export<ext>`; brat writes a folder, so no extension.
    """
    stem = article_id[:10] if article_id else LIBRARY_STEM
    return f"{stem}{FORMATS[format].extension}"


def target_path(typed: str) -> Path:
    """Where a typed path points: `~` expanded, a relative path taken from the working dir."""
    path = Path(typed.strip()).expanduser()
    return path if path.is_absolute() else Path.cwd() / path


def shown_path(path: Path) -> str:
    """A path for a notification: relative to the working dir inside it, `~/…` inside home."""
    for base, prefix in ((Path.cwd(), ""), (Path.home(), "~/")):
        try:
            return prefix + str(path.relative_to(base))
        except ValueError:
            continue
    return str(path)


def export_summary(report: Any, request: ExportRequest) -> tuple[str, SeverityLevel]:
    """The finished export's notification: its message and severity."""
    where = shown_path(report.path or request.path)
    message = f"Exported {plural(report.spans, 'span')} from {plural(report.articles, 'article')} to {where}"
    notes: list[str] = []
    if report.skipped:
        notes.append(f"{plural(report.skipped, 'article')} with nothing to export left out")
    if report.not_done:
        notes.append(
            f"{plural(report.not_done, 'article')} not marked done left out "
            f"({report.format} takes articles reviewed to the end)"
        )
    if report.ignored:
        notes.append(f"{plural(report.ignored, 'article')} marked ignored left out")
    if report.warnings:
        more = f" (and {len(report.warnings) - 1} more)" if len(report.warnings) > 1 else ""
        notes.append(f"{report.warnings[0]}{more}")
    if not report.articles and report.not_done:
        # Not predictions: those would teach the model its own unreviewed guesses.
        notes.append("press D in an article reviewed to the end to mark it done")
    elif not report.articles:
        notes.append(
            "to export more, tick “The model's unreviewed entities” or “Articles without annotations”"
        )
    text = message + (". " + "; ".join(notes) if notes else "")
    return text, "warning" if not report.articles or report.warnings else "information"


def failure(exc: BaseException) -> str:
    """Why an export failed, in the reader's words rather than an errno."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENOTDIR, errno.EEXIST):
        return f"a part of the path is a file, not a folder ({exc.filename})"
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    if isinstance(exc, ImportError) and "spacy" in str(exc).lower():
        return "the spacy format needs spaCy installed (pip install spacy)"
    return str(exc) or type(exc).__name__


def export_and_notify(app: ReaderApp, request: ExportRequest) -> None:
    """Run the export (in a worker thread) and say, in a notification, where it went or why not.

    `export_library` writes to a temporary file renamed over the target at the end, so a
    failed export leaves no half-written file behind.
    """
    from reader.app import EXPORT_ERRORS
    from reader.export import export_library, is_brat_folder

    try:
        target = request.path
        if FORMATS[request.format].output == "folder" and target.is_dir():
            # The dialog has no --force: never replace a folder that holds other things.
            if any(target.iterdir()) and not is_brat_folder(target):
                raise ValueError(
                    f"{shown_path(target)} holds other files: choose a new or empty folder"
                )
        report = export_library(
            app.library,
            request.format,
            target,
            request.ids,
            include_predictions=request.include_predictions,
            include_all=request.include_all,
            numbers=request.numbers,
        )
    except (*EXPORT_ERRORS, ExportError) as exc:  # an unwritable path, a damaged store, spaCy missing
        app.notify(
            f"{failure(exc)}\n\nNothing was written.",
            title=f"Export to {shown_path(request.path)} failed",
            severity="error",
            timeout=12,
        )
        return
    message, severity = export_summary(report, request)
    app.notify(message, title="Export finished", severity=severity, timeout=10)


def open_export_dialog(app: ReaderApp, article_id: str | None = None) -> None:
    """Ask what to export (this article by default when `article_id` is given), then export it."""
    running = [w for w in app.workers if w.group == "export" and w.is_running]
    if running:
        app.notify(
            "An export is still running; try again when it has finished.", severity="warning"
        )
        return

    def answered(request: ExportRequest | None) -> None:
        if request is not None:
            app.run_export(request)

    app.push_screen(ExportDialog(article_id), answered)


class ExportDialog(ModalScreen[ExportRequest | None]):
    """Ask for a format, the articles, what to include and a path; dismissed with a request, or None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="export.cancel")]

    def __init__(self, article_id: str | None = None) -> None:
        super().__init__()
        self.article_id = article_id
        self._suggested = suggested_path("jsonl", article_id)

    def compose(self) -> ComposeResult:
        """Format, articles (from an article only), options, path, buttons."""
        with Vertical(id="dialog", classes="dialog export") as dialog:
            dialog.border_title = "Export"
            yield Static("Format", classes="heading")
            with RadioSet(id="export-format", compact=True):
                for i, fmt in enumerate(FORMATS.values()):
                    yield RadioButton(
                        Content.assemble((f"{fmt.name:<9}", "bold"), (fmt.description, "dim")),
                        value=i == 0,
                        id=f"format-{fmt.name}",
                    )
            if self.article_id:
                yield Static("Articles", classes="heading")
                with RadioSet(id="export-scope", compact=True):
                    yield RadioButton("This article", value=True, id="scope-article")
                    yield RadioButton("Whole library", id="scope-library")
            yield Static("Include", classes="heading")
            yield Checkbox(
                "The model's unreviewed entities (in articles not done)",
                id="export-predictions",
                compact=True,
            )
            yield Checkbox(
                "Numbers, as spaCy's CARDINAL, MONEY, PERCENT…", id="export-numbers", compact=True
            )
            yield Checkbox("Articles without annotations", id="export-all", compact=True)
            yield Static("To (a file; a folder for brat)", classes="heading")
            yield TextInput(self._suggested, id="export-path", compact=True)
            with Horizontal(classes="buttons"):
                yield Static("Enter exports · Escape cancels", classes="hint")
                yield Button("Export", variant="primary", id="export", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        """The path has the focus: ctrl+e, Enter exports with the defaults."""
        from reader.app import reader_app

        reader_app(self).steady_cursors(self)
        self.query_one("#export-path", Input).focus()

    @property
    def format(self) -> str:
        """The chosen format's name."""
        pressed = self.query_one("#export-format", RadioSet).pressed_button
        return (pressed.id or "format-jsonl").removeprefix("format-") if pressed else "jsonl"

    @property
    def whole_library(self) -> bool:
        """Whether the whole library is to be exported (always, from the library)."""
        if not self.article_id:
            return True
        pressed = self.query_one("#export-scope", RadioSet).pressed_button
        return pressed is not None and pressed.id == "scope-library"

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        """A new format or scope: the path follows it, unless the reader typed one of their own."""
        event.stop()
        box = self.query_one("#export-path", Input)
        suggestion = suggested_path(self.format, None if self.whole_library else self.article_id)
        typed = box.value.strip()
        if typed == self._suggested:
            box.value = suggestion
        elif event.radio_set.id == "export-format":
            # A path of the reader's own keeps its name, with the new format's extension.
            old_ext = os.path.splitext(typed)[1]
            new_ext = FORMATS[self.format].extension
            if old_ext in {f.extension for f in FORMATS.values() if f.extension} and new_ext:
                box.value = typed[: -len(old_ext)] + new_ext
        self._suggested = suggestion

    def request(self) -> ExportRequest | None:
        """What the dialog says to do, or None (and a warning) when no path is typed."""
        typed = self.query_one("#export-path", Input).value
        if not typed.strip():
            self.notify("Type where to export first.", severity="warning")
            return None
        return ExportRequest(
            format=self.format,
            path=target_path(typed),
            ids=None if self.whole_library else [self.article_id or ""],
            include_predictions=self.query_one("#export-predictions", Checkbox).value,
            include_all=self.query_one("#export-all", Checkbox).value,
            numbers=self.query_one("#export-numbers", Checkbox).value,
        )

    def export(self) -> None:
        """Close the dialog with the request."""
        request = self.request()
        if request is not None:
            self.dismiss(request)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the path exports."""
        event.stop()
        self.export()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Export or Cancel."""
        event.stop()
        if event.button.id == "export":
            self.export()
        else:
            self.action_cancel()

    def action_cancel(self) -> None:
        """Close without exporting."""
        self.dismiss(None)
