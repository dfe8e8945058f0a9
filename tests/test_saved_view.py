"""The last session's view: kept faithfully, ignored when damaged, painted before anything is computed."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from tuimarket.config import Config
from tuimarket.ui import saved_view
from tuimarket.ui.app import DashboardScreen, TuimarketApp
from tuimarket.ui.viewmodels import dashboard
from tuimarket.ui.widgets.charts import Canvas, PriceChart
from tuimarket.ui.widgets.index_panel import IndexPanel

from ui_support import FIXED_NOW, BundledPipeline, ScriptedPipeline, loaded, until

CONFIG = Config()


def board(as_of: date):
    result = loaded(CONFIG, as_of)
    return dashboard(result.snapshot, result.data_status, result.offline)


def test_a_saved_dashboard_comes_back_equal(tmp_path: Path) -> None:
    original = board(date(2025, 9, 25))
    path = tmp_path / "view.json"
    saved_view.save(path, original, {})
    assert saved_view.load(path) == saved_view.SavedView(original, {})
    assert not list(tmp_path.glob("*.tmp"))        # written whole, then renamed into place


def test_charts_come_back_as_drawn_and_only_beside_the_data_they_draw(tmp_path: Path) -> None:
    original = board(date(2025, 9, 25))
    canvas = Canvas(52, 19, "textual-dark", (30, 30, 30), (224, 224, 224), 252)
    figures = {panel.symbol: PriceChart().prepare(panel.chart, canvas) for panel in original.panels}
    figures["^RUT"] = PriceChart().prepare(board(date(2025, 9, 18)).panels[2].chart, canvas)   # older data
    path = tmp_path / "view.json"
    saved_view.save(path, original, figures)
    loaded = saved_view.load(path)
    assert loaded.board == original
    assert set(loaded.figures) == {"^GSPC", "^NDX"}
    for panel in loaded.board.panels[:2]:
        figure = loaded.figures[panel.symbol]
        assert figure.canvas == canvas and figure.data is panel.chart
        assert figure.text == figures[panel.symbol].text and "Close" in figure.text.plain


async def test_a_launch_at_the_last_size_paints_the_saved_charts_without_plotext() -> None:
    """The second launch finds the first one's charts fitting and never needs plotext to paint.

    The first launch runs here (it computes, draws the charts and saves them as it ends); the second
    in a fresh interpreter, to see which modules painting the saved view loads."""
    config = Config()      # made here, so its cache is this test's, as the second launch's is
    first = TuimarketApp(config, BundledPipeline(config))
    async with first.run_test(size=(160, 48)) as pilot:
        await until(first, pilot, lambda: first.computed is not None)
        await pilot.press("q")
    script = """
import sys
from tuimarket.config import Config
from tuimarket.monitor import MarketPipeline
from tuimarket.ui.app import TuimarketApp

class Probe(TuimarketApp):
    def start_load(self, live, step=0):     # the first frame is out; today's view would be computed now
        print("plotext" in sys.modules, "Close" in str(self.screen.query("PriceChart").first().render()))
        self.exit()

