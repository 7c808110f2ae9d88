"""The Textual app: the library and article screens, reader's themes and command palette.

Everything here only calls the core (`reader.store`, `reader.config`); the slow parts
(spaCy, ingestion) are imported inside the workers that need them, so opening the app
never pays for loading a model.

Three rules hold for every screen, and live here so that no screen has to remember them:
- a notification is plain text, never markup, and holds no control character
  (`ReaderApp.notify`): it so often quotes an article, a title, a label or a file name;
- an error the code did not expect is a bug: its traceback goes to a file under the data
  dir and the user is told where (`ReaderApp._handle_exception`), rather than a screen
  turning it into a vague notice;
- quitting never waits for background work: thread workers run on daemon threads that the
  process does not join (`DaemonThreads`), and every worker is told to stop at once.
"""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import os
import threading
import traceback
import webbrowser
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.dom import DOMNode
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.theme import Theme
from textual.widgets import Input

from reader import config as config_file
from reader import paths
from reader.catalog import View
from reader.colours import label_variable
from reader.config import Config, ConfigError, Label
from reader.store import Library, StoreError
from reader.text import clean, clean_line, plural
from reader.textual_private import (
    bindings_in_effect,
    declares_bindings,
    release_style_caches,
    replace_exit_message,
)

if TYPE_CHECKING:
    from reader.history import Change
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


# What a store call can raise for a reason outside the program: a damaged or unwritable
# file, an article removed meanwhile (ArticleGone is a LookupError), a bad span or value.
STORE_ERRORS: tuple[type[Exception], ...] = (StoreError, LookupError, ValueError)
# How many articles a rename of a label changes together.
_RELABEL_BATCH = 200
# What an export can end with for a reason outside the program, besides those.
EXPORT_ERRORS: tuple[type[Exception], ...] = (*STORE_ERRORS, OSError, ImportError, BrokenProcessPool)


def reader_app(node: DOMNode) -> ReaderApp:
    """The running reader app, typed: how screens and widgets reach the library and config."""
    return cast("ReaderApp", node.app)


def plain(text: str) -> Content:
    """Text shown exactly as it is: never read as markup, whatever brackets it holds."""
    return Content(text)


def highlighted(text: str, offsets: list[int], style: str = "reverse") -> Content:
    """Plain text with the characters at `offsets` styled (the palette's fuzzy match)."""
    content = Content(text)
    for offset in offsets:
        if 0 <= offset < len(text) and not text[offset].isspace():
            content = content.stylize(style, offset, offset + 1)
    return content


def over_ssh() -> bool:
    """Whether the app runs in a terminal reached over SSH."""
    return bool(os.environ.get("SSH_CONNECTION") or os.environ.get("SSH_TTY"))


class ReaderCommands(Provider):
    """Command palette entries: every key action of the screen, every label, every theme."""

    def _commands(self) -> list[tuple[str, Callable[[], Any], str]]:
        app = reader_app(self.screen)
        screen = self.screen
        commands: list[tuple[str, Callable[[], Any], str]] = []
        seen: set[str] = set()
        # The screen's own bindings and those of the widgets on it (the article view's
        # movement keys, for instance), whatever has focus right now.
        for node in _binding_nodes(screen):
            for key, binding in bindings_in_effect(node):
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
            for label in app.config.labels:
                key = f"Key: {label.key}" if label.key else "Also in the label picker (l)"
                commands.append((f"Tag as {label.name}", partial(tag, label.name), key))
        everywhere = getattr(screen, "tag_every_occurrence_in_library", None)
        if everywhere is not None:
            commands.append(
                (
                    "Tag every occurrence in the library",
                    everywhere,
                    "The annotation under the cursor, in every article that has its text",
                )
            )
        commands.append(("New label…", app.ask_new_label, "Add a label to the label set"))
        for label in app.config.labels:
            rename = partial(app.ask_rename_label, label.name)
            recolour = partial(app.ask_recolour_label, label.name)
            commands.append((f"Rename label {label.name}…", rename, "Label set"))
            commands.append((f"Recolour label {label.name}…", recolour, "Label set"))
        for name in sorted(app.available_themes):
            commands.append((f"Theme: {name}", partial(setattr, app, "theme", name), "Switch theme"))
        return commands

    async def discover(self) -> Hits:
        """Everything, for browsing the palette before typing."""
        for name, run, help_text in self._commands():
            yield DiscoveryHit(plain(name), run, help=plain(help_text))  # type: ignore[arg-type]

    async def search(self, query: str) -> Hits:
        """Fuzzy matches for what was typed (matched as plain text, never as markup)."""
        matcher = self.matcher(query)
        for name, run, help_text in self._commands():
            score, offsets = matcher.fuzzy_search.match(query, name)
            if score > 0:
                yield Hit(score, highlighted(name, list(offsets)), run, help=plain(help_text))  # type: ignore[arg-type]


