"""The rotation table: rows keyed by symbol, updated in place so the cursor survives a refresh.

Where its columns do not all fit (80 columns), the symbol stays put on the left, the border says
how many columns are off-screen on either side, and →/l, ←/h scroll a column at a time; once
nothing is left that way they move on to the next or previous pane, as elsewhere on the dashboard.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Iterable

from rich.console import JustifyMethod, RenderableType
from rich.style import Style
from rich.text import Text
from textual import events
from textual.actions import SkipAction
from textual.binding import Binding
from textual.widgets import DataTable

from tuimarket.analysis.vocabulary import Quadrant
from tuimarket.ui.viewmodels import ROTATION_COLUMNS, RotationLine
from tuimarket.ui.widgets.colours import theme_colour

# Columns the `o` key cycles through, and which way each sorts first.
SORTABLE = {"Rank": False, "RS-Ratio": True, "RS-Mom": True, "1W": True, "1M": True, "3M": True, "6M": True,
            "YTD": True, "1Y": True}
STATE_COLOURS = {"up": "success", "down": "error", Quadrant.LEADING: "success", Quadrant.WEAKENING: "warning",
                 Quadrant.LAGGING: "error", Quadrant.IMPROVING: "accent"}


class RotationTable(DataTable):
    BINDINGS = [
        Binding("o", "next_sort", "Sort", tooltip="Sort by the next column"),
        Binding("O", "reverse_sort", "Reverse", show=False),
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        # a table's own Home and End scroll sideways; in a list of symbols they go to its ends
        Binding("home", "scroll_top", "First row", show=False, tooltip="The first row"),
        Binding("end", "scroll_bottom", "Last row", show=False, tooltip="The last row"),
        Binding("right,l", "scroll_columns(1)", "Columns", show=False,
                tooltip="Columns off-screen to the right (then the next pane)"),
        Binding("left,h", "scroll_columns(-1)", "Columns", show=False,
                tooltip="Columns off-screen to the left (then the previous pane)"),
    ]

    # What a table of symbols shows (the watchlist's table has its own), and how it sorts first.
    COLUMNS: tuple[str, ...] = ROTATION_COLUMNS
    SORTABLE: dict[str, bool] = SORTABLE
    LEFT_COLUMNS: tuple[str, ...] = ("Symbol", "Name", "Quadrant")
    WIDTHS: dict[str, int] = {}        # columns of a set width; the others fit their first rows
    # Changed rows beyond which the table is filled anew rather than updated in place: a cell updated
    # in place keeps its column's width (None: always in place, where the widths are set or known).
    REBUILT_ABOVE: int | None = 50
    FIRST_SORT = "Rank"
    PANE_NAME = "Rotation"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="pane", cursor_type="row", zebra_stripes=True, fixed_columns=1)
        self.pane_name = self.PANE_NAME
        self.border_title = self.pane_name
        self.lines: dict[str, RotationLine] = {}
        self.sort_column = self.FIRST_SORT
        self.descending = False

    def _justify(self, column: str) -> JustifyMethod:
        return "left" if column in self.LEFT_COLUMNS else "right"

    def on_mount(self) -> None:
        for name in self.COLUMNS:
            self.add_column(Text(name, justify=self._justify(name)), key=name, width=self.WIDTHS.get(name))
        # Cell colours are read from the theme as the cells are made, so a new theme remakes them.
        self.app.theme_changed_signal.subscribe(self, lambda theme: self._update_cells(self.lines.values()))

    async def _on_idle(self, event: events.Idle) -> None:
        widths = [column.content_width for column in self.columns.values()]
        await super()._on_idle(event)
        if widths != [column.content_width for column in self.columns.values()]:
            # DataTable widens a column to its new cells here, on idle, but keeps the cells it has
            # painted and cached at the old width: rows there before the first paint stayed cut.
            self._clear_caches()
            self.refresh()

    def _cells(self, line: RotationLine) -> list[RenderableType]:
        return [self._cell(text, Style(color=theme_colour(self.app, STATE_COLOURS.get(state, ""))),
                           self._justify(column))
                for column, text, state in zip(self.COLUMNS, line.cells, line.states)]

    def _cell(self, text: str, style: Style, justify: JustifyMethod) -> RenderableType:
        return Text(text, style=style, justify=justify)

    def _update_cells(self, lines: Iterable[RotationLine]) -> None:
        for line in lines:
            for column, cell in zip(self.COLUMNS, self._cells(line)):
                self.update_cell(line.symbol, column, cell)

    @property
    def symbol_under_cursor(self) -> str | None:
        if not self.row_count:
            return None
        return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value

    def show(self, lines: tuple[RotationLine, ...]) -> None:
        selected = self.symbol_under_cursor
        incoming = {line.symbol: line for line in lines}
        changed = [line for line in lines if self.lines.get(line.symbol) != line]
        if set(incoming) != set(self.lines) or self.REBUILT_ABOVE is not None and len(changed) > self.REBUILT_ABOVE:
            self.clear()
            for line in lines:
                self.add_row(*self._cells(line), key=line.symbol)
        else:
            self._update_cells(changed)
        self.lines = incoming
        self._sort()
        if selected in incoming:   # new numbers may re-order the rows; the cursor follows its symbol
            self.move_cursor(row=self.get_row_index(selected), animate=False)
        self.call_after_refresh(self._show_subtitle)   # wider cells may have pushed columns off-screen

    def _sort(self) -> None:
        position = self.COLUMNS.index(self.sort_column)
        keys = [self.lines[row.key.value].sort_keys[position] for row in self.ordered_rows if row.key.value]
        if any(later < earlier if not self.descending else later > earlier for earlier, later in pairwise(keys)):
            # Only when out of order: sorting repaints every row in view, even into the same order.
            self.sort("Symbol", key=lambda symbol: self.lines[symbol.plain].sort_keys[position],
                      reverse=self.descending)
        self._show_subtitle()

    def _show_subtitle(self) -> None:
        arrow = "↓" if self.descending else "↑"
        left, right = self._hidden_columns()
        hidden = " · ".join(filter(None, [f"◂ {left} more" if left else "", f"{right} more ▸" if right else ""]))
        self.border_subtitle = " · ".join(filter(None, [hidden, f"sorted by {self.sort_column} {arrow} · o: sort"]))

    def _column_spans(self) -> list[tuple[int, int]]:
        """Each scrolling column's (start, end) in the table's content, after the fixed ones."""
        spans, x = [], 0
        for index, column in enumerate(self.ordered_columns):
            width = column.get_render_width(self)
            if index >= self.fixed_columns:
                spans.append((x, x + width))
            x += width
        return spans

    def _column_starts(self) -> list[int]:
        """Each scrolling column's start as the scroll_x that puts it right beside the fixed ones."""
        fixed = self._fixed_width()
        return [start - fixed for start, _ in self._column_spans()]

    @property
    def max_scroll_x(self) -> int:
        """Far enough to bring the last column in with a whole one beside the symbol (blank beyond
        it), not only to the table's end, which may leave a column half behind the symbol."""
        end = super().max_scroll_x
        return next((start for start in self._column_starts() if start >= end), end)

    def _fixed_width(self) -> int:
        return sum(column.get_render_width(self) for column in self.ordered_columns[:self.fixed_columns])

    def _hidden_columns(self) -> tuple[int, int]:
        """How many columns are (partly) off-screen to the left and to the right."""
        width, fixed, scrolled = self.scrollable_content_region.width, self._fixed_width(), round(self.scroll_x)
        if width <= 0:
            return 0, 0
        spans = self._column_spans()
        return (sum(start - scrolled < fixed for start, _ in spans),
                sum(end - scrolled > width for _, end in spans))

    def watch_scroll_x(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_x(old_value, new_value)
        self._show_subtitle()

    def on_resize(self) -> None:
        self._show_subtitle()

    def action_scroll_columns(self, step: int) -> None:
        """Bring the next off-screen column on that side into view; with none, let the pane keys have it.
        Each step stops at a column's start: the column beside the symbol is always whole (a change
        of -1.5% half behind it read "1.5%")."""
        width, fixed, scrolled = self.scrollable_content_region.width, self._fixed_width(), round(self.scroll_x)
        spans = self._column_spans()
        if step > 0:
            target = next((self._start_showing(start, end, width) for start, end in spans
                           if end - scrolled > width and start - fixed > scrolled), None)
        else:
            target = next((start - fixed for start, _ in reversed(spans) if start - scrolled < fixed), None)
        if target is None:
            raise SkipAction()
        self.scroll_to(x=max(0, target), animate=False)

    def _start_showing(self, start: int, end: int, width: int) -> int:
        """The first column start (a scroll_x) that shows the column from `start` to `end` whole, or
        its own start should it be wider than the room beside the symbol."""
        own = start - self._fixed_width()
        return next(offset for offset in self._column_starts() if offset >= end - width or offset == own)

    def sort_by(self, column: str) -> None:
        self.sort_column = column
        self.descending = self.SORTABLE[column]
        self._sort()

    def action_next_sort(self) -> None:
        columns = list(self.SORTABLE)
        self.sort_by(columns[(columns.index(self.sort_column) + 1) % len(columns)])

    def action_reverse_sort(self) -> None:
        self.descending = not self.descending
        self._sort()
