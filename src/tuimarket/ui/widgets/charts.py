"""ASCII charts drawn with plotext, one cached figure per widget.

A figure is built into a fresh plotext `Plot` (never the module-global plotext), so the refresh
worker can build the next figures off the event loop (`prepare`) and the handler only hands them
over (`adopt`): a refresh then costs the event loop no chart drawing. `render()` reuses the cached
figure while the size, theme, range and data are unchanged, and rebuilds it when one changes.

The x axis is the bar number, not the date: plotext's date axis is slow and crowds the labels,
so a handful of date ticks are placed by hand, each with its year ("Sep '24"). The legend, with the
chart's range, is a line of its own above the plot, so it never covers data; y-axis ticks fall on
round numbers labelled like the headline prices. Series longer than the chart can show are thinned
to each column's low and high (about what the "hd" marker can draw), keeping the last bar exact.

plotext is imported when the first figure is built, not with this module: a launch that paints
the last session's saved figures never needs it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, Sequence

from rich.color import Color
from rich.style import Style
from rich.text import Text
from textual.widget import Widget

from tuimarket.analysis.vocabulary import Quadrant
from tuimarket.formatting import axis_number, price
from tuimarket.ui.timeline_model import MarkedChart, bar_index, place_marks
from tuimarket.ui.viewmodels import (RANGE_BARS, RANGE_SESSIONS, TOO_FEW_WEEKS, ChartLine, PriceChartModel, RrgView,
                                     range_label)
from tuimarket.ui.widgets.colours import RGB, PlotColour, plot_colour

# RGB colours that read on dark and light themes and stay apart on a 16-colour terminal, where
# they become cyan, yellow, magenta, red and green.
BLUE, AMBER, MAGENTA, RED, GREEN = (0, 130, 200), (215, 150, 0), (170, 50, 170), (230, 25, 75), (60, 180, 75)
SUPPORT_COLOUR, RESISTANCE_COLOUR = GREEN, RED


class LineStyle(NamedTuple):
    colour: RGB
    marker: str          # a plotext marker: lines stay apart by their glyphs too, without colour (NO_COLOR)


CLOSE_MARKER = "hd"     # solid quarter blocks: the close is the heaviest line
LEVEL_MARKER = "braille"     # a quarter of a row: levels close together stay apart, each at its price
# How each marker shows in the legend line.
LEGEND_GLYPHS = {"hd": "▀▄", "braille": "⠒⠒", "•": "••", "·": "··", "×": "××", "+": "++", "sd": "█"}
AVERAGE_STYLES = (LineStyle(BLUE, "braille"), LineStyle(AMBER, "•"), LineStyle(MAGENTA, "·"),
                  LineStyle(BLUE, "×"), LineStyle(AMBER, "+"))     # the shortest average first
SERIES_STYLES = (LineStyle(BLUE, CLOSE_MARKER), LineStyle(AMBER, "•"))     # plain line charts: MACD, RS
TICKS = 4
ROWS_PER_Y_TICK = 3

if TYPE_CHECKING:
    from textual_plotext.plot import Plot

class Canvas(NamedTuple):
    """Everything besides the data that a figure depends on."""

    width: int
    height: int
    theme: str          # the app's theme, whose colours the figure takes
    background: PlotColour
    foreground: PlotColour
    sessions: int       # how many of the last bars to show (sessions, or weeks on a weekly chart)


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
    timeframe: str = "daily"


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
    """Evenly spaced date ticks, each with its year: "Sep '24" on any range; a month is named once
    (13 weekly bars put two ticks in one month)."""
    if not dates:
        return [], []
    step = max(1, (len(dates) - 1) // max(1, count - 1))
    positions: list[int] = []
    labels: list[str] = []
    for i in list(range(0, len(dates), step))[:count]:
        label = dates[i].strftime("%b '%y")
        if not labels or label != labels[-1]:
            positions.append(i)
            labels.append(label)
    return positions, labels


def _value_ticks(low: float, high: float, rows: int) -> tuple[list[float], list[str]]:
    """Round ticks between `low` and `high`, about one every ROWS_PER_Y_TICK rows, labelled like prices."""
    span = high - low
    if not span > 0:
        return [low], [axis_number(low, abs(low) / 100 or 1)]
    rough = span / max(1, rows // ROWS_PER_Y_TICK)
    while True:     # at least two ticks, so that the axis has a scale
        magnitude = 10 ** math.floor(math.log10(rough))
        step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= rough)
        ticks = [n * step for n in range(math.ceil(low / step), math.floor(high / step) + 1)]
        if len(ticks) >= 2:
            return ticks, [axis_number(tick, step) for tick in ticks]
        rough = step / 2.5


def _plot_rows(canvas: Canvas) -> int:
    """Rows of plot area: the canvas less the legend line, the frame's two lines and the date labels."""
    return max(1, canvas.height - 4)


