"""The labels highlighted in the article, each in its colour with its hotkey, wrapped to the width."""

from __future__ import annotations

from collections.abc import Iterable

from textual.content import Content
from textual.widgets import Static

from reader.article import NUM_LABEL
from reader.colours import label_variable
from reader.config import Label

# Inside a chip: no line break between a hotkey, its label and the chip's padding.
_KEEP = "\u00a0"


class LabelLegend(Static):
    """Chips for the labels shown: hidden ones struck through; plain numbers in their text colour."""

    def show(self, present: Iterable[str], labels: list[Label], hidden: set[str]) -> None:
        """Redraw for the labels present in the article, in the label set's order."""
        order = {label.name: i for i, label in enumerate(labels)}
        keys = {label.name: label.key for label in labels}
        names = sorted(set(present), key=lambda n: (n == NUM_LABEL, order.get(n, len(order)), n))
        parts: list[Content | tuple[str, str] | str] = []
        for name in names:
            key = keys.get(name)
            text = f"{key}·{name}" if key else name
            if name == NUM_LABEL:
                text, style = "numbers", f"bold ${label_variable(name)}"
            else:
                style = f"$label-text on ${label_variable(name)}"
            if name in hidden:
                style = "dim strike"
            # The label is the user's text: a plain chunk with a style, never markup.
            parts += [(f"{_KEEP}{text}{_KEEP}".replace(" ", _KEEP), style), " "]
        if not parts:
            parts = [("no entities found in this article", "dim")]
        self.update(Content.assemble(*parts))
