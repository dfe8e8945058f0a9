"""What changed, in words: events as short labels and as a technician's sentences.

Sentences carry their dates and distances ("The Russell 2000 broke out above 2,286.53 on
2024-11-06, resistance formed by the highs of 2021-12-08, 2022-01-04, 2024-07-17, 2024-07-31 and
2024-10-16; it is 4.1% above that level") and come in the order of `EventKind.importance`, the
newest first within a kind.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Iterable, Mapping

from tuimarket.analysis.commentary import formation_words
from tuimarket.analysis.events import MARKET, Event, EventKind
from tuimarket.analysis.results import Changes
from tuimarket.analysis.vocabulary import MacdSide
from tuimarket.formatting import price

PROVISIONAL = " (provisional: the session is still open)"
WINDOWS = ("week", "month")


def changes_since(events: Iterable[Event], as_of: date, since: date | str,
                  last_closes: Mapping[str, float] | None = None) -> Changes:
    """The events dated from `since` (a date, or "week" or "month" before `as_of`) to `as_of`."""
    title, first = window(as_of, since)
    return Changes(title, first, tuple(event for event in events if first <= event.date <= as_of), last_closes or {})


def window(as_of: date, since: date | str) -> tuple[str, date]:
    """The title and the first date of the window `since` ("week", "month" or a date) up to `as_of`."""
    if since == "week":
        return "Since last week", as_of - timedelta(days=6)
    if since == "month":
        year, month = (as_of.year, as_of.month - 1) if as_of.month > 1 else (as_of.year - 1, 12)
        a_month_before = date(year, month, min(as_of.day, calendar.monthrange(year, month)[1]))
        return "Since last month", a_month_before + timedelta(days=1)
    assert isinstance(since, date)
    return f"Since {since}", since


HORIZONS = {"short": "over its 50-session average", "medium": "on the medium view", "long": "on the long view"}


def label(event: Event) -> str:
    """A few words for a list: 'MACD buy', 'above 50-day', 'breakout above 2,286.53'."""
    kind = event.kind
    if kind in (EventKind.ABOVE_AVERAGE, EventKind.BELOW_AVERAGE):
        return f"{kind.words.split()[0]} {event.subject}-day"
    if kind in (EventKind.AVERAGE_UP, EventKind.AVERAGE_DOWN):
        return f"{event.subject}-day {kind.words.removeprefix('average ')}"
    if kind in (EventKind.BREAKOUT, EventKind.BREAKDOWN):
        return f"{kind.words} {'above' if kind is EventKind.BREAKOUT else 'below'} {price(event.value)}"
    if kind in (EventKind.RETEST_HELD, EventKind.RETEST_FAILED):
        return f"{kind.words} at {price(event.value)}"
    if kind in (EventKind.RS_UP, EventKind.RS_DOWN):
        return f"{kind.words} ({event.subject})"
    if kind in (EventKind.STANCE_CHANGED, EventKind.QUADRANT_CHANGED):
        what = "stance" if kind is EventKind.STANCE_CHANGED else "rotation"
        return f"{what}: {_words(event.previous)} → {_words(event.state)}"
    return kind.words


def ordered(events: Iterable[Event]) -> list[Event]:
    """Most important kind first, the newest first within a kind."""
    return sorted(events, key=lambda event: (event.kind.importance, -event.date.toordinal(), event.symbol))


def sentence(event: Event, name: str, benchmark_name: str, last_close: float | None = None) -> str:
    """One sentence about `event` of the symbol called `name`; with `last_close`, how far price is now."""
    kind, day, the = event.kind, event.date, subject_name(event.symbol, name)
    then = f" at {price(event.close)}"
    level = price(event.value)
    match kind:
        case EventKind.STANCE_CHANGED:
            text = f"The stance changed from {_words(event.previous)} to {_words(event.state)} on {day}"
        case EventKind.UPTREND_CONFIRMED:
            text = f"{the} entered a confirmed uptrend on {day}{then}"
        case EventKind.UPTREND_LOST:
            text = f"{the} lost its confirmed uptrend on {day}{then} (now {event.state})"
        case EventKind.BREAKOUT | EventKind.BREAKDOWN:
            way, side = ("out above", "resistance") if kind is EventKind.BREAKOUT else ("down below", "support")
            formed = formation_words(event.formed_by, day) if event.formed_by else ""
            text = f"{the} broke {way} {level} on {day}, {side} formed by {formed or 'earlier swings'}"
            return _end(text + _level_distance(event, last_close), event)
        case EventKind.RETEST_HELD:
            way = "above" if event.subject == "above" else "below"
            text = (f"{the} held a retest of {level} on {day}, the level it broke {way} on {event.since}"
                    f"{_level_distance(event, last_close)}")
            return _end(text, event)
        case EventKind.RETEST_FAILED:
            way, back = ("above", "below") if event.subject == "above" else ("below", "above")
            text = f"{the} closed back {back} {level} on {day}, failing the break {way} it on {event.since}"
            return _end(text + _level_distance(event, last_close), event)
        case EventKind.RECORD_CLOSE:
            text = f"{the} closed at a record {price(event.close)} on {day}, its first since {event.since}"
        case EventKind.YEAR_LOW:
            text = f"{the} closed at a 52-week low of {price(event.close)} on {day}"
        case EventKind.MACD_BUY | EventKind.MACD_SELL:
            side = MacdSide.BUY if kind is EventKind.MACD_BUY else MacdSide.SELL
            text = f"{the}'s MACD crossed to a {side} signal on {day}{then}"
        case EventKind.MOMENTUM_UP | EventKind.MOMENTUM_DOWN:
            text = f"{the}'s MACD momentum turned {'up' if kind is EventKind.MOMENTUM_UP else 'down'} on {day}{then}"
        case EventKind.GOLDEN_CROSS | EventKind.DEATH_CROSS:
            short, long = event.subject.split("/")
            way, called = ("above", "golden") if kind is EventKind.GOLDEN_CROSS else ("below", "death")
            text = f"{the}'s {short}-day average crossed {way} its {long}-day on {day} (a {called} cross)"
        case EventKind.ABOVE_AVERAGE | EventKind.BELOW_AVERAGE:
            way = "above" if kind is EventKind.ABOVE_AVERAGE else "below"
            text = f"{the} crossed {way} its {event.subject}-day average ({level}) on {day}{then}"
        case EventKind.AVERAGE_UP | EventKind.AVERAGE_DOWN:
            text = f"{the}'s {event.subject}-day average turned {'up' if kind is EventKind.AVERAGE_UP else 'down'} on {day}"
        case EventKind.RS_UP | EventKind.RS_DOWN:
            way = "up" if kind is EventKind.RS_UP else "down"
            turn = f", from its {'low' if way == 'up' else 'high'} of {event.since}" if event.since else ""
            text = (f"{the}'s relative strength against the {benchmark_name} turned {way} "
                    f"{HORIZONS.get(event.subject, event.subject)} on {day}{turn}")
        case EventKind.BREADTH_DIVERGENCE:
            text = (f"The {benchmark_name} closed at a record {price(event.close)} on {day} with only "
                    f"{event.value:.0%} of its members above their 50-day average, and falling (a breadth divergence)")
        case EventKind.BREADTH_THRUST:
            text = (f"Breadth thrust on {day}: the 10-day average share of advancing members reached "
                    f"{event.value:.1%} within 10 sessions of being under 40%")
        case _:
            text = (f"{the} moved from {_words(event.previous)} to {_words(event.state)} on the rotation graph "
                    f"in the week to {day}")
    return _end(text + _distance(event, last_close), event)


def sentences(events: Iterable[Event], names: Mapping[str, str], benchmark_name: str,
              last_closes: Mapping[str, float | None]) -> list[str]:
    """`sentence` of each event, in `ordered` order."""
    return [sentence(event, names.get(event.symbol, event.symbol), benchmark_name, last_closes.get(event.symbol))
            for event in ordered(events)]


def subject_name(symbol: str, name: str) -> str:
    """'The S&P 500' for an index, 'Energy (XLE)' for a fund, the symbol when it has no name."""
    if name == symbol:
        return symbol
    return f"The {name}" if symbol.startswith("^") else f"{name} ({symbol})"


def _distance(event: Event, last_close: float | None) -> str:
    if last_close is None or event.symbol == MARKET or last_close == event.close:
        return ""
    return f"; {last_close / event.close - 1:+.1%} since"


def _level_distance(event: Event, last_close: float | None) -> str:
    if last_close is None or event.value is None:
        return ""
    gap = last_close / event.value - 1
    return f"; it is {abs(gap):.1%} {'above' if gap >= 0 else 'below'} that level"


def _end(text: str, event: Event) -> str:
    return text + (PROVISIONAL if not event.final else "") + "."


def _words(state: str | None) -> str:
    return (state or "unknown").replace("_", " ")
