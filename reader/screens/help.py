"""Every key of the screen underneath, with what it does, where it comes from and its id."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Static

from reader.textual_private import bindings_in_effect

# Where a binding comes from, for widgets that do not name their own section.
SECTIONS = {"ArticleView": "Text"}


def binding_rows(screen: Screen[Any]) -> list[tuple[str, str, str, str]]:
    """(keys, description, where, binding id) for every described binding the screen can use.

    Keys are the ones in effect, after the config's remaps.
    """
    app = screen.app
    nodes: list[Any] = list(getattr(screen, "help_nodes", lambda: [])()) or [screen]
    nodes.append(app)
    rows: list[tuple[str, str, str, str]] = []
    seen: set[tuple[int, str]] = set()
    for node in nodes:
        where = getattr(node, "HELP_SECTION", None) or SECTIONS.get(type(node).__name__, type(node).__name__)
        by_action: dict[str, list[Binding]] = {}
        for _key, binding in bindings_in_effect(node):
            if not binding.description or (id(node), binding.action) in seen:
                continue
            if binding.id is None and node is not app:
                continue  # Textual's inherited focus keys, which reader's widgets replace
            by_action.setdefault(binding.action, []).append(binding)
        for action, bindings in by_action.items():
            seen.add((id(node), action))
            keys = " ".join(dict.fromkeys(app.get_key_display(b) for b in bindings))
            first = bindings[0]
            rows.append((keys, first.description, where, first.id or ""))
    return rows


class HelpScreen(ModalScreen[None]):
    """A table of every key: press escape, q or ? to close it."""

    BINDINGS = [Binding("escape,q,question_mark", "close", "Close", id="help.close")]

    def __init__(self, screen: Screen[Any]) -> None:
        super().__init__()
        self.rows = binding_rows(screen)
        self.screen_name = getattr(screen, "HELP_SECTION", None) or type(screen).__name__

    def compose(self) -> ComposeResult:
        """The table, and how to remap a key."""
        with Vertical(id="dialog", classes="dialog help") as dialog:
            dialog.border_title = f"Keys: {self.screen_name}"
            yield DataTable(id="help-table", cursor_type="row", zebra_stripes=True)
            yield Static(
                "Remap a key in config.toml under [keys], e.g. \"article.tag_1\" = \"1,f1\". "
                "ctrl+p finds every command, label and theme. Escape closes.",
                classes="hint",
                markup=False,
            )

    def on_mount(self) -> None:
        """Fill the table."""
        table = self.query_one(DataTable)
        table.add_columns("Key", "Does", "Where", "Id")
        # Descriptions name labels, which are the user's text: cells of plain text, as DataTable
        # would read a string as markup.
        table.add_rows([[Text(cell) for cell in row] for row in self.rows])

    def action_close(self) -> None:
        """Back to the screen."""
        self.dismiss(None)
