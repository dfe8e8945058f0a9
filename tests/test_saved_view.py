"""The last session's view: kept faithfully, ignored when damaged, painted before anything is computed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tuimarket.config import Config
from tuimarket.ui import saved_view
from tuimarket.ui.app import TuimarketApp
from tuimarket.ui.viewmodels import dashboard
from tuimarket.ui.widgets.index_panel import IndexPanel

from ui_support import FIXED_NOW, ScriptedPipeline, loaded

CONFIG = Config()


def board(as_of: date):
    result = loaded(CONFIG, as_of)
    return dashboard(result.snapshot, result.data_status, result.offline)


def test_a_saved_dashboard_comes_back_equal(tmp_path: Path) -> None:
    original = board(date(2025, 9, 25))
    path = tmp_path / "view.json"
    saved_view.save(path, original)
    assert saved_view.load(path) == original
    assert not list(tmp_path.glob("*.tmp"))        # written whole, then renamed into place


def test_damaged_or_foreign_files_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "view.json"
    assert saved_view.load(path) is None           # none yet
    for text in ["garbage", "{}", '{"version": 999, "dashboard": {}}', '{"version": 1, "dashboard": {"as_of": 1}}',
                 '{"version": 1, "dashboard": []}']:
        path.write_text(text)
        assert saved_view.load(path) is None, text
    assert saved_view.load(None) is None


def test_an_unwritable_place_is_skipped(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    saved_view.save(blocker / "view.json", board(date(2025, 9, 25)))   # no exception
    saved_view.save(None, board(date(2025, 9, 25)))


class Recording(TuimarketApp):
    """Notes what the first panel shows as each load starts, and each snapshot as it arrives."""

    def start_load(self, live: bool) -> None:
        panel = self.dashboard_screen.query_one(IndexPanel)
        self.seen.append(("load", self.pipeline.initials, panel.model.close if panel.model else None))
        super().start_load(live)

    def on_snapshot_ready(self, message) -> None:
        # Runs before the app's own handler, which Textual calls next (it dispatches along the MRO).
        self.seen.append(("snapshot", self.pipeline.initials, message.dashboard.as_of))


async def test_the_last_view_paints_first_then_the_fresh_one_replaces_and_is_saved(tmp_path: Path) -> None:
    path = tmp_path / "view.json"
    last_session = board(date(2025, 9, 18))
    saved_view.save(path, last_session)
    pipeline = ScriptedPipeline(CONFIG, start=date(2025, 9, 25), live=False, saved_view=path)
    app = Recording(CONFIG, pipeline, now=lambda: FIXED_NOW, screenshot_dir=tmp_path)
    app.seen = []
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(200):
            await app.workers.wait_for_complete()
            await pilot.pause(0.02)
            if len(app.seen) == 2:
                break
    # Nothing was computed before the saved view was on screen; the computed one then replaced it.
    assert app.seen == [("load", 0, last_session.panels[0].close), ("snapshot", 1, "2025-09-25")]
    assert saved_view.load(path).as_of == "2025-09-25"


async def test_the_latest_view_is_saved_when_the_app_exits(tmp_path: Path) -> None:
    path = tmp_path / "view.json"
    pipeline = ScriptedPipeline(CONFIG, start=date(2025, 9, 18), steps=[date(2025, 9, 25)], saved_view=path)
    app = TuimarketApp(CONFIG, pipeline, now=lambda: FIXED_NOW, screenshot_dir=tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(200):
            await app.workers.wait_for_complete()
            await pilot.pause(0.02)
            if pipeline.refreshes and app.computed is not None and app.computed.as_of == "2025-09-25":
                break
        # Refreshes do not rewrite it (that would stall the screen): it still holds the first view.
        assert saved_view.load(path).as_of == "2025-09-18"
    assert saved_view.load(path).as_of == "2025-09-25"
