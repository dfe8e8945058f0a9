"""A watchlist's rows and edits: the dashboard's readings, fetched by need, kept for the next launch.

Real parts throughout: the bundled history, a real SQLite cache, the feed's by-need fetch with a
fake download counting requests, and the real yfinance path (tests/yahoo_http.py) for a symbol
Yahoo does not know.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timezone
from pathlib import Path

import pandas as pd
import pytest

from fakes import FakeYahoo, no_sleep_recorder
from test_yahoo_http import NOW as SITE_NOW
from test_yahoo_http import download, site  # noqa: F401 - `site` is a fixture
from tuimarket.alerts import event_words
from tuimarket.analysis.snapshot import build_snapshot
from tuimarket.analysis.watchlist import full_rows, quick_rows
from tuimarket.config import Config, Symbol, Watchlist
from tuimarket.data import members
from tuimarket.data.feed import Feed
from tuimarket.monitor import latest_events
from tuimarket.ui.watchlist_view import PENDING, WatchlistTable
from tuimarket.watchlist_source import UNKNOWN, WatchlistSource

END = date(2026, 2, 13)
NOW = datetime(2026, 2, 14, 17, 0, tzinfo=timezone.utc)     # a Saturday: the market is closed


def with_groups(*groups: Watchlist, base: Config | None = None) -> Config:
    return replace(base or Config(), watchlists=groups)


def symbols(*names: str) -> tuple[Symbol, ...]:
    return tuple(Symbol(name, name) for name in names)


def tables(source: WatchlistSource, group: str, *, fetch: bool = False) -> list[WatchlistTable]:
    published: list[WatchlistTable] = []
    source.load(group, published.append, fetch=fetch)
    return published


def cells(table: WatchlistTable) -> dict[str, tuple[str, ...]]:
    return {line.symbol: line.cells for line in table.lines}


def test_a_row_reads_as_the_dashboard_reads_the_same_symbol() -> None:
    config = Config()
    data = Feed(config, source="bundled").initial()
    rows = full_rows(config, quick_rows(config, symbols("^NDX", "^RUT"), data.bars), data.bars)
    snapshot = build_snapshot(config, data)
    events = latest_events(config, data)
    for row, index in zip(rows, snapshot.indices[1:]):
        assert (row.symbol, row.as_of, row.close) == (index.symbol, index.as_of, index.close)
        assert row.change_pct == pytest.approx(index.change_pct)
        assert row.macd == index.macd.state and row.rs == index.relative_strength.trend
        assert (row.trend, row.confirmed) == (index.trend.state, index.trend.confirmed)
        assert row.below_record == pytest.approx(index.all_time_high.pct_below)
        latest = events[index.symbol]
        assert (event_words(row.latest_event), row.latest_event.date) == (latest.words, latest.date)


def test_rows_arrive_in_stages_names_first(tmp_path: Path) -> None:
    group = Watchlist("big", symbols(*members.bundled().closes.columns[:45]))
    config = with_groups(group)
    source = WatchlistSource(config, lambda: Feed(config, source="bundled"), live=False, state_dir=tmp_path)
    published = tables(source, "big")
    first, last = published[0], published[-1]
    assert [line.symbol for line in first.lines] == [entry.symbol for entry in group.symbols]
    assert {line.cells[1] for line in first.lines} == {PENDING} and not first.complete
    assert len(published) >= 4                            # names, then 20 symbols at a time
    assert last.complete and PENDING not in {cell for line in last.lines for cell in line.cells}
    assert last.status == "45 symbols · as of 2026-02-18 · offline, bundled"   # the members' last close
    assert published[1].status == "45 symbols · 45 computing… · as of 2026-02-18 · offline, bundled"


def history_of(symbols_wanted: list[str]) -> dict[str, pd.DataFrame]:
    closes = members.bundled().closes.loc["2025-01-02":]
    return {symbol: pd.DataFrame({"Open": close, "High": close, "Low": close, "Close": close, "Volume": 1e6})
            for symbol in symbols_wanted for close in [closes[symbol].dropna()]}


def test_adding_a_symbol_asks_yahoo_for_it_alone_and_is_kept_for_the_next_launch(tmp_path: Path) -> None:
    listed = list(members.bundled().closes.columns[:20])
    added = str(members.bundled().closes.columns[30])
    fake = FakeYahoo(end=END, history=history_of(listed + [added]))
    config = with_groups(Watchlist("mine", symbols(*listed)))
    _, sleep = no_sleep_recorder()
    feed = Feed(config, download=fake, now=NOW, sleep=sleep, attempts=1)
    source = WatchlistSource(config, lambda: feed, live=True, state_dir=tmp_path)
    tables(source, "mine", fetch=True)                     # the group's history, cached
    fake.calls.clear()
    assert source.add("mine", added.lower()) == f"Added {added} to mine"
    assert [call["tickers"] for call in fake.calls] == [[added]]      # one request, for itself only
    relaunched = WatchlistSource(config, lambda: feed, live=False, state_dir=tmp_path)
    row = cells(tables(relaunched, "mine")[-1])[added]
    assert row[1] == f"{history_of([added])[added]['Close'].loc[:pd.Timestamp(END)].iloc[-1]:,.2f}"
    assert relaunched.remove("mine", added) == f"Removed {added} from mine"
    assert added not in cells(tables(relaunched, "mine")[-1])


def test_an_unwritable_state_dir_is_a_message_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    config = with_groups(Watchlist("mine", ()))
    source = WatchlistSource(config, lambda: Feed(config, source="bundled"), live=False,
                             state_dir=tmp_path / "file")
    assert source.add("mine", "AAPL").startswith("Not saved to ")
    assert source.add("mine", "not a ticker").endswith("is not a ticker (letters, digits and ^ . - = only, at most 15)")


def test_a_symbol_yahoo_does_not_know_gets_a_note_in_its_row(site, tmp_path: Path) -> None:  # noqa: F811
    config = with_groups(Watchlist("mine", symbols("SPY")))
    _, sleep = no_sleep_recorder()
    feed = Feed(config, download=download(site), now=SITE_NOW, sleep=sleep, attempts=1)
    source = WatchlistSource(config, lambda: feed, live=True, state_dir=tmp_path)
    assert source.add("mine", "NOSUCH") == "Added NOSUCH to mine; Yahoo has no data for it"
    final = tables(source, "mine")[-1]
    assert cells(final)["NOSUCH"][1] == UNKNOWN and cells(final)["SPY"][1] != UNKNOWN
