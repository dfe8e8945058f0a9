"""The user's watchlists: named groups of symbols, from config.toml and from the keyboard.

`[watchlists.NAME]` tables in config.toml name the groups and their symbols, each a ticker or a
`{ symbol, name }` table:

    [watchlists.tech]
    symbols = ["AAPL", { symbol = "MSFT", name = "Microsoft" }, "QQQ"]

config.toml stays the user's file, never rewritten: what is added and removed at run time is kept
as edits, per group, in `watchlists.json` in the user's state directory, and applied over the
configured groups (so a symbol the user later adds to config.toml simply appears). Pure: reading
and writing the file is the caller's.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from tuimarket.config import CONTROL_CHARACTERS, SYMBOL_PATTERN, ConfigError, Symbol, Watchlist

GROUP_NAME = re.compile(r"^[A-Za-z0-9_-]{1,24}$")
MAX_SYMBOLS = 1000                 # per group
MAX_NAME = 40
DEFAULT_GROUP = "watchlist"        # the group to add to when config.toml names none
EDITS_FILE = "watchlists.json"
EDITS_VERSION = 1


def read_watchlists(raw: Any, path: str) -> tuple[Watchlist, ...]:
    """The `[watchlists]` table of a config file, validated; raises ConfigError naming the key."""
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        raise ConfigError(path, "watchlists", "must be a table of [watchlists.NAME] tables")
    return tuple(_group(name, table, path) for name, table in raw.items())


def _group(name: str, table: Any, path: str) -> Watchlist:
    key = f"watchlists.{name}"
    if not GROUP_NAME.match(name):
        raise ConfigError(path, key, "a watchlist's name is letters, digits, - and _ only, at most 24")
    if not isinstance(table, dict):
        raise ConfigError(path, key, 'must be a table with symbols = ["AAPL", ...]')
    if extra := sorted(set(table) - {"symbols"}):
        raise ConfigError(path, f"{key}.{extra[0]}", "unknown key (expected symbols)")
    items = table.get("symbols", [])
    if not isinstance(items, list) or len(items) > MAX_SYMBOLS:
        raise ConfigError(path, f"{key}.symbols", f"must be a list of at most {MAX_SYMBOLS} tickers "
                                                  "or { symbol, name } tables")
    entries: list[Symbol] = []
    for i, item in enumerate(items):
        entry = _entry(item, f"{key}.symbols[{i}]", path)
        if entry.symbol in (e.symbol for e in entries):
            raise ConfigError(path, f"{key}.symbols[{i}]", f"duplicate symbol {entry.symbol!r}")
        entries.append(entry)
    return Watchlist(name, tuple(entries))


def _entry(item: Any, key: str, path: str) -> Symbol:
    if isinstance(item, str):
        item = {"symbol": item}
    if not isinstance(item, dict):
        raise ConfigError(path, key, "must be a ticker or a { symbol, name } table")
    if extra := sorted(set(item) - {"symbol", "name"}):
        raise ConfigError(path, f"{key}.{extra[0]}", "unknown key (expected symbol, name)")
    symbol = item.get("symbol")
    if not isinstance(symbol, str) or not SYMBOL_PATTERN.match(symbol):
        raise ConfigError(path, key, f"{symbol!r} is not a ticker (letters, digits and ^ . - = only, at most 15)")
    name = item.get("name", symbol)
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME:
        raise ConfigError(path, f"{key}.name", f"must be a non-empty string of at most {MAX_NAME} characters")
    if control := CONTROL_CHARACTERS.search(name):
        raise ConfigError(path, f"{key}.name", f"contains the control character U+{ord(control.group()):04X}, "
                                               "which would reach the terminal (remove it)")
    return Symbol(symbol, name.strip())


def normalise_symbol(text: str) -> str | None:
    """A symbol typed by the user, upper-cased; None when it cannot be a ticker."""
    symbol = text.strip().upper()
    return symbol if SYMBOL_PATTERN.match(symbol) else None


@dataclass
class Edits:
    """What was added to and removed from each group at run time, over config.toml's groups."""

    added: dict[str, list[str]] = field(default_factory=dict)
    removed: dict[str, list[str]] = field(default_factory=dict)

    def add(self, group: str, symbol: str) -> None:
        _drop(self.removed, group, symbol)
        if symbol not in self.added.setdefault(group, []):
            self.added[group].append(symbol)

    def remove(self, group: str, symbol: str) -> None:
        _drop(self.added, group, symbol)
        if symbol not in self.removed.setdefault(group, []):
            self.removed[group].append(symbol)

    def apply(self, configured: tuple[Watchlist, ...]) -> tuple[Watchlist, ...]:
        """The groups as the user now has them: configured ones edited, then groups made at run time."""
        groups = {group.name: list(group.symbols) for group in configured} or {DEFAULT_GROUP: []}
        for name in self.added:
            groups.setdefault(name, [])
        result = []
        for name, entries in groups.items():
            removed = set(self.removed.get(name, ()))
            kept = [entry for entry in entries if entry.symbol not in removed]
            known = {entry.symbol for entry in kept}
            kept += [Symbol(symbol, symbol) for symbol in self.added.get(name, ()) if symbol not in known]
            result.append(Watchlist(name, tuple(kept)))
        return tuple(result)

    def to_json(self) -> str:
        return json.dumps({"version": EDITS_VERSION, "added": self.added, "removed": self.removed}, indent=1)

    @classmethod
    def from_json(cls, text: str) -> Edits:
        """The edits a file holds; a damaged file, or anything in it that is not a group of
        tickers, is left out rather than trusted (the configured groups still show)."""
        try:
            raw = json.loads(text)
        except ValueError:
            return cls()
        if not isinstance(raw, dict) or raw.get("version") != EDITS_VERSION:
            return cls()
        return cls(_groups_of_symbols(raw.get("added")), _groups_of_symbols(raw.get("removed")))


def _drop(groups: dict[str, list[str]], group: str, symbol: str) -> None:
    if symbol in groups.get(group, ()):
        groups[group].remove(symbol)


def _groups_of_symbols(raw: Any) -> dict[str, list[str]]:
    if not isinstance(raw, dict):
        return {}
    return {name: [symbol for symbol in symbols if isinstance(symbol, str) and SYMBOL_PATTERN.match(symbol)]
            for name, symbols in raw.items()
            if isinstance(name, str) and GROUP_NAME.match(name) and isinstance(symbols, list)}
