"""The detail screen's event timeline: one row per event, newest first, a row selected."""

from __future__ import annotations

from typing import Sequence

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable

from tuimarket.ui.timeline_model import TimelineRow

COLUMNS = ("Date", "Ago", "Event", "Price", "Level", "Since")
NUMERIC = frozenset({"Ago", "Price", "Since"})
PROVISIONAL_MARK = " *"


class TimelineTable(DataTable):
    """Rows keyed by the event's key, so the selection survives a refresh and a change of filter."""

    BINDINGS = [
        Binding("down,j", "cursor_down", "Next event", show=False, tooltip="The next (older) event"),
        Binding("up,k", "cursor_up", "Previous event", show=False, tooltip="The previous (newer) event"),
        Binding("home", "scroll_top", "Newest event", show=False, tooltip="The newest event"),
        Binding("end", "scroll_bottom", "Oldest event", show=False, tooltip="The oldest event"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        for column in COLUMNS:
            self.add_column(column, key=column)

    def show(self, rows: Sequence[TimelineRow]) -> None:
        selected = self.selected_key
        self.clear()
        for row in rows:
            words = row.words + (PROVISIONAL_MARK if row.provisional else "")
            cells = (row.date.isoformat(), str(row.sessions_ago), words, f"{row.close:,.2f}", row.value,
                     row.since_text)
            self.add_row(*(Text(cell, justify="right") if column in NUMERIC else cell
                           for column, cell in zip(COLUMNS, cells)), key=row.key)
        keys = [row.key for row in rows]
        if selected in keys:
            self.move_cursor(row=keys.index(selected), animate=False)

    @property
    def selected_key(self) -> str | None:
        if not self.row_count:
            return None
        return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
