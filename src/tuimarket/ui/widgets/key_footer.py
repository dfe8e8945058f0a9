"""The Footer, less the keys a narrow screen has no room for (they stay in the help and the palette)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

# Conveniences rather than what the screen is read with: below 120 columns they give way.
SECONDARY_ACTIONS = frozenset({"refresh", "screenshot", "next_theme"})


class KeyFooter(Footer):
    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if isinstance(widget, FooterKey) and widget.action.removeprefix("app.") in SECONDARY_ACTIONS:
                widget.add_class("-secondary")
            yield widget
