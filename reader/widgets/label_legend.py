"""One line naming the labels highlighted in the article, each in its colour, with its hotkey."""

from __future__ import annotations

from collections.abc import Iterable

from textual.content import Content
from textual.widgets import Static

from reader.article import NUM_LABEL
from reader.config import Label


def label_variable(name: str) -> str:
    """The theme variable of a label's colour (the app defines one for every label)."""
    return "label-" + name.lower().replace("_", "-").replace(" ", "-")


class LabelLegend(Static):
    """Chips for the labels shown: hidden ones struck through; plain numbers in their text colour."""

    def show(self, present: Iterable[str], labels: list[Label], hidden: set[str]) -> None:
        """Redraw for the labels present in the article, in the label set's order."""
        order = {label.name: i for i, label in enumerate(labels)}
        keys = {label.name: label.key for label in labels}
        names = sorted(set(present), key=lambda n: (n == NUM_LABEL, order.get(n, len(order)), n))
        parts: list[Content | tuple[str, str] | str] = []
        for name in names:
            variable = label_variable(name)
            key = keys.get(name)
            text = f" {key}·{name} " if key else f" {name} "
            if name == NUM_LABEL:
                text, style = " numbers ", f"bold ${variable}"
            else:
                style = f"$label-text on ${variable}"
            if name in hidden:
                style = "dim strike"
            parts += [(text, style), " "]
        if not parts:
            parts = [("no entities found in this article", "dim")]
        self.update(Content.assemble(*parts))