def _plot_columns(low: float, high: float, canvas: Canvas) -> int:
    """Columns of plot area: the canvas less the y-axis labels and the frame's two sides."""
    _, labels = _value_ticks(low, high, _plot_rows(canvas))
    return max(1, canvas.width - max(map(len, labels), default=0) - 2)


def _row_from_bottom(value: float, low: float, high: float, rows: int) -> int:
    """The plot row a braille line at `value` falls on, as plotext places it (four dots a row)."""
    if high <= low:
        return 0
    return round((value - low) / (high - low) * (rows * 4 - 1)) // 4


class LegendItem(NamedTuple):
    glyph: str
    label: str
    colour: PlotColour
    short: str = ""      # the label where the full legend does not fit ("50" for "SMA 50")


def _rich_colour(colour: PlotColour) -> Color | None:
    if isinstance(colour, tuple):
        return Color.from_rgb(*colour)
    return Color.from_ansi(colour) if isinstance(colour, int) else None


def _legend(heading: str, items: Sequence[LegendItem], width: int) -> Text:
    """One line above the plot: the range (and title), then each line's glyph and name (short if need be)."""
    for short in (False, True):
        text = Text(heading, style=Style(bold=True))
        for item in items:
            text.append(" " if short else "  ")
            text.append(item.glyph, style=Style(color=_rich_colour(item.colour)))
            text.append(f" {item.short if short and item.short else item.label}")
        if text.cell_len <= width:
            break
    text.truncate(width, overflow="ellipsis")
    return text


def _new_plot(canvas: Canvas) -> Plot:
    """An empty plotext figure in the canvas's colours, as textual-plotext's "auto" theme makes it."""
    from plotext._dict import themes   # plotext's theme table, which textual-plotext fills the same way
    from textual_plotext.plot import Plot

    # plotext's themes are the process's: named by the colours, not the app's theme, whose colours
    # a chart read once (while a theme was being switched, or in another app) would stay its own.
    name = f"tuimarket {canvas.background} {canvas.foreground}"
    # canvas, axes, ticks, ticks style, and the colours of lines given none (ours all have one)
    themes.setdefault(name, (canvas.background, canvas.background, canvas.foreground, "default",
                             [style.colour for style in AVERAGE_STYLES]))
    plot = Plot()
    plot.theme(name)
    return plot


UNAVAILABLE = "chart unavailable"


