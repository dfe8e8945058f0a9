"""`tuimarket watch`: the headless loop on the real feed (a fake download) and cache, its replay, its exit."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import date, datetime, timezone

import pytest

from alert_support import LEVEL_RULES, RULES, Clock
from fakes import FakeYahoo, no_sleep_recorder
from tuimarket import cli, config, watch
from tuimarket.alerts import Alert
from tuimarket.alerts.delivery import Deliveries
from tuimarket.config import ConfigError
from tuimarket.analysis.alert_rules import level_alerts
from tuimarket.data import bundled
from tuimarket.data.alert_store import AlertStore
from tuimarket.data.feed import CachedMembers, Feed
from tuimarket.data.store import Store

# A first live load fetches 4 years, not 12: each rule's crossings since 2024 and years of older
# ones are in them.
SETTINGS = config.parse(RULES + "\n[data]\nhistory_years = 4\n")
# The analysis' events read over ten years, not 35: alerts and events are held against each other
# over the same bars, whatever their first date.
EVENT_BARS = slice("2014-11-01", "2024-11-15")


def watcher(clock: Clock, out: io.StringIO):
    _, sleep = no_sleep_recorder()
    feed = Feed(SETTINGS, download=clock.yahoo, now=lambda: clock.now, sleep=sleep)
    announce = watch.Announcer(out, Deliveries([]))
    members = CachedMembers(SETTINGS, lambda: feed)
    return lambda: watch.watch_once(SETTINGS, feed, members, AlertStore(feed.store), announce), feed


def test_a_crossing_is_announced_once_on_its_session_and_never_after_a_restart():
    out, clock = io.StringIO(), Clock(date(2024, 11, 8))
    step, feed = watcher(clock, out)
    step()                                       # the first watch: years of crossings, none is news
    assert out.getvalue() == ""
    clock.move(date(2024, 11, 11))
    step()
    assert out.getvalue() == "S&P 500 closed above 6,000: close 6,001.35 on 2024-11-11\n"
    step()
    feed.store.close()
    restarted, again = watcher(clock, out)
    restarted()
    assert out.getvalue().count("\n") == 1
    again.store.close()


def test_after_a_gap_only_the_newest_crossing_of_each_rule_is_announced():
    out, clock = io.StringIO(), Clock(date(2024, 11, 8))
    step, feed = watcher(clock, out)
    step()
    clock.move(date(2024, 12, 31))               # off for seven weeks: ^GSPC crossed 6,000 four times
    step()
    crossings = [a for a in level_alerts(SETTINGS, {"^GSPC": bundled.load("^GSPC")})
                 if date(2024, 11, 8) < a.date <= date(2024, 12, 31)]
    assert len(crossings) == 4
    lines = out.getvalue().splitlines()
    assert [line for line in lines if line.startswith("S&P 500")] == [
        f"S&P 500 closed above 6,000: close 6,040.04 on 2024-12-24"]
    assert len(AlertStore(feed.store).recent()) > 4          # the missed ones are recorded
    feed.store.close()


def test_a_crossing_on_a_forming_bar_waits_for_the_close():
    out, clock = io.StringIO(), Clock(date(2024, 11, 8))
    clock.yahoo.forming = {"^GSPC": 1.01}        # Monday 2024-11-11 trading 1% higher: above 6,000
    clock.now = datetime(2024, 11, 11, 16, 0, tzinfo=timezone.utc)
    step, feed = watcher(clock, out)
    step()
    assert out.getvalue() == ""
    assert not [s for s in AlertStore(feed.store).recent() if s.alert.date == date(2024, 11, 11)]
    clock.yahoo.forming = {}
    clock.move(date(2024, 11, 11))               # the close: 6,001.35
    step()
    assert out.getvalue() == "S&P 500 closed above 6,000: close 6,001.35 on 2024-11-11\n"
    feed.store.close()


def run_cli(*args: str, capsys) -> tuple[int, str, str]:
    code = cli.main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def config_file(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(RULES)
    return path


def test_replay_emits_session_by_session_what_would_have_fired(config_file, capsys, caplog):
    code, out, err = run_cli("--config", str(config_file), "watch", "--source", "bundled", "--json",
                             "--replay", "2024-11-01..2024-12-31", capsys=capsys)
    assert code == 0
    emitted = [json.loads(line) for line in out.splitlines()]
    everything = level_alerts(SETTINGS, {s: bundled.load(s) for s in ("^GSPC", "^RUT")})
    in_span = [a for a in everything if date(2024, 11, 1) <= a.date <= date(2024, 12, 31)]
    assert [(e["key"], e["replay"]) for e in emitted] == [(a.key, True) for a in in_span]
    assert emitted[0]["title"].startswith("[replay] ")
    assert f"replay 2024-11-01..2024-12-31: {len(in_span)} alerts" in caplog.text


def test_replay_outside_the_history_is_one_line_and_exit_2(config_file, capsys):
    code, out, err = run_cli("--config", str(config_file), "watch", "--source", "bundled",
                             "--replay", "1980-01-01..1980-02-01", capsys=capsys)
    assert code == 2 and out == ""
    assert err == "tuimarket: error: --replay 1980-01-01..1980-02-01 is outside the history at hand " \
                  "(1990-01-02..2025-09-25)\n"


def test_a_url_apprise_cannot_parse_stops_watch_with_exit_2(tmp_path, capsys):
    path = tmp_path / "config.toml"
    path.write_text("[[alerts.sinks]]\nurl = 'nonsense://x'\n")
    code, out, err = run_cli("--config", str(path), "watch", "--source", "bundled", capsys=capsys)
    assert code == 2 and out == ""
    assert err.startswith(f"tuimarket: error: {path}: alerts.sinks[0].url: apprise cannot parse")
    assert err.count("\n") == 1


def test_the_loop_ends_when_asked_and_closes_the_cache(tmp_path):
    out, clock = io.StringIO(), Clock(date(2024, 11, 11))
    _, sleep = no_sleep_recorder()
    feed = Feed(SETTINGS, download=clock.yahoo, now=lambda: clock.now, sleep=sleep)
    stop = threading.Event()
    passes = []

    class Counting(watch.Announcer):
        def __call__(self, alerts):
            passes.append(alerts)
            if len(passes) == 2:
                stop.set()
            super().__call__(alerts)

    interval = lambda: datetime(2024, 11, 12, 23, 0, tzinfo=timezone.utc)   # closed: waits up to 1800 s
    waits = []
    stop.wait = lambda seconds, wait=stop.wait: waits.append(seconds) or wait(0)
    assert watch.run_watch(SETTINGS, feed, Counting(out, Deliveries([])), stop=stop, now=interval) == 0
    assert len(passes) == 2 and waits == [1800.0, 1800.0]
    assert not list(feed.store.path.parent.glob("*-wal"))


@pytest.mark.processes
def test_sigterm_ends_a_real_watch_process_with_status_0_and_its_cache_closed(config_file, tmp_path):
    cache = tmp_path / "cache"
    env = os.environ | {"TUIMARKET_CACHE_DIR": str(cache), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen([sys.executable, "-m", "tuimarket", "--config", str(config_file), "watch",
                                "--source", "bundled"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    try:
        assert f"watching {len(SETTINGS.all_symbols)} symbols" in process.stderr.readline()
        deadline = time.monotonic() + 60
        while not (cache / "market.sqlite3").exists() and time.monotonic() < deadline:   # the first pass
            time.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert "SIGTERM: stopping" in err and "Traceback" not in err
    assert (cache / "market.sqlite3").exists() and not (cache / "market.sqlite3-wal").exists()


def test_the_analysis_events_are_one_more_source_of_alerts():
    """Runs once tuimarket.analysis.events (issue 13 part 1, another branch) is merged."""
    events = pytest.importorskip("tuimarket.analysis.events")
    bars = {symbol: bundled.load(symbol).loc[EVENT_BARS] for symbol in SETTINGS.all_symbols}
    with_events = config.parse(LEVEL_RULES)
    expected = list(events.market_events(with_events, bars))
    alerts = watch.alerts_of(with_events, bars)
    # the level rules' alerts, and the members' breadth events (tests/test_divergence.py), aside
    from_events = [alert for alert in alerts
                   if alert.kind not in ("crossed_above", "crossed_below", "breadth_divergence", "breadth_thrust")]
    assert [alert.key for alert in from_events] == [event.key for event in expected]
    assert all(alert.kind == event.kind.value and alert.date == event.date
               for alert, event in zip(from_events, expected))


def test_alerts_events_chooses_the_kinds_and_rejects_an_unknown_one():
    """Runs once tuimarket.analysis.events is merged."""
    pytest.importorskip("tuimarket.analysis.events")
    bars = {symbol: bundled.load(symbol).loc[EVENT_BARS] for symbol in SETTINGS.all_symbols}
    chosen = config.parse("[alerts]\nevents = ['breakout', 'breakdown']\n" + LEVEL_RULES)
    assert {alert.kind for alert in watch.alerts_of(chosen, bars)} == {"breakout", "breakdown", "crossed_above",
                                                                       "crossed_below"}
    assert {alert.kind for alert in watch.alerts_of(config.parse(RULES), bars)} <= {
        "crossed_above", "crossed_below"}
    with pytest.raises(ConfigError,
                       match=r"alerts.events\[1\]: unknown event kind 'breakouts' \(did you mean breakout\?\)"):
        watch.check_event_kinds(config.parse("[alerts]\nevents = ['breakdown', 'breakouts']"))
    with pytest.raises(ConfigError, match=r"alerts.events\[0\]: unknown event kind 'crash' \(expected one of: all, "):
        watch.check_event_kinds(config.parse("[alerts]\nevents = ['crash']"))


def test_the_alerts_command_lists_marks_read_and_mutes(capsys):
    store = Store.for_config(SETTINGS)
    alerts = AlertStore(store)
    crossing = level_alerts(SETTINGS, {"^GSPC": bundled.load("^GSPC").loc[:"2024-11-11"]})[-1]
    tampered = Alert(key="k", symbol="^RUT", kind="crossed_below", date=date(2024, 11, 12),
                     title="Russell \x1b]0;owned\x07 2000", body="\x1b[2J")
    alerts.record([crossing, tampered], {"^GSPC": date(2024, 11, 11), "^RUT": date(2024, 11, 12)})
    store.close()
    code, out, err = run_cli("alerts", capsys=capsys)
    assert code == 0 and err == ""
    assert out.splitlines() == ["2024-11-12 new Russell ]0;owned 2000: [2J",
                                "2024-11-11 new S&P 500 closed above 6,000: close 6,001.35 on 2024-11-11"]
    code, out, err = run_cli("alerts", "--read", "--mute", "symbol:^RUT", "--mute", "kind:crossed_above",
                             "--unread", capsys=capsys)
    assert (code, out, err) == (0, "", "muted: kind crossed_above, symbol ^RUT\n")
    reopened = Store.for_config(SETTINGS)
    assert AlertStore(reopened).mutes() == {("symbol", "^RUT"), ("kind", "crossed_above")}
    assert AlertStore(reopened).unread_count() == 0
    reopened.close()


@pytest.mark.parametrize("target, message", [
    ("symbol:AAPL", "alerts: unknown symbol 'AAPL' (^GSPC, ^NDX"),
    ("kind:macd", "alerts: unknown kind 'macd' (see tuimarket alerts --kinds)"),
])
def test_muting_what_does_not_exist_is_one_line_and_exit_2(target, message, capsys):
    code, out, err = run_cli("alerts", "--mute", target, capsys=capsys)
    assert code == 2 and out == "" and err.startswith(f"tuimarket: error: {message}") and err.count("\n") == 1


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("out, bell, rings", [(Terminal(), True, True), (io.StringIO(), True, False),
                                               (Terminal(), False, False)])
def test_the_bell_rings_once_per_pass_with_alerts_and_only_on_a_terminal(out, bell, rings):
    crossings = level_alerts(SETTINGS, {"^GSPC": bundled.load("^GSPC").loc[:"2024-11-30"]})[-2:]
    announce = watch.Announcer(out, Deliveries([]), bell=bell)
    announce([])
    announce(crossings)
    assert out.getvalue().count("\a") == (1 if rings else 0)
    assert out.getvalue().count("\n") == 2
