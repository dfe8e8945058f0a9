"""The Footer, less the keys a narrow screen has no room for (they stay in the help and the palette)."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from tuimarket.ui.screens.responsive import WIDE_COLUMNS

# Conveniences rather than what the screen is read with: below 120 columns they give way.
# The bar counts unread alerts; breadth has a pane of its own; a weekly chart says "Weekly" above it.
SECONDARY_ACTIONS = frozenset({"refresh", "screenshot", "next_theme", "alerts", "breadth", "toggle_timeframe"})

KeysOnShow = tuple[tuple[str, str, str, bool, str], ...]


def key_width(key: FooterKey) -> int:
    """The cells a key takes: " k " then "Description " (the palette's key has a rule before it)."""
    return len(key.key_display) + 2 + (len(key.description) + 1 if key.description else 0) \
        + key.has_class("-command-palette")


class KeyFooter(Footer):
    """`hidden`: actions that do nothing on this screen that a user would see (the range keys on the RRG).

    Wide, the secondary keys show as long as they fit: those that would be cut off give way from the
    last, so no key is ever shown half ("a Al").
    """

    def __init__(self, hidden: frozenset[str] = frozenset()) -> None:
        super().__init__()
        self.hidden = hidden
        self._composed: KeysOnShow | None = None

    def compose(self) -> ComposeResult:
        if self._bindings_ready:
            self._composed = self._keys_on_show(self.screen)
        widgets = list(super().compose())
        keys = [widget for widget in widgets if isinstance(widget, FooterKey)]
        for key in keys:
            # Classes and compactness as they will be, before the keys mount: a FooterKey starts
            # compact and takes the footer's setting once mounted (all but the palette's key, which
            # stays compact), and each change restyles it and its two component classes: half of
            # the dashboard's restyling at start-up.
            if not key.has_class("-command-palette"):
                key.set_reactive(FooterKey.compact, self.compact)
            action = key.action.removeprefix("app.")
            key.set_class(action in SECONDARY_ACTIONS, "-secondary", update=False)
            key.set_class(action in self.hidden, "-hidden", update=False)
        self._crowd(keys, self.app.size.width, update=False)
        yield from widgets

    @staticmethod
    def _crowd(keys: list[FooterKey], width: int, update: bool = True) -> None:
        """Mark "-crowded" the last secondary keys that would not fit in `width` columns."""
        shown = [key for key in keys if not key.has_class("-hidden")
                 and not (width < WIDE_COLUMNS and key.has_class("-secondary"))]
        total = sum(map(key_width, shown))
        for key in reversed([key for key in shown if key.has_class("-secondary")]):
            if total <= width:
                break
            key.add_class("-crowded", update=update)
            total -= key_width(key)

    def on_resize(self, event: events.Resize) -> None:
        # Classes only, on the keys there are: a recompose per resize raced itself under a storm of
        # resizes (the monkey), each mounting its keys beside the others'.
        keys = list(self.query(FooterKey))
        for key in keys:
            key.remove_class("-crowded")
        self._crowd(keys, event.size.width)

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
