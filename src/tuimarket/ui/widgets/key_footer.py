"""The Footer, less the keys a narrow screen has no room for (they stay in the help and the palette)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

# Conveniences rather than what the screen is read with: below 120 columns they give way.
# The bar counts unread alerts; breadth has a pane of its own; a weekly chart says "Weekly" above it.
SECONDARY_ACTIONS = frozenset({"refresh", "screenshot", "next_theme", "alerts", "breadth", "toggle_timeframe"})


class KeyFooter(Footer):
    """`hidden`: actions that do nothing on this screen that a user would see (the range keys on the RRG)."""

    def __init__(self, hidden: frozenset[str] = frozenset()) -> None:
        super().__init__()
        self.hidden = hidden

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                action = widget.action.removeprefix("app.")
                widget.set_class(action in SECONDARY_ACTIONS, "-secondary")
                widget.set_class(action in self.hidden, "-hidden")
            yield widget
