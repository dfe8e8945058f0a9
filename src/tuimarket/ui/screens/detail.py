"""The detail screen: a large price chart with levels, MACD, relative strength and commentary."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Footer, Static

from tuimarket.formatting import price
from tuimarket.ui.screens.responsive import ResponsiveScreen
from tuimarket.ui.viewmodels import RANGE_BARS, PanelModel, range_label
from tuimarket.ui.widgets.charts import LineChart, MacdChart, PriceChart
from tuimarket.ui.widgets.key_footer import KeyFooter


class DetailScreen(ResponsiveScreen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="back"),
        Binding("backspace", "app.pop_screen", "Back", show=False),
    ]

    def __init__(self, model: PanelModel, chart_range: str, macd_title: str) -> None:
        super().__init__(classes="detail")
        self.model = model
        self.chart_range = chart_range
        self.macd_title = macd_title

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="detail-body"):
            yield Static(id="detail-heading")
            yield PriceChart(levels=True, id="detail-price")
            with Vertical(id="detail-lower"):
                yield MacdChart(id="detail-macd")
                yield LineChart(id="detail-rs")
            yield Static(id="detail-commentary")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.show(self.model)
        self.query_one("#detail-body").focus()   # arrows and PgUp/PgDn scroll at once

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
        price_chart = self.query_one("#detail-price", PriceChart)
        price_chart.sessions = bars
        price_chart.show(model.chart)
        macd = self.query_one("#detail-macd", MacdChart)
        macd.sessions = price_chart.sessions
        macd.show(model.chart.dates, model.macd_lines, self.macd_title, timeframe)
        rs = self.query_one("#detail-rs", LineChart)
        rs.sessions = price_chart.sessions
        # The benchmark against itself is a flat line: no chart at all, and MACD takes the width.
        rs.display = model.relative_strength is not None
        if model.relative_strength is not None:
            rs.show(model.chart.dates, (model.relative_strength,), f"Relative strength · {model.rs_summary}",
                    timeframe)
        levels = "  ".join(filter(None, [
            "resistance " + ", ".join(map(price, model.chart.resistance)) if model.chart.resistance else "",
            "support " + ", ".join(map(price, model.chart.support)) if model.chart.support else "",
        ]))
        body = "\n".join(filter(None, [model.commentary, levels, *model.notes]))
        self.query_one("#detail-commentary", Static).update(Text(body))