"""How numbers read, the same in the monitor and in the report."""

from __future__ import annotations

NA = "n/a"


def price(value: float | None) -> str:
    return NA if value is None else f"{value:,.2f}"


def percent(value: float | None, signed: bool = True) -> str:
    """A fraction as a percentage: signed to one decimal (+1.2%), or unsigned and whole (64%)."""
    if value is None:
        return NA
    if signed:
        text = f"{value:+.1%}"
        return "+0.0%" if text == "-0.0%" else text   # a rounding artefact, not a loss
    return f"{value:.0%}"


def escape_markdown(text: str) -> str:
    """Escape what markdown would otherwise interpret inside a table cell or a line."""
    for special in ("\\", "|", "*", "_", "`", "[", "]", "<", ">"):
        text = text.replace(special, "\\" + special)
    return text
