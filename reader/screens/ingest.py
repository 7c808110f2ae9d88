"""The dialog that asks what to ingest: files, folders or URLs."""

from __future__ import annotations

import shlex
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from reader.widgets.text_input import TextInput


def split_inputs(typed: str) -> list[str]:
    """What the reader typed as a list of inputs: shell-style words, `~` expanded.

    A single path with spaces in it works unquoted when it exists as typed.
    """
    typed = typed.strip()
    if not typed:
        return []
    if Path(typed).expanduser().exists():
        return [str(Path(typed).expanduser())]
    try:
        words = shlex.split(typed)
    except ValueError:
        words = [typed]
    return [w if "://" in w else str(Path(w).expanduser()) for w in words]


class IngestDialog(ModalScreen[list[str] | None]):
    """Ask for the paths or URLs to ingest; dismissed with the inputs, or None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="ingest.cancel")]

    def compose(self) -> ComposeResult:
        """A one-line explanation and the input."""
        with Vertical(id="dialog", classes="dialog") as dialog:
            dialog.border_title = "Ingest articles"
            yield Static(
                "A file (.txt, .html, .md, .pdf…), a folder, or an http(s) URL. "
                "Several: separate them with spaces (quote a path that has spaces).",
                classes="hint",
            )
            yield TextInput(placeholder="~/articles/story.html  or  https://…", id="ingest-input")
            yield Static("Enter ingests · Escape cancels", classes="hint")

    def on_mount(self) -> None:
        """Steady cursor in tests."""
        from reader.app import reader_app  # the app module imports this screen

        reader_app(self).steady_cursors(self)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter with something typed ingests it; with nothing typed it does nothing."""
        inputs = split_inputs(event.value)
        if not inputs:
            self.notify("Type a path or a URL first.", severity="warning")
            return
        self.dismiss(inputs)

    def action_cancel(self) -> None:
        """Close without ingesting."""
        self.dismiss(None)