class Chart(Widget):
    """A plotext chart of a view model; subclasses say how to `draw` it."""

    DEFAULT_CSS = "Chart { width: 1fr; height: 1fr; min-height: 5; }"
    SHOWS_RANGE = True      # the legend line starts with the timeframe and range ("Daily · 1Y"): data has a timeframe

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

    def show_range(self, name: str, timeframe: str = "daily") -> None:
        self.sessions = RANGE_BARS[timeframe][name]
        self.refresh()

    def show_data(self, data: Any) -> None:
        self.data = data
        self.refresh()

    def canvas(self) -> Canvas:
        """The current canvas; read it on the event loop."""
        return Canvas(self.size.width, self.size.height, self.app.theme, plot_colour(self.app, "surface", "black"),
                      plot_colour(self.app, "foreground", "white"), self.sessions)

    def prepare(self, data: Any, canvas: Canvas) -> Figure:
        """Build the figure of `data` on `canvas`; touches no widget state, so any thread may call it.

        A chart that cannot be drawn (plotext failing on some value) says so in its own place, and
        the rest of the refresh and of the screen goes on.
        """
        try:
            return self._prepare(data, canvas)
        except Exception:  # noqa: BLE001 - whatever plotext raises, one chart must not take the screen down
            return Figure(canvas, data, Text(UNAVAILABLE, style="dim"))

    def _prepare(self, data: Any, canvas: Canvas) -> Figure:
        plot = _new_plot(canvas)
        title, items = self.draw(plot, data, canvas) if data is not None else ("", [])
        chart_range = range_label(data.timeframe, canvas.sessions) if self.SHOWS_RANGE and data is not None else ""
        heading = " · ".join(filter(None, [chart_range, title]))
        plot_height = max(1, canvas.height - 1)     # the legend has the top line
        plot.plotsize(canvas.width, plot_height)
        plot._set_size(canvas.width, plot_height)   # textual-plotext does both: its resize needs it
        text = Text("\n").join([_legend(heading, items, canvas.width), Text.from_ansi(plot.build())])
        return Figure(canvas, data, text)

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

    def draw(self, plot: Plot, data: Any, canvas: Canvas) -> tuple[str, list[LegendItem]]:  # pragma: no cover
        """Draw `data`; return the chart's title and its legend."""
        raise NotImplementedError

    @staticmethod
    def _step(count: int, canvas: Canvas) -> int:
        """Bars per bucket: one bucket per column, whose low and high the "hd" marker can show."""
        return max(1, count // max(1, canvas.width))

    def _lines(self, plot: Plot, dates: Sequence[date], lines: Sequence[tuple[ChartLine, PlotColour, str]],
               canvas: Canvas) -> tuple[list[float], list[LegendItem]]:
        """Draw each (line, colour, marker), the last drawn on top; return the values drawn and the legend."""
        step = self._step(len(dates), canvas)
        drawn: list[float] = []
        legend = []
        for line, colour, marker in lines:
            xs, ys = _points(line.values[-canvas.sessions:], step)
            if xs:
                plot.plot(xs, ys, color=colour, marker=marker)
                drawn += ys
                legend.append(LegendItem(LEGEND_GLYPHS.get(marker, marker * 2), line.label, colour))
        # A label ("Sep '24") every 12 columns at most: crowded, plotext shifts or drops them.
        positions, labels = _date_ticks(dates, max(2, min(TICKS, canvas.width // 12)))
        plot.xticks(positions, labels)  # type: ignore[arg-type]  # stubs: list[float], invariant; ints are read
        plot.xlim(0, max(1, len(dates) - 1))
        return drawn, legend

    @staticmethod
    def _value_axis(plot: Plot, low: float, high: float, canvas: Canvas) -> None:
        """Fix the y range to [low, high] (a little apart when flat) with round, formatted ticks."""
        if high <= low:
            low, high = low - (abs(low) or 1) / 100, high + (abs(high) or 1) / 100
        plot.ylim(low, high)
        plot.yticks(*_value_ticks(low, high, _plot_rows(canvas)))


class PriceChart(Chart):
    """Close with its moving averages; `levels` adds support and resistance lines, each labelled with
    its price; a `MarkedChart` adds its event marks and the selected event's date."""

    def __init__(self, *, levels: bool = False, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.levels = levels

    def show(self, model: PriceChartModel | MarkedChart) -> None:
        self.show_data(model)

    def draw(self, plot: Plot, data: PriceChartModel | MarkedChart, canvas: Canvas) -> tuple[str, list[LegendItem]]:
        marked = data if isinstance(data, MarkedChart) else MarkedChart(data)
        legend, shown = self._draw_price(plot, marked.chart, canvas)
        if shown is not None:
            legend += self._draw_marks(plot, marked, *shown, canvas)
        return "", legend

    def _draw_price(self, plot: Plot, model: PriceChartModel,
                    canvas: Canvas) -> tuple[list[LegendItem], tuple[float, float] | None]:
        """Draw the close, its averages and the levels; return the legend and the price range shown."""
        dates = model.dates[-canvas.sessions:]
        averages = [(average, *AVERAGE_STYLES[i % len(AVERAGE_STYLES)]) for i, average in enumerate(model.averages)]
        drawn, legend = self._lines(plot, dates, [*averages, (model.close, canvas.foreground, CLOSE_MARKER)], canvas)
        if not drawn:
            return legend, None
        low, high = min(drawn), max(drawn)
        # The close first in the legend: the heaviest line, the one read first; averages by period if need be.
        legend = legend[-1:] + [item._replace(short=item.label.split()[-1]) for item in legend[:-1]]
        if self.levels:
            legend += self._draw_levels(plot, model, low, high, len(dates), canvas)
        self._value_axis(plot, low, high, canvas)
        return legend, (low, high)

    def _draw_marks(self, plot: Plot, marked: MarkedChart, low: float, high: float,
                    canvas: Canvas) -> list[LegendItem]:
        """The MACD crosses (▲ ▼ at the close) and the breaks (△ ▽ at the level) in the range shown,
        apart by a column at least, and the selected event's date: a vertical line with its label."""
        dates = marked.chart.dates[-canvas.sessions:]
        placed = place_marks(marked.marks, dates, _plot_columns(low, high, canvas))
        for x, mark in placed:
            plot.scatter([x], [min(max(mark.price, low), high)], marker=mark.glyph, color=GREEN if mark.up else RED)
        glyphs = {mark.glyph for _, mark in placed}
        legend = []
        if glyphs & {"▲", "▼"}:
            legend.append(LegendItem("▲▼", "MACD", GREEN))
        if glyphs & {"△", "▽"}:
            legend.append(LegendItem("△▽", "break", RED))
        cursor = marked.cursor
        if cursor is not None and (at := bar_index(cursor.date, dates)) is not None:
            plot.vline(at, AMBER)
            left = at < len(dates) / 2      # the label beside the line, on the side with room for it
            plot.text(f"│{cursor.label}" if left else f"{cursor.label}│", at, high, color=AMBER,
                      alignment="left" if left else "right")
        return legend

    def _draw_levels(self, plot: Plot, model: PriceChartModel, low: float, high: float, count: int,
                     canvas: Canvas) -> list[LegendItem]:
        """Levels within the chart's price range, at their price: resistance dashed, support solid.

        Each is labelled at its left end with its price; levels that fall on one row share a label.
        """
        labels: dict[int, list[str]] = {}
        rows = _plot_rows(canvas)
        last = max(1, count - 1)
        dash = max(1.0, last / max(1, canvas.width) * 2)    # two columns drawn, two left out
        shown = []
        for kind, levels, colour in (("R", model.resistance, RESISTANCE_COLOUR), ("S", model.support, SUPPORT_COLOUR)):
            for level in levels:
                if not low <= level <= high:
                    continue
                if kind == "R":
                    starts = [x * 2 * dash for x in range(int(last / (2 * dash)) + 1)]
                    for start in starts:
                        plot.plot([start, min(last, start + dash)], [level, level], color=colour, marker=LEVEL_MARKER)
                else:
                    plot.plot([0, last], [level, level], color=colour, marker=LEVEL_MARKER)
                labels.setdefault(_row_from_bottom(level, low, high, rows), []).append(f"{kind} {price(level)}")
                shown.append(kind)
        for row, texts in labels.items():
            plot.text(" / ".join(texts), 0, low + row * (high - low) / max(1, rows - 1), color=canvas.foreground,
                      alignment="left")
        legend = []
        if "R" in shown:
            legend.append(LegendItem("⠉ ⠉", "resistance", RESISTANCE_COLOUR))
        if "S" in shown:
            legend.append(LegendItem("⣀⣀⣀", "support", SUPPORT_COLOUR))
        return legend


class LineChart(Chart):
    """One or more plain lines, such as relative strength against the benchmark."""

    def show(self, dates: tuple[date, ...], lines: tuple[ChartLine, ...], title: str = "",
             timeframe: str = "daily") -> None:
        self.show_data(LineSeries(dates, lines, title, timeframe))

    def draw(self, plot: Plot, series: LineSeries, canvas: Canvas) -> tuple[str, list[LegendItem]]:
        styled = [(line, *SERIES_STYLES[i % len(SERIES_STYLES)]) for i, line in enumerate(series.lines)]
        drawn, legend = self._lines(plot, series.dates[-canvas.sessions:], styled, canvas)
        if drawn:
            self._value_axis(plot, min(drawn), max(drawn), canvas)
        return series.title, legend


class MacdChart(LineChart):
    """MACD and signal lines over the histogram (the third line), drawn as bars about a zero line."""

    def draw(self, plot: Plot, series: LineSeries, canvas: Canvas) -> tuple[str, list[LegendItem]]:
        if len(series.lines) != 3:
            return series.title, []
        macd, signal, histogram = series.lines
        values = histogram.values[-canvas.sessions:]
        # A thin bar (half a column) every other column, from zero: the bars stand apart and read as bars.
        spacing = 2 * max(1, len(values) / max(1, canvas.width - 8))
        last = len(values) - 1
        bars = [(x, y) for x in sorted({last - round(n * spacing) for n in range(int(last / spacing) + 1)})
                if (y := values[x]) is not None]
        for x, y in bars:   # above and below zero: apart without colour too
            plot.plot([x, x], [0, y], color=GREEN if y > 0 else RED, marker="hd")
        drawn, legend = self._lines(plot, series.dates[-canvas.sessions:],
                                    [(macd, *SERIES_STYLES[0]), (signal, *SERIES_STYLES[1])], canvas)
        drawn += [y for _, y in bars]
        if drawn:
            low, high = min(0.0, *drawn), max(0.0, *drawn)     # zero is always on the chart
            plot.hline(0, canvas.foreground)
            self._value_axis(plot, low, high, canvas)
        return series.title, [*legend, LegendItem("▌▐", "Histogram", GREEN)]


QUADRANT_COLOURS = {Quadrant.LEADING: GREEN, Quadrant.WEAKENING: AMBER, Quadrant.LAGGING: RED, Quadrant.IMPROVING: BLUE}
NARROW_RRG = 82      # below this many columns: tails of at most SHORT_TAIL weeks, quadrant names abbreviated
SHORT_TAIL = 4


@dataclass(frozen=True)
class RrgFigure:
    view: RrgView
    selected: str | None     # the symbol whose tail is drawn boldly, the others faint


class RrgChart(Chart):
    """The Relative Rotation Graph: RS-Ratio across, RS-Momentum up, 100/100 in the centre.

    Each symbol is its tail of weekly positions in its quadrant's colour, named at its head, so the
    graph reads without colour too; the selected symbol's tail is drawn heavier and on top.
    """

    SHOWS_RANGE = False     # weekly tails: the daily chart range does not apply

    def show(self, view: RrgView, selected: str | None) -> None:
        self.show_data(RrgFigure(view, selected))

    def draw(self, plot: Plot, figure: RrgFigure, canvas: Canvas) -> tuple[str, list[LegendItem]]:
        view, narrow = figure.view, canvas.width < NARROW_RRG
        low, high = 100 - view.span, 100 + view.span
        plot.xlim(low, high)
        plot.ylim(low, high)
        plot.xticks(*_value_ticks(low, high, max(2, canvas.width // 4)))
        plot.yticks(*_value_ticks(low, high, _plot_rows(canvas)))
        plot.vline(100, canvas.foreground)
        plot.hline(100, canvas.foreground)
        corner = view.span * 0.97
        corners: tuple[tuple[Quadrant, float, float, Literal["left", "right"]], ...] = (
            (Quadrant.IMPROVING, low + corner * 0.02, 100 + corner, "left"),
            (Quadrant.LEADING, high - corner * 0.02, 100 + corner, "right"),
            (Quadrant.LAGGING, low + corner * 0.02, 100 - corner, "left"),
            (Quadrant.WEAKENING, high - corner * 0.02, 100 - corner, "right"))
        for where, x, y, alignment in corners:
            name = where.short if narrow else where.label
            plot.text(name, x, y, color=QUADRANT_COLOURS[where], alignment=alignment)
        tail = min(view.tail, SHORT_TAIL) if narrow else view.tail
        marks = sorted(view.marks, key=lambda mark: mark.symbol == figure.selected)    # the selected one on top
        colours = {}
        for mark in marks:
            faint = figure.selected is not None and mark.symbol != figure.selected
            colours[mark.symbol] = colour = canvas.foreground if faint else QUADRANT_COLOURS[mark.quadrant]
            plot.plot(list(mark.ratio[-tail:]), list(mark.momentum[-tail:]), color=colour,
                      marker="braille" if faint else CLOSE_MARKER)
        # Every symbol named at its head, on top of the tails, never over another's name.
        rows, columns = _plot_rows(canvas), max(1, canvas.width - 6)
        taken: list[tuple[int, int, int]] = []       # (row, first column, last column) of each name placed
        for mark in reversed(marks):                 # the selected one first: its name stays on its head
            column = round((mark.ratio[-1] - low) / (high - low) * (columns - 1))
            row = round((mark.momentum[-1] - low) / (high - low) * (rows - 1))
            first, last = column - len(mark.symbol) // 2 - 1, column + len(mark.symbol) // 2 + 1
            for shift in (0, 1, -1, 2, -2, 3, -3):
                if not any(r == row + shift and a <= last and first <= b for r, a, b in taken):
                    break
            taken.append((row + shift, first, last))
            y = low + (row + shift) * (high - low) / max(1, rows - 1)
            plot.text(mark.symbol, mark.ratio[-1], y, color=colours[mark.symbol], alignment="center")
        week = view.week.strftime("week to %b %d '%y") if view.week else TOO_FEW_WEEKS
        return f"{week} · {tail}-week tails · → RS-Ratio ↑ RS-Mom", []
