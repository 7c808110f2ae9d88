"""Pick any label of the label set by typing part of its name, or make a new one."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from reader.colours import label_variable
from reader.config import Label, label_name
from reader.widgets.text_input import TextInput


def label_option(label: Label, width: int = 12) -> Content:
    """One row of the picker: a swatch in the label's colour, its name and its hotkey."""
    return Content.assemble(
        (" ", f"on ${label_variable(label.name)}"),
        " ",
        label.name.ljust(width),
        (f" key {label.key}", "dim") if label.key else "",
    )


class LabelPicker(ModalScreen[str | None]):
    """A searchable list of every label; dismissed with the chosen label's name, or None.

    When what is typed names no label, the last row offers to make it: choosing that row
    dismisses with `CREATE` followed by the typed name.
    """

    CREATE = "\x00create:"  # cannot start a label name: cleaning removes control characters

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="labels.cancel"),
        Binding("down", "move(1)", "Next", show=False, id="labels.down"),
        Binding("up", "move(-1)", "Previous", show=False, id="labels.up"),
    ]

    def __init__(self, labels: Sequence[Label], *, title: str = "Tag as…") -> None:
        super().__init__()
        self.labels = list(labels)
        self.title_text = title

    def compose(self) -> ComposeResult:
        """The search input above the list."""
        with Vertical(id="dialog", classes="dialog picker") as dialog:
            dialog.border_title = self.title_text
            yield TextInput(placeholder="Type to filter, or a new label's name", id="label-search")
            yield OptionList(id="label-list")

    def on_mount(self) -> None:
        """Show every label, the first highlighted."""
        from reader.app import reader_app

        reader_app(self).steady_cursors(self)
        self._show("")

    def _show(self, typed: str) -> None:
        query = typed.strip().casefold()
        options = self.query_one("#label-list", OptionList)
        options.clear_options()
        matches = [lab for lab in self.labels if query in lab.name.casefold()]
        # Names that start with what was typed come first: "per" should offer PERSON, then PERCENT.
        matches.sort(key=lambda lab: not lab.name.casefold().startswith(query))
        width = max((len(lab.name) for lab in self.labels), default=0) + 1
        rows = [Option(label_option(lab, width), id=lab.name) for lab in matches]
        new = self._new_name(typed)
        if new is not None:
            rows.append(
                Option(Content.assemble(("+", "bold"), " New label ", (new, "bold")), id=self.CREATE + new)
            )
        options.add_options(rows)
        if rows:
            options.highlighted = 0

    def _new_name(self, typed: str) -> str | None:
        """The label `typed` would make, when it is a usable name the set does not have."""
        if not typed.strip():
            return None
        try:
            name = label_name(typed)
        except ValueError:
            return None
        return None if any(lab.name == name for lab in self.labels) else name

    def on_input_changed(self, event: Input.Changed) -> None:
        """Filter as the reader types."""
        self._show(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter picks the highlighted label."""
        event.stop()
        self._pick()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """A click or Enter in the list picks that label."""
        self.dismiss(event.option.id)

    def action_move(self, step: int) -> None:
        """Up and down move through the list while the search input keeps focus."""
        options = self.query_one("#label-list", OptionList)
        if options.option_count:
            current = options.highlighted if options.highlighted is not None else -1
            options.highlighted = max(0, min(options.option_count - 1, current + step))

    def _pick(self) -> None:
        options = self.query_one("#label-list", OptionList)
        if options.highlighted is None:
            typed = self.query_one("#label-search", Input).value
            try:
                label_name(typed)
            except ValueError as exc:
                self.notify(f"No label matches, and no new one can be made: {exc}.", severity="warning")
                return
            self.notify("No label matches.", severity="warning")
            return
        self.dismiss(options.get_option_at_index(options.highlighted).id)

    def action_cancel(self) -> None:
        """Close without tagging."""
        self.dismiss(None)
