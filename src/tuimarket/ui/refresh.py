"""A refresh's work, done in its own thread: the pipeline's data, the dashboard's view model and its
charts drawn, all off the event loop, ending in the one message the app handles."""

from __future__ import annotations

from datetime import datetime
from typing import Callable, Mapping

from tuimarket.ui import saved_view
from tuimarket.ui.messages import RefreshFailed, SnapshotReady
from tuimarket.ui.port import Pipeline
from tuimarket.ui.viewmodels import dashboard
from tuimarket.ui.widgets.breadth_panel import breadth_figures
from tuimarket.ui.widgets.charts import Canvas, Chart


def load_view(pipeline: Pipeline, now: Callable[[], datetime], live: bool,
              canvases: Mapping[str, tuple[Chart, Canvas]], step: int = 0,
              timeframe: str = "daily") -> SnapshotReady | RefreshFailed:
    """Never raises: a failure is the message. The charts of `timeframe` (the one shown when the
    refresh started) are drawn here, on `canvases`."""
    try:
        if live:
            loaded = pipeline.refresh()
        else:
            loaded = pipeline.step(step) if step else pipeline.initial()
        board = dashboard(loaded.snapshot, loaded.data_status, loaded.offline, loaded.sessions_old,
                          loaded.latest_events)
        # Drawing the charts here keeps plotext off the event loop: the handler only adopts them.
        figures = {panel.symbol: chart.prepare(panel.chart, canvas)
                   for panel in board.panels_of(timeframe) if panel.symbol in canvases
                   for chart, canvas in [canvases[panel.symbol]]}
        figures |= breadth_figures(board.members_breadth, canvases)
        hours = pipeline.market_hours(now())
    except Exception as exc:  # noqa: BLE001 - shown on the market bar; the last good view stays
        return RefreshFailed(f"{type(exc).__name__}: {exc}")
    if not live:   # the first computed view, kept at once in case this session ends abruptly
        saved_view.save(pipeline.saved_view, board, figures, timeframe)
    return SnapshotReady(board, live, loaded.error, figures, hours, loaded.announced, loaded.unread, loaded.retry_at)
