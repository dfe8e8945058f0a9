"""The watchlist screen, driven as a user would: open it, switch groups, sort, add and remove a symbol."""

from __future__ import annotations

import threading
from dataclasses import replace

from textual.widgets import DataTable, Input

from tuimarket.config import Config, Symbol, Watchlist
from tuimarket.data import members
from tuimarket.ui.app import WATCHLIST, TuimarketApp
from tuimarket.ui.screens.watchlist import WatchlistGrid, WatchlistScreen

from ui_support import FIXED_NOW, BundledPipeline, record_notifications, settle, until

CONFIG = replace(Config(), watchlists=(
    Watchlist("tech", (Symbol("AAPL", "Apple"), Symbol("MSFT", "Microsoft"), Symbol("QQQ", "Nasdaq 100 ETF"))),
    Watchlist("funds", (Symbol("SPY", "SPY"), Symbol("IWM", "IWM"))),
))


def offline_app() -> TuimarketApp:
    return TuimarketApp(CONFIG, BundledPipeline(CONFIG), now=lambda: FIXED_NOW)


def column(grid: WatchlistGrid, name: str) -> list[str]:
    return [grid.get_cell(row.key, name).plain for row in grid.ordered_rows]


def computed(grid: WatchlistGrid) -> bool:
    return grid.row_count > 0 and "…" not in column(grid, "Trend") + column(grid, "Latest event")


async def opened(app: TuimarketApp, pilot) -> WatchlistGrid:
    """`W`, then the first group's table, wholly computed."""
    await pilot.press("W")
    grid = app.screen.query_one(WatchlistGrid)
    await until(app, pilot, lambda: computed(grid))
    return grid


async def test_shift_w_opens_the_first_group_and_brackets_switch_groups() -> None:
    app = offline_app()
    async with app.run_test(size=(80, 24)) as pilot:
        grid = await opened(app, pilot)
        assert column(grid, "Symbol") == ["AAPL", "MSFT", "QQQ"]
        assert all(cell in ("up", "up ✓", "down", "down ✓", "side") for cell in column(grid, "Trend"))
        # The symbol and the name fit their longest cell (or heading); the other columns have set widths.
        assert grid.columns["Name"].content_width == len("Nasdaq 100 ETF")
        assert grid.columns["Symbol"].content_width == len("Symbol")
        await pilot.press("right_square_bracket")
        await until(app, pilot, lambda: column(grid, "Symbol") == ["SPY", "IWM"] and computed(grid))
        assert "Watchlist funds  2/2" in app.screen.query_one("#watchlist-heading").render().plain
        await pilot.press("right_square_bracket")     # round again
        await until(app, pilot, lambda: column(grid, "Symbol") == ["AAPL", "MSFT", "QQQ"])


async def test_at_80_columns_the_symbol_stays_put_while_the_columns_scroll() -> None:
    app = offline_app()
    async with app.run_test(size=(80, 24)) as pilot:
        grid = await opened(app, pilot)
        assert grid.fixed_columns == 1 and "more ▸" in grid.border_subtitle
        await pilot.press("right", "right", "right")
        await pilot.pause()
        assert grid.scroll_x > 0
        assert "AAPL" in app.export_screenshot()      # the fixed symbol column, still drawn
        await pilot.press("end")                      # the last row, not the last column
        assert grid.cursor_row == 2
        await pilot.press("home")
        assert grid.cursor_row == 0


async def test_o_sorts_by_a_column_and_back_to_the_groups_order() -> None:
    app = offline_app()
    async with app.run_test(size=(120, 30)) as pilot:
        grid = await opened(app, pilot)
        await pilot.press("o")                       # the next sortable column: Chg, largest first
        changes = [float(cell.rstrip("%")) for cell in column(grid, "Chg")]
        assert grid.sort_column == "Chg" and changes == sorted(changes, reverse=True)


async def test_n_adds_a_typed_symbol_and_x_removes_it_both_kept() -> None:
    app = offline_app()
    async with app.run_test(size=(80, 24)) as pilot:
        notified = record_notifications(app)
        grid = await opened(app, pilot)
        await pilot.press("n")
        assert isinstance(app.screen.focused, Input)
        await pilot.press("x", "l", "k", "enter")
        await until(app, pilot, lambda: "XLK" in column(grid, "Symbol") and computed(grid))
        assert notified[-1].message == "Added XLK to tech"
        assert column(grid, "Last")[-1] not in ("", "n/a", "no data")     # the bundled history, offline
    relaunched = offline_app()
    async with relaunched.run_test(size=(80, 24)) as pilot:
        grid = await opened(relaunched, pilot)
        assert column(grid, "Symbol") == ["AAPL", "MSFT", "QQQ", "XLK"]
        grid.move_cursor(row=3)
        await pilot.press("x")
        await until(relaunched, pilot, lambda: column(grid, "Symbol") == ["AAPL", "MSFT", "QQQ"])
        assert isinstance(relaunched.screen, WatchlistScreen)


