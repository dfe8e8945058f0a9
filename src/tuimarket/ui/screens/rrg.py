"""The Relative Rotation Graph screen: the rotation universe's weekly tails, a symbol selected, weeks stepped."""

from __future__ import annotations

from datetime import date

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Static

from tuimarket.analysis.vocabulary import Quadrant
from tuimarket.ui.screens.responsive import ResponsiveScreen
from tuimarket.ui.viewmodels import TOO_FEW_WEEKS, Dashboard, RrgTrail, RrgView, rrg_view
from tuimarket.ui.widgets.charts import RrgChart
from tuimarket.ui.widgets.colours import theme_colour
from tuimarket.ui.widgets.key_footer import KeyFooter

QUADRANT_THEME = {Quadrant.LEADING: "success", Quadrant.WEAKENING: "warning", Quadrant.LAGGING: "error",
                  Quadrant.IMPROVING: "accent"}


class RrgScreen(ResponsiveScreen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="back", tooltip="Close the graph"),
        Binding("backspace", "app.pop_screen", "Back", show=False, tooltip="Close the graph"),
        Binding("comma", "step(-1)", "Week back", id="week-back", tooltip="Tails end a week earlier"),
        Binding("full_stop", "step(1)", "Week on", id="week-on", tooltip="Tails end a week later"),
        # priority: the list of symbols has the focus, and a table's own End scrolls it sideways
        Binding("end", "latest", "Latest week", show=False, priority=True, tooltip="Tails end at the latest week"),
    ]

    def __init__(self, trails: tuple[RrgTrail, ...], tail: int, benchmark: str, selected: str | None = None) -> None:
        super().__init__(classes="rrg")
        self.trails = trails
        self.tail = tail
        self.benchmark = benchmark
        self.selected = selected
        self.view: RrgView = rrg_view(trails, None, tail)

    def compose(self) -> ComposeResult:
        yield Static(id="rrg-heading")
        with Horizontal(id="rrg-body"):
            yield RrgChart(id="rrg-chart")
            yield DataTable(id="rrg-list", cursor_type="row", zebra_stripes=True)
        # The daily charts' range and timeframe: not here.
        yield KeyFooter(hidden=frozenset({"range(1)", "range(-1)", "toggle_timeframe"}))

    def on_mount(self) -> None:
        table = self.query_one("#rrg-list", DataTable)
        for column in ("Symbol", "Quadrant", "Ratio", "Mom"):
            table.add_column(column, key=column)
        self.show_week(self.view.week)
        table.focus()

    def show_week(self, week: date | None) -> None:
        self.view = rrg_view(self.trails, week, self.tail)
        table = self.query_one("#rrg-list", DataTable)
        table.clear()
        for mark in self.view.marks:
            style = Style(color=theme_colour(self.app, QUADRANT_THEME[mark.quadrant]))
            name = mark.quadrant.label
            table.add_row(mark.symbol, Text(name, style=style), f"{mark.ratio[-1]:.1f}", f"{mark.momentum[-1]:.1f}",
                          key=mark.symbol)
        symbols = [mark.symbol for mark in self.view.marks]
        if self.selected in symbols:
            table.move_cursor(row=symbols.index(self.selected), animate=False)
        self._show_selection()

    def _show_selection(self) -> None:
        mark = next((mark for mark in self.view.marks if mark.symbol == self.selected), None)
        week = f"week to {self.view.week.isoformat()}" if self.view.week else TOO_FEW_WEEKS
        heading = Text(f"Relative Rotation Graph vs {self.benchmark}", style="bold")
        heading.append(f"  {week}  ")
        heading.append(f"{mark.symbol} {mark.name}: {mark.values}" if mark else "select a symbol", style="bold")
        self.query_one("#rrg-heading", Static).update(heading)
        self.query_one(RrgChart).show(self.view, self.selected)

    def follow(self, board: Dashboard, timeframe: str) -> None:
        """New data (the graph is on weekly bars whatever the timeframe)."""
        self.show_trails(board.rrg)

    def show_trails(self, trails: tuple[RrgTrail, ...]) -> None:
        """Redraw on new data: the same symbol selected, and the same week if the user stepped back from
        the latest (at the latest, the new latest week)."""
        stepped_back = self.view.week is not None and self.view.week != self.view.weeks[-1]
        self.trails = trails
        self.show_week(self.view.week if stepped_back else None)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value != self.selected:
            self.selected = event.row_key.value
            self._show_selection()

    def action_step(self, weeks: int) -> None:
        position = self.view.weeks.index(self.view.week) + weeks if self.view.week else 0
        self.show_week(self.view.weeks[max(0, min(position, len(self.view.weeks) - 1))] if self.view.weeks else None)

    def action_latest(self) -> None:
        self.show_week(None)
