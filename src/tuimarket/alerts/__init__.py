"""Alerts: the changes a user asked to be told about, stored once and delivered beyond the screen.

An `Alert` is what every source produces (the analysis' events, the user's level rules) and what
the store, the sinks and the watcher handle; none of them needs to know which source made it.
The package sits just above config in the layers: the analysis makes alerts, data stores them,
so it imports neither (`from_event` reads an event by its attributes). Nothing here imports
Textual: the headless watcher runs where there is no terminal.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Callable, Iterable, Mapping

# What an event's `value` is, by kind, where it is not a price level (a broken resistance, an average).
VALUE_NAMES = {"macd_buy": "MACD histogram", "macd_sell": "MACD histogram", "momentum_up": "MACD histogram",
               "momentum_down": "MACD histogram", "rs_up": "RS ratio", "rs_down": "RS ratio",
               "quadrant_changed": "RS ratio", "breadth_divergence": "share of members above their 50-day",
               "breadth_thrust": "10-day share of advancing members"}
SHARE_KINDS = frozenset({"breadth_divergence", "breadth_thrust"})    # their value is a share of members: 0.57 is 57%


@dataclass(frozen=True)
class Alert:
    key: str              # symbol|kind[/subject]|date|rule version: the store's identity, one alert per key
    symbol: str
    kind: str             # the family a user mutes: "macd_buy", "close_above"
    date: date            # the session it happened on
    title: str            # one line: "S&P 500 closed above 6,000"
    body: str             # the numbers behind it
    fields: Mapping[str, Any] = field(default_factory=dict, hash=False)   # for JSON and a command's env
    final: bool = True    # False on a session still forming: never stored, never announced
    subject: str = ""     # which one of its kind: "6000", "200-day average"; the newest per
                          # symbol, kind and subject is what a gap announces
    replay: bool = False  # emitted by `watch --replay`: what would have fired, not news

    @property
    def series(self) -> tuple[str, str, str]:
        """Alerts of one series supersede each other: after a gap only the newest is announced."""
        return self.symbol, self.kind, self.subject

    def as_replay(self) -> Alert:
        return replace(self, replay=True, title=f"[replay] {self.title}")

    def as_fields(self) -> dict[str, Any]:
        """Everything a sink passes on: JSON lines, a webhook, a command's environment."""
        return {"key": self.key, "symbol": self.symbol, "kind": self.kind, "subject": self.subject,
                "date": self.date.isoformat(), "title": self.title, "body": self.body, "final": self.final,
                "replay": self.replay, **self.fields}


def from_event(event: Any, name_of: Callable[[str], str]) -> Alert:
    """The alert of one `tuimarket.analysis.events.Event` (written against its interface: symbol,
    kind (an enum with `value` and `words`), subject, date, close, value, state, final, key).

    Duck-typed, so the alert layer does not depend on the analysis module being present.
    """
    kind = event.kind.value
    what = event_words(event)
    body = f"close {event.close:,.2f} on {event.date.isoformat()}"
    if event.value is not None:
        shown = f"{event.value:.0%}" if kind in SHARE_KINDS else f"{event.value:,.2f}"
        body += f"; {VALUE_NAMES.get(kind, 'level')} {shown}"
    fields = {"close": event.close, "value": event.value, "state": event.state}
    return Alert(key=event.key, symbol=event.symbol, kind=kind, date=event.date,
                 title=f"{name_of(event.symbol)}: {what}", body=body,
                 fields={name: value for name, value in fields.items() if value is not None},
                 final=event.final, subject=event.subject)


def event_words(event: Any) -> str:
    """What happened, in words: "MACD buy", "above average (200)", "quadrant changed: leading"."""
    words = f"{event.kind.words} ({event.subject})" if event.subject else event.kind.words
    return f"{words}: {event.state}" if event.state else words


def newest_per_series(alerts: Iterable[Alert]) -> list[Alert]:
    """The newest alert of each series, in date order (then as given)."""
    newest: dict[tuple[str, str, str], Alert] = {}
    for alert in alerts:
        if alert.series not in newest or alert.date >= newest[alert.series].date:
            newest[alert.series] = alert
    return sorted(newest.values(), key=lambda alert: alert.date)
