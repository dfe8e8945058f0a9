"""Screen snapshots (pytest-textual-snapshot) on bundled data at a fixed date and a fixed clock.

Regenerate after an intended change with `pytest tests/test_snapshots.py --snapshot-update`,
then look at the SVGs before committing them.
"""

from __future__ import annotations

from datetime import date

import pytest

from tuimarket.config import Config
from tuimarket.ui.app import TuimarketApp

from ui_support import FIXED_NOW, ScriptedPipeline, until

CONFIG = Config()


def app() -> TuimarketApp:
    pipeline = ScriptedPipeline(CONFIG, start=date(2025, 9, 25), live=False)
    return TuimarketApp(CONFIG, pipeline, now=lambda: FIXED_NOW)


async def wait_for_data(pilot) -> None:
    """Until the first snapshot is on screen, however slow a loaded machine is."""
    await until(pilot.app, pilot, lambda: pilot.app.board is not None)
    await pilot.wait_for_scheduled_animations()


def pressing(*keys: str):
    """A `run_before` that waits for the data, then presses `keys`."""
    async def run_before(pilot) -> None:
        await wait_for_data(pilot)
        await pilot.press(*keys)
        await pilot.pause()

    return run_before


SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 30), (200, 50)], ids=["80x24", "120x30", "200x50"])


@SIZES
def test_dashboard(snap_compare, size) -> None:
    assert snap_compare(app(), terminal_size=size, run_before=wait_for_data)


@SIZES
def test_help(snap_compare, size) -> None:
    assert snap_compare(app(), terminal_size=size, run_before=pressing("question_mark"))


async def open_detail_and_its_timeline(pilot) -> None:
    await pressing("2", "enter")(pilot)
    await until(pilot.app, pilot, lambda: pilot.app.screen.timeline is not None)    # computed in a worker


@SIZES
def test_detail(snap_compare, size) -> None:
    assert snap_compare(app(), terminal_size=size, run_before=open_detail_and_its_timeline)


@pytest.mark.parametrize("size", [(80, 24), (120, 30)], ids=["80x24", "120x30"])
def test_rotation_page(snap_compare, size) -> None:
    assert snap_compare(app(), terminal_size=size, run_before=pressing("4"))


@SIZES
def test_rrg(snap_compare, size) -> None:
    assert snap_compare(app(), terminal_size=size, run_before=pressing("4", "down", "down", "g"))


def test_weekly_dashboard(snap_compare) -> None:
    """`w`: every panel on weekly bars, 'Weekly · 1Y' above each chart, the 10/20/40-week averages."""
    async def run_before(pilot) -> None:
        await pressing("w")(pilot)
        pilot.app.clear_notifications()      # the toast saying so would cover a panel
        await pilot.pause()

    assert snap_compare(app(), terminal_size=(120, 30), run_before=run_before)
