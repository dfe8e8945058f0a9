"""One panel per index: the heading, the price chart, the MACD badge, the trend status and notes."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Static

from tuimarket.ui.viewmodels import MacdBadge, PanelModel, TrendStatus
from tuimarket.ui.widgets.charts import PriceChart

STATES = ("buy", "sell", "na", "uptrend", "downtrend", "sideways", "up", "down", "flat")


def _set_state(widget: Static, state: str) -> None:
    """Show a state as exactly one CSS class, so app.tcss colours it."""
    for name in STATES:
        widget.set_class(name == state, f"-{name}")


class MacdBadgeView(Static):
    def show(self, badge: MacdBadge) -> None:
        text = Text()
        text.append(f" MACD {badge.signal} ", style="bold reverse")
        text.append(f" {badge.since}\n{badge.momentum}")
        self.update(text)
        _set_state(self, badge.state)


class TrendStatusView(Static):
    def show(self, trend: TrendStatus) -> None:
        text = Text()
        text.append(f" {trend.headline} ", style="bold reverse")
        text.append(f"\n{trend.structure}\n{trend.averages}")
        self.update(text)
        _set_state(self, trend.state)
        self.set_class(trend.confirmed, "-confirmed")


class IndexPanel(Vertical, can_focus=True):
    """A focusable panel; Enter on it opens the detail screen."""

    def __init__(self, symbol: str, name: str, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="pane index-panel")
        self.symbol = symbol
        self.border_title = Content(name)   # plain: a name such as '[link=x]' is never markup
        self.model: PanelModel | None = None

    def compose(self) -> ComposeResult:
        yield Static(self.symbol, classes="panel-heading")
        with Horizontal(classes="panel-body"):
            yield PriceChart(classes="panel-chart")
            with Vertical(classes="panel-side"):
                yield MacdBadgeView("", classes="macd-badge")
                yield TrendStatusView("", classes="trend-status")
                yield Static("", classes="panel-notes")

    def show(self, model: PanelModel) -> None:
        self.model = model
        self.border_title = Content(model.name)
        heading = self.query_one(".panel-heading", Static)
        heading.update(Text.assemble((model.symbol, "bold"), "  ", (model.close, "bold"), "  ", model.change))
        _set_state(heading, model.direction)
        self.query_one(PriceChart).show(model.chart)
        self.query_one(MacdBadgeView).show(model.macd)
        self.query_one(TrendStatusView).show(model.trend)
        notes = [*model.notes, model.rs_summary]
        self.query_one(".panel-notes", Static).update(Text("\n".join(notes)))

    def show_range(self, name: str) -> None:
        self.query_one(PriceChart).show_range(name)
