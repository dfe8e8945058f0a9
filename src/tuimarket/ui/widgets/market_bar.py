"""The market bar: New York time, the exchange's state, the stance, the data's freshness."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.widgets import Static

from tuimarket.analysis.vocabulary import Stance
from tuimarket.ui.viewmodels import MarketBarModel
from tuimarket.ui.widgets.colours import theme_colour

STANCE_COLOURS: dict[str, str] = {Stance.FULLY_INVESTED: "success", Stance.PARTIALLY_INVESTED: "warning",
                                  Stance.DEFENSIVE: "error"}


class MarketBar(Static):
    model: MarketBarModel | None = None

    def on_mount(self) -> None:
        # Badge colours are read from the theme as the bar is built, so a new theme rebuilds it.
        self.app.theme_changed_signal.subscribe(self, lambda theme: self._paint())

    def _badge(self, colour_variable: str) -> Style:
        # Reversed, so a badge stays a badge in every theme and without colour (NO_COLOR).
        return Style(bold=True, reverse=True, color=theme_colour(self.app, colour_variable))

    def show(self, model: MarketBarModel) -> None:
        if model != self.model:   # repaint only on change: a quiet SSH link
            self.model = model
            self._paint()

    def _paint(self) -> None:
        model = self.model
        if model is None:
            return
        # An old stance is no call for today: it says how old it is, in the muted colour of -stale.
        self.set_class(bool(model.freshness), "-stale")
        stance_colour = "" if model.freshness else STANCE_COLOURS.get(model.stance_state, "")
        text = Text(model.clock, overflow="fold")
        text.append("  ")
        stance = f"{model.stance} {model.freshness}" if model.freshness else model.stance
        text.append(f" {stance} ", style=self._badge(stance_colour))
        text.append(f" {model.summary}  ")
        if model.problem:   # STALE or OFFLINE: the last live fetch failed
            text.append(f" {model.problem} ", style=self._badge("error"))
            text.append(" ")
        if model.unread:   # the alert log's unread count: `a` opens it
            text.append(f" {model.unread} unread ", style=self._badge("warning"))
            text.append(" ")
        text.append(f"{model.data_status} · {model.refresh}")
        self.update(text)
