"""The Footer, less the keys a narrow screen has no room for (they stay in the help and the palette)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

# Conveniences rather than what the screen is read with: below 120 columns they give way.
SECONDARY_ACTIONS = frozenset({"refresh", "screenshot", "next_theme", "alerts"})   # the bar counts unread alerts

KeysOnShow = tuple[tuple[str, str, str, bool, str], ...]


class KeyFooter(Footer):
    """`hidden`: actions that do nothing on this screen that a user would see (the range keys on the RRG)."""

    def __init__(self, hidden: frozenset[str] = frozenset()) -> None:
        super().__init__()
        self.hidden = hidden
        self._composed: KeysOnShow | None = None

    def compose(self) -> ComposeResult:
        if self._bindings_ready:
            self._composed = self._keys_on_show(self.screen)
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                action = widget.action.removeprefix("app.")
                widget.set_class(action in SECONDARY_ACTIONS, "-secondary")
                widget.set_class(action in self.hidden, "-hidden")
            yield widget

    def bindings_changed(self, screen: Screen) -> None:
        # The screen signals this on every focus change and most keys. Textual's Footer then builds
        # all its keys anew and restyles each: a third of what a key press cost (the monkey's
        # profile). Rebuilt only when the keys it shows change.
        if self._composed is not None and self.is_attached and screen is self.screen \
                and self._keys_on_show(screen) == self._composed:
            return
        super().bindings_changed(screen)

    def _keys_on_show(self, screen: Screen) -> KeysOnShow:
        palette_key = self.app.COMMAND_PALETTE_BINDING
        return tuple((key, binding.action, binding.description, enabled, tooltip)
                     for key, (_, binding, enabled, tooltip) in screen.active_bindings.items()
                     if binding.show or key == palette_key)
