"""Breadth never pretends to be current: when the members' closes end before the indexes' (the
bundled ^GSPC runs to 2026-07-10, the bundled members' closes to 2026-02-18, as in a live session
before the members are fetched), every face says "breadth as of 2026-02-18", and no note compares
February's members with July's index. Replay dates within the members' span are unchanged."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pandas as pd
import pytest

from support import bundled_data
from test_breadth_ui import BreadthPipeline
from ui_support import FIXED_NOW, bar_text, until
from tuimarket.analysis.breadth import breadth_history
from tuimarket.analysis.divergence import breadth_note, member_events
from tuimarket.analysis.snapshot import build_snapshot
from tuimarket.analysis.timeline import market_timeline, with_member_breadth
from tuimarket.config import Config
from tuimarket.data import members
from tuimarket.report import render
from tuimarket.timeline_report import render_history
from tuimarket.ui.app import TuimarketApp
from tuimarket.ui.breadth_view import breadth_board
from tuimarket.ui.screens.breadth import BreadthScreen
from tuimarket.ui.widgets.breadth_panel import BreadthPanel

CONFIG = Config()
MEMBERS_END = date(2026, 2, 18)
INDEX_END = date(2026, 7, 10)
WITHIN = date(2025, 9, 25)


@pytest.fixture(scope="module")
def bundle() -> members.Members:
    return members.bundled()


@pytest.fixture(scope="module")
def later(bundle):
    """The snapshot of data whose indexes run past the members' last date."""
    data = replace(bundled_data(CONFIG, INDEX_END), members=bundle)
    assert data.as_of == INDEX_END
    return build_snapshot(CONFIG, data)


def test_breadth_of_an_earlier_date_says_so_and_withholds_its_note(later) -> None:
    breadth = later.market_breadth
    assert breadth.stale and breadth.index_as_of == INDEX_END and breadth.reading.as_of == MEMBERS_END
    assert breadth.note.state == ""
    assert breadth.note.text == ("No breadth note on the S&P 500: the members' closes end 2026-02-18, "
                                 "the index's 2026-07-10.")


def test_the_report_in_every_format_dates_breadth_and_states_no_confirmation(later) -> None:
    as_json = json.loads(render(later, "json"))["breadth"]
    assert as_json["as_of"] == "2026-02-18" and as_json["stale"] is True
    assert as_json["confirmation"] is None and "closes end 2026-02-18" in as_json["note"]
    for fmt in ("text", "markdown"):
        text = render(later, fmt, color=False, width=200)
        assert "as of 2026-02-18 (where the members' closes end)" in text
        assert "Breadth confirms" not in text and "Breadth diverges" not in text
        assert "the members' closes end 2026-02-18, the index's 2026-07-10" in text


def test_the_screen_board_and_market_bar_say_breadth_as_of_its_date(later) -> None:
    board = breadth_board(later.market_breadth)
    assert board.stale and board.dated == "breadth as of 2026-02-18, stale"
    assert board.bar.endswith("> 200d as of 2026-02-18")          # no "confirming" or "diverging"
    assert board.note_state == ""


def test_within_the_members_span_nothing_changes(bundle) -> None:
    snapshot = build_snapshot(CONFIG, replace(bundled_data(CONFIG, WITHIN), members=bundle))
    breadth = snapshot.market_breadth
    assert not breadth.stale and breadth.reading.as_of == WITHIN
    known = bundle.until(pd.Timestamp(WITHIN))
    history = breadth_history(known.closes, in_index=known.in_index, sectors=known.sectors)
    benchmark = bundled_data(CONFIG).bars["^GSPC"]["Close"].loc[:str(WITHIN)]
    assert breadth.note == breadth_note(history, benchmark, "S&P 500")
    board = breadth_board(breadth)
    assert board.dated == f"as of {WITHIN}" and not board.stale
    assert json.loads(render(snapshot, "json"))["breadth"]["stale"] is False


def test_breadth_events_compare_the_index_only_on_the_members_dates(bundle) -> None:
    benchmark = bundled_data(CONFIG).bars["^GSPC"]["Close"]
    events = member_events(bundle, benchmark)
    assert events and max(event.date for event in events) <= MEMBERS_END
    assert events == member_events(bundle, benchmark.loc[:str(MEMBERS_END)])   # the later index changes none
    for event in events:
        assert event.close == benchmark.loc[str(event.date)]


def test_history_says_where_the_members_breadth_ends(bundle) -> None:
    bars = bundled_data(CONFIG).bars
    timeline = with_member_breadth(market_timeline(CONFIG, bars, detail=True), bundle)
    symbols = tuple(entry.symbol for entry in CONFIG.indexes)
    text = render_history(timeline.loc["2026-01-02":], symbols, "text", bundle.caveat)
    assert "Members' breadth as of 2026-02-18: their closes end there" in text
    within = render_history(timeline.loc["2025-01-02":"2025-12-31"], symbols, "text", bundle.caveat)
    assert "Members' breadth as of" not in within


async def test_on_screen_stale_breadth_is_muted_and_dated() -> None:
    app = TuimarketApp(CONFIG, BreadthPipeline(CONFIG, start=INDEX_END, live=False), now=lambda: FIXED_NOW)
    async with app.run_test(size=(200, 50)) as pilot:
        await until(app, pilot, lambda: app.board is not None)
        panel = app.dashboard_screen.query_one(BreadthPanel)
        assert panel.has_class("-stale")
        assert "(breadth as of 2026-02-18, stale)" in panel.query_one(".breadth-summary").render().plain
        assert "> 200d as of 2026-02-18" in bar_text(app)
        await pilot.press("b")
        await until(app, pilot, lambda: isinstance(app.screen, BreadthScreen))
        assert app.screen.has_class("-stale")
