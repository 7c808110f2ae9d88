"""The Textual app: the library and article screens, reader's themes and command palette.

Everything here only calls the core (`reader.store`, `reader.config`); the slow parts
(spaCy, ingestion) are imported inside the workers that need them, so opening the app
never pays for loading a model.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.theme import Theme
from textual.widgets import Input

from reader import config as config_file
from reader import paths
from reader.config import Config
from reader.store import Library
from reader.widgets.label_legend import label_variable

if TYPE_CHECKING:
    from reader.screens.export import ExportRequest

# displaCy's entity colours (the config's defaults), the ones spaCy users read at a glance.
DISPLACY_COLOURS: dict[str, str] = dict(config_file.DEFAULT_LABELS)


def _label_variables(num: str) -> dict[str, str]:
    variables = {label_variable(name): colour for name, colour in DISPLACY_COLOURS.items()}
    # A plain number (a numeric token no entity covers) is not an entity: it gets a text
    # colour of its own rather than a pale background, so it stands out without shouting.
    variables[label_variable("NUM")] = num
    return variables


READER_DARK = Theme(
    name="reader-dark",
    primary="#9c8cf0",
    secondary="#5fb8b8",
    accent="#feca74",
    warning="#feca74",
    error="#ff8197",
    success="#8fd18f",
    foreground="#e4e4e8",
    background="#17171f",
    surface="#1f1f2a",
    panel="#2b2b3a",
    dark=True,
    variables={**_label_variables("#ffd75f"), "label-text": "#1b1b22"},
)

READER_LIGHT = Theme(
    name="reader-light",
    primary="#5b4bc4",
    secondary="#2d7f80",
    accent="#b36b00",
    warning="#b36b00",
    error="#c0334d",
    success="#2e8540",
    foreground="#1f1f26",
    background="#fbfaf6",
    surface="#f1efe8",
    panel="#e3e0d5",
    dark=False,
    variables={**_label_variables("#b35900"), "label-text": "#1b1b22"},
)

THEMES = (READER_DARK, READER_LIGHT)
DEFAULT_THEME = READER_DARK.name


class ReaderCommands(Provider):
    """Command palette entries: every key action of the screen, every label, every theme."""

    def _commands(self) -> list[tuple[str, Callable[[], Any], str]]:
        app = self.app
        screen = self.screen
        commands: list[tuple[str, Callable[[], Any], str]] = []
        seen: set[str] = set()
        # The screen's own bindings and those of the widgets on it (the article view's
        # movement keys, for instance), whatever has focus right now.
        for node in _binding_nodes(screen):
            bindings = node._bindings.copy()
            if app._keymap:  # show the keys in effect, after the config's remaps
                bindings.apply_keymap(app._keymap)
            for key, binding in bindings:
                if not binding.description or binding.system or binding.action in seen:
                    continue
                if binding.action.startswith("tag_key("):
                    continue  # the "Tag as LABEL" entries below say it better
                seen.add(binding.action)
                keys = app.get_key_display(Binding(key, binding.action))
                run = partial(app.run_action, binding.action, node)
                commands.append((binding.description, run, f"Key: {keys}"))
        tag = getattr(screen, "tag_with", None)
        if tag is not None:
            for label in app.config.labels:  # type: ignore[attr-defined]
                key = f"Key: {label.key}" if label.key else "Also in the label picker (l)"
                commands.append((f"Tag as {label.name}", partial(tag, label.name), key))
        for name in sorted(app.available_themes):
            commands.append((f"Theme: {name}", partial(setattr, app, "theme", name), "Switch theme"))
        return commands

    async def discover(self) -> Hits:
        """Everything, for browsing the palette before typing."""
        for name, run, help_text in self._commands():
            yield DiscoveryHit(name, run, help=help_text)

    async def search(self, query: str) -> Hits:
        """Fuzzy matches for what was typed."""
        matcher = self.matcher(query)
        for name, run, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), run, help=help_text)


def _binding_nodes(screen: Any) -> list[Any]:
    """The screen and the widgets on it that declare bindings, focused chain first."""
    nodes: list[Any] = []
    focused = screen.focused
    while focused is not None and focused is not screen:
        nodes.append(focused)
        focused = focused.parent
    nodes.append(screen)
    for widget in screen.query("*"):
        if widget not in nodes and widget._bindings.key_to_bindings and widget.display:
            if type(widget).__module__.startswith("reader."):
                nodes.append(widget)
    return nodes


class ReaderApp(App[None]):
    """reader's app: a library of articles, each opened in an annotating reader."""

    TITLE = "reader"
    HELP_SECTION = "Everywhere"
    CSS_PATH = [paths.bundled("styles") / "app.tcss"]
    COMMANDS = App.COMMANDS | {ReaderCommands}
    BINDINGS = [
        Binding("ctrl+p", "command_palette", "Commands", id="app.command_palette", show=False),
    ]

    def __init__(
        self,
        library: Library,
        config: Config,
        *,
        open_article: str | None = None,
    ) -> None:
        self.library = library
        self.config = config
        self.open_article = open_article
        super().__init__()
        for theme in THEMES:
            self.register_theme(theme)
        wanted = config.theme if config.theme in self.available_themes else DEFAULT_THEME
        self.theme = wanted

    def get_theme_variable_defaults(self) -> dict[str, str]:
        """Label colours for any theme that does not define them (Textual's built-ins)."""
        defaults = dict(READER_DARK.variables)
        for label in self.config.labels:
            defaults.setdefault(label_variable(label.name), label.color)
        return defaults

    def get_css_variables(self) -> dict[str, str]:
        """Theme variables, with the label colours the user chose in the config on top."""
        variables = super().get_css_variables()
        for label in self.config.labels:
            default = DISPLACY_COLOURS.get(label.name)
            # A colour the user changed wins over every theme; an untouched one follows it.
            if label.color and label.color.lower() != (default or "").lower():
                variables[label_variable(label.name)] = label.color
        self.theme_variables = variables
        return variables

    def on_mount(self) -> None:
        """Apply the key remaps, remember theme changes, and show the first screen."""
        from reader.screens.library import LibraryScreen

        if self.config.keys:
            self.set_keymap(self.config.keys)
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        self.push_screen(LibraryScreen())
        # What start-up made lives as long as the app: frozen, it is skipped by the full
        # collections that opening an article can set off, which would each rescan all of it.
        self.call_after_refresh(gc.freeze)
        if self.open_article:
            self.call_after_refresh(self._open_first, self.open_article)

    def on_unmount(self) -> None:
        """Hand what start-up made back to the collector (tests run many apps in one process)."""
        gc.unfreeze()

    def _open_first(self, prefix: str) -> None:
        try:
            article_id = self.library.resolve(prefix)
        except LookupError as exc:
            self.notify(str(exc), title="Cannot open", severity="error")
            return
        self.open_article_screen(article_id)

    def open_article_screen(self, article_id: str) -> None:
        """Open one article in the reader, where the reader left it."""
        from reader.screens.article import ArticleScreen

        try:
            article = self.library.get(article_id)
            state = self.library.article_state(article_id)
        except (LookupError, OSError, ValueError) as exc:
            self.notify(f"{exc}", title="Cannot open the article", severity="error")
            return
        except Exception as exc:  # StoreError and friends: say so rather than crash
            self.notify(f"{exc}", title="Cannot open the article", severity="error")
            return
        self.push_screen(
            ArticleScreen(article, annotations=state.annotations, rejections=state.rejections, position=state.position)
        )

    @work(thread=True, exclusive=True, group="export")
    def run_export(self, request: ExportRequest) -> None:
        """Export in the background; the app runs it so it reports even after its screen is gone."""
        from reader.screens.export import export_and_notify

        export_and_notify(self, request)

    def steady_cursors(self, node: Any) -> None:
        """Headless (tests, snapshots, screenshots): inputs don't blink, so every frame is the same."""
        if self.is_headless:
            for box in node.query(Input):
                box.cursor_blink = False

    def copy_text(self, text: str) -> str:
        """Copy to the clipboard; returns which clipboard(s) got it, for the notification.

        OSC 52 (`copy_to_clipboard`) always: it reaches the reader's own terminal, even over
        SSH. pyperclip as well where it works, but not over SSH, where it would copy on the
        remote machine; it raises when the machine has no clipboard program.
        """
        self.copy_to_clipboard(text)
        if os.environ.get("SSH_CONNECTION") or os.environ.get("SSH_TTY"):
            return "terminal clipboard"
        try:
            import pyperclip

            pyperclip.copy(text)
        except Exception:  # pyperclip.PyperclipException, or a clipboard program that failed
            return "terminal clipboard; system clipboard unavailable"
        return "terminal and system clipboard"

    def _remember_theme(self, theme: Theme) -> None:
        # The theme applied at start-up is not a choice: don't write a config file for it.
        if theme.name == self.config.theme or (self.config.theme is None and theme.name == DEFAULT_THEME):
            return
        self.config.theme = theme.name
        try:
            config_file.save(self.config)
        except OSError as exc:
            self.notify(f"Could not save the theme: {exc}", severity="warning")


def make_app(
    data_dir: Path | None = None,
    *,
    config: Config | None = None,
    open_article: str | None = None,
) -> ReaderApp:
    """The app on a data dir (default: the user's) with a config (default: the user's file)."""
    library = Library(paths.data_dir(data_dir))
    return ReaderApp(library, config or config_file.load(), open_article=open_article)
