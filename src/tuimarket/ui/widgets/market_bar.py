"""The market bar: New York time, the exchange's state, the stance, the data's freshness.

It is one line at every width: the facts are taken the most needed first, as long as they fit,
and what does not fit is left out whole. The stance (with how old it is), a failed fetch or a
stuck refresh, the clock, unread alerts, the uptrends, the sectors' and the members' breadth
come first (below 200 columns the bar is where the members' breadth shows); then the data's
source and refresh time, and when the market opens or closes.
An old stance says how many sessions old it is; its date is on the panels.
"""

from __future__ import annotations

from typing import NamedTuple

from rich.style import Style
from rich.text import Text
from textual.widgets import Static

from tuimarket.analysis.vocabulary import Stance
from tuimarket.ui.viewmodels import MarketBarModel
from tuimarket.ui.widgets.colours import theme_colour

STANCE_COLOURS: dict[str, str] = {Stance.FULLY_INVESTED: "success", Stance.PARTIALLY_INVESTED: "warning",
                                  Stance.DEFENSIVE: "error"}
GAP = "  "          # between the bar's groups of facts


class Fact(NamedTuple):
    text: str
    rank: int                   # the lower, the sooner it is left out of a narrow bar
    group: int                  # facts of a group are joined by their `joiner`, groups by GAP
    style: Style | None = None  # a badge's
    joiner: str = " · "


class MarketBar(Static):
    model: MarketBarModel | None = None

    def on_mount(self) -> None:
        # Badge colours are read from the theme as the bar is built, so a new theme rebuilds it.
        self.app.theme_changed_signal.subscribe(self, lambda theme: self._paint())

    def on_resize(self) -> None:
        self._paint()       # what fits has changed

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
        self.set_class(bool(model.age), "-stale")
        stance_colour = "" if model.age else STANCE_COLOURS.get(model.stance_state, "")
        clock, _, next_change = model.clock.partition(", ")    # "NY Fri 08:15 CLOSED", "opens 09:30"
        stance = f" {model.stance} · {model.age} " if model.age else f" {model.stance} "
        facts = [
            Fact(clock, 8, 0),
            Fact(f", {next_change}", 1, 0, joiner="") if next_change else None,
            Fact(stance, 10, 1, self._badge(stance_colour)),
            *(Fact(part, rank, 2) for part, rank in zip(model.summary, (6, 5, 4))),    # uptrends, sectors, members
            Fact(f" {model.problem} ", 9, 3, self._badge("error")) if model.problem else None,  # STALE, OFFLINE
            Fact(f" {model.unread} unread ", 7, 4, self._badge("warning")) if model.unread else None,  # `a`: the log
            # "live · updated 08:15, next 08:16"; "refresh stuck since 08:15" is a problem
            Fact(" · ".join(filter(None, [model.data_status, model.refresh])), 9 if model.stuck else 3, 5),
        ]
        self.update(fitted([fact for fact in facts if fact and fact.text], self.content_size.width), layout=False)


def fitted(facts: list[Fact], width: int) -> Text:
    """The facts in their order, as many as fit `width` (all while it is not known yet), the
    highest ranks taken first."""
    kept: set[int] = set()
    for position in sorted(range(len(facts)), key=lambda position: -facts[position].rank):
        line = _line([fact for index, fact in enumerate(facts) if index in kept or index == position])
        if width <= 0 or line.cell_len <= width or not kept:     # the stance shows, cropped if it must
            kept.add(position)
    return _line([fact for index, fact in enumerate(facts) if index in kept])


def _line(facts: list[Fact]) -> Text:
    line = Text(no_wrap=True, overflow="crop")
    for index, fact in enumerate(facts):
        if index:
            line.append(fact.joiner if fact.group == facts[index - 1].group else GAP)
        line.append(fact.text, style=fact.style)
    return line
