"""The breadth screen: every indicator of the members' breadth, its charts and the sector table."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Static

from tuimarket.ui.breadth_view import BreadthBoard
from tuimarket.ui.screens.responsive import ResponsiveScreen
from tuimarket.ui.viewmodels import RANGE_SESSIONS, Dashboard
from tuimarket.ui.widgets.breadth_panel import SectorHeatRow
from tuimarket.ui.widgets.charts import LineChart
from tuimarket.ui.widgets.key_footer import KeyFooter

SECTOR_COLUMNS = ("Sector", "Members", "> 50d", "> 200d")


class BreadthScreen(ResponsiveScreen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="back", tooltip="Close the breadth screen"),
        Binding("backspace", "app.pop_screen", "Back", show=False, tooltip="Close the breadth screen"),
    ]

    def __init__(self, model: BreadthBoard, chart_range: str) -> None:
        super().__init__(classes="breadth")
        self.model = model
        self.chart_range = chart_range

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="breadth-body"):
            yield Static(id="breadth-heading")
            with Horizontal(id="breadth-top"):
                yield Static(id="breadth-indicators")
                yield DataTable(id="breadth-sectors", cursor_type="row", zebra_stripes=True)
            yield SectorHeatRow(id="breadth-heat")
            with Horizontal(classes="breadth-charts"):
                yield LineChart(id="breadth-screen-above")
                yield LineChart(id="breadth-screen-highs")
            with Horizontal(classes="breadth-charts"):
                yield LineChart(id="breadth-screen-mcclellan")
                yield LineChart(id="breadth-screen-summation")
            yield LineChart(id="breadth-screen-ad")
            yield Static(id="breadth-caveat")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for column in SECTOR_COLUMNS:
            table.add_column(column, key=column)
        self.show(self.model)
        self.query_one("#breadth-body").focus()   # arrows and PgUp/PgDn scroll at once

    def follow(self, board: Dashboard, timeframe: str) -> None:
        """New data (breadth is on daily bars whatever the timeframe)."""
        if board.members_breadth is not None:
            self.show(board.members_breadth)

    def show_range(self, chart_range: str) -> None:
        self.chart_range = chart_range
        self.show(self.model)

    def show(self, model: BreadthBoard) -> None:
        self.model = model
        heading = Text(model.title, style="bold")
        heading.append(f"  {model.dated} · {self.chart_range}")
        self.set_class(model.stale, "-stale")
        if model.note:
            heading.append(f"\n{model.note}")
        self.query_one("#breadth-heading", Static).update(heading)
        self.query_one("#breadth-indicators", Static).update(
            Text("\n".join(f"{line.label:26} {line.value}" for line in model.indicators)))
        table = self.query_one(DataTable)
        table.clear()
        for cell in model.sectors:
            table.add_row(Text(cell.sector), str(cell.members), Text(cell.above_50, justify="right"),
                          Text(cell.above_200, justify="right"), key=cell.sector)
        self.query_one(SectorHeatRow).show(model.sectors, model.stale)
        charts = [("#breadth-screen-above", model.above, "% of members above their average"),
                  ("#breadth-screen-highs", (model.net_new_highs,), "new 52-week highs minus lows"),
                  ("#breadth-screen-mcclellan", model.mcclellan, "McClellan oscillator (ratio-adjusted)"),
                  ("#breadth-screen-summation", (model.summation,), "McClellan summation index"),
                  ("#breadth-screen-ad", (model.ad_line,), "advance/decline line")]
        for selector, lines, title in charts:
            chart = self.query_one(selector, LineChart)
            chart.sessions = RANGE_SESSIONS[self.chart_range]
            chart.show(model.dates, lines, title)
        self.query_one("#breadth-caveat", Static).update(Text(model.caveat))
