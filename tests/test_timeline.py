"""The timeline: its row for a date equals the snapshot (and `report --as-of`) of that date; it
never looks ahead; `history` and `evaluate` on the command line; the rules hold on real history."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from tuimarket.analysis.evaluation import evaluate
from tuimarket.analysis.snapshot import build_snapshot
from tuimarket.analysis.timeline import market_timeline
from tuimarket.cli import main
from tuimarket.config import Config
from tuimarket.data import bundled
from tuimarket.data.model import clip

from support import sampled
from ui_support import bundled_data

CONFIG = Config()
END = bundled.common_as_of(CONFIG.all_symbols)
BARS = {symbol: clip(bundled.load(symbol), END) for symbol in CONFIG.all_symbols}
SAMPLED = [date(1991, 6, 3), date(1994, 11, 22), date(1998, 10, 8), date(2000, 3, 24), date(2002, 10, 9),
           date(2008, 10, 10), date(2013, 5, 21), date(2016, 2, 11), date(2018, 12, 24), date(2020, 3, 23),
           date(2021, 12, 31), date(2022, 10, 12), date(2024, 1, 19), date(2024, 11, 29), date(2025, 4, 8)]


@pytest.fixture(scope="module")
def timeline() -> pd.DataFrame:
    return market_timeline(CONFIG, BARS)


def _row_from_snapshot(day: date) -> dict:
    snapshot = build_snapshot(CONFIG, bundled_data(CONFIG, day))
    regime = snapshot.regime
    row = {"stance": regime.stance, "signalled": regime.signalled or regime.stance, "uptrends": regime.uptrends,
           "sectors_above": regime.sectors_above, "sectors_counted": regime.sectors_counted}
    for index in snapshot.indices:
        strength = index.relative_strength
        row |= {f"{index.symbol}.trend": index.trend.state, f"{index.symbol}.confirmed": index.trend.confirmed,
                f"{index.symbol}.macd": index.macd.state,
                f"{index.symbol}.rs": strength.trend if strength else None,
                f"{index.symbol}.below_record": pytest.approx(index.all_time_high.pct_below, abs=1e-12)}
    return row


@pytest.mark.parametrize("day", sampled(SAMPLED), ids=str)
def test_the_row_of_a_date_equals_the_snapshot_of_that_date(timeline, day):
    row = timeline.loc[pd.Timestamp(day)]
    expected = _row_from_snapshot(day)
    assert {key: row[key] for key in expected} == expected


@pytest.mark.parametrize("day", ["2020-03-23", "2024-11-29"])
def test_the_row_of_a_date_equals_report_as_of(capsys, timeline, day):
    assert main(["--source", "bundled", "report", "--format", "json", "--as-of", day]) == 0
    report = json.loads(capsys.readouterr().out)
    row = timeline.loc[day]
    assert row["stance"] == report["regime"]["stance"] and row["uptrends"] == report["regime"]["uptrends"]
    for index in report["indices"]:
        symbol = index["symbol"]
        assert row[f"{symbol}.trend"] == index["trend"]["state"]
        assert row[f"{symbol}.confirmed"] == index["trend"]["confirmed"]
        assert row[f"{symbol}.macd"] == index["macd"]["state"]
        assert row[f"{symbol}.below_record"] == pytest.approx(index["all_time_high"]["pct_below"])


def test_no_row_changes_when_later_sessions_arrive(timeline):
    """Swing points enter `swing_window` bars late and the stance's hysteresis runs forward only."""
    for cut in ("2002-10-09", "2020-03-09"):
        earlier = market_timeline(CONFIG, {symbol: frame.loc[:cut] for symbol, frame in BARS.items()})
        pd.testing.assert_frame_equal(earlier, timeline.loc[:cut])


def test_a_record_close_is_never_sideways_and_never_defensive_with_broad_breadth(timeline):
    close = BARS["^GSPC"]["Close"]
    records = close.index[(close > close.cummax().shift()) & (close.index >= "1991-01-01")]
    assert len(records) > 500
    assert set(timeline.loc[records, "^GSPC.trend"]) == {"uptrend"}
    broad = timeline.loc[records, "breadth"].astype(float) >= 0.7
    assert not (timeline.loc[records[broad.to_numpy()], "stance"] == "defensive").any()


