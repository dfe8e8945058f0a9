"""Screens that know their layout (narrow or wide, short or tall) before they are first drawn."""

from __future__ import annotations

from textual.screen import Screen

WIDE_COLUMNS = 120          # from here on, the panels sit side by side above the rotation table
TALL_ROWS = 42              # from here on, the rotation table fits under the panels with charts still readable
BREAKPOINTS = [(0, "-narrow"), (WIDE_COLUMNS, "-wide")]
VERTICAL_BREAKPOINTS = [(0, "-short"), (TALL_ROWS, "-tall")]


def _breakpoint(size: int, breakpoints: list[tuple[int, str]]) -> str:
    return [name for threshold, name in breakpoints if size >= threshold][-1]


class ResponsiveScreen(Screen):
    """Takes its breakpoint classes (`-narrow` or `-wide`, `-short` or `-tall`) when made.

    Textual adds them on the screen's first resize, after the first layout has already been
    rendered, so a screen would be drawn twice as it opens: at the wrong layout, then the right one.
    """

    def __init__(self, *, classes: str | None = None) -> None:
        super().__init__(classes=classes)
        width, height = self.app.size
        self.add_class(_breakpoint(width, BREAKPOINTS), _breakpoint(height, VERTICAL_BREAKPOINTS))

    @property
    def is_open(self) -> bool:
        """Still on the app's stack (under a pop-up, perhaps). A thread worker's result can arrive
        after the screen was closed, while its widgets are being removed: it is dropped then."""
        return self in self.app.screen_stack
