"""Chart thinning keeps what a technician reads off a chart: the extremes and the last bar."""

from __future__ import annotations

import re
from datetime import date

from datetime import timedelta

from rich.color import Color, ColorSystem
from rich.color_triplet import ColorTriplet

from tuimarket.config import Config
from tuimarket.ui.viewmodels import dashboard
from tuimarket.ui.viewmodels import ChartLine, PriceChartModel
from tuimarket.ui.widgets.charts import AVERAGE_STYLES, CLOSE_MARKER, RESISTANCE_COLOUR, SUPPORT_COLOUR, Canvas, \
    UNAVAILABLE, LineSeries, MacdChart, PriceChart, _date_ticks, _points

from ui_support import loaded


def test_short_series_are_drawn_whole_and_gaps_skipped() -> None:
    assert _points([1.0, None, 3.0], step=2) == ([0, 2], [1.0, 3.0])


def test_thinning_keeps_every_bucket_extreme_and_the_last_bar() -> None:
    values = [float(v) for v in [5, 1, 9, 4, 4, 4, 2, 8, 3, 6, 7]]
    xs, ys = _points(values, step=4)
    assert max(ys) == 9 and min(ys) == 1          # the peak and the trough stay on the chart
    assert xs[-1] == 10 and ys[-1] == 7.0          # the last bar is exact
    assert len(xs) < len(values) and xs == sorted(xs)


def test_an_all_time_high_between_strides_is_not_lost() -> None:
    values = [100.0] * 200
    values[157] = 150.0
    _, ys = _points(values, step=5)
    assert 150.0 in ys


def test_the_close_and_each_average_are_told_apart_by_their_glyphs_alone() -> None:
    """Without colour (NO_COLOR), the legend and the lines still say which line is which."""
    board = dashboard(loaded(Config(), date(2025, 9, 25)).snapshot, "live")
    canvas = Canvas(60, 20, "textual-dark", "default", "default", 252)
    plain = PriceChart().prepare(board.panels[0].chart, canvas).text.plain
    labels = ("SMA 50", "SMA 100", "SMA 200", "Close")
    glyphs = {label: re.search(rf"(\S\S) {label}\s", plain).group(1) for label in labels}   # the legend
    assert len(set(glyphs.values())) == 4, glyphs
    assert glyphs["SMA 100"] == "••" and glyphs["SMA 200"] == "··"
    assert sum(plain.count(glyph) for glyph in "•·") > 80          # drawn with them, not only in the legend


def test_the_averages_and_levels_keep_apart_on_a_16_colour_terminal() -> None:
    colours = [style.colour for style in AVERAGE_STYLES[:3]] + [SUPPORT_COLOUR, RESISTANCE_COLOUR]
    standard = [Color.from_rgb(*colour).downgrade(ColorSystem.STANDARD).number for colour in colours]
    assert len(set(standard)) == len(standard), standard
    assert len({style.marker for style in AVERAGE_STYLES} | {CLOSE_MARKER}) == len(AVERAGE_STYLES) + 1


BOARD = dashboard(loaded(Config(), date(2025, 9, 25)).snapshot, "live")


def drawn(chart, data, width: int = 100, height: int = 24, sessions: int = 252) -> list[str]:
    return chart.prepare(data, Canvas(width, height, "textual-dark", "default", "default", sessions)).text.plain.split("\n")


def test_each_chart_has_its_canvas_colours_whatever_a_chart_of_its_theme_had_before() -> None:
    # plotext's themes are the process's: named by the app's theme alone, the first chart's colours
    # stayed every later one's (the test process's snapshots took this file's "default" canvas).
    surfaces = [(30, 30, 30), (250, 250, 250)]
    for surface in ["default", *surfaces]:
        figure = PriceChart().prepare(BOARD.panels[0].chart, Canvas(60, 20, "textual-dark", surface, "default", 252))
        backgrounds = {span.style.bgcolor.triplet for span in figure.text.spans
                       if not isinstance(span.style, str) and span.style.bgcolor and span.style.bgcolor.triplet}
        assert backgrounds == ({ColorTriplet(*surface)} if surface in surfaces else set()), surface


