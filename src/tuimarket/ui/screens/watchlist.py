"""The watchlist screen: one of the user's groups as a table, the dashboard's readings per symbol.

`[` and `]` switch groups, `o`/`O` sort, `n` adds a symbol (typed in a small dialog), `x` or
Delete removes the selected one. Rows are computed in a worker (`Watchlists.load`) and arrive in
stages; a stage of a group no longer shown, or of a screen closed, is dropped. The app makes the
screen once (unseen, while idle) and shows it again at each `W`, which reads its group anew. Like the rotation table, the symbol column
stays put on 80 columns and the rest scrolls.
"""

from __future__ import annotations

from typing import Iterable

from rich.cells import cell_len, set_cell_size
from rich.console import Console, ConsoleOptions, JustifyMethod, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.geometry import Size
from textual.screen import ModalScreen
from textual.widgets import Input, Static
from textual.widgets.data_table import RowKey
from typing_extensions import Self

from tuimarket.ui.actions import WATCHLIST_ACTIONS, bindings
from tuimarket.ui.port import Watchlists
from tuimarket.ui.screens.responsive import ResponsiveScreen
from tuimarket.ui.viewmodels import RotationLine
from tuimarket.ui.watchlist_view import WATCHLIST_COLUMNS, WatchlistTable
from tuimarket.ui.widgets.key_footer import KeyFooter
from tuimarket.ui.widgets.rotation_table import RotationTable


