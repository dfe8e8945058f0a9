"""Weekly bars and the weekly analysis, against pandas' own weekly resampling and TA-Lib."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
import pytest
import talib
from pandas.testing import assert_frame_equal

from tuimarket import cli
from tuimarket.analysis.results import MarketSnapshot
from tuimarket.analysis.snapshot import CHART_WEEKS, build_snapshot
from tuimarket.analysis.timeframe import TIMEFRAMES, week_forming, weekly_bars, weekly_settings
from tuimarket.config import AnalysisSettings, Config
from tuimarket.data import bundled
from tuimarket.data.model import Freshness, FreshnessState, empty_bars

from support import bundled_data, bundled_snapshot

CONFIG = Config()
AS_OF = date(2025, 9, 25)       # a Thursday: the bundled sector ETFs end there
FRIDAY = date(2025, 9, 19)


def resampled_oracle(bars: pd.DataFrame) -> pd.DataFrame:
    """pandas' weekly resampling (weeks ending Friday), relabelled with each week's last session."""
    rule = bars.resample("W-FRI")
    weekly = rule.agg({"Open": "first", "High": "max", "Low": "min", "Close": "last", "Volume": "sum"})
    last_session = rule.apply(lambda week: week.index.max() if len(week) else pd.NaT)["Close"]
    weekly.index = pd.DatetimeIndex(last_session, name="Date")
    return weekly[weekly.index.notna()]        # a week with no session at all has no bar


@pytest.mark.parametrize("symbol", ["^GSPC", "^RUT", "XLK", "IWM"])
def test_weekly_bars_equal_pandas_weekly_resampling(symbol: str) -> None:
    bars = bundled.load(symbol)
    weekly = weekly_bars(bars)
    assert len(weekly) > 1000
    assert_frame_equal(weekly, resampled_oracle(bars), check_freq=False)


def test_a_week_is_labelled_with_its_last_session_not_a_holiday_friday() -> None:
    bars = bundled.load("^GSPC").loc["2025-04-07":"2025-04-25"]           # Good Friday: 2025-04-18
    weekly = weekly_bars(bars)
    assert [day.date() for day in weekly.index] == [date(2025, 4, 11), date(2025, 4, 17), date(2025, 4, 25)]
    holiday_week = bars.loc["2025-04-14":"2025-04-17"]
    assert weekly.loc["2025-04-17"].tolist() == [
        holiday_week["Open"].iloc[0], holiday_week["High"].max(), holiday_week["Low"].min(),
        holiday_week["Close"].iloc[-1], holiday_week["Volume"].sum()]


def test_no_bars_make_no_weeks() -> None:
    assert weekly_bars(empty_bars()).empty


def test_a_week_is_forming_until_its_friday() -> None:
    assert [week_forming(date(2025, 9, day)) for day in (22, 23, 24, 25, 26)] == [True, True, True, True, False]


def test_weekly_settings_turn_spans_of_days_into_weeks_and_keep_counts_of_bars() -> None:
    weekly = weekly_settings(AnalysisSettings())
    assert weekly.sma_periods == (10, 20, 40)
    assert weekly.slope_lookback == 2 and weekly.level_lookback == 1000
    assert weekly.macd == AnalysisSettings().macd                      # 12/26/9 on weekly closes
    assert (weekly.swing_window, weekly.swing_count) == (5, 4)


@pytest.fixture(scope="module")
def snapshot() -> MarketSnapshot:
    return bundled_snapshot(CONFIG, AS_OF)


def test_the_weekly_analysis_is_talib_on_weekly_closes(snapshot: MarketSnapshot) -> None:
    for daily, weekly in zip(snapshot.indices, snapshot.weekly):
        assert (weekly.symbol, weekly.timeframe, daily.timeframe) == (daily.symbol, "weekly", "daily")
        closes = weekly_bars(bundled.load(daily.symbol).loc[:pd.Timestamp(AS_OF)])["Close"].to_numpy()
        assert weekly.as_of == AS_OF and weekly.close == closes[-1] == daily.close
        assert weekly.change_pct == pytest.approx(closes[-1] / closes[-2] - 1)
        assert [sma.period for sma in weekly.smas] == [10, 20, 40]
        for state in weekly.smas:
            reference = talib.SMA(closes, state.period)
            assert state.value == pytest.approx(reference[-1])
            assert state.rising == (reference[-1] > reference[-3])          # a 2-week slope
            assert weekly.series.sma[state.period][-CHART_WEEKS:] == pytest.approx(reference[-CHART_WEEKS:])
        line, signal, histogram = talib.MACD(closes, 12, 26, 9)
        assert (weekly.macd.macd, weekly.macd.signal) == pytest.approx((line[-1], signal[-1]))
        assert weekly.macd.state == ("buy" if histogram[-1] > 0 else "sell")
        crosses = np.flatnonzero(np.diff(np.sign(histogram[~np.isnan(histogram)])) != 0)
        assert weekly.macd.crossed_on in set(weekly.series.dates)       # a week's last session
        assert len(weekly.series.dates) == len(weekly.series.close) == CHART_WEEKS
        assert weekly.series.histogram == pytest.approx(histogram[-CHART_WEEKS:])
        assert len(crosses) > 10


def test_the_weekly_trend_and_levels_are_read_on_weekly_bars(snapshot: MarketSnapshot) -> None:
    for daily, weekly in zip(snapshot.indices, snapshot.weekly):
        week_days = set(weekly_bars(bundled.load(daily.symbol).loc[:pd.Timestamp(AS_OF)]).index.date)
        swings = weekly.trend.swing_highs + weekly.trend.swing_lows
        assert swings and all(day in week_days for day, _ in swings)
        assert swings != daily.trend.swing_highs + daily.trend.swing_lows
        formed = [day for formation in weekly.levels.formed_by.values()
                  for day in (*formation.highs, *formation.lows)]
        assert formed and all(day in week_days for day in formed)
        # What stays daily: the record close, relative strength and the rotation quadrant.
        assert (weekly.all_time_high, weekly.relative_strength, weekly.quadrant) == (
            daily.all_time_high, daily.relative_strength, daily.quadrant)


def test_the_weekly_commentary_speaks_of_weeks(snapshot: MarketSnapshot) -> None:
    weekly = snapshot.weekly[0]
    assert "-week average" in weekly.commentary and "-day average" not in weekly.commentary
    assert "-day average" in snapshot.indices[0].commentary


def test_a_forming_week_is_provisional_as_a_forming_day_is() -> None:
    thursday = bundled_snapshot(CONFIG, AS_OF)
    assert not any(index.provisional for index in thursday.indices)
    assert all(index.provisional for index in thursday.weekly)           # Friday's session is still to come
    assert thursday.weekly[0].commentary.startswith("The S&P 500 is at 6,604.72 on 2025-09-25 (-0.9% on the week)")
    assert thursday.indices[0].commentary.startswith("The S&P 500 closed at 6,604.72 on 2025-09-25 (-0.5%)")
    friday = bundled_snapshot(CONFIG, FRIDAY)
    assert not any(index.provisional for index in friday.weekly)
    data = bundled_data(CONFIG, FRIDAY)
    forming_friday = replace(data, freshness={**data.freshness, "^NDX": Freshness(
        FreshnessState.LIVE, FRIDAY, partial=True)})
    assert [index.provisional for index in build_snapshot(CONFIG, forming_friday).weekly] == [False, True, False]


def test_a_closed_week_never_changes_when_later_sessions_arrive() -> None:
    earlier = bundled_snapshot(CONFIG, FRIDAY).weekly
    later = bundled_snapshot(CONFIG, AS_OF).weekly
    for before, after in zip(earlier, later):
        assert before.series.dates[-1] == FRIDAY and after.series.dates[-2] == FRIDAY
        assert before.series.close[-1] == after.series.close[-2]
        assert before.series.macd[-1] == after.series.macd[-2]
        assert [values[-1] for values in before.series.sma.values()] == [
            values[-2] for values in after.series.sma.values()]


def report(capsys, *argv: str) -> str:
    assert cli.main(["--source", "bundled", "--as-of", AS_OF.isoformat(), "report", *argv]) == 0
    return capsys.readouterr().out


def test_the_report_reads_the_indexes_on_weekly_bars(capsys) -> None:
    daily, weekly = (json.loads(report(capsys, "--format", "json", *timeframe))
                     for timeframe in ([], ["--timeframe", "weekly"]))
    assert (daily["timeframe"], weekly["timeframe"]) == ("daily", "weekly")
    assert (daily["provisional"], weekly["provisional"]) == (False, True)     # Thursday: the week is forming
    assert [list(index["sma"]) for index in weekly["indices"]] == [["10", "20", "40"]] * 3
    snapshot = bundled_snapshot(CONFIG, AS_OF)
    for shown, index in zip(weekly["indices"], snapshot.weekly):
        assert shown["timeframe"] == "weekly"
        assert shown["macd"]["state"] == index.macd.state and shown["commentary"].endswith(index.commentary)
    # What stays daily: the stance and the rotation.
    assert (weekly["regime"], weekly["rotation"]) == (daily["regime"], daily["rotation"])
    text = report(capsys, "--timeframe", "weekly")
    assert "weekly bars" in text.splitlines()[0] and "vs 40w" in text and "Week" in text and "vs 200d" not in text
    markdown = report(capsys, "--format", "markdown", "--timeframe", "weekly")
    assert "weekly bars" in markdown and "vs 40w" in markdown


def test_the_report_refuses_an_unknown_timeframe_in_one_line(capsys) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["report", "--timeframe", "monthly"])
    err = capsys.readouterr().err
    assert exited.value.code == 2 and err.count("\n") == 1 and "invalid choice" in err
    assert cli.TIMEFRAMES == TIMEFRAMES      # the command line's copy (it imports no pandas) is the analysis's
