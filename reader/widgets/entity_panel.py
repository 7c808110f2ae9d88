"""The entity panel: what the article mentions, grouped by label, with counts.

Label rows switch that label's highlighting off and on; entity rows jump to the entity's
next occurrence. The panel only posts messages; the article screen moves the view.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from reader.article import NUM_LABEL
from reader.colours import label_variable


@dataclass(slots=True)
class Mention:
    """One entity of the panel: its text, its label and where it occurs."""

    label: str
    text: str
    spans: list[tuple[int, int]] = field(default_factory=list)


def group_mentions(text: str, spans: Iterable[tuple[int, int, str]]) -> dict[str, list[Mention]]:
    """Spans grouped by label, then by their text (case and spacing folded), most frequent first."""
    by_label: dict[str, dict[str, Mention]] = {}
    seen: set[tuple[int, int, str]] = set()
    for start, end, label in sorted(spans):
        if (start, end, label) in seen:
            continue  # an accepted model entity is also an annotation: count it once
        seen.add((start, end, label))
        surface = " ".join(text[start:end].split())
        mentions = by_label.setdefault(label, {})
        mention = mentions.setdefault(surface.casefold(), Mention(label, surface))
        mention.spans.append((start, end))
    return {
        label: sorted(mentions.values(), key=lambda m: (-len(m.spans), m.text.casefold()))
        for label, mentions in by_label.items()
    }


class EntityPanel(OptionList):
    """Entities grouped by label: Enter on a label row toggles its highlighting, on an entity jumps."""

    HELP_SECTION = "Entity panel"
    BINDINGS = [
        Binding("h,space", "toggle_label", "Highlight on/off", show=False, id="entities.toggle_label"),
        Binding("m", "other_articles", "Other articles", id="entities.other_articles"),
        Binding("escape", "leave", "Back to the text", id="entities.leave"),
    ]

    class JumpTo(Message):
        """The reader chose an entity: move the view to its next occurrence."""

        def __init__(self, mention: Mention) -> None:
            super().__init__()
            self.mention = mention

    class OtherArticles(Message):
        """The reader wants the other articles of the library that mention an entity."""

        def __init__(self, mention: Mention) -> None:
            super().__init__()
            self.mention = mention

    class LabelToggled(Message):
        """The reader switched a label's highlighting off or on."""

        def __init__(self, label: str) -> None:
            super().__init__()
            self.label = label

    class Left(Message):
        """The reader wants to go back to the text."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.groups: dict[str, list[Mention]] = {}
        self.hidden: set[str] = set()
        self._rows: list[str | Mention] = []

    def show(
        self, groups: dict[str, list[Mention]], hidden: set[str], order: list[str] | None = None
    ) -> None:
        """Redraw the panel, keeping the highlighted row where it was."""
        self.groups, self.hidden = groups, set(hidden)
        rank = {name: i for i, name in enumerate(order or [])}
        labels = sorted(groups, key=lambda n: (n == NUM_LABEL, rank.get(n, len(rank)), n))
        was = self.highlighted
        self.clear_options()
        self._rows = []
        options: list[Option] = []
        for label in labels:
            mentions = groups[label]
            total = sum(len(m.spans) for m in mentions)
            options.append(Option(self._label_row(label, total, label in self.hidden)))
            self._rows.append(label)
            for mention in mentions:
                options.append(Option(self._mention_row(mention)))
                self._rows.append(mention)
        self.add_options(options)
        if self._rows:
            self.highlighted = min(was or 0, len(self._rows) - 1)

    def _label_row(self, label: str, total: int, hidden: bool) -> Content:
        # Labels and mentions are the user's and the article's text: plain chunks, never markup.
        name = "numbers" if label == NUM_LABEL else label
        swatch = "dim" if hidden else f"on ${label_variable(label)}"
        return Content.assemble(
            ("  ", swatch),
            " ",
            (name, "bold"),
            " ",
            (str(total), "dim"),
            ("  (hidden)", "dim") if hidden else "",
        )

    def _mention_row(self, mention: Mention) -> Content:
        return Content.assemble("   ", mention.text, " ", (f"×{len(mention.spans)}", "dim"))

    def row(self, index: int | None) -> str | Mention | None:
        """What a row shows: a label name, or a mention."""
        if index is None or not 0 <= index < len(self._rows):
            return None
        return self._rows[index]

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter or a click: jump to a mention, or toggle a label."""
        event.stop()
        row = self.row(event.option_index)
        if isinstance(row, Mention):
            self.post_message(self.JumpTo(row))
        elif row is not None:
            self.post_message(self.LabelToggled(row))

    def action_other_articles(self) -> None:
        """List the articles of the library that mention the highlighted entity."""
        row = self.row(self.highlighted)
        if isinstance(row, Mention):
            self.post_message(self.OtherArticles(row))

    def action_toggle_label(self) -> None:
        """Toggle the highlighting of the highlighted row's label."""
        row = self.row(self.highlighted)
        if row is not None:
            self.post_message(self.LabelToggled(row.label if isinstance(row, Mention) else row))

    def action_leave(self) -> None:
        """Give the focus back to the text."""
        self.post_message(self.Left())