class PlainCell:
    """One line of plain text in one style, drawn as one segment: a table cell that DataTable
    measures and paints without Rich's text layout (wrapping, spans, padding per cell), which for
    200 rows was most of the screen's first paint."""

    __slots__ = ("plain", "style", "justify", "width")

    def __init__(self, plain: str, style: Style, justify: JustifyMethod) -> None:
        self.plain, self.style, self.justify, self.width = plain, style, justify, cell_len(plain)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(self.width, self.width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield Segment(self.fitted(options.max_width), self.style)

    def fitted(self, room: int) -> str:
        """The text justified in `room` cells, cut to them if longer."""
        text = self.plain if self.justify == "left" else " " * max(0, room - self.width) + self.plain
        return set_cell_size(text, room)


class WatchlistGrid(RotationTable):
    """The group's rows. A 200-symbol group's rows arrive in stages, and a changed cell repaints all
    the rows in view (DataTable's caches are all or nothing): rows changed out of view are painted
    as they come into view, so a stage changing rows further down costs the screen nothing."""

    COLUMNS = WATCHLIST_COLUMNS
    SORTABLE = {"Symbol": False, "Chg": True, "Trend": True, "MACD": True, "RS": True, "From ATH": True,
                "Latest event": True, "Last": True}
    LEFT_COLUMNS = ("Symbol", "Trend", "MACD", "RS", "Latest event", "Name")
    # Set widths: the first rows are placeholders ("…"), and widening a column cell by cell re-measures it
    # over every row (seconds, for 200). The symbol and the name are the placeholders' own.
    WIDTHS = {"Last": 9, "Chg": 6, "Trend": 8, "MACD": 4, "RS": 7, "From ATH": 8, "Latest event": 28}
    REBUILT_ABOVE = None
    FIRST_SORT = "Symbol"          # the group's own order
    PANE_NAME = "Watchlist"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.add_class("-active")     # the screen's one pane: shown at every width
        self.unpainted: dict[str, RotationLine] = {}     # changed out of view, by symbol

    def _cell(self, text: str, style: Style, justify: JustifyMethod) -> PlainCell:
        return PlainCell(text, style, justify)

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        """DataTable's, without asking Rich to measure every cell of every new row (1,800 for 200
        rows: 20-90 ms in one pass of the loop): each row is one line high, the columns of a set
        width need no measure, and a PlainCell knows its own."""
        fitted = [column for column in self.ordered_columns if column.auto_width]
        for row_key in new_rows:
            cells = self._data.get(row_key)
            if cells is None:       # removed before this idle
                continue
            for column in fitted:
                cell = cells[column.key]
                assert isinstance(cell, PlainCell)
                column.content_width = max(column.content_width, cell.width)
        self.virtual_size = Size(sum(column.get_render_width(self) for column in self.columns.values()),
                                 self._total_row_height + (self.header_height if self.show_header else 0))

    def _render_cell(self, row_index: int, column_index: int, base_style: Style, width: int,
                     cursor: bool = False, hover: bool = False) -> list[list[Segment]]:
        """DataTable's, drawing a PlainCell as its segments in DataTable's layers of style (the
        table's, the cell's, the cursor's) without Rich rendering each cell: that rendering was
        most of a repaint of the rows in view (200 cells)."""
        if row_index < 0 or column_index < 0:       # the header: DataTable's own
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        row_key = self._row_locations.get_key(row_index)
        column_key = self._column_locations.get_key(column_index)
        assert row_key is not None and column_key is not None
        cache_key = (row_key, column_key, base_style, cursor, hover, self._show_hover_cursor, self._update_count,
                     self._pseudo_class_state)
        lines = self._cell_render_cache.get(cache_key)
        if lines is None:
            cell = self._data[row_key][column_key]
            assert isinstance(cell, PlainCell)
            component_style, post_style = self._get_styles_to_render_cell(
                False, False, row_index < self.fixed_rows or column_index < self.fixed_columns, hover, cursor,
                self.show_cursor, self._show_hover_cursor, self.cursor_foreground_priority == "css",
                self.cursor_background_priority == "css")
            style = base_style + Style.from_meta({"row": row_index, "column": column_index}) + component_style
            padding = Segment(" " * self.cell_padding, style + post_style)
            text = Segment(cell.fitted(width - 2 * self.cell_padding), style + cell.style + post_style)
            lines = [[padding, text, padding]]
            self._cell_render_cache[cache_key] = lines
        return lines

    def _update_cells(self, lines: Iterable[RotationLine]) -> None:
        self.unpainted.update((line.symbol, line) for line in lines)
        self._paint_in_view()

    def _paint_in_view(self) -> None:
        top = round(self.scroll_y)
        in_view = range(top - 1, top + self.size.height + 1)
        due = [line for symbol, line in self.unpainted.items() if self.get_row_index(symbol) in in_view]
        for line in due:
            del self.unpainted[line.symbol]
        super()._update_cells(due)

    def clear(self, columns: bool = False) -> Self:
        self.unpainted.clear()      # the rows are made anew from the latest lines
        return super().clear(columns)

    def _sort(self) -> None:
        super()._sort()
        self._paint_in_view()       # rows the new order brings into view

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._paint_in_view()

    def on_resize(self) -> None:
        self._paint_in_view()


class AddSymbol(ModalScreen[str | None]):
    """One line to type a ticker into: Enter adds it, Escape cancels."""

    DEFAULT_CSS = """
    AddSymbol { align: center middle; }
    AddSymbol > Vertical { width: 44; height: auto; border: round $accent; background: $panel; padding: 0 1; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, group: str) -> None:
        super().__init__()
        self.group = group

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(f"Add to {self.group}: a Yahoo symbol (AAPL, ^VIX, BRK-B)"))
            yield Input(placeholder="symbol", max_length=15, id="add-symbol")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value if event.value.strip() else None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class Superseded(Exception):
    """A stage of a table no longer wanted: the group changed, or the screen closed."""


class WatchlistScreen(ResponsiveScreen):
    DEFAULT_CSS = """
    WatchlistScreen #watchlist-heading { width: 1fr; height: 1; padding: 0 1; }
    WatchlistScreen WatchlistGrid { height: 1fr; }
    """
    BINDINGS = bindings(WATCHLIST_ACTIONS)

    def __init__(self, watchlists: Watchlists, group: str | None = None, *, live: bool = False) -> None:
        super().__init__(classes="watchlist")
        self.watchlists = watchlists
        self.group = group
        self.groups: tuple[str, ...] = ()
        self.live = live
        self.wanted = 0             # the load whose stages are shown; older ones are dropped
        self.shown = False          # open (perhaps under a dialog): made once, the screen is shown again and again

    def compose(self) -> ComposeResult:
        yield Static(Text("Watchlist · loading…"), id="watchlist-heading")
        yield WatchlistGrid(id="watchlist-table")
        yield KeyFooter(hidden=frozenset({"range(1)", "range(-1)"}))

    def on_mount(self) -> None:
        self.query_one(WatchlistGrid).focus()
        if not self.is_current:     # made ahead of `W`: laid out now, so that `W` only paints it
            self.call_later(self._refresh_layout, self.app.size)

    def on_screen_resume(self) -> None:
        if not self.shown:      # opened (not uncovered by a dialog): its rows are read anew
            self.shown = True
            self.reload(fetch=self.live)

    def on_screen_suspend(self) -> None:
        if self not in self.app.screen_stack:   # closed, not covered: its load in flight is not wanted
            self.shown = False
            self.wanted += 1

    @property
    def selected(self) -> str | None:
        return self.query_one(WatchlistGrid).symbol_under_cursor

    def reload(self, *, fetch: bool = False) -> None:
        self.wanted += 1
        self._load(self.wanted, self.group or "", fetch)

    @work(thread=True, group="watchlist", exit_on_error=False)
    def _load(self, ticket: int, group: str, fetch: bool) -> None:
        def publish(table: WatchlistTable) -> None:
            if ticket != self.wanted or not self.is_attached:
                raise Superseded()
            self.app.call_from_thread(self.show, table, ticket)

        try:
            self.watchlists.load(group, publish, fetch=fetch)
        except Superseded:
            pass

    def show(self, table: WatchlistTable, ticket: int) -> None:
        if ticket != self.wanted:
            return
        self.group, self.groups = table.group, table.groups
        heading = Text(f"Watchlist {table.group}", style="bold")
        heading.append(f"  {self.groups.index(table.group) + 1}/{len(self.groups)}  " if len(self.groups) > 1 else "  ")
        # An empty list says how to fill it rather than only "0 symbols".
        heading.append(table.status if table.lines else "empty: n adds a symbol ([watchlists.NAME] in config.toml)")
        self.query_one("#watchlist-heading", Static).update(heading, layout=False)     # one line, whatever it says
        self.query_one(WatchlistGrid).show(table.lines)

    def action_switch(self, step: int) -> None:
        if len(self.groups) > 1 and self.group in self.groups:
            self.group = self.groups[(self.groups.index(self.group) + step) % len(self.groups)]
            self.query_one(WatchlistGrid).clear()
            self.reload(fetch=self.live)

    def action_add(self) -> None:
        if self.group is not None:
            self.app.push_screen(AddSymbol(self.group), self._added)

    def _added(self, text: str | None) -> None:
        if text and self.group is not None:
            self._change("add", self.group, text)

    def action_remove(self) -> None:
        if self.group is not None and (symbol := self.selected) is not None:
            self._change("remove", self.group, symbol)

    @work(thread=True, group="watchlist-edit", exit_on_error=False)
    def _change(self, how: str, group: str, symbol: str) -> None:
        message = (self.watchlists.add if how == "add" else self.watchlists.remove)(group, symbol)
        self.app.call_from_thread(self.app.notify, message, title="Watchlist", timeout=6, markup=False)
        self.app.call_from_thread(self.reload)
