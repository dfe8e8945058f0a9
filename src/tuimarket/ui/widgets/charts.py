"""ASCII charts drawn with plotext, one cached figure per widget.

A figure is built into a fresh plotext `Plot` (never the module-global plotext), so the refresh
worker can build the next figures off the event loop (`prepare`) and the handler only hands them
over (`adopt`): a refresh then costs the event loop no chart drawing. `render()` reuses the cached
figure while the size, theme, range and data are unchanged, and rebuilds it when one changes.

The x axis is the bar number, not the date: plotext's date axis is slow and crowds the labels,
so a handful of date ticks are placed by hand. Series longer than the chart can show are thinned
to each column's low and high (about what the "hd" marker can draw), keeping the last bar exact.

plotext is imported when the first figure is built, not with this module: a launch that paints
the last session's saved figures never needs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple, Sequence

from rich.text import Text
from textual.widget import Widget

from tuimarket.ui.viewmodels import RANGE_SESSIONS, ChartLine, PriceChartModel
from tuimarket.ui.widgets.colours import RGB, PlotColour, plot_colour

# RGB colours that read on dark and light themes and stay apart on a 16-colour terminal, where
# they become cyan, yellow, magenta, red and green.
BLUE, AMBER, MAGENTA, RED, GREEN = (0, 130, 200), (215, 150, 0), (170, 50, 170), (230, 25, 75), (60, 180, 75)
SUPPORT_COLOUR, RESISTANCE_COLOUR = GREEN, RED


class LineStyle(NamedTuple):
    colour: RGB
    marker: str          # a plotext marker: lines stay apart by their glyphs too, without colour (NO_COLOR)


CLOSE_MARKER = "hd"     # solid quarter blocks: the close is the heaviest line
AVERAGE_STYLES = (LineStyle(BLUE, "braille"), LineStyle(AMBER, "•"), LineStyle(MAGENTA, "·"),
                  LineStyle(BLUE, "×"), LineStyle(AMBER, "+"))     # the shortest average first
SERIES_STYLES = (LineStyle(BLUE, CLOSE_MARKER), LineStyle(AMBER, "•"))     # plain line charts: MACD, RS
TICKS = 4

if TYPE_CHECKING:
    from textual_plotext.plot import Plot

class Canvas(NamedTuple):
    """Everything besides the data that a figure depends on."""

    width: int
    height: int
    theme: str          # the app's theme, whose colours the figure takes
    background: PlotColour
    foreground: PlotColour
    sessions: int       # how many of the last bars to show


@dataclass(frozen=True)
class Figure:
    canvas: Canvas
    data: Any           # the view model drawn (compared by identity)
    text: Text


@dataclass(frozen=True)
class LineSeries:
    dates: tuple[date, ...]
    lines: tuple[ChartLine, ...]
    title: str


def _points(values: Sequence[float | None], step: int) -> tuple[list[int], list[float]]:
    """(x, y) of the known values; with `step` > 2, only each `step`-bar bucket's low and high.

    Keeping every bucket's extremes keeps the chart's peaks and troughs where they are (an
    all-time high stays on the chart) while drawing a few points per column; the last bar is
    always kept.
    """
    known = [(i, value) for i, value in enumerate(values) if value is not None]
    if step < 3 or not known:
        return [i for i, _ in known], [value for _, value in known]
    kept = dict([known[-1]])
    for end in range(len(known), 0, -step):
        bucket = known[max(0, end - step):end]
        kept.update([min(bucket, key=lambda point: point[1]), max(bucket, key=lambda point: point[1])])
    xs = sorted(kept)
    return xs, [kept[x] for x in xs]


def _date_ticks(dates: Sequence[date], count: int = TICKS) -> tuple[list[int], list[str]]:
    if not dates:
        return [], []
    step = max(1, (len(dates) - 1) // max(1, count - 1))
    positions = list(range(0, len(dates), step))[:count]
    long_span = (dates[-1] - dates[0]).days > 400
    labels = [dates[i].strftime("%b %Y" if long_span else "%d %b") for i in positions]
    return positions, labels


def _new_plot(canvas: Canvas) -> Plot:
    """An empty plotext figure in the canvas's colours, as textual-plotext's "auto" theme makes it."""
    from plotext._dict import themes   # plotext's theme table, which textual-plotext fills the same way
    from textual_plotext.plot import Plot

    name = f"tuimarket-{canvas.theme}"
    # canvas, axes, ticks, ticks style, and the colours of lines given none (ours all have one)
    themes.setdefault(name, (canvas.background, canvas.background, canvas.foreground, "default",
                             [style.colour for style in AVERAGE_STYLES]))
    plot = Plot()
    plot.theme(name)
    return plot


class Chart(Widget):
    """A plotext chart of a view model; subclasses say how to `draw` it."""

    DEFAULT_CSS = "Chart { width: 1fr; height: 1fr; min-height: 5; }"

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.sessions = RANGE_SESSIONS["1Y"]
        self.data: Any = None
        self._figure: Figure | None = None

    @property
    def figure(self) -> Figure | None:
        """The figure last drawn or adopted."""
        return self._figure

    def on_mount(self) -> None:
        # The colours come from the theme, not from CSS, so a theme change must redraw the chart.
        self.app.theme_changed_signal.subscribe(self, lambda theme: self.refresh())

    def show_range(self, name: str) -> None:
        self.sessions = RANGE_SESSIONS[name]
        self.refresh()

    def show_data(self, data: Any) -> None:
        self.data = data
        self.refresh()

    def canvas(self) -> Canvas:
        """The current canvas; read it on the event loop."""
        return Canvas(self.size.width, self.size.height, self.app.theme, plot_colour(self.app, "surface", "black"),
                      plot_colour(self.app, "foreground", "white"), self.sessions)

    def prepare(self, data: Any, canvas: Canvas) -> Figure:
        """Build the figure of `data` on `canvas`; touches no widget state, so any thread may call it."""
        plot = _new_plot(canvas)
        if data is not None:
            self.draw(plot, data, canvas)
        plot.plotsize(canvas.width, canvas.height)
        plot._set_size(canvas.width, canvas.height)   # textual-plotext does both: its resize needs it
        return Figure(canvas, data, Text.from_ansi(plot.build()))

    def adopt(self, figure: Figure) -> None:
        """Take a figure built elsewhere; `render` uses it if it still fits."""
        self._figure = figure

    def render(self) -> Text:
        if self.data is None:
            return Text()   # nothing to draw yet: building an empty plot would only slow start-up
        canvas, figure = self.canvas(), self._figure
        if figure is None or figure.canvas != canvas or figure.data is not self.data:
            figure = self._figure = self.prepare(self.data, canvas)
        return figure.text

    def draw(self, plot: Plot, data: Any, canvas: Canvas) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    @staticmethod
    def _step(count: int, canvas: Canvas) -> int:
        """Bars per bucket: one bucket per column, whose low and high the "hd" marker can show."""
        return max(1, count // max(1, canvas.width))

    def _lines(self, plot: Plot, dates: Sequence[date], lines: Sequence[tuple[ChartLine, PlotColour, str]],
               canvas: Canvas) -> None:
        """Draw each (line, colour, marker); the last drawn is on top."""
        step = self._step(len(dates), canvas)
        for line, colour, marker in lines:
            xs, ys = _points(line.values[-canvas.sessions:], step)
            if xs:
                plot.plot(xs, ys, label=line.label, color=colour, marker=marker)
        positions, labels = _date_ticks(dates)
        plot.xticks(positions, labels)  # type: ignore[arg-type]  # stubs: list[float], invariant; ints are read
        plot.xlim(0, max(1, len(dates) - 1))


class PriceChart(Chart):
    """Close with its moving averages; `levels` adds support and resistance lines."""

    def __init__(self, *, levels: bool = False, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.levels = levels

    def show(self, model: PriceChartModel) -> None:
        self.show_data(model)

    def draw(self, plot: Plot, model: PriceChartModel, canvas: Canvas) -> None:
        dates = model.dates[-canvas.sessions:]
        averages = [(average, *AVERAGE_STYLES[i % len(AVERAGE_STYLES)]) for i, average in enumerate(model.averages)]
        self._lines(plot, dates, [*averages, (model.close, canvas.foreground, CLOSE_MARKER)], canvas)
        if self.levels:
            for level in model.resistance:
                plot.hline(level, RESISTANCE_COLOUR)
            for level in model.support:
                plot.hline(level, SUPPORT_COLOUR)


class LineChart(Chart):
    """One or more plain lines, such as relative strength against the benchmark."""

    def show(self, dates: tuple[date, ...], lines: tuple[ChartLine, ...], title: str = "") -> None:
        self.show_data(LineSeries(dates, lines, title))

    def draw(self, plot: Plot, series: LineSeries, canvas: Canvas) -> None:
        styled = [(line, *SERIES_STYLES[i % len(SERIES_STYLES)]) for i, line in enumerate(series.lines)]
        self._lines(plot, series.dates[-canvas.sessions:], styled, canvas)
        if series.title:
            plot.title(series.title)


class MacdChart(LineChart):
    """MACD and signal lines over the histogram (the third line)."""

    def draw(self, plot: Plot, series: LineSeries, canvas: Canvas) -> None:
        if len(series.lines) != 3:
            return
        macd, signal, histogram = series.lines
        values = histogram.values[-canvas.sessions:]
        xs, ys = _points(values, self._step(len(values), canvas))
        for sign, colour in ((1, GREEN), (-1, RED)):   # bars above and below zero: apart without colour too
            bars = [(x, y) for x, y in zip(xs, ys) if y * sign > 0]
            if bars:
                plot.bar(*zip(*bars), color=colour, width=0.1, marker="sd")
        self._lines(plot, series.dates[-canvas.sessions:], [(macd, *SERIES_STYLES[0]), (signal, *SERIES_STYLES[1])],
                    canvas)
        plot.title(series.title)
