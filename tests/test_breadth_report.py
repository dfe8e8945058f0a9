"""Member breadth in the product: the snapshot, `tuimarket report` in three formats, [breadth] config."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from rich.text import Text

from tuimarket import cli, config
from tuimarket.analysis.breadth import member_breadth
from tuimarket.analysis.snapshot import build_snapshot
from tuimarket.config import Config, ConfigError
from tuimarket.data import bundled, members
from tuimarket.data.feed import Feed
from tuimarket.data.model import MarketData
from tuimarket.report import render

AS_OF = date(2024, 11, 29)


@pytest.fixture(autouse=True)
def offline_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUIMARKET_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("TUIMARKET_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))


@pytest.fixture(scope="module")
def bundle() -> members.Members:
    return members.bundled()


@pytest.fixture(scope="module")
def snapshot(bundle):
    data = Feed(Config(), source="bundled", as_of=AS_OF).initial()
    return build_snapshot(Config(), replace(data, members=bundle))


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_report_json_gives_breadth_as_fractions_with_its_caveat(capsys) -> None:
    code, out, _ = run(capsys, "report", "--source", "bundled", "--as-of", "2024-11-29", "--format", "json")
    breadth = json.loads(out)["breadth"]
    assert code == 0
    assert breadth["as_of"] == "2024-11-29" and breadth["source"] == "bundled"
    assert breadth["above"]["200"] == pytest.approx(0.7745, abs=5e-4)      # a fraction, not 77.45
    assert breadth["net_new_highs"] == breadth["new_highs"] - breadth["new_lows"]
    assert len(breadth["sectors"]) == 11
    assert all(0 <= row["above"]["50"] <= 1 for row in breadth["sectors"])
    assert "survivor" in breadth["caveat"] or "left it" in breadth["caveat"]


def test_report_text_fits_80_columns_and_says_survivorship(snapshot) -> None:
    text = render(snapshot, "text", color=False, width=80)
    breadth = text[text.index("Breadth:"):]
    assert "481 S&P 500 members, as of 2024-11-29" in breadth
    assert "200d 77.5%" in breadth and "on closes" in breadth and "ratio-adjusted" in breadth
    assert "Survivorship:" in breadth
    assert max(Text(line).cell_len for line in text.splitlines()) <= 80


def test_report_markdown_has_a_breadth_section(snapshot) -> None:
    markdown = render(snapshot, "markdown")
    section = markdown[markdown.index("## Breadth"):markdown.index("## Data")]
    assert "| Financials | 70 | 94.3% | 100.0% |" in section
    assert "Survivorship:" in section


def test_breadth_reads_no_close_after_the_as_of_date(bundle) -> None:
    before = member_breadth(bundle, AS_OF)
    future = bundle.closes.copy()
    future.loc[pd.Timestamp(AS_OF) + pd.Timedelta(days=1):] *= 3     # a crash or a boom after the date
    after = member_breadth(replace(bundle, closes=future), AS_OF)
    assert before == after
    assert before.as_of == AS_OF


def test_after_the_members_end_breadth_says_its_own_date(bundle) -> None:
    reading = member_breadth(bundle, date(2026, 7, 10))
    assert reading.as_of == date(2026, 2, 18)
    index_only = MarketData({"^GSPC": bundled.load("^GSPC")}, {}, date(2026, 7, 10), "bundled", members=bundle)
    snapshot = build_snapshot(Config(), index_only)
    text = render(snapshot, "text", color=False, width=80)
    assert "as of 2026-02-18 (where the members' closes end)" in text


def test_breadth_can_be_switched_off(capsys, tmp_path: Path) -> None:
    path = tmp_path / "off.toml"
    path.write_text("[breadth]\nenabled = false\n")
    code, out, _ = run(capsys, "--config", str(path), "report", "--source", "bundled", "--format", "json")
    assert code == 0 and json.loads(out)["breadth"] is None


@pytest.mark.parametrize(("toml", "phrase"), [
    ('[breadth]\nmembers = ""', "must be a non-empty string, got an empty string"),
    ('[breadth]\nmembers = "a\\u001b[31mb.csv"', r"control character U\+001B"),
    ("[breadth]\nenabled = 1", "must be true or false"),
    ('[breadth]\nsource = "x"', "unknown key"),
])
def test_breadth_config_mistakes_are_one_clear_line(toml: str, phrase: str) -> None:
    with pytest.raises(ConfigError, match=phrase) as raised:
        config.parse(toml, "my.toml")
    assert str(raised.value).startswith("my.toml: breadth.")


@pytest.mark.parametrize(("content", "phrase"), [
    (None, "no such file"),
    ("Ticker,Industry\nAAPL,Tech\n", "needs a Symbol and a Sector column"),
    ("Symbol,Sector\n$(rm),Tech\n", "is not a ticker"),
    ("Symbol,Sector,Start,End\nAAPL,Tech,yesterday,\n", "Start and End must be dates"),
])
def test_a_bad_members_file_exits_2_with_one_line(capsys, tmp_path: Path, content, phrase) -> None:
    members_file = tmp_path / "members.csv"
    if content is not None:
        members_file.write_text(content)
    path = tmp_path / "config.toml"
    path.write_text(f'[breadth]\nmembers = "{members_file}"\n')
    code, out, err = run(capsys, "--config", str(path), "report", "--source", "bundled")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "breadth.members" in err and phrase in err


def test_a_users_members_file_counts_its_own_list(tmp_path: Path) -> None:
    members_file = tmp_path / "mine.csv"
    members_file.write_text("Symbol,Sector\nAAPL,Tech\nMSFT,Tech\nXOM,Oil\nNOPE,Oil\n")
    settings = replace(Config(), breadth=config.BreadthSettings(members=str(members_file)))
    mine = members.for_config(settings)
    assert list(mine.closes.columns) == ["AAPL", "MSFT", "XOM"] and mine.missing == ("NOPE",)
    reading = member_breadth(mine, AS_OF)
    assert reading.members == 3 and {row.sector for row in reading.sectors} == {"Tech", "Oil"}
    assert "mine.csv" in reading.caveat and reading.missing == ("NOPE",)


def test_a_users_members_file_reads_closes_the_bundle_lacks_from_the_cache(tmp_path: Path) -> None:
    members_file = tmp_path / "mine.csv"
    members_file.write_text("Symbol,Sector\nAAPL,Tech\nTSM,Tech\n")
    settings = replace(Config(), breadth=config.BreadthSettings(members=str(members_file)))
    taiwan = pd.DataFrame({"Close": [100.0, 101.0]}, index=pd.DatetimeIndex(["2024-11-27", "2024-11-29"]))
    asked = []

    def read_many(symbols):
        asked.append(list(symbols))
        return {"TSM": taiwan}

    mine = members.for_config(settings, read_many)
    assert asked == [["AAPL", "TSM"]]       # AAPL too: the cache carries the bundled members on live
    assert mine.closes.loc["2024-11-29", "TSM"] == 101.0 and mine.missing == ()
