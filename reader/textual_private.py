"""Every use reader makes of Textual's private API, in one place.

Textual has no public way to list a node's bindings with the user's key remaps applied (the
help screen and the command palette need that), to rename a binding once the label set is
known, to say what is printed when the app stops on an error, or to let go of the style
caches of widgets that are gone. The few private attributes
this takes are read and written here only, so that a Textual upgrade is checked in this
file (and pinned in pyproject.toml).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from rich.text import Text
from textual._styles_cache import StylesCache
from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode


def bindings_in_effect(node: DOMNode) -> list[tuple[str, Binding]]:
    """(key, binding) for each binding a node declares, after the app's key remaps."""
    bindings = node._bindings.copy()
    keymap = node.app._keymap
    if keymap:
        bindings.apply_keymap(keymap)
    return list(bindings)


def declares_bindings(node: DOMNode) -> bool:
    """Whether a node has bindings of its own."""
    return bool(node._bindings.key_to_bindings)


def rename_bindings(node: DOMNode, describe: Callable[[Binding], str | None]) -> None:
    """Give a node's bindings new descriptions (None keeps one as it is), for this node only."""
    by_key = node._bindings.key_to_bindings
    for key, items in by_key.items():
        renamed: list[Binding] = []
        for binding in items:
            description = describe(binding)
            renamed.append(binding if description is None else replace(binding, description=description))
        by_key[key] = renamed


def replace_exit_message(app: App[Any], message: str) -> None:
    """What the terminal shows once the app has stopped on an error: `message`, as plain text."""
    app._exit_renderables[:] = [Text(message)]


def release_style_caches() -> None:
    """Let the widgets that are gone take their drawn lines with them.

    Textual memoises `StylesCache.get_inner_outer` with an `lru_cache` on the method, so its
    keys hold the style caches of up to 1,024 widgets, every line those widgets drew with
    them, after the widgets are removed; what is held keeps growing past that (Textual issue
    6665). Opening and closing an article left about 0.3 MB behind each time, with no limit.
    The cache maps two colours to two styles: emptying it costs a few lookups at the next
    paint.
    """
    StylesCache.get_inner_outer.cache_clear()
