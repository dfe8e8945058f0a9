"""The monkey walk's own waits: it checks the app only once the keys it sent have been acted on."""

from __future__ import annotations

from tuimarket.config import Config
from tuimarket.data.feed import Feed
from tuimarket.monitor import MarketPipeline
from tuimarket.ui.app import TuimarketApp
from tuimarket.ui.screens.watchlist import WatchlistScreen

from monkey_walk import send_key, still_answering, until_handled
from ui_support import FIXED_NOW, settle


async def test_the_last_check_comes_once_the_last_burst_is_acted_on() -> None:
    """Seed 20261201's 'the range key did nothing': its last burst had `W` and a few keys after it.

    A key goes from the app's queue to the focused widget's, then bubbles back up a queue at a
    time to the screen's and the app's bindings; Pilot's wait covers the first hop. The walk read
    `app.screen` as the dashboard that `W`, still on its way, was about to cover, and its `]` then
    switched watchlists instead of the range.
    """
    config = Config()
    app = TuimarketApp(config, MarketPipeline(config, Feed(config, source="bundled"), source="bundled"),
                       now=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        for key in ("W", "f", "h", "e"):
            send_key(app, key)
        await until_handled(pilot, app)
        assert isinstance(app.screen, WatchlistScreen)
        await still_answering(pilot, app)