config = Config()
Probe(config, MarketPipeline(config, source="bundled")).run(headless=True, size=(160, 48))
"""
    output = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert output.split() == ["False", "True"]


def test_damaged_or_foreign_files_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "view.json"
    assert saved_view.load(path) is None           # none yet
    for text in ["garbage", "{}", '{"version": 999, "dashboard": {}}', '{"version": 1, "dashboard": {"as_of": 1}}',
                 '{"version": 1, "dashboard": []}']:
        path.write_text(text)
        assert saved_view.load(path) is None, text
    assert saved_view.load(None) is None


def damaged(path: Path, damage) -> None:
    """A good saved view (with one chart), then `damage` applied to its decoded JSON."""
    original = board(date(2025, 9, 25))
    canvas = Canvas(52, 19, "textual-dark", (30, 30, 30), (224, 224, 224), 252)
    saved_view.save(path, original, {"^GSPC": PriceChart().prepare(original.panels[0].chart, canvas)})
    raw = json.loads(path.read_text())
    damage(raw)
    path.write_text(json.dumps(raw))


def set_close(raw) -> None:
    raw["dashboard"]["panels"][0]["close"] = 123.45


DAMAGES = {
    "number for a string": set_close,
    "wrong type in rotation cells": lambda raw: raw["dashboard"]["rotation"][0].update(cells=[1, 2, 3]),
    "string in a chart's values": lambda raw: raw["dashboard"]["panels"][0]["chart"]["close"].update(
        values=["6604.72"] * 3),
    "boolean for a number": lambda raw: raw["dashboard"]["panels"][0]["chart"]["close"].update(values=[True]),
    "table for a tuple": lambda raw: raw["dashboard"].update(notes={"a": 1}),
    "list for a table": lambda raw: raw["dashboard"]["panels"].__setitem__(0, []),
    "escape sequence in a name": lambda raw: raw["dashboard"]["panels"][0].update(name="\u001b]2;PWNED\u0007S&P"),
    "escape sequence in a chart": lambda raw: raw["figures"]["^GSPC"]["text"].update(plain="\u001b[2J"),
    "figure text not a string": lambda raw: raw["figures"]["^GSPC"]["text"].update(plain=5),
    "figure span out of the text": lambda raw: raw["figures"]["^GSPC"]["text"].update(spans=[[0, 10 ** 9, "red"]]),
    "figure span not a style": lambda raw: raw["figures"]["^GSPC"]["text"].update(spans=[[0, 1, 7]]),
}


@pytest.mark.parametrize("damage", DAMAGES.values(), ids=DAMAGES.keys())
def test_a_view_with_a_wrong_type_or_a_control_character_is_ignored(damage, tmp_path: Path) -> None:
    path = tmp_path / "view.json"
    damaged(path, damage)
    assert saved_view.load(path) is None


def newer_version(raw) -> None:
    """What a later tuimarket may write: a higher version, keys this one does not know."""
    raw.update(version=saved_view.VERSION + 1, timeframe="weekly")
    raw["dashboard"]["panels"][0]["sparkline"] = [1, 2, 3]
    raw["figures"]["^GSPC"]["text"]["links"] = []


@pytest.mark.parametrize("change", [newer_version, lambda raw: raw["dashboard"].pop("freshness")],
                         ids=["newer version's keys", "a key with a default left out"])
def test_keys_a_newer_version_adds_are_ignored_and_one_with_a_default_may_be_missing(change, tmp_path) -> None:
    path = tmp_path / "view.json"
    damaged(path, change)
    loaded_view = saved_view.load(path)
    assert loaded_view is not None and loaded_view.board == board(date(2025, 9, 25))
    assert set(loaded_view.figures) == {"^GSPC"}


@pytest.mark.parametrize("change", [lambda raw: raw.update(version=saved_view.VERSION - 1),
                                    lambda raw: raw["dashboard"].pop("panels")],
                         ids=["an older layout", "a key without a default left out"])
def test_an_older_layout_or_a_missing_key_discards_the_view(change, tmp_path) -> None:
    path = tmp_path / "view.json"
    damaged(path, change)
    assert saved_view.load(path) is None and not path.exists()


def test_a_damaged_file_is_ignored_whatever_the_damage(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "view.json"
    damaged(path, lambda raw: None)
    whole = path.read_bytes()
    assert saved_view.load(path) is not None                 # the undamaged file loads
    for content in [whole[:len(whole) // 2], bytes(range(256)) * 64, b"[" * 200_000 + b"]" * 200_000,
                    b'{"version": 2, "dashboard": ' * 100_000,
                    whole + b" " * saved_view.MAX_BYTES]:     # valid JSON, but larger than any real view
        path.write_bytes(content)
        assert saved_view.load(path) is None
    path.unlink()
    path.mkdir()                                             # a directory in its place
    assert saved_view.load(path) is None
    path.rmdir()
    path.write_bytes(whole)

    def refused(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", refused)               # unreadable (root reads any file, so simulated)
    assert saved_view.load(path) is None


def test_an_unwritable_place_is_skipped(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    saved_view.save(blocker / "view.json", board(date(2025, 9, 25)), {})   # no exception
    saved_view.save(None, board(date(2025, 9, 25)), {})


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
    saved_view.save(path, last_session, {})
    pipeline = ScriptedPipeline(CONFIG, start=date(2025, 9, 25), live=False, saved_view=path)
    app = Recording(CONFIG, pipeline, now=lambda: FIXED_NOW, screenshot_dir=tmp_path)
    app.seen = []
    async with app.run_test(size=(80, 24)) as pilot:
        await until(app, pilot, lambda: len(app.seen) == 2)
    # Nothing was computed before the saved view was on screen; the computed one then replaced it.
    assert app.seen == [("load", 0, last_session.panels[0].close), ("snapshot", 1, "2025-09-25")]
    assert saved_view.load(path).board.as_of == "2025-09-25"


async def test_the_latest_view_is_saved_when_the_app_exits(tmp_path: Path) -> None:
    path = tmp_path / "view.json"
    pipeline = ScriptedPipeline(CONFIG, start=date(2025, 9, 18), steps=[date(2025, 9, 25)], saved_view=path)
    app = TuimarketApp(CONFIG, pipeline, now=lambda: FIXED_NOW, screenshot_dir=tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(app, pilot, lambda: app.computed is not None and app.computed.as_of == "2025-09-25")
        # Refreshes do not rewrite it (that would stall the screen): it still holds the first view.
        assert saved_view.load(path).board.as_of == "2025-09-18"
        await pilot.press("q")
    saved = saved_view.load(path)
    assert saved.board.as_of == "2025-09-25"
    # The charts as they were on screen at the end (80 columns: the first panel's is shown).
    assert saved.figures["^GSPC"].canvas.width > 20 and saved.figures["^GSPC"].data is saved.board.panels[0].chart


class FirstFrameOnly(TuimarketApp):
    """Computes nothing: what is on screen is the saved view alone."""

    def start_load(self, live: bool) -> None:
        self.first_frame_out = True


async def test_the_saved_view_is_drawn_once_at_its_final_layout(tmp_path: Path, monkeypatch) -> None:
    """No frame at another layout first: the screen has its -wide class before it is first drawn."""
    path = tmp_path / "view.json"
    saved_view.save(path, board(date(2025, 9, 18)), {})
    sizes: dict[int, list] = {}
    draw = PriceChart.render

    def recording_render(chart):
        sizes.setdefault(id(chart), []).append(tuple(chart.size))
        return draw(chart)

    monkeypatch.setattr(PriceChart, "render", recording_render)
    pipeline = ScriptedPipeline(CONFIG, start=date(2025, 9, 25), live=False, saved_view=path)
    app = FirstFrameOnly(CONFIG, pipeline, now=lambda: FIXED_NOW, screenshot_dir=tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await until(app, pilot, lambda: getattr(app, "first_frame_out", False))
        assert app.first_frame_out and app.screen.has_class("-wide")
    # Each chart drawn at one size only, the wide layout's (about a third of 160 columns).
    assert len(sizes) == 3 and all(len(set(drawn)) == 1 and drawn[0][0] < 60 for drawn in sizes.values()), sizes


@pytest.mark.parametrize("failure", ["wrong type", "cannot be shown"])
async def test_a_view_that_cannot_be_read_or_shown_is_discarded_and_the_data_paints(
        failure: str, tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "view.json"
    damaged(path, set_close if failure == "wrong type" else lambda raw: None)
    if failure == "cannot be shown":     # it reads back, but the dashboard fails to show it
        show, failures = DashboardScreen.show, [RuntimeError("cannot show this view")]

        def show_failing_once(screen, *args, **options) -> None:
            if failures:
                raise failures.pop()
            show(screen, *args, **options)

        monkeypatch.setattr(DashboardScreen, "show", show_failing_once)
    pipeline = ScriptedPipeline(CONFIG, start=date(2025, 9, 25), live=False, saved_view=path)
    app = TuimarketApp(CONFIG, pipeline, now=lambda: FIXED_NOW, screenshot_dir=tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(app, pilot, lambda: app.computed is not None)
        assert app.saved is None and pipeline.initials == 1
        assert app.screen.query_one(IndexPanel).model.close == "6,604.72"
    assert saved_view.load(path).board.as_of == "2025-09-25"     # the damaged file was replaced
