"""The weekly Relative Rotation Graph: the documented formulas, weekly bars, and tails that stay put."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from tuimarket.analysis.rotation import quadrant
from tuimarket.analysis.rrg import rrg_lines, rrg_points, weekly_closes
from tuimarket.analysis.snapshot import build_snapshot
from tuimarket.config import Config
from tuimarket.data import bundled

from ui_support import bundled_data


def test_a_week_closes_on_its_last_session_even_when_friday_is_a_holiday() -> None:
    close = bundled.load("^GSPC")["Close"].loc["2025-04-07":"2025-04-25"]     # Good Friday: 2025-04-18
    weekly = weekly_closes(close)
    assert [day.date() for day in weekly.index] == [date(2025, 4, 11), date(2025, 4, 18), date(2025, 4, 25)]
    assert weekly.iloc[1] == close.loc["2025-04-17"]          # Thursday's close ends that week
    assert weekly.iloc[0] == close.loc["2025-04-11"]


def zscore_oracle(values: list[float], window: int) -> list[float | None]:
    """100 + (x − mean) / population std over the last `window` values, one point at a time."""
    out: list[float | None] = []
    for i in range(len(values)):
        chunk = values[i - window + 1:i + 1] if i + 1 >= window else []
        if not chunk or any(v is None for v in chunk) or np.std(chunk) == 0:
            out.append(None)
        else:
            out.append(100 + (values[i] - float(np.mean(chunk))) / float(np.std(chunk)))
    return out


def test_ratio_and_momentum_follow_the_documented_formulas() -> None:
    benchmark = bundled.load("^GSPC")["Close"].loc["2022":"2024"]
    close = bundled.load("XLE")["Close"].loc["2022":"2024"]
    window = 10
    lines = rrg_lines(close, benchmark, window)
    rs = list(100 * weekly_closes(close) / weekly_closes(benchmark))
    ratio = zscore_oracle(rs, window)
    change = [None] + [None if a is None or b is None else 100 * (b / a - 1) for a, b in zip(ratio, ratio[1:])]
    momentum = zscore_oracle(change, window)
    expected = [(r, m) for r, m in zip(ratio, momentum) if r is not None and m is not None]
    assert len(lines) == len(expected) > 100
    assert lines["rs_ratio"].tolist() == pytest.approx([r for r, _ in expected])
    assert lines["rs_momentum"].tolist() == pytest.approx([m for _, m in expected])


def test_old_tail_points_never_change_when_new_weeks_arrive() -> None:
    benchmark = bundled.load("^GSPC")["Close"]
    close = bundled.load("XLK")["Close"]
    earlier = rrg_points(close.loc[:"2025-06-11"], benchmark.loc[:"2025-06-11"], keep=5000)    # a Wednesday
    later = rrg_points(close.loc[:"2025-09-25"], benchmark.loc[:"2025-09-25"], keep=5000)
    assert earlier[:-1] == later[:len(earlier) - 1]            # every closed week: identical
    assert earlier[-1].week == date(2025, 6, 13) and earlier[-1] != later[len(earlier) - 1]   # that week was forming


def test_reading_only_the_recent_history_gives_the_same_points() -> None:
    benchmark, close = bundled.load("^GSPC")["Close"], bundled.load("XLE")["Close"]
    everything = rrg_points(close, benchmark, keep=100_000)
    assert len(everything) > 1000
    assert rrg_points(close, benchmark, keep=20) == everything[-20:]
    assert rrg_points(close, benchmark) == everything[-156:]


def test_the_rotation_table_and_the_graph_agree_on_every_quadrant() -> None:
    config = Config()
    snapshot = build_snapshot(config, bundled_data(config, date(2025, 9, 25)))
    for row in snapshot.rotation:
        last = row.weeks[-1]
        assert (row.rs_ratio, row.rs_momentum) == (last.rs_ratio, last.rs_momentum)
        assert row.quadrant == quadrant(last.rs_ratio, last.rs_momentum)
    assert {row.quadrant for row in snapshot.rotation} == {"leading", "weakening", "lagging", "improving"}


def test_a_flat_relative_strength_has_no_position_rather_than_a_division_by_zero() -> None:
    days = pd.bdate_range("2024-01-01", periods=200)
    flat = pd.Series(np.full(200, 50.0), index=days)
    assert rrg_points(flat, flat * 2) == ()
