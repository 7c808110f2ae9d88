"""A yes/no question asked before something that cannot be undone."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class ConfirmDialog(ModalScreen[bool]):
    """Ask a question; dismissed with True for yes, False for no or escape."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(
        self, question: str, *, yes: str = "Yes", title: str = "Are you sure?", dangerous: bool = True
    ) -> None:
        super().__init__()
        self.question = question
        self.yes_label = yes
        self.title_text = title
        self.dangerous = dangerous

    def compose(self) -> ComposeResult:
        """The question and two buttons; No is focused, so a stray Enter does no harm.

        The question and the buttons' words may quote the user's text: never markup.
        """
        with Vertical(id="dialog", classes="dialog") as dialog:
            dialog.border_title = self.title_text
            yield Static(self.question, id="question", markup=False)
            with Horizontal(classes="buttons"):
                variant = "error" if self.dangerous else "primary"
                yield Button(Content(f"{self.yes_label} (y)"), variant=variant, id="yes")
                yield Button("No (n)", variant="default", id="no")

    def on_mount(self) -> None:
        """Focus the safe answer."""
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """A button answers the question."""
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        """Answer from the keyboard."""
        self.dismiss(yes)
