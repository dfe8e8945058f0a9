"""The breadth pane of the dashboard, and the sector heat row it and the breadth screen share.

The pane shows the members' % above their 50- and 200-day averages over the chart's range, the
advance/decline line, the 11 sectors' heat and whether breadth confirms the index; its border
says the members are today's (survivorship). It stays hidden until a board with breadth arrives.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from typing import Mapping

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Static

from tuimarket.ui.breadth_view import HEAT_PERIOD, BreadthBoard, SectorCell
from tuimarket.ui.widgets.charts import Canvas, Chart, Figure, LineChart, LineSeries
from tuimarket.ui.widgets.colours import theme_colour

HEAT_COLOURS = {"strong": "success", "mid": "warning", "weak": "error", "na": ""}


def breadth_series(model: BreadthBoard) -> dict[str, LineSeries]:
    """What each of the pane's charts draws, by the chart's class."""
    return {"breadth-above": LineSeries(model.dates, model.above, ""),
            "breadth-ad": LineSeries(model.dates, (model.ad_line,), "")}


def breadth_figures(model: BreadthBoard | None, canvases: Mapping[str, tuple[Chart, Canvas]]) -> dict[str, Figure]:
    """The pane's charts drawn on their canvases: in the refresh worker, so plotext stays off the event loop."""
    if model is None:
        return {}
    return {key: chart.prepare(series, canvas) for key, series in breadth_series(model).items()
            if key in canvases for chart, canvas in [canvases[key]]}


class SectorHeatRow(Static):
    """Each sector's short name and its % above the 50-day average, on its heat's colour: the
    number reads without colour (NO_COLOR), the colour only helps."""

    cells: tuple[SectorCell, ...] = ()
    stale = False                # an earlier date than the indexes': no heat colours, the text muted

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda theme: self._paint())

    def on_resize(self) -> None:
        self._paint()

    def show(self, cells: tuple[SectorCell, ...], stale: bool = False) -> None:
        self.cells, self.stale = cells, stale
        self._paint()

    def _paint(self) -> None:
        """The cells in rows broken between cells, never inside one (a name apart from its number)."""
        width = self.content_size.width or 80
        text = Text(no_wrap=True)
        text.append(f"Sectors > {HEAT_PERIOD}d ", style="bold")
        column = len(text)
        for cell in self.cells:
            label = f" {cell.short} {cell.above_50:>4} "
            if column + len(label) > width:
                text.append("\n")
                column = 0
            colour = theme_colour(self.app, HEAT_COLOURS[cell.heat]) if HEAT_COLOURS[cell.heat] and not self.stale else None
            text.append(label, style=Style(color=colour, reverse=colour is not None))
            text.append(" ")
            column += len(label) + 1
        self.update(text)


class BreadthPanel(Vertical, can_focus=True):
    """A pane like an index panel; Enter on it opens the breadth screen."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="pane breadth-panel")
        self.pane_name = "Breadth"
        self.border_title = "Breadth"
        self.model: BreadthBoard | None = None
        self.add_class("-empty")                 # hidden until there is breadth to show

    def compose(self) -> ComposeResult:
        yield Static("", classes="breadth-summary")
        yield SectorHeatRow("", classes="sector-heat")
        with Horizontal(classes="breadth-charts-row"):
            yield LineChart(classes="breadth-above")
            yield LineChart(classes="breadth-ad")
        yield Static("", classes="breadth-note")

    def charts(self) -> dict[str, LineChart]:
        """The pane's charts, by class, those on screen only (a hidden one has no canvas to draw on)."""
        return {key: chart for key in ("breadth-above", "breadth-ad")
                for chart in [self.query_one(f".{key}", LineChart)] if chart.size.width > 0}

    def show(self, model: BreadthBoard | None, charts: bool = True, figures: Mapping[str, Figure] = {}) -> None:
        """Show `model`, its charts as `figures` drawn them where there is one; without `charts`
        they stay as they are (a saved view's first frame then paints without plotext, and today's
        view draws them)."""
        self.model = model
        self.set_class(model is None, "-empty")
        if model is None:
            return
        self.border_title = Content(model.title)
        self.border_subtitle = Content(model.short_caveat)
        self.set_class(model.stale, "-stale")      # muted: not the indexes' date
        self.query_one(".breadth-summary", Static).update(Text(f"{model.summary}  ({model.dated})"))
        self.query_one(SectorHeatRow).show(model.sectors, model.stale)
        if charts:
            for key, series in breadth_series(model).items():
                chart = self.query_one(f".{key}", LineChart)
                figure = figures.get(key)
                if figure is not None:
                    chart.adopt(figure)
                chart.show_data(figure.data if figure is not None else series)   # the data the figure drew
        note = self.query_one(".breadth-note", Static)
        note.update(Text(model.note))
        for state in ("confirms", "diverges"):
            note.set_class(model.note_state == state, f"-{state}")

    def show_range(self, name: str) -> None:
        for chart in self.query(LineChart):
            chart.show_range(name)
