"""The monitor end to end: the real Feed (fake Yahoo, real SQLite, real bundle) behind the app."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from tuimarket.config import Config
from tuimarket.data.feed import Feed
from tuimarket.data.store import Store
from tuimarket.monitor import MarketPipeline
from tuimarket.ui.app import TuimarketApp
from tuimarket.ui.viewmodels import MarketHours, market_bar_text
from tuimarket.ui.widgets.index_panel import IndexPanel

from fakes import FakeYahoo
from ui_support import bar_text, until

NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2025, 9, 26, 20, 0, tzinfo=ZoneInfo("UTC"))     # 16:00 in New York, after the close
CONFIG = Config()


def pipeline(tmp_path: Path, yahoo: FakeYahoo) -> MarketPipeline:
    feed = Feed(CONFIG, download=yahoo, store=Store(tmp_path / "market.sqlite3"), now=NOW, sleep=lambda _: None)
    return MarketPipeline(CONFIG, feed)


def test_yahoo_down_on_a_first_start_is_offline_not_stale(tmp_path: Path) -> None:
    pipe = pipeline(tmp_path, FakeYahoo(empty=True))
    first = pipe.initial()
    assert first.offline and first.error is None
    assert first.data_status == "offline bundled as of 2025-09-25"
    after = pipe.refresh()
    assert after.offline and after.error and "Yahoo" in after.error
    assert after.snapshot.indices[0].close == first.snapshot.indices[0].close


def test_live_data_is_not_offline_and_the_cache_serves_the_next_start(tmp_path: Path) -> None:
    pipe = pipeline(tmp_path, FakeYahoo(end=date(2025, 9, 25)))
    live = pipe.refresh()
    assert not live.offline and live.error is None
    restarted = pipeline(tmp_path, FakeYahoo(empty=True)).initial()
    assert not restarted.offline
    assert restarted.snapshot.indices[0].close == live.snapshot.indices[0].close


async def test_the_app_on_the_real_feed_shows_offline_when_yahoo_is_down(tmp_path: Path) -> None:
    app = TuimarketApp(CONFIG, pipeline(tmp_path, FakeYahoo(empty=True)), now=lambda: NOW.astimezone(NEW_YORK),
                       screenshot_dir=tmp_path)
    app.pipeline.market_hours = lambda now: MarketHours(False, None)     # no calendar build in this test
    app.pipeline.refresh_interval = lambda now: 1800.0
    async with app.run_test(size=(80, 24)) as pilot:
        await until(app, pilot, lambda: app.failures and app.next_refresh > NOW)   # failed, the retry scheduled
        bar = bar_text(app)
        assert "OFFLINE" in bar and "STALE" not in bar
        await pilot.resize_terminal(200, 50)      # where the data's source fits the bar's one line too
        await pilot.pause()
        assert "offline bundled as of 2025-09-25" in bar_text(app)
        assert app.screen.query_one(IndexPanel).model.close == "6,604.72"
        # One failure doubles the interval, up to the 30-minute cap that a closed market is already at.
        assert (app.next_refresh - NOW).total_seconds() == 1800


def test_market_bar_gives_the_next_open_in_new_york_time() -> None:
    now = datetime(2026, 11, 24, 0, 15, tzinfo=NEW_YORK)
    opens_utc = datetime(2026, 11, 24, 14, 30, tzinfo=ZoneInfo("UTC"))
    assert market_bar_text(now, MarketHours(False, opens_utc), None) == "NY Tue 00:15 CLOSED, opens 09:30"
    friday = datetime(2026, 11, 27, 16, 5, tzinfo=NEW_YORK)
    monday_open = datetime(2026, 11, 30, 9, 30, tzinfo=NEW_YORK)
    assert market_bar_text(friday, MarketHours(False, monday_open), None) == "NY Fri 16:05 CLOSED, opens Mon 09:30"
    assert market_bar_text(now, None, date(2025, 4, 8)) == "NY Tue 00:15 · REPLAY 2025-04-08"


def test_market_hours_know_half_days_and_weekends() -> None:
    hours = MarketPipeline(CONFIG).market_hours
    black_friday = hours(datetime(2025, 11, 28, 12, 0, tzinfo=NEW_YORK))
    assert black_friday == MarketHours(True, datetime(2025, 11, 28, 13, 0, tzinfo=NEW_YORK))
    saturday = hours(datetime(2025, 11, 29, 17, 0, tzinfo=ZoneInfo("UTC")))
    assert saturday == MarketHours(False, datetime(2025, 12, 1, 9, 30, tzinfo=NEW_YORK))
