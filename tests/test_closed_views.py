"""A view closed while its thread worker reads the cache drops the result that arrives late, and
so does the dashboard when the app quits as a refresh ends.

The monkey found it (seed 20261201): the alert log, opened and closed at once, received its lines
while its widgets were being removed, and the app ended with NoMatches('#alerts-heading'). The
window is a few milliseconds wide, so the test hands the closed screen its lines itself, as the
worker's `call_from_thread` does.
"""

from __future__ import annotations

from datetime import date

from tuimarket.config import Config
from tuimarket.ui.app import DashboardScreen, TuimarketApp
from tuimarket.ui.messages import RefreshFailed, SnapshotReady
from tuimarket.ui.screens.alerts import AlertScreen
from tuimarket.ui.viewmodels import AlertLine
from tuimarket.ui.widgets.index_panel import IndexPanel

from ui_support import FIXED_NOW, ScriptedPipeline, settle

LINE = AlertLine("^GSPC|macd_buy|2024-11-08|1", "^GSPC", "macd_buy", date(2024, 11, 8), "S&P 500: MACD buy",
                 "close 5,995.54 on 2024-11-08")


async def test_the_alert_log_closed_before_its_lines_arrive_drops_them() -> None:
    config = Config()
    app = TuimarketApp(config, ScriptedPipeline(config, date(2024, 11, 8), live=False), now=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("a")
        log = app.screen
        assert isinstance(log, AlertScreen) and log.is_open
        app.pop_screen()            # its widgets are removed from here on, a message at a time
        log.show([LINE])
        assert isinstance(app.screen, DashboardScreen) and not log.is_open and log.lines == []
        await settle(app, pilot)
        assert app.is_running


async def test_a_refresh_ending_as_the_app_quits_is_dropped() -> None:
    # Found by the suite: a first view computed as a test's app ended reached panels whose charts
    # were already removed, and the app ended with NoMatches('PriceChart').
    config = Config()
    app = TuimarketApp(config, ScriptedPipeline(config, date(2024, 11, 8), live=False), now=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        shown = app.board
        app.exit()
        for panel in app.dashboard_screen.query(IndexPanel):
            await panel.remove_children()      # as the app's ending removes them
        app.on_snapshot_ready(SnapshotReady(shown, live=True))
        app.on_refresh_failed(RefreshFailed("a refresh that raised"))
        assert app.board is shown and app.failures == 0
