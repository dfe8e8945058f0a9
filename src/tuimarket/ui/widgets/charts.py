"""ASCII charts: one plotext figure per widget (`self.plt`), redrawn in `replot()`.

The x axis is the bar number, not the date: plotext's date axis is slow and crowds the labels,
so a handful of date ticks are placed by hand.
"""

from __future__ import annotations

from datetime import date
from typing import Sequence

from textual.color import Color
from textual_plotext import PlotextPlot

from tuimarket.ui.viewmodels import RANGE_SESSIONS, ChartLine, PriceChartModel

# RGB colours from textual-plotext's sequence, chosen to read on dark and light themes.
BLUE, ORANGE, RED, GREEN, PURPLE, TEAL = (0, 130, 200), (245, 130, 48), (230, 25, 75), (60, 180, 75), \
    (145, 30, 180), (0, 128, 128)
AVERAGE_COLOURS = (BLUE, ORANGE, RED, PURPLE, TEAL)
SUPPORT_COLOUR, RESISTANCE_COLOUR = GREEN, PURPLE
MARKER = "hd"
TICKS = 4


def _points(offset: int, values: Sequence[float | None]) -> tuple[list[int], list[float]]:
    xs, ys = [], []
    for i, value in enumerate(values):
        if value is not None:
            xs.append(offset + i)
            ys.append(value)
    return xs, ys


def _date_ticks(dates: Sequence[date], count: int = TICKS) -> tuple[list[int], list[str]]:
    if not dates:
        return [], []
    step = max(1, (len(dates) - 1) // max(1, count - 1))
    positions = list(range(0, len(dates), step))[:count]
    long_span = (dates[-1] - dates[0]).days > 400
    labels = [dates[i].strftime("%b %Y" if long_span else "%d %b") for i in positions]
    return positions, labels


class Chart(PlotextPlot):
    """A plotext chart whose data is a view model; `replot()` draws it into `self.plt`."""

    DEFAULT_CSS = "Chart { height: 1fr; min-height: 5; }"

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.sessions = RANGE_SESSIONS["1Y"]

    def show_range(self, name: str) -> None:
        self.sessions = RANGE_SESSIONS[name]
        self.replot()

    @property
    def foreground(self) -> tuple[int, int, int]:
        """The theme's text colour: price drawn in it stands out from its coloured averages."""
        return Color.parse(self.app.theme_variables.get("foreground", "white")).rgb

    def replot(self) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.theme(self._get_plotext_theme_name(self.app.theme))
        self.draw(plt)
        self.refresh()

    def on_mount(self) -> None:
        self.replot()

    def draw(self, plt) -> None:  # pragma: no cover - every chart overrides it
        raise NotImplementedError

    def _axis(self, plt, dates: Sequence[date]) -> None:
        positions, labels = _date_ticks(dates)
        plt.xticks(positions, labels)
        plt.xlim(0, max(1, len(dates) - 1))

    def _lines(self, plt, dates: Sequence[date], lines: Sequence[tuple[ChartLine, str]]) -> None:
        for line, colour in lines:
            xs, ys = _points(0, line.values[-self.sessions:])
            if xs:
                plt.plot(xs, ys, label=line.label, color=colour, marker=MARKER)
        self._axis(plt, dates)


class PriceChart(Chart):
    """Close with its moving averages; `levels` adds support and resistance lines."""

    def __init__(self, *, levels: bool = False, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.model: PriceChartModel | None = None
        self.levels = levels

    def show(self, model: PriceChartModel) -> None:
        self.model = model
        self.replot()

    def draw(self, plt) -> None:
        model = self.model
        if model is None:
            plt.title("loading…")
            return
        dates = model.dates[-self.sessions:]
        lines = [(average, AVERAGE_COLOURS[i % len(AVERAGE_COLOURS)]) for i, average in enumerate(model.averages)]
        self._lines(plt, dates, [*lines, (model.close, self.foreground)])
        if self.levels:
            for level in model.resistance:
                plt.hline(level, RESISTANCE_COLOUR)
            for level in model.support:
                plt.hline(level, SUPPORT_COLOUR)


class LineChart(Chart):
    """One or more plain lines, such as relative strength against the benchmark."""

    def __init__(self, title: str = "", *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.title = title
        self.dates: tuple[date, ...] = ()
        self.lines: tuple[ChartLine, ...] = ()

    def show(self, dates: tuple[date, ...], lines: tuple[ChartLine, ...], title: str = "") -> None:
        self.dates, self.lines, self.title = dates, lines, title or self.title
        self.replot()

    def draw(self, plt) -> None:
        colours = (BLUE, ORANGE)
        self._lines(plt, self.dates[-self.sessions:], [(line, colours[i % 2]) for i, line in enumerate(self.lines)])
        if self.title:
            plt.title(self.title)


class MacdChart(LineChart):
    """MACD and signal lines over the histogram (the third line)."""

    def draw(self, plt) -> None:
        if len(self.lines) != 3:
            return
        macd, signal, histogram = self.lines
        xs, ys = _points(0, histogram.values[-self.sessions:])
        for sign, colour in ((1, GREEN), (-1, RED)):
            bars = [(x, y) for x, y in zip(xs, ys) if y * sign > 0]
            if bars:
                plt.bar(*zip(*bars), color=colour, width=0.1, marker="sd")
        self._lines(plt, self.dates[-self.sessions:], [(macd, BLUE), (signal, ORANGE)])
        plt.title(self.title)
