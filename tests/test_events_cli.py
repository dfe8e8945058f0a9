"""`tuimarket events` and the report's "Since last week": formats, windows, filters and mistakes."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tuimarket import cli



def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = cli.main(["--source", "bundled", *argv])
    except SystemExit as exited:         # argparse's own refusals
        code = exited.code
    out, err = capsys.readouterr()
    return code, out, err


def test_events_json_newest_first_with_keys_versions_and_sentences(capsys):
    code, out, _ = run(capsys, "events", "--as-of", "2024-11-08", "--since", "2024-11-01", "--symbols", "^RUT",
                       "--format", "json")
    events = json.loads(out)
    assert code == 0 and events
    assert [e["date"] for e in events] == sorted((e["date"] for e in events), reverse=True)
    assert {e["symbol"] for e in events} == {"^RUT"} and all("2024-11-01" <= e["date"] <= "2024-11-08" for e in events)
    breakout = next(e for e in events if e["kind"] == "breakout" and e["date"] == "2024-11-06")
    assert breakout["value"] == pytest.approx(2286.53, abs=0.01) and breakout["final"] is True
    assert breakout["rule_version"] == 1 and breakout["key"] == "^RUT|breakout|2024-11-06|1"
    assert "2024-07-17" in breakout["formed_by"]["highs"]
    assert breakout["sentence"].startswith("The Russell 2000 broke out above 2,286.53 on 2024-11-06, resistance")
    assert breakout["sentence"].endswith("it is 4.9% above that level.")     # 2,399.64 / 2,286.53


def test_events_filter_by_kind_and_the_stance_as_market(capsys):
    code, out, _ = run(capsys, "events", "--since", "2022-01-01", "--as-of", "2023-12-29", "--kinds",
                       "death_cross,golden_cross", "stance_changed", "--symbols", "^GSPC", "market", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0
    crosses = [(row["date"], row["kind"]) for row in rows if row["symbol"] == "^GSPC"]
    assert crosses == [("2023-02-02", "golden_cross"), ("2022-03-14", "death_cross")]
    assert {row["kind"] for row in rows if row["symbol"] == "market"} == {"stance_changed"}
    assert all(row["final"] == "True" and row["rule_version"] == "1" for row in rows)


def test_events_text_fits_80_columns_and_markdown_is_a_table(capsys):
    code, text, _ = run(capsys, "events", "--as-of", "2024-11-08", "--since", "month")
    assert code == 0 and max(len(line) for line in text.splitlines()) <= 80
    assert text.splitlines()[1].startswith("2024-11-08")
    code, markdown, _ = run(capsys, "events", "--as-of", "2024-11-08", "--format", "markdown")
    assert code == 0 and markdown.startswith("| Date | Symbol | Event | Close |")


@pytest.mark.parametrize("argv, phrase", [
    (["events", "--symbols", "NOPE"], "unknown symbol 'NOPE'"),
    (["events", "--kinds", "moon_landing"], "unknown kind 'moon_landing'"),
    (["events", "--as-of", "2024-01-05", "--since", "2024-02-01"], "--since 2024-02-01 is after the last session"),
    (["events", "--since", "2024-02-30"], "got '2024-02-30'"),
    (["events", "--format", "xml"], "invalid choice"),
    (["report", "--since", "fortnight"], "must be week, month or a date written YYYY-MM-DD"),
])
def test_event_mistakes_are_one_line_and_exit_2(capsys, argv, phrase):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "" and phrase in err and len(err.strip().splitlines()) == 1


def test_report_opens_with_what_changed_since_last_week(capsys):
    code, out, _ = run(capsys, "report", "--as-of", "2024-11-08")
    assert code == 0 and "Since last week\n" in out
    russell = out[out.index("Russell 2000 (^RUT)"):]
    # The index's commentary starts from what changed, then the state.
    assert russell.split("\n", 1)[1].startswith("The Russell 2000 broke out above 2,286.53 on 2024-11-06")


def test_report_since_a_date_in_markdown_and_json(capsys):
    code, markdown, _ = run(capsys, "report", "--as-of", "2024-11-08", "--since", "2024-11-06", "--format",
                            "markdown")
    assert code == 0 and "## Since 2024-11-06\n" in markdown
    code, out, _ = run(capsys, "report", "--as-of", "2024-11-08", "--since", "month", "--format", "json")
    changes = json.loads(out)["changes"]
    assert changes["title"] == "Since last month" and changes["since"] == "2024-10-09"
    kinds = [event["kind"] for event in changes["events"]]
    importance = ["stance_changed", "uptrend_confirmed", "uptrend_lost", "breakout", "breakdown", "record_close",
                  "year_low", "retest_held", "retest_failed", "macd_buy", "macd_sell", "momentum_up", "momentum_down",
                  "golden_cross", "death_cross", "above_average", "below_average", "average_up", "average_down",
                  "rs_up", "rs_down", "quadrant_changed"]
    assert kinds == sorted(kinds, key=importance.index)
    assert all({"final", "rule_version", "key", "sentence"} <= set(event) for event in changes["events"])
