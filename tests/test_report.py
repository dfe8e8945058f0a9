"""The report in its three formats: the json shape and null rules, markup safety, no chart series."""

import dataclasses
import json
import re

import pytest

from tuimarket.analysis.snapshot import build_snapshot
from tuimarket.config import Config, Symbol
from tuimarket.data import bundled
from tuimarket.formatting import below_record
from tuimarket.report import render

from support import bundled_data

CONFIG = Config()
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@pytest.fixture(scope="module")
def snapshot():
    return build_snapshot(CONFIG, bundled_data(notes=("a note",)))


@pytest.fixture(scope="module")
def report(snapshot):
    return json.loads(render(snapshot, "json"))


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_date(value) -> bool:
    return isinstance(value, str) and bool(DATE.match(value))


def test_json_top_level(report):
    assert set(report) >= {"as_of", "source", "benchmark", "indices", "rotation", "regime", "freshness", "notes"}
    assert (report["as_of"], report["source"], report["benchmark"]) == ("2025-09-25", "bundled", "^GSPC")
    assert report["notes"] == ["a note"] and report["freshness"]["^NDX"].startswith("offline bundled")


def test_json_indices_shape(report):
    assert [i["symbol"] for i in report["indices"]] == ["^GSPC", "^NDX", "^RUT"]
    for index in report["indices"]:
        assert isinstance(index["name"], str) and _is_date(index["as_of"]) and _is_number(index["close"])
        assert set(index["sma"]) == {"50", "100", "200"}
        for sma in index["sma"].values():
            assert _is_number(sma["value"]) and isinstance(sma["rising"], bool) and isinstance(sma["above"], bool)
        macd = index["macd"]
        assert all(_is_number(macd[k]) for k in ("macd", "signal", "histogram"))
        assert macd["state"] in ("buy", "sell") and macd["momentum"] in ("rising", "falling")
        assert macd["crossed_on"] is None or _is_date(macd["crossed_on"])
        trend = index["trend"]
        assert trend["state"] in ("uptrend", "downtrend", "sideways")
        assert all(isinstance(trend[k], bool) for k in ("confirmed", "higher_highs", "higher_lows"))
        high = index["all_time_high"]
        assert _is_number(high["close"]) and _is_date(high["date"]) and 0 <= high["pct_below"] < 1
        levels = index["levels"]
        assert all(_is_number(v) for v in levels["support"] + levels["resistance"])
        assert levels["breakout"] is None or (_is_number(levels["breakout"]["level"])
                                              and _is_date(levels["breakout"]["date"]))
        assert isinstance(index["commentary"], str) and index["commentary"]
        assert "series" not in index
    assert report["indices"][0]["relative_strength"] is None      # the benchmark itself
    strength = report["indices"][1]["relative_strength"]
    assert strength["benchmark"] == "^GSPC" and _is_number(strength["ratio"])
    assert strength["trend"] in ("rising", "falling", "flat") and _is_date(strength["since"])


def test_json_rotation_and_regime_shape(report):
    assert len(report["rotation"]) == len(CONFIG.rotation_universe)
    for row in report["rotation"]:
        assert list(row["returns"]) == ["1W", "1M", "3M", "6M", "YTD", "1Y"]
        assert all(_is_number(v) for v in row["returns"].values())
        assert _is_number(row["rs_ratio"]) and _is_number(row["rs_momentum"])
        assert row["quadrant"] in ("leading", "weakening", "lagging", "improving")
        assert isinstance(row["rank"], int) and isinstance(row["name"], str)
    regime = report["regime"]
    assert isinstance(regime["uptrends"], int) and regime["of"] == 3
    assert 0 <= regime["sector_breadth"] <= 1
    assert regime["stance"] in ("fully_invested", "partially_invested", "defensive")
    assert isinstance(regime["commentary"], str)


def test_json_nulls_never_nan_on_short_history():
    short = build_snapshot(CONFIG, bundled_data(bars_of=lambda s: bundled.load(s).loc[:"2025-09-25"].iloc[-30:]))
    text = render(short, "json")
    assert "NaN" not in text and "Infinity" not in text
    index = json.loads(text)["indices"][0]
    assert index["sma"]["200"] == {"value": None, "rising": None, "above": None}
    assert index["macd"]["state"] is None and index["trend"]["confirmed"] is None
    row = json.loads(text)["rotation"][0]
    assert row["returns"]["1Y"] is None and row["rs_ratio"] is None and row["rank"] is None


def test_json_for_a_missing_symbol():
    config = dataclasses.replace(CONFIG, indexes=(Symbol("NOPE", "Nowhere"),))
    index = json.loads(render(build_snapshot(config, bundled_data()), "json"))["indices"][0]
    assert index["close"] is None and index["all_time_high"] is None and index["levels"]["breakout"] is None


def test_text_badges_and_no_color(snapshot):
    plain = render(snapshot, "text", color=False, width=100)
    assert "\x1b[" not in plain
    assert {index.macd.state for index in snapshot.indices} == {"buy", "sell"}   # both badges are drawn
    for index in snapshot.indices:          # each index's row shows its own MACD state and trend
        row = next(line for line in plain.splitlines() if line.startswith(f" {index.name} ")).split()
        assert index.macd.state.upper() in row and index.trend.state in row
    stances = ("FULLY INVESTED", "PARTIALLY INVESTED", "DEFENSIVE")
    assert [stance for stance in stances if stance in plain] == [snapshot.regime.stance.replace("_", " ").upper()]
    assert "a note" in plain
    coloured = render(snapshot, "text", color=True, width=100)
    assert "\x1b[" in coloured


def test_markup_in_names_is_shown_literally():
    config = dataclasses.replace(CONFIG, indexes=(Symbol("^GSPC", "[red]x"),),
                                 rotation=dataclasses.replace(CONFIG.rotation, symbols=(Symbol("XLK", "[bold]T|k"),)))
    snap = build_snapshot(config, bundled_data())
    text = render(snap, "text", color=False, width=120)
    assert "[red]x" in text
    markdown = render(snap, "markdown")
    assert r"T\|k" in markdown and r"\[red\]x" in markdown


def test_markdown_has_tables_and_commentary(snapshot):
    markdown = render(snapshot, "markdown")
    assert markdown.startswith("# Market report as of 2025-09-25")
    assert "| Index | Symbol | Close |" in markdown and "## Rotation" in markdown
    assert "The S&P 500 closed at 6,604.72" in markdown


def test_reports_never_include_chart_series(snapshot):
    old_close = bundled.load("^GSPC").loc["2023-09-25", "Close"]     # inside the five-year chart window
    assert old_close in snapshot.indices[0].series.close
    for fmt in ("text", "markdown", "json"):
        output = render(snapshot, fmt)
        assert f"{old_close:,.2f}" not in output and repr(old_close) not in output


def test_unknown_format_is_refused(snapshot):
    with pytest.raises(ValueError, match="csv"):
        render(snapshot, "csv")


@pytest.mark.parametrize(("fraction", "text"), [(0.0, "record"), (0.0003, "-0.03%"), (0.00001, "-0.01%"),
                                                (0.0123, "-1.2%"), (None, "n/a")])
def test_a_close_just_under_its_record_never_reads_as_one(fraction, text):
    assert below_record(fraction) == text
