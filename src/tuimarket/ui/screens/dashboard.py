"""The dashboard: the market bar, a panel per index (and breadth), the rotation table."""

from __future__ import annotations

from typing import Mapping

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from tuimarket.config import Config
from tuimarket.ui.actions import DASHBOARD_ACTIONS, bindings
from tuimarket.ui.messages import OpenBreadth, OpenDetail, OpenRotationGraph, SavedViewUnusable
from tuimarket.ui.saved_view import SavedView
from tuimarket.ui.screens.responsive import TALL_ROWS, WIDE_COLUMNS, ResponsiveScreen
from tuimarket.ui.viewmodels import Dashboard, MarketBarModel
from tuimarket.ui.widgets.breadth_panel import BreadthPanel
from tuimarket.ui.widgets.charts import Canvas, Chart, Figure, PriceChart
from tuimarket.ui.widgets.index_panel import IndexPanel
from tuimarket.ui.widgets.key_footer import KeyFooter
from tuimarket.ui.widgets.market_bar import MarketBar
from tuimarket.ui.widgets.rotation_table import RotationTable


class DashboardScreen(ResponsiveScreen):
    """The panels and the rotation table; below 120 columns, one of them at a time, and below 42 rows
    the panels side by side or the table.

    It asks the app for the other views by messages (OpenDetail, OpenRotationGraph, OpenBreadth);
    the app shows data here through `show` and `show_market_bar`.
    """

    BINDINGS = bindings(DASHBOARD_ACTIONS)

    def __init__(self, config: Config, market_bar: MarketBarModel, saved: SavedView | None = None) -> None:
        """`market_bar` and `saved` (the last session's view) are shown in the screen's first frame."""
        super().__init__()
        self.config = config
        self.first_market_bar = market_bar
        self.saved = saved
        self.active = 0
        # The panes, held rather than queried: every key and focus change asks which keys work
        # (check_action), and querying the DOM for them each time took a tenth of a start-up's CPU.
        self._index_panels = [IndexPanel(index.symbol, index.name, id=f"panel-{i}")
                              for i, index in enumerate(config.indexes)]
        # Breadth off: not even built, so the first paint costs nothing.
        self._breadth = BreadthPanel(id="breadth") if config.breadth.enabled else None
        self._rotation = RotationTable(id="rotation")

    def compose(self) -> ComposeResult:
        yield MarketBar("", id="market-bar")
        yield Static("", id="switcher")
        with Horizontal(id="main"):
            with Vertical(id="panels"):
                yield from self._index_panels
                if self._breadth is not None:
                    yield self._breadth
            yield self._rotation
        yield KeyFooter()

    @property
    def panes(self) -> list:
        return [*self._index_panels, *([self._breadth] if self._breadth_shown else []), self._rotation]

    @property
    def _breadth_shown(self) -> bool:
        return self._breadth is not None and self._breadth.model is not None

    def on_mount(self) -> None:
        self._fit_rotation_table()
        self.goto_pane(0)
        if self.saved is not None:
            try:
                self.show(self.saved.board, self.config.chart.range, self.saved.figures, self.saved.timeframe,
                          saved=True)
            except Exception:   # noqa: BLE001 - whatever is wrong with it, the data will paint instead
                self.post_message(SavedViewUnusable())
        self.show_market_bar(self.first_market_bar)

    def on_resize(self) -> None:
        self._fit_rotation_table()

    def _fit_rotation_table(self) -> None:
        """Wide and tall, the table is as tall as its rows plus header, border and a scrollbar's row.

        That is known before any row arrives, so the panels above are laid out once, at their final
        size, and no chart is drawn twice during the first paint. Narrow or short, the table is the page.
        """
        below_panels = self.app.size.width >= WIDE_COLUMNS and self.app.size.height >= TALL_ROWS
        self.query_one(RotationTable).styles.height = len(self.config.rotation_universe) + 4 if below_panels else "1fr"

    def goto_pane(self, number: int) -> None:
        panes = self.panes
        self.active = max(0, min(number, len(panes) - 1))
        self._mark_active()
        panes[self.active].focus()

    def _mark_active(self) -> None:
        panes = self.panes
        for i, pane in enumerate(panes):
            pane.set_class(i == self.active, "-active")
        self.set_class(isinstance(panes[self.active], RotationTable), "-table-active")
        self.set_class(isinstance(panes[self.active], BreadthPanel), "-breadth-active")
        self._show_switcher()

    def _show_switcher(self) -> None:
        # Built from Text spans, never markup: a configured name such as "[@click=quit]" stays text.
        switcher = Text()
        for i, pane in enumerate(self.panes):
            switcher.append(f" {i + 1} {pane.pane_name} ", style="reverse" if i == self.active else "")
            switcher.append(" ")
        self.query_one("#switcher", Static).update(switcher)

    def action_move(self, step: int) -> None:
        self.goto_pane((self.active + step) % len(self.panes))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Keys 1-9 go to a pane only where there is one (and the help lists only those).
        if action == "goto":
            pane = parameters[0]       # an int: Textual reads "goto(3)" as Python literals
            return isinstance(pane, int) and pane < len(self.panes)
        if action == "breadth":     # only where there is breadth to show
            return self._breadth_shown
        return True

    def action_goto(self, number: int) -> None:
        self.goto_pane(number)

    def on_descendant_focus(self, event) -> None:
        # The mouse or a widget may move focus too; keep the active pane (and the switcher) in step.
        for i, pane in enumerate(self.panes):
            if pane is event.widget and i != self.active:
                self.active = i
                self._mark_active()

    def action_detail(self) -> None:
        pane = self.panes[self.active]
        if isinstance(pane, IndexPanel) and pane.model is not None:
            self.post_message(OpenDetail(pane.symbol))
        elif isinstance(pane, BreadthPanel):
            self.post_message(OpenBreadth())

    def action_breadth(self) -> None:
        self.post_message(OpenBreadth())

    def action_rrg(self) -> None:
        pane = self.panes[self.active]
        self.post_message(OpenRotationGraph(pane.symbol_under_cursor if isinstance(pane, RotationTable) else None))

    def action_sort_rotation(self, column: str) -> None:
        self.query_one(RotationTable).sort_by(column)

    def price_charts(self) -> dict[str, PriceChart]:
        """Each index's price chart, by symbol."""
        return {panel.symbol: panel.query_one(PriceChart) for panel in self.query(IndexPanel)}

    def canvases(self) -> dict[str, tuple[Chart, Canvas]]:
        """Every chart's canvas, for the refresh thread to draw on: read here, on the event loop."""
        charts: dict[str, Chart] = {**self.price_charts()}
        for panel in self.query(BreadthPanel):
            charts |= panel.charts()
        return {key: (chart, chart.canvas()) for key, chart in charts.items()}

    def drawn_figures(self) -> dict[str, Figure]:
        """Each index's price chart as last drawn, by symbol."""
        return {symbol: chart.figure for symbol, chart in self.price_charts().items() if chart.figure is not None}

    def show(self, board: Dashboard, chart_range: str, figures: Mapping[str, Figure], timeframe: str = "daily",
             saved: bool = False) -> None:
        """Show `board`'s panels of `timeframe`; `figures` are their price charts already drawn, which
        the charts take if they fit. `saved`: the last session's view, whose breadth charts wait for
        today's (plotext stays unloaded)."""
        charts = self.price_charts()
        for symbol, figure in figures.items():
            if symbol in charts:
                charts[symbol].adopt(figure)
        for panel, model in zip(self.query(IndexPanel), board.panels_of(timeframe)):
            panel.show(model)
            panel.show_range(chart_range)
        for breadth in self.query(BreadthPanel):
            shown = breadth.model is not None
            breadth.show(board.members_breadth, charts=not saved, figures=figures)
            breadth.show_range(chart_range)
            if shown != (breadth.model is not None):
                self.refresh_bindings()     # `b` works now (or no longer): the footer says so
        self.query_one(RotationTable).show(board.rotation)
        self._show_switcher()

    def show_market_bar(self, model: MarketBarModel) -> None:
        self.query_one(MarketBar).show(model)

    def show_range(self, chart_range: str) -> None:
        """Every chart on `chart_range`."""
        for panel in self.query(IndexPanel):
            panel.show_range(chart_range)
        for breadth in self.query(BreadthPanel):
            breadth.show_range(chart_range)
