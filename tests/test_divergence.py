"""Breadth divergences and thrusts (analysis/divergence.py) on the bundled members and ^GSPC: known
dates, no lookahead, and the way they reach `tuimarket events` and the alert pass."""

from __future__ import annotations

import json
from dataclasses import replace

import pandas as pd
import pytest

from tuimarket import cli
from tuimarket.alert_pass import alerts_of
from tuimarket.analysis.breadth import breadth_history
from tuimarket.analysis.divergence import breadth_events, breadth_note, member_events
from tuimarket.analysis.events import MARKET, EventKind
from tuimarket.config import BreadthSettings, Config
from tuimarket.data import bundled, members

# Records carried by fewer members (the narrow rallies of early summer 2021 and 2024), and
# Zweig thrusts after the washouts of December 2018 and October 2023.
DIVERGENCES = ["2021-06-24", "2024-06-05"]
THRUSTS = ["2019-01-08", "2023-11-03"]


@pytest.fixture(scope="module")
def bundle() -> members.Members:
    return members.bundled()


@pytest.fixture(scope="module")
def spx() -> pd.Series:
    return bundled.load("^GSPC")["Close"]


@pytest.fixture(scope="module")
def events(bundle, spx):
    return member_events(bundle, spx)


def dates_of(events, kind: EventKind) -> list[str]:
    return [event.date.isoformat() for event in events if event.kind is kind]


def test_divergences_and_thrusts_on_known_dates(events) -> None:
    assert set(DIVERGENCES) <= set(dates_of(events, EventKind.BREADTH_DIVERGENCE))
    assert set(THRUSTS) <= set(dates_of(events, EventKind.BREADTH_THRUST))
    june_2024 = next(event for event in events if event.date.isoformat() == "2024-06-05")
    assert june_2024.symbol == MARKET and june_2024.close == pytest.approx(5354.03, abs=0.01)
    assert june_2024.value == pytest.approx(0.511, abs=0.001)    # of the members above their 50-day
    assert all(event.final for event in events)


def test_their_share_of_members_reads_as_a_percentage_in_alerts_and_the_timeline(events) -> None:
    from tuimarket.alerts import from_event
    from tuimarket.ui.timeline_model import value_text

    june_2024 = next(event for event in events if event.date.isoformat() == "2024-06-05")
    assert from_event(june_2024, str).body.endswith("share of members above their 50-day 51%")
    assert value_text(june_2024) == "51% of members"


def test_a_divergence_is_the_first_narrow_record_after_a_quiet_spell(events) -> None:
    """June 2024 had a narrow record on most days from the 5th to the 18th: one event, not six."""
    june = [day for day in dates_of(events, EventKind.BREADTH_DIVERGENCE) if day.startswith("2024-06")]
    assert june == ["2024-06-05"]


@pytest.mark.parametrize("end", ["2019-01-08", "2021-06-24", "2023-11-10", "2024-06-05", "2024-06-20"])
def test_no_lookahead_the_events_up_to_a_date_are_the_same_whatever_comes_after(bundle, spx, events, end) -> None:
    day = pd.Timestamp(end)
    clipped = member_events(bundle.until(day), spx.loc[:day])
    assert clipped == tuple(event for event in events if event.date <= day.date())


def test_an_event_on_a_session_still_forming_is_provisional(bundle, spx) -> None:
    day = pd.Timestamp("2024-06-05")
    last = member_events(bundle.until(day), spx.loc[:day], forming_day=day.date())[-1]
    assert last.date == day.date() and not last.final


def test_since_keeps_the_later_events_of_the_whole_computation(bundle, spx, events) -> None:
    history = breadth_history(bundle.closes, in_index=bundle.in_index)
    since = pd.Timestamp("2023-01-01").date()
    assert breadth_events(history, spx, since=since) == tuple(event for event in events if event.date >= since)


@pytest.mark.parametrize("day, state, words", [
    ("2024-06-12", "diverges", "the S&P 500 is at its record with only 51% of members above their 50-day"),
    ("2019-01-15", "confirms", "Breadth thrust on 2019-01-08"),
    ("2021-11-08", "confirms", "at its record with 76% of members"),
    ("2022-06-16", "", ""),       # far below the record, no thrust: breadth says nothing of a record
])
def test_the_note_on_a_date(bundle, spx, day, state, words) -> None:
    known = bundle.until(pd.Timestamp(day))
    note = breadth_note(breadth_history(known.closes, in_index=known.in_index), spx.loc[:day], "S&P 500")
    assert note.state == state and words in note.text


def run(capsys, *argv: str) -> tuple[int, str]:
    code = cli.main(["--source", "bundled", *argv])
    return code, capsys.readouterr().out


def test_the_events_command_lists_them_as_the_market(capsys) -> None:
    code, out = run(capsys, "events", "--as-of", "2024-06-28", "--since", "2024-06-01", "--symbols", "market",
                    "--kinds", "breadth_divergence", "--format", "json")
    listed = json.loads(out)
    assert code == 0 and [(e["date"], e["key"]) for e in listed] == [
        ("2024-06-05", "market|breadth_divergence|2024-06-05|1")]
    assert listed[0]["sentence"] == ("The S&P 500 closed at a record 5,354.03 on 2024-06-05 with only 51% of its "
                                     "members above their 50-day average, and falling (a breadth divergence).")


def test_the_events_command_has_none_with_breadth_off(capsys, tmp_path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[breadth]\nenabled = false\n")
    code, out = run(capsys, "--config", str(config), "events", "--as-of", "2024-06-28", "--since", "2024-06-01",
                    "--kinds", "breadth_divergence")
    assert code == 0 and "breadth" not in out


def test_the_alert_pass_records_them_like_other_events() -> None:
    config = Config()
    end = pd.Timestamp("2024-06-28")
    bars = {symbol: bundled.load(symbol).loc[:end] for symbol in (config.benchmark, "^NDX", "^RUT")}
    keys = {alert.key for alert in alerts_of(config, bars)}
    assert "market|breadth_divergence|2024-06-05|1" in keys and "market|breadth_thrust|2023-11-03|1" in keys
    off = replace(config, breadth=BreadthSettings(enabled=False))
    assert not any("breadth" in alert.kind for alert in alerts_of(off, bars))


def test_the_report_states_the_note_in_every_format(capsys) -> None:
    """Breadth is a stated note on the stance, not a rule (tools/breadth_stance_design.py)."""
    code, out = run(capsys, "report", "--as-of", "2024-06-12", "--format", "json")
    breadth = json.loads(out)["breadth"]
    assert code == 0 and breadth["confirmation"] == "diverges"
    assert breadth["note"] == ("Breadth diverges: the S&P 500 is at its record with only 51% of members above "
                               "their 50-day average.")
    for fmt in ("text", "markdown"):
        assert breadth["note"] in " ".join(run(capsys, "report", "--as-of", "2024-06-12", "--format", fmt)[1].split())
