"""`tuimarket history` with the members' breadth: % above 50/200, A/D line, McClellan, in text, csv
and json, equal to analysis/breadth.py's series, and empty (never zero) where the members' closes
do not reach."""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest

from tuimarket import cli
from tuimarket.analysis.breadth import breadth_history
from tuimarket.analysis.timeline import MEMBER_FIELDS
from tuimarket.data import members


def run(capsys, *argv: str) -> str:
    assert cli.main(["--source", "bundled", "history", *argv]) == 0
    return capsys.readouterr().out


@pytest.fixture(scope="module")
def oracle() -> pd.DataFrame:
    known = members.bundled()
    history = breadth_history(known.closes, in_index=known.in_index)
    return pd.DataFrame(dict(zip(MEMBER_FIELDS, (history.above[50], history.above[200], history.ad_line,
                                                 history.mcclellan))))


def test_csv_has_the_members_breadth_where_it_exists_and_empty_before(capsys, oracle) -> None:
    rows = {row["date"]: row for row in csv.DictReader(io.StringIO(run(capsys, "--from", "2017-12-28", "--to",
                                                                        "2024-11-29", "--format", "csv")))}
    assert all(rows["2017-12-28"][field] == "" for field in MEMBER_FIELDS)   # before 2018: empty, not 0
    for day in ("2019-03-01", "2020-03-23", "2024-11-29"):
        for field in MEMBER_FIELDS:
            assert float(rows[day][field]) == pytest.approx(oracle.loc[day, field], rel=1e-12), (day, field)
    assert float(rows["2024-11-29"]["members_above_200"]) == pytest.approx(0.7745, abs=1e-4)


def test_json_writes_null_where_the_members_do_not_reach(capsys, oracle) -> None:
    records = {record["date"]: record for record in json.loads(run(capsys, "--from", "2017-12-29", "--to",
                                                                     "2018-06-01", "--format", "json"))}
    assert all(records["2017-12-29"][field] is None for field in MEMBER_FIELDS)
    assert records["2018-06-01"]["mcclellan"] == pytest.approx(oracle.loc["2018-06-01", "mcclellan"])


def test_text_has_the_columns_blank_before_2018_and_says_survivorship(capsys) -> None:
    caveat, header, *lines = run(capsys, "--from", "2017-12-29", "--to", "2018-01-03").splitlines()
    assert "leans bullish" in caveat and ">50d" in header and "McCl" in header
    before, first_with_averages = lines[0], lines[-1]
    assert before.startswith("2017-12-29") and "+0" not in before and "0%" not in before.split("90%")[1]
    assert first_with_averages.startswith("2018-01-03") and "+150" in first_with_averages


def test_with_breadth_off_history_is_as_before(capsys, tmp_path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[breadth]\nenabled = false\n")
    out = run(capsys, "--config", str(config), "--from", "2024-11-29", "--to", "2024-11-29", "--format", "csv")
    assert not set(MEMBER_FIELDS) & set(out.splitlines()[0].split(","))
