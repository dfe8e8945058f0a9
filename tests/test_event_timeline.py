"""The detail screen's event timeline and the price chart's event marks, as view models and plot text."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pandas as pd
import pytest

from tuimarket.analysis.events import MARKET, EventKind, market_events
from tuimarket.analysis.snapshot import CHART_SESSIONS
from tuimarket.config import Config, DataSettings
from tuimarket.data.feed import Feed
from tuimarket.data.model import clip
from tuimarket.monitor import MarketPipeline
from tuimarket.ui.timeline_model import (ALL, FILTERS, KIND_GROUPS, ChartCursor, ChartMark, EventTimeline,
                                         MarkedChart, chart_marks, event_timeline, place_marks, range_showing)
from tuimarket.ui.viewmodels import dashboard
from tuimarket.ui.widgets.charts import Canvas, PriceChart

from support import bundled_data
from ui_support import loaded

CONFIG = Config()
AS_OF = date(2024, 11, 29)      # the Russell 2000 broke out above 2,286.53 on 2024-11-06


@pytest.fixture(scope="module")
def russell() -> EventTimeline:
    return event_timeline(CONFIG, bundled_data(CONFIG, AS_OF), "^RUT")


def test_the_timeline_is_newest_first_with_age_price_level_and_change_since(russell: EventTimeline) -> None:
    dates = [row.date for row in russell.rows]
    assert dates == sorted(dates, reverse=True) and dates[0] <= AS_OF
    closes = clip(bundled_data(CONFIG, AS_OF, symbols=["^RUT"]).bars["^RUT"], AS_OF)["Close"].dropna()
    breakout = next(row for row in russell.rows if row.kind == "breakout" and row.date == date(2024, 11, 6))
    assert breakout.words == "breakout" and breakout.value == "2,286.53" and breakout.mark_price == pytest.approx(2286.53, abs=0.005)
    assert breakout.close == closes.loc["2024-11-06"]
    assert breakout.sessions_ago == int((closes.index > "2024-11-06").sum()) == 16
    assert breakout.change_since == pytest.approx(closes.iloc[-1] / closes.loc["2024-11-06"] - 1)
    assert breakout.since_text == "+1.7%" and not breakout.provisional
    # Within a session, the most important first: a breakout before a MACD cross of the same day.
    order = [kind.value for kind in EventKind]
    for day in set(dates):
        kinds = [order.index(row.kind) for row in russell.rows if row.date == day and row.key.startswith("^RUT")]
        assert kinds == sorted(kinds)


def test_it_holds_the_symbols_and_the_markets_events_over_the_charts_sessions(russell: EventTimeline) -> None:
    """The same events as the whole market's computation (the stance needs every sector's bars)."""
    data = bundled_data(CONFIG, AS_OF)
    bars = {symbol: clip(frame, AS_OF) for symbol, frame in data.bars.items()}
    sessions = bars["^RUT"]["Close"].dropna().index
    assert russell.since == sessions[-CHART_SESSIONS].date()
    every = market_events(CONFIG, bars)
    expected = [event.key for event in every if event.symbol in ("^RUT", MARKET) and event.date >= russell.since]
    assert sorted(row.key for row in russell.rows) == sorted(expected)
    assert any(row.kind == "stance_changed" for row in russell.rows)


def test_a_replay_shows_no_event_after_its_date_and_the_same_events_up_to_it(russell: EventTimeline) -> None:
    day = date(2024, 11, 5)     # the day before the breakout
    replayed = event_timeline(CONFIG, bundled_data(CONFIG, day), "^RUT")
    assert max(row.date for row in replayed.rows) <= day
    assert not any(row.kind == "breakout" and row.date == date(2024, 11, 6) for row in replayed.rows)
    both = [row for row in replayed.rows if row.date >= russell.since]
    assert [row.key for row in both] == [row.key for row in russell.rows if row.date <= day]
    # Ages and changes count from the replay's date.
    closes = clip(bundled_data(CONFIG, day, symbols=["^RUT"]).bars["^RUT"], day)["Close"].dropna()
    newest = replayed.rows[0]
    assert newest.sessions_ago == int((closes.index > pd.Timestamp(newest.date)).sum())
    assert newest.change_since == pytest.approx(closes.iloc[-1] / newest.close - 1)


def test_every_kind_has_a_filter_and_each_filter_keeps_its_kinds(russell: EventTimeline) -> None:
    grouped = [kind for kinds in KIND_GROUPS.values() for kind in kinds]
    assert sorted(grouped) == sorted(kind.value for kind in EventKind)     # each kind in exactly one group
    assert russell.filtered(ALL) == russell.rows
    for name in FILTERS[1:]:
        rows = russell.filtered(name)
        assert rows and all(row.kind in KIND_GROUPS[name] for row in rows), name
        assert list(rows) == [row for row in russell.rows if row.kind in KIND_GROUPS[name]]


def test_marks_stay_in_the_range_shown_and_never_share_a_column() -> None:
    dates = [date(2024, 1, 1) + timedelta(days=n) for n in range(100)]
    breakout = ChartMark(dates[50], 10.0, "△", True)
    macd_same_column = ChartMark(dates[50], 9.0, "▲", True)
    macd_next_column = ChartMark(dates[51], 9.0, "▼", False)
    macd_apart = ChartMark(dates[80], 9.0, "▲", True)
    off_chart = ChartMark(date(2023, 6, 1), 9.0, "▲", True)
    placed = place_marks([breakout, macd_same_column, macd_next_column, macd_apart, off_chart], dates, columns=100)
    assert placed == [(50, breakout), (80, macd_apart)]      # the most important kept, the neighbours left out
    # A narrow plot: bars share columns, so fewer marks fit.
    many = [ChartMark(day, 1.0, "▲", True) for day in dates]
    narrow = place_marks(many, dates, columns=20)
    columns = [round(x / 99 * 19) for x, _ in narrow]
    assert len(set(columns)) == len(columns) and all(b - a >= 2 for a, b in zip(columns, columns[1:]))


def test_the_range_widens_only_as_far_as_the_date_needs() -> None:
    dates = [date(2020, 1, 1) + timedelta(days=n) for n in range(1300)]
    assert range_showing(dates[-10], dates, "3M") == "3M"
    assert range_showing(dates[-100], dates, "3M") == "6M"
    assert range_showing(dates[-300], dates, "3M") == "2Y"
    assert range_showing(dates[-100], dates, "2Y") == "2Y"       # never narrower than the user's
    assert range_showing(dates[0], dates, "1Y") == "5Y"


def test_the_price_chart_draws_the_marks_and_the_selected_date_told_apart_without_colour(
        russell: EventTimeline) -> None:
    board = dashboard(loaded(CONFIG, AS_OF).snapshot, "live")
    chart = next(panel.chart for panel in board.panels if panel.symbol == "^RUT")
    canvas = Canvas(120, 30, "textual-dark", "default", "default", 252)
    marks = chart_marks(russell)
    assert {mark.glyph for mark in marks} == {"△", "▽", "▲", "▼"}
    assert [mark.glyph for mark in marks].index("▲") > [mark.glyph for mark in marks].index("▽")  # breaks first
    cursor = ChartCursor(date(2024, 11, 6), "2024-11-06 breakout")
    plain = PriceChart(levels=True).prepare(MarkedChart(chart, marks, cursor), canvas).text.plain
    bare = PriceChart(levels=True).prepare(chart, canvas).text.plain
    glyphs = "△▽▲▼"
    assert not any(glyph in bare for glyph in glyphs)
    # Each mark in a column of its own, a blank column at least between two.
    columns = sorted(column for line in plain.splitlines()[1:] for column, char in enumerate(line) if char in glyphs)
    assert len(columns) > 10 and all(b - a >= 2 for a, b in zip(columns, columns[1:]))
    assert "2024-11-06 breakout" in plain and "MACD" in plain.splitlines()[0]      # the label, the legend
    # The line: one glyph per plot row at the selected date's column, more than the frame has.
    assert sum(line.count("│") for line in plain.splitlines()) > sum(line.count("│") for line in bare.splitlines())
    assert re.search(r"△▽ break", plain.splitlines()[0])


def test_the_monitors_pipeline_gives_the_timeline_of_the_replays_date_and_follows_its_steps() -> None:
    day = date(2024, 11, 5)
    settings = Config(data=DataSettings(source="bundled"))
    replay = MarketPipeline(settings, Feed(settings, source="bundled", as_of=day), source="bundled", as_of=day)
    assert replay.event_timeline("^RUT").rows == ()         # nothing loaded yet
    replay.initial()
    assert max(row.date for row in replay.event_timeline("^RUT").rows) == day
    replay.step(1)
    stepped = replay.event_timeline("^RUT")
    assert stepped.rows[0].date == date(2024, 11, 6) and stepped.rows[0].kind == "breakout"
    replay.feed.store.close()
