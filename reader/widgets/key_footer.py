"""The footer of keys, rebuilt only when the keys it shows change.

Textual's footer rebuilds every key it shows each time its screen says the bindings changed,
and a screen says so at each change of focus, each screen pushed or popped and each
`refresh_bindings`: opening an article said so four times, closing a dialog once more, and
each rebuild made twenty keys and styled each of them twice. Most of those changes change
nothing the footer shows (focus moving between widgets that add no keys, a dialog closing
over the same screen). This footer still hears every change, but rebuilds only when the keys
it would show differ from the keys on show: which key, what it does, its description,
whether it is dimmed. So the keys are never stale, and a burst of changes costs one rebuild
or none.
"""

from __future__ import annotations

from collections.abc import Hashable

from textual.widgets import Footer

from reader.textual_private import release_style_caches


class KeyFooter(Footer):
    """A compact footer that rebuilds only for a change it would show."""

    def __init__(self) -> None:
        super().__init__(compact=True)
        self._drawn: Hashable | None = None  # what the keys on show were drawn from

    def shown(self) -> tuple[Hashable, ...]:
        """What the footer draws from: each key shown, its binding and whether it is enabled,
        and the command palette's key."""
        palette = self.app.COMMAND_PALETTE_BINDING
        return tuple(
            (key, active.binding, active.enabled, active.tooltip)
            for key, active in self.screen.active_bindings.items()
            if active.binding.show or key == palette
        )

    async def recompose(self) -> None:
        """Rebuild the keys if what they show has changed since they were drawn (a rebuild
        scheduled before the screen closed finds the footer gone and does nothing)."""
        if not self.is_attached:
            return
        shown = self.shown()
        if shown == self._drawn:
            return
        self._drawn = shown
        await super().recompose()
        release_style_caches()  # of the keys just removed
