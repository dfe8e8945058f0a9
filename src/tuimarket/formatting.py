"""How numbers read, the same in the monitor and in the report."""

from __future__ import annotations

import math

NA = "n/a"


def known(value: float | None) -> float | None:
    """`value`, or None where it is missing or not a number at all (NaN, infinite)."""
    return value if value is not None and math.isfinite(value) else None


def price(value: float | None) -> str:
    return NA if known(value) is None else f"{value:,.2f}"


def percent(value: float | None, signed: bool = True) -> str:
    """A fraction as a percentage: signed to one decimal (+1.2%), or unsigned and whole (64%)."""
    if known(value) is None:
        return NA
    if signed:
        text = f"{value:+.1%}"
        return "+0.0%" if text == "-0.0%" else text   # a rounding artefact, not a loss
    return f"{value:.0%}"


def below_record(fraction: float | None) -> str:
    """How far a close is under its record: 'record' on a record close, otherwise always negative.

    Under 0.05% two decimals are kept, with a floor of 0.01%: a close just under its record must
    not round to '-0.0%' (or '+0.0%'), which reads as a record.
    """
    fraction = known(fraction)
    if fraction is None:
        return NA
    if fraction <= 0:
        return "record"
    return f"{-fraction:.1%}" if fraction >= 0.0005 else f"{-max(fraction, 0.0001):.2%}"


def escape_markdown(text: str) -> str:
    """Escape what markdown would otherwise interpret inside a table cell or a line."""
    for special in ("\\", "|", "*", "_", "`", "[", "]", "<", ">"):
        text = text.replace(special, "\\" + special)
    return text


def axis_number(value: float, step: float) -> str:
    """An axis label: thousands separated, with as many decimals as the tick `step` needs (at most 4)."""
    decimals = min(4, max(0, -math.floor(math.log10(step)))) if step > 0 else 2
    text = f"{value:,.{decimals}f}"
    return text.removeprefix("-") if float(text.replace(",", "")) == 0 else text   # never "-0"
