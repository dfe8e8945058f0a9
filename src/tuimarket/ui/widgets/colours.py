"""Theme variables as colours that Rich and plotext accept.

Textual's ANSI themes (ansi-dark, ansi-light) name their colours `ansi_green`, `ansi_default`,
which Rich's style parser refuses: every colour read from a theme goes through Textual's parser.
"""

from __future__ import annotations

from rich.color import Color as RichColor
from textual.app import App
from textual.color import Color

RGB = tuple[int, int, int]
PlotColour = RGB | int | str     # plotext: an RGB triple, a 256-colour number, or "default"


def theme_colour(app: App, variable: str) -> RichColor | None:
    """The theme's `variable` (`success`, `error`, ...) as a Rich colour; None if the theme has none."""
    value = app.theme_variables.get(variable)
    return Color.parse(value).rich_color if value else None


def plot_colour(app: App, variable: str, fallback: str) -> PlotColour:
    """The theme's `variable` for plotext: an ANSI theme's colours stay the terminal's own."""
    colour = Color.parse(app.theme_variables.get(variable) or fallback)
    if colour.ansi is None:
        return colour.rgb
    return "default" if colour.ansi < 0 else colour.ansi