async def test_with_no_watchlist_configured_the_screen_says_how_to_fill_one() -> None:
    config = Config()
    app = TuimarketApp(config, BundledPipeline(config), now=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("W")
        heading = app.screen.query_one("#watchlist-heading")
        await until(app, pilot, lambda: "empty" in heading.render().plain)
        assert "n adds a symbol" in heading.render().plain


def in_view(grid: WatchlistGrid) -> list[str]:
    """The symbols of the rows on screen."""
    top = round(grid.scroll_y)
    return [row.key.value for row in grid.ordered_rows[top:top + grid.scrollable_content_region.height - 1]]


def members_app(count: int) -> TuimarketApp:
    """Offline, with one group: the first `count` bundled S&P 500 members."""
    group = Watchlist("big", tuple(Symbol(symbol, symbol) for symbol in members.bundled().closes.columns[:count]))
    config = replace(Config(), watchlists=(group,))
    return TuimarketApp(config, BundledPipeline(config), now=lambda: FIXED_NOW)


async def test_rows_changed_out_of_view_are_painted_as_they_come_into_view() -> None:
    # A changed cell repaints every row in view: the stages of rows further down wait until seen.
    app = members_app(45)
    group = app.config.watchlists[0]
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("W")
        grid = app.screen.query_one(WatchlistGrid)
        heading = app.screen.query_one("#watchlist-heading")
        await until(app, pilot, lambda: "as of" in heading.render().plain and "computing" not in heading.render().plain)
        shown = in_view(grid)
        assert shown[0] == group.symbols[0].symbol and len(shown) < len(group.symbols)
        assert "…" not in [grid.get_cell(symbol, "Trend").plain for symbol in shown]
        below = [row.key.value for row in grid.ordered_rows[len(shown):]]
        assert grid.unpainted and set(grid.unpainted) <= set(below)     # the rows further down wait
        grid.scroll_end(animate=False)
        await pilot.pause()
        shown = in_view(grid)
        assert shown[-1] == group.symbols[-1].symbol
        assert "…" not in [grid.get_cell(symbol, "Trend").plain for symbol in shown]
        assert not set(shown) & set(grid.unpainted)


async def settled_screenshot(app: TuimarketApp, pilot) -> str:
    """The screen once two screenshots in a row agree: a pause alone can end before the repaint."""
    shot = app.export_screenshot()
    for _ in range(100):
        await pilot.pause(0.02)
        shot, previous = app.export_screenshot(), shot
        if shot == previous:
            break
    return shot


async def test_its_cells_are_drawn_as_datatable_draws_them(monkeypatch) -> None:
    # The grid draws its plain cells itself (much the cheaper); the screen is the one DataTable would draw,
    # the cursor's row, the fixed symbol column and the colours included, at 80 and 120 columns.
    async def screens() -> list[str]:
        app = offline_app()
        shown = []
        async with app.run_test(size=(80, 24)) as pilot:
            grid = await opened(app, pilot)
            grid.move_cursor(row=1)
            shown.append(await settled_screenshot(app, pilot))
            await pilot.resize_terminal(120, 30)
            shown.append(await settled_screenshot(app, pilot))
        return shown

    ours = await screens()
    monkeypatch.setattr(WatchlistGrid, "_render_cell", DataTable._render_cell)
    assert ours == await screens()


async def test_the_screen_is_made_unseen_while_idle_and_each_w_shows_it_with_the_group_reread(monkeypatch) -> None:
    # Mounting it as W opened it held the loop 20-60 ms; made once, ahead of W, W only shows it.
    # Its row worker is started then too: started at W, its start-up ran beside the first paint.
    app = offline_app()
    source = app.pipeline.watchlists
    started = []
    monkeypatch.setattr(source, "prepare", lambda: started.append(app.screen))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(app, pilot, lambda: app.is_screen_installed(WATCHLIST) and app.get_screen(WATCHLIST).is_running)
        await until(app, pilot, lambda: started)
        prepared = app.get_screen(WATCHLIST)
        assert app.screen is app.dashboard_screen and not prepared.query_one(WatchlistGrid).row_count   # nothing read
        assert started == [app.dashboard_screen]        # before W, once
        grid = await opened(app, pilot)
        assert app.screen is prepared
        await pilot.press("right_square_bracket")
        await until(app, pilot, lambda: column(grid, "Symbol") == ["SPY", "IWM"] and computed(grid))
        await pilot.press("escape")
        loads = prepared.wanted
        await pilot.press("W")          # the group it showed, its rows read anew
        assert app.screen is prepared and prepared.wanted == loads + 1
        await until(app, pilot, lambda: computed(grid))
        assert column(grid, "Symbol") == ["SPY", "IWM"]


async def test_a_row_worker_that_cannot_start_ahead_fails_that_thread_not_the_app(monkeypatch) -> None:
    app = offline_app()

    attempts = []

    def cannot_start() -> None:
        attempts.append(threading.current_thread())
        raise OSError(38, "Function not implemented")     # no semaphores, as in some sandboxes

    monkeypatch.setattr(app.pipeline.watchlists, "prepare", cannot_start)
    async with app.run_test(size=(80, 24)) as pilot:
        # Not `until`: waiting for every worker re-raises the failed one's error (Textual's
        # wait_for_complete), which is the test's business only, not the app's.
        def failed_ahead() -> bool:
            return bool(attempts) and not [worker for worker in app.workers if worker.group == "watchlist-prepare"]
        for _ in range(300):
            if failed_ahead():
                break
            await pilot.pause(0.05)
        assert failed_ahead() and attempts[0] is not threading.main_thread()
        assert app.get_screen(WATCHLIST).is_running
        assert computed(await opened(app, pilot))


async def test_a_load_of_a_closed_watchlist_stops_and_never_reaches_the_table() -> None:
    app = members_app(60)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("W")
        grid = app.screen.query_one(WatchlistGrid)
        heading = app.screen.query_one("#watchlist-heading")
        while "computing" not in heading.render().plain:      # not `until`: it waits for the load to end
            await pilot.pause(0.02)
        await pilot.press("escape")         # closed while its trends and events were computed, 20 at a time
        await settle(app, pilot)
        assert app.screen is app.dashboard_screen and "…" in column(grid, "Trend")