def _binding_nodes(screen: Any) -> list[Any]:
    """The screen and the widgets on it that declare bindings, focused chain first."""
    nodes: list[Any] = []
    focused = screen.focused
    while focused is not None and focused is not screen:
        nodes.append(focused)
        focused = focused.parent
    nodes.append(screen)
    for widget in screen.query("*"):
        if widget not in nodes and declares_bindings(widget) and widget.display:
            if type(widget).__module__.startswith("reader."):
                nodes.append(widget)
    return nodes


class DaemonThreads(ThreadPoolExecutor):
    """Runs each call on a new daemon thread, and never waits for one on shutdown.

    Textual runs thread workers on the event loop's default executor, which asyncio and the
    interpreter join on exit: one worker stuck in a read (a stalled server, say) would keep
    the process alive after the app has gone, and a second Ctrl-C would then interrupt that
    join with a traceback. Work on these threads is abandoned at exit; what it wrote is safe
    because every store, config and export write is atomic. (A ThreadPoolExecutor by type
    only: asyncio accepts nothing else as a loop's default executor; no pool is kept.)
    """

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        """Start `fn(*args, **kwargs)` on its own daemon thread."""
        future: Future[Any] = Future()

        def run() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                result = fn(*args, **kwargs)
            except BaseException as exc:  # handed on to whoever awaits the future
                future.set_exception(exc)
            else:
                future.set_result(result)

        threading.Thread(target=run, name="reader-worker", daemon=True).start()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Nothing to wait for: the threads are daemons."""


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
        # Set when the app begins to quit: long work on a thread checks it between steps
        # (a thread cannot be stopped from outside; it is abandoned if it does not look).
        self.stop_requested = threading.Event()
        # The library's order and filters, which "done, next" follows in an article.
        self.library_view = View()
        self.bug_log: Path | None = None
        super().__init__()
        for theme in THEMES:
            self.register_theme(theme)
        wanted = config.theme if config.theme in self.available_themes else DEFAULT_THEME
        self.theme = wanted

    # -- rules for every screen ----------------------------------------------------------------

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Show a notification, always as plain text (`markup` is ignored: see the module doc),
        and cleaned: it quotes paths typed or pasted into a dialog, and Textual writes a control
        character in a widget's text to the terminal as it is."""
        message, title = clean(message), clean_line(title)
        if timeout is None:
            super().notify(message, title=title, severity=severity, markup=False)
        else:
            super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def _handle_exception(self, error: Exception) -> None:
        """An error nothing caught is a bug: keep its traceback in a file and say where."""
        self.bug_log = self._write_bug_log(error)
        super()._handle_exception(error)
        where = f"The details are in {self.bug_log}" if self.bug_log else "The details could not be saved"
        replace_exit_message(
            self,
            f"reader stopped on a bug: {type(error).__name__}: {error}\n"
            f"{where}; please report it with that file.\n"
            "Every change reader had acknowledged is saved.",
        )

    def _write_bug_log(self, error: BaseException) -> Path | None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        path = self.library.root / "logs" / f"bug-{stamp}-{os.getpid()}.log"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("".join(traceback.format_exception(error)), encoding="utf-8")
        except OSError:
            return None
        return path

    def exit(self, *args: Any, **kwargs: Any) -> None:
        """Quit at once: tell background work to stop, and do not wait for it."""
        self.stop_requested.set()
        self.workers.cancel_all()
        super().exit(*args, **kwargs)

    # -- themes and label colours --------------------------------------------------------------

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

    def _remember_theme(self, theme: Theme) -> None:
        # The theme applied at start-up is not a choice: don't write a config file for it.
        if theme.name == self.config.theme or (self.config.theme is None and theme.name == DEFAULT_THEME):
            return
        self.config.theme = theme.name
        try:
            config_file.save(self.config)
        except (OSError, ConfigError) as exc:
            self.notify(f"Could not save the theme: {exc}", severity="warning")

    # -- screens -------------------------------------------------------------------------------

    def on_mount(self) -> None:
        """Apply the key remaps, remember theme changes, and show the first screen."""
        from reader.screens.library import LibraryScreen

        asyncio.get_running_loop().set_default_executor(DaemonThreads())
        if self.config.keys:
            self.set_keymap(self.config.keys)
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        self.screen_change_signal.subscribe(self, self._screen_changed)
        self.push_screen(LibraryScreen())
        # What start-up made lives as long as the app: frozen, it is skipped by the full
        # collections that opening an article can set off, which would each rescan all of it.
        self.call_after_refresh(gc.freeze)
        if self.open_article:
            self.call_after_refresh(self._open_first, self.open_article)

    def _screen_changed(self, _screen: Screen[Any]) -> None:
        """A screen opened or closed: drop what Textual keeps of the widgets closed."""
        release_style_caches()

    def on_unmount(self) -> None:
        """Hand what start-up made back to the collector (tests run many apps in one process)."""
        gc.unfreeze()

    def _open_first(self, prefix: str) -> None:
        try:
            article_id = self.library.resolve(prefix)
        except STORE_ERRORS as exc:
            self.notify(str(exc), title="Cannot open", severity="error")
            return
        self.open_article_screen(article_id)

    def open_article_screen(
        self, article_id: str, *, replace: bool = False, at: int | None = None, undoable: Change | None = None
    ) -> bool:
        """Open one article in the reader, where the reader left it or at the character `at`
        (in place of the current screen when `replace`; with `undoable` as the first change its
        `u` takes back); False, with a notification, when it cannot be read."""
        from reader.screens.article import ArticleScreen

        try:
            article = self.library.get(article_id)
            state = self.library.article_state(article_id, len(article.text))
        except (*STORE_ERRORS, OSError) as exc:
            self.notify(f"{exc}", title="Cannot open the article", severity="error")
            return False
        if at is not None:
            state = dataclasses.replace(state, position=max(0, min(at, len(article.text))))
        screen = ArticleScreen(article, state=state)
        if undoable is not None:
            screen.history.record(undoable)
        if replace:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)
        return True

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

    # -- the outside world ---------------------------------------------------------------------

    def copy_text(self, text: str) -> str:
        """Copy to the clipboard; returns which clipboard(s) got it, for the notification.

        OSC 52 (`copy_to_clipboard`) always: it reaches the reader's own terminal, even over
        SSH. pyperclip as well where it works, but not over SSH, where it would copy on the
        remote machine; it raises when the machine has no clipboard program.
        """
        self.copy_to_clipboard(text)
        if over_ssh():
            return "terminal clipboard"
        import pyperclip

        try:
            pyperclip.copy(text)
        except (pyperclip.PyperclipException, OSError):  # no clipboard program, or it failed
            return "terminal clipboard; system clipboard unavailable"
        return "terminal and system clipboard"

    def browser_missing(self) -> str | None:
        """Why no web browser can open a page from here, or None when one can."""
        if self.is_web:
            return None  # the browser the app is served in opens it
        if over_ssh():
            return "over SSH a browser would open on the other machine"
        try:
            browser = webbrowser.get()
        except webbrowser.Error:
            return "no web browser is installed or set in $BROWSER"
        # A text-mode browser (lynx, w3m) would take over this very terminal.
        if type(browser) is webbrowser.GenericBrowser and not os.environ.get("BROWSER"):
            return "only a text-mode browser is installed, and it would take over this terminal"
        return None

    # -- the label set -------------------------------------------------------------------------

    def labels_changed(self) -> None:
        """The label set changed: new colour variables, and every screen shows the new set."""
        self.refresh_css(animate=False)
        for screen in self.screen_stack:
            refresh = getattr(screen, "labels_changed", None)
            if refresh is not None:
                refresh()

    def create_label(self, name: str) -> Label | None:
        """Add a label to the set and the config file; None, with the reason shown, if it cannot be."""
        try:
            made = config_file.add_labels(self.config, [name])
        except ValueError as exc:
            self.notify(str(exc), title="No new label", severity="warning")
            return None
        except (OSError, ConfigError) as exc:
            # In the set for this session all the same: the reader asked for it.
            self.notify(f"{exc}", title="The new label is not saved in the config", severity="error")
            made = [self.config.labels[-1]]
        label = self.config.label(config_file.label_name(name))
        if made and label is not None:
            key = f" on key {label.key}" if label.key else " (every key is taken: l picks it)"
            self.notify(f"New label {label.name}{key}, colour {label.color}.", timeout=4)
            self.labels_changed()
        return label

    def ask_new_label(self) -> None:
        """Ask for a new label's name, then add it."""
        from reader.screens.ask import AskDialog

        def answered(name: str | None) -> None:
            if name:
                self.create_label(name)

        self.push_screen(AskDialog("New label", "Its name, e.g. VICTIM"), answered)

    def ask_rename_label(self, name: str) -> None:
        """Ask for a label's new name, then rename it in the config and in every annotation."""
        from reader.screens.ask import AskDialog

        def answered(new: str | None) -> None:
            if new:
                self.rename_label(name, new)

        prompt = "New name (annotations with this label across the library get it too)"
        self.push_screen(AskDialog(f"Rename {name}", prompt, value=name), answered)

    def _change_label(self, change: Callable[[], Label], refused: str) -> Label | None:
        """Make a change to the label set (it saves the config); say why when it cannot be."""
        try:
            label = change()
        except ValueError as exc:  # a name or colour that cannot be
            self.notify(str(exc), title=refused, severity="warning")
            return None
        except (OSError, ConfigError) as exc:  # the config file cannot be read or written
            self.notify(f"{exc}", title=refused, severity="error")
            return None
        self.labels_changed()
        return label

    def rename_label(self, old: str, new: str) -> None:
        """Rename a label in the config, then relabel its annotations across the library."""
        label = self._change_label(partial(config_file.rename_label, self.config, old, new), "Not renamed")
        if label is not None and label.name != old:
            self.relabel_library(old, label.name)

    @work(thread=True, exclusive=True, group="relabel")
    def relabel_library(self, old: str, new: str) -> None:
        """Give every annotation labelled `old` the label `new`, article by article."""
        changed = articles = 0
        failed: list[str] = []
        try:
            ids = self.library.stored_ids(annotated=True)
        except STORE_ERRORS as exc:
            self.call_from_thread(self.notify, f"{exc}", title="Annotations not relabelled", severity="error")
            return
        # A batch of articles at a time: one write per article and one catalog transaction
        # per batch. A batch that fails (an article removed meanwhile) goes article by article.
        for first in range(0, len(ids), _RELABEL_BATCH):
            if self.stop_requested.is_set():
                return
            batch = ids[first : first + _RELABEL_BATCH]
            try:
                counts = self.library.relabel_many(batch, old, new)
            except STORE_ERRORS:
                counts = {}
                for article_id in batch:
                    try:
                        counts.update(self.library.relabel_many([article_id], old, new))
                    except STORE_ERRORS as exc:
                        failed.append(f"{article_id[:10]}: {exc}")
            changed += sum(counts.values())
            articles += sum(1 for n in counts.values() if n)
        message = f"Renamed {old} to {new} in {plural(changed, 'annotation')} of {plural(articles, 'article')}."
        if failed:
            message += f" {plural(len(failed), 'article')} could not be changed: {failed[0]}"
        self.call_from_thread(self.notify, message, severity="warning" if failed else "information")
        self.call_from_thread(self.labels_changed)

    def ask_recolour_label(self, name: str) -> None:
        """Ask for a label's new colour, then save it."""
        from reader.colours import distinct_colour
        from reader.screens.ask import AskDialog

        label = self.config.label(name)
        if label is None:
            return
        others = [lab.color for lab in self.config.labels if lab.name != name]

        def answered(colour: str | None) -> None:
            if colour:
                self.recolour_label(name, colour)

        prompt = f"A colour as #rrggbb (now {label.color}; one unlike the others: {distinct_colour(others)})"
        self.push_screen(AskDialog(f"Recolour {name}", prompt, value=label.color), answered)

    def recolour_label(self, name: str, colour: str) -> None:
        """Give a label a new colour and save it in the config."""
        change = partial(config_file.recolour_label, self.config, name, colour)
        if (label := self._change_label(change, "Not recoloured")) is not None:
            self.notify(f"{label.name} is now {label.color}.", timeout=3)


def make_app(
    data_dir: Path | None = None,
    *,
    config: Config | None = None,
    open_article: str | None = None,
) -> ReaderApp:
    """The app on a data dir (default: the user's) with a config (default: the user's file)."""
    library = Library(paths.data_dir(data_dir))
    return ReaderApp(library, config or config_file.load(), open_article=open_article)
