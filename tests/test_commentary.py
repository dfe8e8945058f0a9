"""The generated commentary says what the numbers say, in the words a technician would use."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

from tuimarket.analysis.snapshot import build_snapshot
from tuimarket.config import Config
from tuimarket.data.model import Freshness, FreshnessState
from tuimarket.report import render

from support import bundled_data


def commentary(as_of: date) -> dict[str, str]:
    config = Config()
    return {index.symbol: index.commentary for index in build_snapshot(config, bundled_data(config, as_of)).indices}


def test_a_cross_on_the_as_of_day_is_news_not_a_duration() -> None:
    said = commentary(date(2025, 9, 25))
    assert "MACD crossed to a sell signal on 2025-09-25" in said["^GSPC"]   # a date: read later, still true
    assert "since 2025-09-25" not in said["^GSPC"] and "on the day" not in said["^GSPC"]
    assert "closed at 6,604.72 on 2025-09-25 (-0.5%)" in said["^GSPC"]
    assert "MACD has been on a buy signal since 2025-09-09" in said["^NDX"]


def test_a_high_over_a_short_history_is_named_by_its_length() -> None:
    """A live first load holds `history_years` (12): its highest close is a 12-year high, not all-time."""
    config = Config()
    data = bundled_data(config, date(2024, 11, 29))
    twelve_years = {symbol: bars.loc["2012-11-29":] for symbol, bars in data.bars.items()}
    snapshot = build_snapshot(config, replace(data, bars=twelve_years))
    assert "a new 12-year closing high" in snapshot.indices[0].commentary
    assert snapshot.indices[0].all_time_high.span == "12-year"
    said = commentary(date(2024, 11, 29))
    assert "a new all-time closing high" in said["^GSPC"]


def test_a_first_session_is_no_record_and_its_missing_numbers_read_n_a() -> None:
    """One bar (a symbol listed yesterday): the highest of one close is no "1-session closing high"
    nor a "record", and the report's MACD cell says n/a as every other missing number does."""
    config = Config()
    data = bundled_data(config, date(2024, 11, 29))
    snapshot = build_snapshot(config, replace(data, bars={symbol: bars.loc[:"2024-11-29"].iloc[-1:] for symbol, bars in data.bars.items()}))
    said = snapshot.indices[0].commentary
    assert said.startswith("The S&P 500 closed at 6,032.38 on 2024-11-29.") and "closing high" not in said
    row = next(line for line in render(snapshot, "text").splitlines() if "6,032.38" in line)
    assert row.split()[-3:] == ["n/a", "n/a", "benchmark"] and "N/A" not in row     # MACD, trend, vs ATH


def test_a_record_close_reads_as_an_uptrend_not_sideways() -> None:
    """Issue 12: on 2024-01-19 and 2025-07-02 the S&P 500 closed at a record and was called sideways."""
    for day in (date(2024, 1, 19), date(2025, 7, 2)):
        said = commentary(day)["^GSPC"]
        assert "a new all-time closing high. It is in a confirmed uptrend" in said
        assert "the record close keeps it so" in said and "sideways" not in said


def test_the_russell_in_late_2024_reads_as_a_long_underperformance_that_reversed_in_july() -> None:
    """Issue 12 item 5: not only 'rising since 2024-11-07' (the 50-session rule flipped 14 times since July)."""
    said = commentary(date(2024, 11, 29))["^RUT"]
    assert ("Against the S&P 500 it underperformed from 2021-03-12 to a low on 2024-07-09 (relative strength -39%) "
            "and has outperformed since 2024-07-09 (+11%).") in said


def test_the_short_view_and_the_rotation_quadrant_are_both_named() -> None:
    """The commentary said 'flat' where the rotation table said 'lagging': two measures, now both named."""
    said = commentary(date(2024, 11, 29))["^NDX"]
    assert "its relative strength is flat; on the rotation graph it is lagging." in said


def test_a_level_spans_years_and_names_the_highs_that_formed_it() -> None:
    """Issue 12 item 6: the first record close in two years broke the 2022 peak, which a 250-session window never saw."""
    said = commentary(date(2024, 1, 19))["^GSPC"]
    assert ("It broke out above 4,805.96 (the highs of 2022-01-04 and 2023-12-28) on 2024-01-19. "
            "Nearest support at 4,805.96, the level it broke out above.") in said


def _forming(day: date, symbol: str = "^GSPC"):
    """The bundled data of `day` with `symbol`'s last bar marked as a session still forming."""
    config = Config()
    data = bundled_data(config, day)
    freshness = dict(data.freshness) | {symbol: Freshness(FreshnessState.LIVE, day, partial=True)}
    return build_snapshot(config, replace(data, freshness=freshness))


def test_a_forming_bar_is_at_a_price_and_its_signals_are_provisional() -> None:
    snapshot = _forming(date(2025, 9, 25))
    spx, ndx = snapshot.indices[0], snapshot.indices[1]
    assert spx.provisional and not ndx.provisional and snapshot.provisional
    assert spx.commentary.startswith("The S&P 500 is at 6,604.72")
    assert "MACD crossed to a sell signal on 2025-09-25 (provisional: the session is still open)" in spx.commentary
    assert ndx.commentary.startswith("The Nasdaq 100 closed at")
    assert snapshot.regime.provisional and "becomes final only after the close" in snapshot.regime.commentary
    report = json.loads(render(snapshot, "json"))
    assert report["provisional"] and report["regime"]["provisional"] and report["indices"][0]["provisional"]
    assert not report["indices"][1]["provisional"]


def test_a_forming_bar_above_the_record_is_not_yet_a_record_close() -> None:
    said = _forming(date(2024, 11, 29)).indices[0].commentary
    assert "above its all-time closing high (provisional: the session is still open)" in said
    assert "a new all-time closing high" not in said
