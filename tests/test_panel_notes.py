"""A panel's notes break between phrases, never leaving a word alone on a line."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from tuimarket.config import Config
from tuimarket.ui.app import TuimarketApp
from tuimarket.ui.port import Loaded
from tuimarket.ui.viewmodels import LatestEvent
from tuimarket.ui.widgets.index_panel import IndexPanel, PanelNotes, fold_phrases

from ui_support import FIXED_NOW, ScriptedPipeline, settle


@pytest.mark.parametrize(("note", "width", "lines"), [
    ("momentum down 1 session ago, -0.4% since", 36, ["momentum down 1 session ago,", "-0.4% since"]),
    ("momentum down 1 session ago, -0.4% since", 60, ["momentum down 1 session ago, -0.4% since"]),
    ("-1.5% from ATH 24,587.47 (2025-09-22)", 30, ["-1.5% from ATH 24,587.47", "(2025-09-22)"]),
    ("a, b, c, d", 5, ["a, b,", "c, d"]),
    ("nothing to break at here", 10, ["nothing to break at here"]),     # left to the widget's wrap
    ("anything", 0, ["anything"]),                                      # before the first layout
])
def test_a_note_is_folded_at_its_last_phrase_break_that_fits(note: str, width: int, lines: list[str]) -> None:
    assert fold_phrases(note, width) == lines


class MomentumTurned(ScriptedPipeline):
    """The bundled history, with the Nasdaq 100's momentum turned down a session ago (refreshes too)."""

    def initial(self) -> Loaded:
        turned = LatestEvent("momentum down", date(2025, 9, 24), 1, 24_500.0, -0.004)
        self._last = replace(super().initial(), latest_events={"^NDX": turned})
        return self._last


async def test_at_120_columns_the_latest_event_keeps_its_since_with_its_change() -> None:
    config = Config()
    app = TuimarketApp(config, MomentumTurned(config, date(2025, 9, 25)), now=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app, pilot)
        panel = app.screen.query_one("#panel-1", IndexPanel)
        event = panel.model.latest_event
        assert event.endswith("since") and len(event) > panel.query_one(PanelNotes).content_size.width
        lines = panel.query_one(PanelNotes).render().plain.splitlines()
        head, tail = event.split(", ")
        assert lines[lines.index(head + ",") + 1] == tail, lines
