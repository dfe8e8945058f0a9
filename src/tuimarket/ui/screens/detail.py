"""The detail screen: a large price chart with levels and event marks, the event timeline under it,
MACD, relative strength and commentary.

The timeline is computed off the event loop when the screen opens and whenever its data changes
(a refresh, a replay's step); selecting an event marks its date on the price chart, widening the
chart's range if the date is older than the range shows.
"""

from __future__ import annotations

from typing import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Vertical, VerticalScroll
from textual.widgets import DataTable, Static
from textual.widgets.data_table import RowKey
from textual.worker import Worker, WorkerState

from tuimarket.formatting import price
from tuimarket.ui.screens.responsive import ResponsiveScreen
from tuimarket.ui.timeline_model import (FILTERS, ChartCursor, ChartMark, EventTimeline, MarkedChart, chart_marks,
                                         range_showing)
from tuimarket.ui.viewmodels import RANGE_BARS, Dashboard, PanelModel, range_label
from tuimarket.ui.widgets.charts import LineChart, MacdChart, PriceChart
from tuimarket.ui.widgets.key_footer import KeyFooter
from tuimarket.ui.widgets.timeline import PROVISIONAL_MARK, TimelineTable

TIMELINE_GROUP = "timeline"


class DetailScreen(ResponsiveScreen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="back"),
        Binding("backspace", "app.pop_screen", "Back", show=False),
        Binding("f", "filter(1)", "Filter", id="timeline-filter",
                tooltip="Events of one kind: " + ", ".join(FILTERS)),
        Binding("F", "filter(-1)", "Filter back", show=False, tooltip="The previous kind of events"),
    ]

    def __init__(self, model: PanelModel, chart_range: str, macd_title: str,
                 load_timeline: Callable[[str], EventTimeline]) -> None:
        """`load_timeline(symbol)`: the symbol's events, computed in a worker thread."""
        super().__init__(classes="detail")
        self.model = model
        self.chart_range = chart_range
        self.macd_title = macd_title
        self.load_timeline = load_timeline
        self.timeline: EventTimeline | None = None
        self.marks: tuple[ChartMark, ...] = ()         # the timeline's on the price chart
        self.filter = FILTERS[0]
        self.cursor: ChartCursor | None = None
        self._timeline_of: PanelModel | None = None    # the model whose timeline is loaded or loading

    def compose(self) -> ComposeResult:
        yield Static(id="detail-heading")
        with VerticalScroll(id="detail-body"):
            with Container(id="detail-top"):     # the chart and the timeline, side by side when there is room
                yield PriceChart(levels=True, id="detail-price")
                with Vertical(id="timeline-pane"):
                    yield Static(id="timeline-title")
                    yield TimelineTable(id="detail-timeline")
            with Vertical(id="detail-lower"):
                yield MacdChart(id="detail-macd")
                yield LineChart(id="detail-rs")
            yield Static(id="detail-commentary")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.show(self.model)
        self.query_one(TimelineTable).focus()   # ↑ ↓ select an event; Tab to scroll the charts below

    def follow(self, board: Dashboard, timeframe: str) -> None:
        """New data, or another timeframe: this index's panel on it."""
        if (model := board.panel(self.model.symbol, timeframe)) is not None:
            self.show(model)

    def show_range(self, chart_range: str) -> None:
        self.chart_range = chart_range
        self.show(self.model)

    def show(self, model: PanelModel) -> None:
        self.model = model
        timeframe = model.chart.timeframe
        bars = RANGE_BARS[timeframe][self.chart_range]
        heading = Text(f"{model.name} ({model.symbol})", style="bold")
        heading.append(f"  {model.close} {model.change} · MACD {model.macd.signal} {model.macd.since}"
                       f" · {model.trend.headline} · {range_label(timeframe, bars)}")
        if model.freshness:
            heading.append(f"\n{model.freshness}: not today's signals", style="bold")
        self.set_class(bool(model.freshness), "-stale")
        self.query_one("#detail-heading", Static).update(heading)
        self._show_charts()
        levels = "  ".join(filter(None, [
            "resistance " + ", ".join(map(price, model.chart.resistance)) if model.chart.resistance else "",
            "support " + ", ".join(map(price, model.chart.support)) if model.chart.support else "",
        ]))
        body = "\n".join(filter(None, [model.commentary, levels, *model.notes]))
        self.query_one("#detail-commentary", Static).update(Text(body))
        if model is not self._timeline_of:     # new data: its events
            self._timeline_of = model
            self._show_timeline_title("computing events…")
            self.run_worker(lambda: self.load_timeline(model.symbol), thread=True, exclusive=True,
                            group=TIMELINE_GROUP, exit_on_error=False)

    def _bars(self) -> int:
        """How many of the chart's bars the current range shows, on its timeframe's bars."""
        return RANGE_BARS[self.model.chart.timeframe][self.chart_range]

    def _show_price_chart(self) -> None:
        price_chart = self.query_one("#detail-price", PriceChart)
        price_chart.sessions = self._bars()
        price_chart.show(MarkedChart(self.model.chart, self.marks, self.cursor))

    def _show_charts(self) -> None:
        model = self.model
        self._show_price_chart()
        macd = self.query_one("#detail-macd", MacdChart)
        macd.sessions = self._bars()
        macd.show(model.chart.dates, model.macd_lines, self.macd_title, model.chart.timeframe)
        rs = self.query_one("#detail-rs", LineChart)
        rs.sessions = macd.sessions
        # The benchmark against itself is a flat line: no chart at all, and MACD takes the width.
        rs.display = model.relative_strength is not None
        if model.relative_strength is not None:
            rs.show(model.chart.dates, (model.relative_strength,), f"Relative strength · {model.rs_summary}",
                    model.chart.timeframe)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != TIMELINE_GROUP:
            return
        if event.state == WorkerState.SUCCESS and isinstance(event.worker.result, EventTimeline):
            self.timeline = event.worker.result
            self.marks = chart_marks(self.timeline)
            self._show_timeline()
        elif event.state == WorkerState.ERROR:
            self._show_timeline_title(f"events unavailable: {event.worker.error}")

    def _show_timeline(self) -> None:
        timeline = self.timeline
        if timeline is None:
            return
        rows = timeline.filtered(self.filter)
        self.query_one(TimelineTable).show(rows)
        since = f" since {timeline.since.isoformat()}" if timeline.since else ""
        provisional = f" ·{PROVISIONAL_MARK.strip()} provisional" if any(row.provisional for row in rows) else ""
        self._show_timeline_title(f"{len(rows):,} event{'s' if len(rows) != 1 else ''}{since}{provisional}")
        self._select(self.query_one(TimelineTable).selected_key)

    def _show_timeline_title(self, status: str) -> None:
        title = Text("Events", style="bold")
        title.append(f" · {self.filter} · {status} · f filter")
        self.query_one("#timeline-title", Static).update(title)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        # An empty table (a filter with no events) highlights no row: Textual sends None.
        row_key: RowKey | None = event.row_key
        self._select(row_key.value if row_key is not None else None)

    def _select(self, key: str | None) -> None:
        """Mark the event of `key` on the price chart (no event: no mark), in a range that shows it."""
        rows = self.timeline.rows if self.timeline is not None else ()
        row = next((row for row in rows if row.key == key), None)
        self.cursor = ChartCursor(row.date, row.title) if row is not None else None
        bars = RANGE_BARS[self.model.chart.timeframe]
        if row is not None and (wider := range_showing(row.date, self.model.chart.dates, self.chart_range, bars)) \
                != self.chart_range:
            self.chart_range = wider
            self.show(self.model)       # every chart, and the heading, which names the range
            self.notify(f"Chart range {wider}, to show {row.date.isoformat()}", timeout=3)
        else:
            self._show_price_chart()

    def action_filter(self, step: int) -> None:
        self.filter = FILTERS[(FILTERS.index(self.filter) + step) % len(FILTERS)]
        self._show_timeline()
