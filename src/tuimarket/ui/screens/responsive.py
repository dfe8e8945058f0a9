"""Screens that know their layout (narrow or wide) before they are first drawn."""

from __future__ import annotations

from textual.screen import Screen

WIDE_COLUMNS = 120          # from here on, the panels sit side by side above the rotation table
BREAKPOINTS = [(0, "-narrow"), (WIDE_COLUMNS, "-wide")]


class ResponsiveScreen(Screen):
    """Takes its breakpoint class (`-narrow` or `-wide`) when made.

    Textual adds it on the screen's first resize, after the first layout has already been
    rendered, so a screen would be drawn twice as it opens: at the wrong layout, then the right one.
    """

    def __init__(self, *, classes: str | None = None) -> None:
        super().__init__(classes=classes)
        width = self.app.size.width
        self.add_class([name for columns, name in BREAKPOINTS if width >= columns][-1])