def y_labels(lines: list[str]) -> list[str]:
    """The y-axis tick labels: the text before each tick mark."""
    return [match.group(1) for line in lines if (match := re.match(r"\s*(\S+?)[┤├]", line))]


def test_every_date_label_carries_its_year() -> None:
    dates = [date(2024, 9, 23) + timedelta(days=n) for n in range(400)]
    _, labels = _date_ticks(dates)
    assert labels[0] == "Sep '24" and labels[-1] == "Oct '25"
    assert all(re.fullmatch(r"[A-Z][a-z]{2} '\d\d", label) for label in labels), labels


def test_the_legend_and_the_range_have_a_line_of_their_own_above_the_plot() -> None:
    lines = drawn(PriceChart(), BOARD.panels[0].chart, sessions=504)
    assert lines[0].startswith("2Y ")
    for label in ("Close", "SMA 50", "SMA 100", "SMA 200"):
        assert label in lines[0]
        assert not any(label in line for line in lines[1:]), label     # nothing covers the plot


def test_price_axis_labels_read_like_the_headline_prices() -> None:
    labels = y_labels(drawn(PriceChart(), BOARD.panels[1].chart))     # the Nasdaq 100: five digits
    assert len(labels) >= 3
    assert all(re.fullmatch(r"\d{2},\d{3}", label) for label in labels), labels


def flat_model(supports: tuple[float, ...], resistances: tuple[float, ...] = ()) -> PriceChartModel:
    days = [date(2025, 1, 1) + timedelta(days=n) for n in range(120)]
    closes = tuple(90.0 + 20 * (n % 40) / 39 for n in range(120))     # a saw between 90 and 110
    return PriceChartModel(tuple(days), ChartLine("Close", closes), (), supports, resistances)


def test_levels_are_labelled_with_their_price_each_on_its_own_line() -> None:
    """Three supports a point apart are three lines, in price order, with their prices; resistance differs."""
    lines = drawn(PriceChart(levels=True), flat_model((100.0, 102.0, 104.0), (108.0,)), width=80, height=30)
    rows = {label: next(i for i, line in enumerate(lines) if label in line)
            for label in ("R 108.00", "S 104.00", "S 102.00", "S 100.00")}
    assert list(rows.values()) == sorted(rows.values()) and len(set(rows.values())) == 4, rows
    resistance, support = lines[rows["R 108.00"]], lines[rows["S 100.00"]]
    assert " " in resistance.split("108.00")[1].strip("│ ")       # dashed
    assert " " not in support.split("100.00")[1].strip("│ ")      # solid
    assert "resistance" in lines[0] and "support" in lines[0]


def test_levels_on_one_row_share_a_label() -> None:
    lines = drawn(PriceChart(levels=True), flat_model((100.0, 100.05)), width=80, height=12)
    assert any("S 100.00 / S 100.05" in line for line in lines)


def test_the_macd_pane_has_a_zero_line_and_histogram_bars_with_gaps() -> None:
    panel = BOARD.panels[0]
    lines = drawn(MacdChart(), LineSeries(panel.chart.dates, panel.macd_lines, "MACD"), width=80, height=16)
    assert "0" in y_labels(lines)
    zero = next(line for line in lines if re.match(r"\s*0├", line))
    assert zero.count("─") > 20                 # the zero line, broken only by bars and lines
    assert "MACD" in lines[0] and "Histogram" in lines[0]


def test_a_chart_plotext_cannot_draw_says_so_in_its_own_place():
    class Broken(PriceChart):
        def draw(self, plot, data, canvas):
            raise ValueError("plotext choked on a value")

    assert drawn(Broken(), BOARD.panels[0].chart) == [UNAVAILABLE]
    assert drawn(PriceChart(), BOARD.panels[0].chart) != [UNAVAILABLE]


def test_a_month_is_named_once_on_a_short_weekly_axis() -> None:
    weeks = [date(2025, 7, 3), *(date(2025, 7, 11) + timedelta(weeks=n) for n in range(11)), date(2025, 9, 25)]
    positions, labels = _date_ticks(weeks)          # weekly 3M: 13 bars, a tick every 4 weeks
    assert labels == ["Jul '25", "Aug '25", "Sep '25"] and positions == [0, 4, 12]
