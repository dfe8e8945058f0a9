"""The market bar: New York time, the exchange's state, the stance, the data's freshness."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.widgets import Static

STANCE_COLOURS = {"fully_invested": "success", "partially_invested": "warning", "defensive": "error"}


class MarketBar(Static):
    _shown: str | None = None

    def _badge(self, colour_variable: str) -> Style:
        colour = self.app.theme_variables.get(colour_variable, "")
        return Style.parse(f"bold {self.app.theme_variables.get('background', 'black')} on {colour}" if colour
                           else "bold reverse")

    def show(self, clock: str, stance: str, stance_state: str, uptrends: str, data_status: str,
             refresh: str, problem: str | None) -> None:
        """`problem` is a badge such as STALE or OFFLINE when the last live fetch failed."""
        text = Text(clock, overflow="fold")
        text.append("  ")
        text.append(f" {stance} ", style=self._badge(STANCE_COLOURS.get(stance_state, "")))
        text.append(f" {uptrends}  ")
        if problem:
            text.append(f" {problem} ", style=self._badge("error"))
            text.append(" ")
        text.append(f"{data_status} · {refresh}")
        if text.plain != self._shown:   # repaint only on change: a quiet SSH link
            self._shown = text.plain
            self.update(text)