def test_history_formats(capsys):
    args = ["--source", "bundled", "history", "--from", "2024-11-25", "--to", "2024-11-29"]
    assert main([*args, "--format", "csv"]) == 0
    csv = capsys.readouterr().out.splitlines()
    assert csv[0].startswith("date,stance,reason,") and "^RUT.below_record" in csv[0]
    assert [line[:10] for line in csv[1:]] == ["2024-11-25", "2024-11-26", "2024-11-27", "2024-11-29"]
    assert main([*args, "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[-1]["date"] == "2024-11-29" and rows[-1]["stance"] == "fully_invested"
    assert rows[-1]["indexes"]["^GSPC"]["rs"] is None and rows[-1]["indexes"]["^NDX"]["macd"] == "sell"
    assert main(args) == 0
    text = capsys.readouterr().out
    assert text.splitlines()[-1].startswith("2024-11-29  fully") and "up ✓ buy record" in text


@pytest.mark.parametrize("args, message", [
    (["--from", "2024-11-29", "--to", "2024-11-01"], "--from 2024-11-29 is after --to 2024-11-01"),
    (["--from", "2030-01-01"], "--from 2030-01-01 is after the data ends (2025-09-25)"),
    (["--to", "1980-01-01"], "--to 1980-01-01 is before the data begins (1990-01-02)"),
])
@pytest.mark.parametrize("command", ["history", "evaluate"])
def test_bad_spans_are_one_line_and_exit_2(capsys, command, args, message):
    assert main(["--source", "bundled", command, *args]) == 2
    assert capsys.readouterr().err == f"tuimarket: error: {message}\n"


def test_a_date_that_does_not_exist_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_status:
        main(["--source", "bundled", "history", "--from", "2024-02-30"])
    err = capsys.readouterr().err
    assert exit_status.value.code == 2 and "must be a date written YYYY-MM-DD" in err and err.count("\n") == 1


def test_evaluate_prints_shares_runs_and_the_backtest(capsys):
    assert main(["--source", "bundled", "evaluate", "--from", "2007-01-01"]) == 0
    out = capsys.readouterr().out
    assert "a sanity check of the stance, not a trading system" in out
    assert "\n2008  " in out and "stance changes a year" in out
    for name in ("stance (1 / 0.5 / 0)", "not defensive", "200-day rule", "buy and hold"):
        assert name in out


def _bars(opens, closes) -> pd.DataFrame:
    index = pd.bdate_range("2024-01-01", periods=len(closes))
    return pd.DataFrame({"Open": opens, "High": closes, "Low": opens, "Close": closes}, index=index)


def test_backtest_trades_at_the_next_open_and_never_sees_the_signal_day():
    """A jump on the signal day itself is never earned; the next day's open-to-close is."""
    bars = _bars([100, 100, 110, 121, 121], [100, 110, 121, 121, 121])
    stance = pd.Series(["defensive", "fully_invested", "fully_invested", "defensive", "defensive"],
                       index=bars.index)
    result = evaluate(stance, bars, bars.index[0], bars.index[-1])
    ours = result.backtests[0]
    years = 4 / 365.25
    # Signalled at the close of session 1 (whose own +10% is not earned), held from the open of
    # session 2 (110 -> 121, +10%), signalled out at the close of session 3, sold at session 4's open.
    assert ours.cagr == pytest.approx(1.1 ** (1 / years) - 1)
    assert ours.switches == 2 and ours.max_drawdown == 0 and ours.time_invested == pytest.approx(2 / 5)
    # Buy and hold also starts at the first session's close, so it earns sessions 1 and 2.
    assert result.backtests[-1].cagr == pytest.approx(1.21 ** (1 / years) - 1)


def test_evaluate_says_when_opens_repeat_the_previous_close(capsys):
    """Yahoo's ^GSPC opens before 2007 mostly equal the previous close; the backtest must not hide it."""
    assert main(["--source", "bundled", "evaluate", "--from", "1996-01-01", "--to", "2005-12-31"]) == 0
    assert "the open equals the previous close" in capsys.readouterr().out
    assert main(["--source", "bundled", "evaluate", "--from", "2015-01-01"]) == 0
    assert "the open equals the previous close" not in capsys.readouterr().out
