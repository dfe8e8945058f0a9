"""What the keys do, said once: each action's keys, its footer label, its description and its name in
the command palette.

The app's, the dashboard's and the watchlist's BINDINGS are made from these tables; the help reads
those bindings, and the palette (ui/commands.py) lists the actions that have a command name, with the
same description and key.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.actions import parse
from textual.binding import Binding, BindingType
from textual.dom import DOMNode

WEEK_SESSIONS = 5


@dataclass(frozen=True)
class Action:
    keys: str                   # Textual's key names, comma-separated
    action: str                 # the Textual action they run, on the node whose BINDINGS hold them
    label: str                  # the footer's word for it
    description: str = ""       # the help's line and the palette's: what it does (the label when empty)
    command: str = ""           # its name in the command palette; not there when empty
    id: str | None = None
    show: bool = True           # in the footer
    aliases: str = ""           # more keys for it, never in the footer

    def bindings(self) -> list[Binding]:
        main = Binding(self.keys, self.action, self.label, show=self.show, id=self.id, tooltip=self.description)
        aliases = [Binding(self.aliases, self.action, self.label, show=False, tooltip=self.description)]
        return [main, *aliases] if self.aliases else [main]

    def available_on(self, owner: DOMNode) -> bool:
        """Whether it does something on `owner` now (what the help and the palette offer)."""
        _, name, parameters = parse(self.action)
        return owner.check_action(name, parameters) is not False


def bindings(actions: tuple[Action, ...]) -> list[BindingType]:
    return [binding for action in actions for binding in action.bindings()]


APP_ACTIONS = (
    Action("q", "quit", "Quit", id="quit"),
    Action("question_mark", "help", "Help", id="help"),
    Action("r", "refresh", "Refresh", "Refresh now: fetch new data and recompute", command="Refresh now",
           id="refresh"),
    Action("right_square_bracket", "range(1)", "Range+", "Longer chart range (3M 6M 1Y 2Y 5Y)", id="range-longer",
           aliases="plus"),
    Action("left_square_bracket", "range(-1)", "Range-", "Shorter chart range", id="range-shorter", aliases="minus"),
    Action("w", "toggle_timeframe", "Timeframe", "Daily or weekly bars", id="timeframe"),
    Action("s", "screenshot", "Screenshot", "Screenshot of the screen, saved as SVG", command="Save screenshot",
           id="screenshot"),
    Action("t", "next_theme", "Theme", "Theme: the next of the built-in themes", command="Next theme", id="theme"),
    Action("a", "alerts", "Alerts", "The alert log: mark read, mute", command="Alert log", id="alerts"),
    Action("W", "watchlists", "Watchlists", "Your watchlists, each as a table", command="Watchlists",
           id="watchlists", show=False),     # the footer is full at 120 columns
    # Stepping through a replay (--as-of); inert, and not in the help or the palette, outside one.
    Action("comma", "step(-1)", "Session-", "Replay: one session back", command="Replay: one session back",
           id="step-back"),
    Action("full_stop", "step(1)", "Session+", "Replay: one session forward", command="Replay: one session forward",
           id="step-forward"),
    Action("less_than_sign", f"step(-{WEEK_SESSIONS})", "Week-", "Replay: a week back",
           command="Replay: a week back", id="week-back", show=False),
    Action("greater_than_sign", f"step({WEEK_SESSIONS})", "Week+", "Replay: a week forward",
           command="Replay: a week forward", id="week-forward", show=False),
)

DASHBOARD_ACTIONS = (
    Action("enter", "detail", "Detail", id="detail"),
    Action("g", "rrg", "RRG", "Relative Rotation Graph of the rotation table", command="Relative Rotation Graph",
           id="rrg"),
    Action("b", "breadth", "Breadth", "Every breadth indicator of the index members", command="Market breadth",
           id="breadth"),
    Action("down,right", "move(1)", "Next", "Next panel", id="next-pane", aliases="j,l,tab"),
    Action("up,left", "move(-1)", "Previous", "Previous panel", id="previous-pane", show=False,
           aliases="k,h,shift+tab"),
    *[Action(str(n), f"goto({n - 1})", f"Panel {n}", "The panel of that number", show=False) for n in range(1, 10)],
)

WATCHLIST_ACTIONS = (
    Action("escape", "app.pop_screen", "Back", "Close the watchlist", id="watchlist-back"),
    Action("right_square_bracket", "switch(1)", "Next list", "The next watchlist", id="watchlist-next"),
    Action("left_square_bracket", "switch(-1)", "Previous list", "The previous watchlist", id="watchlist-previous",
           show=False),
    Action("n", "add", "Add", "Add a symbol to this watchlist", command="Watchlist: add a symbol",
           id="watchlist-add"),
    Action("x,delete", "remove", "Remove", "Remove the selected symbol",
           command="Watchlist: remove the selected symbol", id="watchlist-remove"),
)
