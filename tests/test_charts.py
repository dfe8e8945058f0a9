"""Chart thinning keeps what a technician reads off a chart: the extremes and the last bar."""

from __future__ import annotations

import re
from datetime import date

from rich.color import Color, ColorSystem

from tuimarket.config import Config
from tuimarket.ui.viewmodels import dashboard
from tuimarket.ui.widgets.charts import AVERAGE_STYLES, CLOSE_MARKER, RESISTANCE_COLOUR, SUPPORT_COLOUR, Canvas, \
    PriceChart, _points

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
    assert sum(plain.count(glyph) for glyph in "•·") > 100          # drawn with them, not only in the legend


def test_the_averages_and_levels_keep_apart_on_a_16_colour_terminal() -> None:
    colours = [style.colour for style in AVERAGE_STYLES[:3]] + [SUPPORT_COLOUR, RESISTANCE_COLOUR]
    standard = [Color.from_rgb(*colour).downgrade(ColorSystem.STANDARD).number for colour in colours]
    assert len(set(standard)) == len(standard), standard
    assert len({style.marker for style in AVERAGE_STYLES} | {CLOSE_MARKER}) == len(AVERAGE_STYLES) + 1
