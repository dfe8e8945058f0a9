"""One panel per index: the heading, the price chart, the MACD badge, the trend status and notes."""

from __future__ import annotations

import re

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Static

from tuimarket.analysis.vocabulary import Direction, MacdSide, Trend
from tuimarket.ui.viewmodels import PanelModel
from tuimarket.ui.widgets.charts import PriceChart

STATES = (*MacdSide, "na", *Trend, *(direction.short for direction in Direction))


def _set_state(widget: Static, state: str) -> None:
    """Show a state as exactly one CSS class, so app.tcss colours it."""
    for name in STATES:
        widget.set_class(name == state, f"-{name}")


class StateBadge(Static):
    """A reversed label, then detail lines; its state class (buy, uptrend, ...) gives the colour."""

    def show_badge(self, label: str, detail: str, state: str) -> None:
        text = Text()
        text.append(f" {label} ", style="bold reverse")   # only the label: the detail stays plain
        text.append(detail)
        self.update(text)
        _set_state(self, state)


# Where a note reads well broken: after a comma, or before a parenthesis.
PHRASE_BREAK = re.compile(r"(?<=,) | (?=\()")


def fold_phrases(note: str, width: int) -> list[str]:
    """`note` in lines of at most `width`, broken at its last phrase break that fits: "momentum down
    1 session ago," over "-0.4% since", where wrapping at the last word left "since" alone.
    A phrase wider than `width` stays whole (the widget wraps it)."""
    if width <= 0 or len(note) <= width:
        return [note]
    fitting = [found for found in PHRASE_BREAK.finditer(note) if found.start() <= width]
    if not fitting:
        return [note]
    cut = fitting[-1]
    return [note[:cut.start()], *fold_phrases(note[cut.end():], width)]


class PanelNotes(Static):
    """The panel's notes, one to a line, each folded at its phrases to the column's width."""

    notes: tuple[str, ...] = ()

    def show_notes(self, notes: list[str]) -> None:
        self.notes = tuple(notes)
        self._fold()

    def on_resize(self) -> None:
        self._fold()

    def _fold(self) -> None:
        width = self.content_size.width
        self.update(Text("\n".join(line for note in self.notes for line in fold_phrases(note, width))))


class IndexPanel(Vertical, can_focus=True):
    """A focusable panel; Enter on it opens the detail screen."""

    def __init__(self, symbol: str, name: str, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="pane index-panel")
        self.symbol = symbol
        self.pane_name = name                  # as configured, for the 80-column switcher
        self.border_title = Content(name)   # plain: a name such as '[link=x]' is never markup
        self.model: PanelModel | None = None

    def compose(self) -> ComposeResult:
        yield Static(self.symbol, classes="panel-heading")
        with Horizontal(classes="panel-body"):
            yield PriceChart(classes="panel-chart")
            with Vertical(classes="panel-side"):
                yield Static("", classes="panel-freshness")
                yield StateBadge("", classes="macd-badge")
                yield StateBadge("", classes="trend-status")
                yield PanelNotes("", classes="panel-notes")

    def show(self, model: PanelModel) -> None:
        self.model = model
        self.pane_name = model.name
        self.border_title = Content(model.name)
        heading = self.query_one(".panel-heading", Static)
        heading.update(Text.assemble((model.symbol, "bold"), "  ", (model.close, "bold"), "  ", model.change))
        _set_state(heading, model.direction)
        self.set_class(bool(model.freshness), "-stale")    # badges muted: they are not today's
        # The date, then how old it is, each on a line of its own: beside an 80-column chart the side
        # column is 30 wide, and "as of 2025-09-25 (297 sessions old)" wrapped mid-phrase.
        self.query_one(".panel-freshness", Static).update(Text(model.freshness.replace(" (", "\n(", 1)))
        self.query_one(PriceChart).show(model.chart)
        macd, trend = model.macd, model.trend
        self.query_one(".macd-badge", StateBadge).show_badge(
            f"MACD {macd.signal}", f" {macd.since}\n{macd.momentum}", macd.state)
        trend_badge = self.query_one(".trend-status", StateBadge)
        trend_badge.show_badge(trend.headline, f"\n{trend.structure}\n{trend.averages}", trend.state)
        trend_badge.set_class(trend.confirmed, "-confirmed")
        notes = [model.latest_event] if model.latest_event else []
        notes += [*model.notes, model.rs_summary]
        self.query_one(PanelNotes).show_notes(notes)

    def show_range(self, name: str) -> None:
        """Show the last `name` (1Y, ...) of the chart, in bars of the model's timeframe."""
        self.query_one(PriceChart).show_range(name, self.model.chart.timeframe if self.model else "daily")
