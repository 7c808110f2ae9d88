"""Ask for one line of text: a label's new name or colour."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from reader.widgets.text_input import TextInput


class AskDialog(ModalScreen[str | None]):
    """One input with a prompt; dismissed with what was typed (stripped), or None on escape."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="ask.cancel")]

    def __init__(self, title: str, prompt: str, *, value: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.prompt = prompt
        self.value = value

    def compose(self) -> ComposeResult:
        """The prompt, the input, and what the keys do."""
        with Vertical(id="dialog", classes="dialog ask") as dialog:
            dialog.border_title = self.title_text
            yield Static(self.prompt, classes="hint", markup=False)
            yield TextInput(self.value, id="ask-input", compact=True)
            yield Static("Enter saves · Escape cancels", classes="hint", markup=False)

    def on_mount(self) -> None:
        """The input has the focus, its text selected so typing replaces it."""
        from reader.app import reader_app

        reader_app(self).steady_cursors(self)
        box = self.query_one(Input)
        box.focus()
        box.select_all()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter answers (with nothing typed, it is the same as escape)."""
        event.stop()
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        """Close without an answer."""
        self.dismiss(None)
