"""`TextInput`: Textual's `Input`, taking from a paste only what can be shown.

A paste is text from anywhere (a web page, a terminal's scrollback) and can carry escape
sequences or other control characters; Textual writes an input's characters to the terminal
as they are. Typed keys need nothing: `Input` inserts printable characters only.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input

from reader.text import strip_controls


class TextInput(Input):
    """A one-line input whose pastes lose their control characters (and nothing else: a
    pasted path must still name its file)."""

    def _on_paste(self, event: events.Paste) -> None:
        # Textual calls this and then `Input._on_paste` (each class's handler, down the MRO),
        # which inserts the text as it now is.
        lines = event.text.splitlines()
        event.text = strip_controls(lines[0]) if lines else ""
