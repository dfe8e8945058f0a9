"""The alert log: every alert the cache holds, newest first; mark read, mute a symbol or a kind.

Reads and writes go through the port (`Pipeline.alert_log`, `mark_read`, `mute`) in a thread
worker, since they touch the SQLite cache: the UI never imports it, and the screen never waits on it.
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static

from tuimarket.ui.messages import UnreadChanged
from tuimarket.ui.port import Pipeline
from tuimarket.ui.screens.responsive import ResponsiveScreen
from tuimarket.ui.viewmodels import AlertLine

LOG_LIMIT = 500        # the newest; older alerts stay in the cache (`tuimarket alerts` lists them all)
COLUMNS = ("", "Date", "Symbol", "Alert", "Details")


class AlertScreen(ResponsiveScreen):
    DEFAULT_CSS = """
    AlertScreen #alerts-heading { height: 1; padding: 0 1; text-style: bold; }
    AlertScreen #alerts-table { height: 1fr; }
    """
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="alerts-back"),
        Binding("m", "mark_read", "Mark read", id="alerts-mark-read", tooltip="Mark the selected alert read"),
        Binding("M", "mark_read(True)", "All read", id="alerts-all-read", tooltip="Mark every alert read"),
        Binding("x", "mute('symbol')", "Mute symbol", id="alerts-mute-symbol",
                tooltip="Never announce the selected alert's symbol again"),
        Binding("X", "mute('kind')", "Mute kind", id="alerts-mute-kind",
                tooltip="Never announce alerts of the selected alert's kind again"),
    ]

    def __init__(self, pipeline: Pipeline) -> None:
        super().__init__(classes="alerts")
        self.pipeline = pipeline
        self.lines: list[AlertLine] = []

    def compose(self) -> ComposeResult:
        yield Static("Alert log · loading…", id="alerts-heading")
        table: DataTable = DataTable(id="alerts-table", cursor_type="row", zebra_stripes=True)
        table.add_columns(*COLUMNS)
        yield table
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.load()

    @property
    def selected(self) -> AlertLine | None:
        table = self.query_one(DataTable)
        if not self.lines or table.cursor_row < 0:
            return None
        return self.lines[min(table.cursor_row, len(self.lines) - 1)]

    @work(thread=True, group="alert-log")
    def load(self) -> None:
        lines = self.pipeline.alert_log(LOG_LIMIT)
        self.app.call_from_thread(self.show, lines)

    def show(self, lines: list[AlertLine]) -> None:
        if not self.is_open:
            return
        self.lines = lines
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for line in lines:    # Text, never markup: titles carry the user's names
            style = "" if line.read else "bold"
            table.add_row(Text("" if line.read else "●"), Text(line.date.isoformat(), style=style),
                          Text(line.symbol, style=style), Text(line.title, style=style), Text(line.body),
                          key=line.key)
        if lines:
            table.move_cursor(row=max(0, min(row, len(lines) - 1)))
        unread = sum(not line.read for line in lines)
        heading = f"Alert log · {len(lines)} alerts, {unread} unread" if lines else "Alert log · no alerts yet"
        self.query_one("#alerts-heading", Static).update(Text(heading))

    def action_mark_read(self, everything: bool = False) -> None:
        chosen = self.selected
        if everything:
            self._mark_read(None)
        elif chosen is not None:
            self._mark_read([chosen.key])

    @work(thread=True, group="alert-log")
    def _mark_read(self, keys: list[str] | None) -> None:
        unread = self.pipeline.mark_read(keys)
        lines = self.pipeline.alert_log(LOG_LIMIT)
        self.app.call_from_thread(self.post_message, UnreadChanged(unread))    # the market bar's count follows
        self.app.call_from_thread(self.show, lines)

    def action_mute(self, what: str) -> None:
        chosen = self.selected
        if chosen is not None:
            self._mute(what, chosen.symbol if what == "symbol" else chosen.kind)

    @work(thread=True, group="alert-log")
    def _mute(self, what: str, value: str) -> None:
        saved = self.pipeline.mute(what, value)
        message = (f"Muted {what} {value}: its alerts are recorded, never announced" if saved
                   else f"Could not save the mute of {what} {value} (the cache is not writable)")
        self.app.call_from_thread(self.app.notify, message, title="Alerts", timeout=6, markup=False,
                                  severity="information" if saved else "error")
