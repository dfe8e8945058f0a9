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


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_dashboard(snap_compare, size) -> None:
    assert snap_compare(app(), terminal_size=size, run_before=wait_for_data)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_detail(snap_compare, size) -> None:
    async def open_detail(pilot) -> None:
        await wait_for_data(pilot)
        await pilot.press("2", "enter")
        await pilot.pause()

    assert snap_compare(app(), terminal_size=size, run_before=open_detail)


def test_rotation_page_at_80x24(snap_compare) -> None:
    async def open_rotation(pilot) -> None:
        await wait_for_data(pilot)
        await pilot.press("4")
        await pilot.pause()

    assert snap_compare(app(), terminal_size=(80, 24), run_before=open_rotation)
