"""The configuration: TOML validated into frozen objects.

Lookup order: `--config PATH`, then `$TUIMARKET_CONFIG`, then `config.toml` in the user config
dir, then the built-in defaults (which equal the documented `config.toml` at the repo root).
Every problem becomes one `ConfigError` naming the file, the key and what is wrong.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, TypeVar

import platformdirs

APP_NAME = "tuimarket"
Number = TypeVar("Number", int, float)
SYMBOL_PATTERN = re.compile(r"^[A-Za-z0-9^.\-=]{1,15}$")
CHART_RANGES = ("3M", "6M", "1Y", "2Y", "5Y")
SOURCES = ("auto", "yahoo", "bundled")
STANCES = ("fully_invested", "partially_invested", "defensive")
# A level rule fires on the session the close crosses its level: upward, downward, either way.
ALERT_CONDITIONS = ("above", "below", "crosses")
EVENT_KIND_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# Textual's built-in themes, named here so that reading a config never imports Textual (a test
# holds the two equal).
THEMES = ("ansi-dark", "ansi-light", "atom-one-dark", "atom-one-light", "catppuccin-frappe", "catppuccin-latte",
          "catppuccin-macchiato", "catppuccin-mocha", "dracula", "flexoki", "gruvbox", "monokai", "nord",
          "rose-pine", "rose-pine-dawn", "rose-pine-moon", "solarized-dark", "solarized-light", "textual-dark",
          "textual-light", "tokyo-night")
# C0 and C1 control characters drive the terminal (an OSC sets its title, a CSI clears the screen);
# bidi controls reorder the text shown around them. No string from the config that is shown may hold one.
CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


class ConfigError(Exception):
    """A user's configuration mistake; `str()` is the one line to print."""

    def __init__(self, path: str, key: str, problem: str) -> None:
        super().__init__(f"{path}: {key}: {problem}" if key else f"{path}: {problem}")
        self.path, self.key, self.problem = path, key, problem


@dataclass(frozen=True)
class Symbol:
    symbol: str
    name: str


@dataclass(frozen=True)
class Watchlist:
    """A named group of the user's symbols ([watchlists.NAME]; read by tuimarket.watchlists)."""

    name: str
    symbols: tuple[Symbol, ...]

    def __contains__(self, symbol: str) -> bool:
        return any(entry.symbol == symbol for entry in self.symbols)


@dataclass(frozen=True)
class MacdSettings:
    fast: int = 12
    slow: int = 26
    signal: int = 9


@dataclass(frozen=True)
class AnalysisSettings:
    sma_periods: tuple[int, ...] = (50, 100, 200)
    slope_lookback: int = 10
    swing_window: int = 5
    swing_count: int = 4
    level_tolerance: float = 0.015
    level_min_touches: int = 2
    level_lookback: int = 5000
    retest_away: float = 0.03
    rs_average: int = 50
    rs_minor_reversal: float = 0.1
    rs_major_reversal: float = 0.2
    trend_floor_swings: int = 4
    confirm_band: float = 0.05
    macd: MacdSettings = MacdSettings()


@dataclass(frozen=True)
class RegimeSettings:
    full_min_uptrends: int = 2
    full_min_breadth: float = 0.5
    defensive_max_uptrends: int = 0
    defensive_below_breadth: float = 0.3
    breadth_keeps_invested: float = 0.7
    confirm_sessions: int = 10


@dataclass(frozen=True)
class ChartSettings:
    range: str = "1Y"


@dataclass(frozen=True)
class RrgSettings:
    tail: int = 8            # weekly positions drawn behind each symbol
    window: int = 14         # weeks RS-Ratio and RS-Momentum are standardised over


@dataclass(frozen=True)
class RefreshSettings:
    open_seconds: int = 60
    closed_seconds: int = 1800
    timeout_seconds: int = 120      # a refresh running longer is given up as stuck


@dataclass(frozen=True)
class DataSettings:
    source: str = "auto"
    cache_dir: str = ""
    history_years: int = 12


@dataclass(frozen=True)
class BreadthSettings:
    enabled: bool = True
    members: str = "bundled"   # "bundled" (S&P 500 members shipped with tuimarket) or a CSV file's path


@dataclass(frozen=True)
class UiSettings:
    theme: str = "textual-dark"
    bell: bool = False
    screenshot_dir: str = ""


@dataclass(frozen=True)
class AlertRule:
    """"^GSPC closes above 6000", "^RUT closes below its 200-day average": one of level, average."""

    symbol: str
    condition: str                  # one of ALERT_CONDITIONS
    level: float | None = None
    average: int | None = None      # the period of a simple moving average


@dataclass(frozen=True)
class AlertSink:
    """Where alerts go besides the screen: an apprise URL or a command (an argv, never a shell)."""

    url: str = ""
    command: tuple[str, ...] = ()
    cooldown_seconds: int = 0       # at most one delivery this often (0: no cooldown)
    daily_cap: int = 0              # at most this many deliveries a day (0: no cap)


@dataclass(frozen=True)
class AlertSettings:
    bell: bool = False              # the headless watcher rings the terminal bell (stdout a tty)
    events: tuple[str, ...] = ("all",)   # the analysis' event kinds that alert; ["all"], or none: []
    rules: tuple[AlertRule, ...] = ()
    sinks: tuple[AlertSink, ...] = ()


DEFAULT_INDEXES = (
    Symbol("^GSPC", "S&P 500"),
    Symbol("^NDX", "Nasdaq 100"),
    Symbol("^RUT", "Russell 2000"),
)
DEFAULT_SECTORS = (
    Symbol("XLK", "Technology"),
    Symbol("XLF", "Financials"),
    Symbol("XLV", "Health Care"),
    Symbol("XLE", "Energy"),
    Symbol("XLI", "Industrials"),
    Symbol("XLY", "Consumer Discretionary"),
    Symbol("XLP", "Consumer Staples"),
    Symbol("XLU", "Utilities"),
    Symbol("XLB", "Materials"),
    Symbol("XLRE", "Real Estate"),
    Symbol("XLC", "Communication Services"),
)


@dataclass(frozen=True)
class RotationSettings:
    include_indexes: bool = True
    symbols: tuple[Symbol, ...] = DEFAULT_SECTORS


@dataclass(frozen=True)
class Config:
    benchmark: str = "^GSPC"
    indexes: tuple[Symbol, ...] = DEFAULT_INDEXES
    rotation: RotationSettings = RotationSettings()
    analysis: AnalysisSettings = AnalysisSettings()
    regime: RegimeSettings = RegimeSettings()
    chart: ChartSettings = ChartSettings()
    rrg: RrgSettings = RrgSettings()
    refresh: RefreshSettings = RefreshSettings()
    data: DataSettings = DataSettings()
    breadth: BreadthSettings = BreadthSettings()
    ui: UiSettings = UiSettings()
    alerts: AlertSettings = AlertSettings()
    watchlists: tuple[Watchlist, ...] = ()
    path: str = field(default="(defaults)", compare=False)

    @property
    def rotation_universe(self) -> tuple[Symbol, ...]:
        """The symbols ranked against the benchmark, indexes first when included (never the benchmark)."""
        members = (self.indexes if self.rotation.include_indexes else ()) + self.rotation.symbols
        return tuple(s for s in members if s.symbol != self.benchmark)

    @property
    def all_symbols(self) -> tuple[str, ...]:
        """Every symbol the monitor needs, each once, in display order."""
        ordered = [s.symbol for s in self.indexes] + [self.benchmark]
        ordered += [s.symbol for s in self.rotation.symbols]
        return tuple(dict.fromkeys(ordered))

    def name_of(self, symbol: str) -> str:
        for entry in self.indexes + self.rotation.symbols:
            if entry.symbol == symbol:
                return entry.name
        return symbol

    @property
    def cache_dir(self) -> Path:
        if override := os.environ.get("TUIMARKET_CACHE_DIR"):
            return Path(override).expanduser()
        if self.data.cache_dir:
            return Path(self.data.cache_dir).expanduser()
        return Path(platformdirs.user_cache_dir(APP_NAME))

    @property
    def screenshot_dir(self) -> Path:
        """Never the current directory (a git checkout, say): the user's pictures, else their data dir."""
        if self.ui.screenshot_dir:
            return Path(self.ui.screenshot_dir).expanduser()
        pictures = Path(platformdirs.user_pictures_dir())
        if pictures.is_dir():
            return pictures / APP_NAME
        return Path(platformdirs.user_data_dir(APP_NAME)) / "screenshots"


# Numeric bounds per dotted key: (lowest, highest), both inclusive.
RANGES: dict[str, tuple[float, float]] = {
    "analysis.sma_periods": (2, 400),
    "analysis.slope_lookback": (1, 100),
    "analysis.swing_window": (1, 50),
    "analysis.swing_count": (2, 20),
    "analysis.level_tolerance": (0.0001, 0.2),
    "analysis.level_min_touches": (2, 10),
    "analysis.level_lookback": (20, 5000),
    "analysis.retest_away": (0.001, 0.5),
    "analysis.rs_average": (2, 400),
    "analysis.rs_minor_reversal": (0.01, 0.5),
    "analysis.rs_major_reversal": (0.01, 0.9),
    "analysis.trend_floor_swings": (1, 20),
    "analysis.confirm_band": (0.0, 0.2),
    "analysis.macd.fast": (1, 200),
    "analysis.macd.slow": (2, 400),
    "analysis.macd.signal": (1, 200),
    "regime.full_min_uptrends": (1, 50),
    "regime.full_min_breadth": (0.0, 1.0),
    "regime.defensive_max_uptrends": (0, 50),
    "regime.defensive_below_breadth": (0.0, 1.0),
    "regime.breadth_keeps_invested": (0.0, 1.0),
    "regime.confirm_sessions": (1, 60),
    "rrg.tail": (4, 16),
    "rrg.window": (5, 52),
    "refresh.open_seconds": (10, 3600),
    "refresh.closed_seconds": (60, 86400),
    "refresh.timeout_seconds": (10, 3600),
    "data.history_years": (2, 40),
    "alerts.rules.level": (1e-9, 1e9),
    "alerts.rules.average": (2, 400),
    "alerts.sinks.cooldown_seconds": (0, 86400),
    "alerts.sinks.daily_cap": (0, 10000),
}
CHOICES: dict[str, tuple[str, ...]] = {
    "chart.range": CHART_RANGES,
    "data.source": SOURCES,
    "ui.theme": THEMES,
}


class _Reader:
    """Turns one parsed TOML document into a Config, failing on the first problem."""

    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, key: str, problem: str) -> ConfigError:
        return ConfigError(self.path, key, problem)

    def section(self, cls: type, raw: Any, prefix: str) -> Any:
        if not isinstance(raw, dict):
            raise self.fail(prefix, f"must be a table, got {_describe(raw)}")
        known = {f.name: f for f in fields(cls) if f.name != "path"}
        for key in raw:
            if key not in known:
                raise self.fail(_join(prefix, key), f"unknown key (expected one of: {', '.join(known)})")
        values = {}
        for name, spec in known.items():
            if name in raw:
                values[name] = self.value(spec.default, raw[name], _join(prefix, name))
        return cls(**values)

    def value(self, default: Any, raw: Any, key: str) -> Any:
        if key in ("indexes", "rotation.symbols"):
            return self.symbols(raw, key)
        if key == "alerts.events":
            return self.event_kinds(raw, key)
        if key == "alerts.rules":
            return tuple(self.alert_rule(item, f"{key}[{i}]") for i, item in enumerate(self.tables(raw, key)))
        if key == "alerts.sinks":
            return tuple(self.alert_sink(item, f"{key}[{i}]") for i, item in enumerate(self.tables(raw, key)))
        if hasattr(default, "__dataclass_fields__"):
            return self.section(type(default), raw, key)
        if isinstance(default, bool):
            if not isinstance(raw, bool):
                raise self.fail(key, f"must be true or false, got {_describe(raw)}")
            return raw
        if isinstance(default, tuple):
            return self.int_list(raw, key)
        if isinstance(default, (int, float)):
            return self.number(raw, key, float if isinstance(default, float) else int)
        if not isinstance(raw, str):
            raise self.fail(key, f"must be a string, got {_describe(raw)}")
        self.check_displayable(raw, key)
        if key in CHOICES and raw not in CHOICES[key]:
            raise self.fail(key, f"must be one of {', '.join(CHOICES[key])}, got {raw!r}")
        if key == "benchmark":
            self.check_symbol(raw, key)
        if key == "breadth.members" and (not raw.strip() or not raw.isprintable()):
            raise self.fail(key, 'must be "bundled" or the path of a CSV file of members')
        return raw

    def number(self, raw: Any, key: str, kind: type[Number], bounds: str = "") -> Number:
        """`bounds` names the RANGES entry when `key` is an item's ("alerts.sinks[0].daily_cap")."""
        wanted = "an integer" if kind is int else "a number"
        ok = isinstance(raw, int) if kind is int else isinstance(raw, (int, float))
        if isinstance(raw, bool) or not ok:
            raise self.fail(key, f"must be {wanted}, got {_describe(raw)}")
        low, high = RANGES[bounds or key]
        if not low <= raw <= high:
            raise self.fail(key, f"must be from {_num(low)} to {_num(high)}, got {_num(raw)}")
        return kind(raw)

    def int_list(self, raw: Any, key: str) -> tuple[int, ...]:
        if not isinstance(raw, list) or not raw:
            raise self.fail(key, f"must be a non-empty list of integers, got {_describe(raw)}")
        values = tuple(self.number(item, key, int) for item in raw)
        if len(set(values)) != len(values):
            raise self.fail(key, f"has a duplicate period in {list(values)}")
        return tuple(sorted(values))

    def symbols(self, raw: Any, key: str) -> tuple[Symbol, ...]:
        if not isinstance(raw, list) or not raw:
            raise self.fail(key, f"must be a non-empty list of {{ symbol, name }} tables, got {_describe(raw)}")
        entries: list[Symbol] = []
        for i, item in enumerate(raw):
            where = f"{key}[{i}]"
            if not isinstance(item, dict):
                raise self.fail(where, f"must be a table with symbol and name, got {_describe(item)}")
            extra = set(item) - {"symbol", "name"}
            if extra:
                raise self.fail(f"{where}.{sorted(extra)[0]}", "unknown key (expected symbol, name)")
            symbol = item.get("symbol")
            if not isinstance(symbol, str):
                raise self.fail(f"{where}.symbol", f"must be a string, got {_describe(symbol)}")
            self.check_symbol(symbol, f"{where}.symbol")
            name = item.get("name", symbol)
            if not isinstance(name, str) or not name.strip() or len(name) > 40:
                raise self.fail(f"{where}.name", "must be a non-empty string of at most 40 characters")
            self.check_displayable(name, f"{where}.name")
            if any(e.symbol == symbol for e in entries):
                raise self.fail(f"{where}.symbol", f"duplicate symbol {symbol!r}")
            entries.append(Symbol(symbol, name.strip()))
        return tuple(entries)

    def tables(self, raw: Any, key: str) -> list[dict]:
        if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
            raise self.fail(key, f"must be a list of tables ([[{key}]]), got {_describe(raw)}")
        return raw

    def only_keys(self, item: dict, where: str, allowed: tuple[str, ...]) -> None:
        if extra := sorted(set(item) - set(allowed)):
            raise self.fail(f"{where}.{extra[0]}", f"unknown key (expected one of: {', '.join(allowed)})")

    def one_of(self, item: dict, where: str, choices: tuple[str, str]) -> str:
        given = [name for name in choices if name in item]
        if len(given) != 1:
            raise self.fail(where, f"must have exactly one of {' or '.join(choices)}")
        return given[0]

    def event_kinds(self, raw: Any, key: str) -> tuple[str, ...]:
        """Names only: which kinds exist is the analysis' to say, checked when the watcher starts."""
        if not isinstance(raw, list) or not all(isinstance(name, str) for name in raw):
            raise self.fail(key, f"must be a list of event kinds, [\"all\"] or [], got {_describe(raw)}")
        for name in raw:
            if not EVENT_KIND_PATTERN.match(name):
                raise self.fail(key, f"{name!r} is not an event kind (lower-case words joined by _)")
        if "all" in raw and len(raw) > 1:
            raise self.fail(key, "\"all\" stands alone: it already names every kind")
        return tuple(dict.fromkeys(raw))

    def alert_rule(self, item: dict, where: str) -> AlertRule:
        self.only_keys(item, where, ("symbol", "condition", "level", "average"))
        symbol = item.get("symbol")
        if not isinstance(symbol, str):
            raise self.fail(f"{where}.symbol", f"must be a string, got {_describe(symbol)}")
        self.check_symbol(symbol, f"{where}.symbol")
        condition = item.get("condition")
        if condition not in ALERT_CONDITIONS:
            raise self.fail(f"{where}.condition",
                            f"must be one of {', '.join(ALERT_CONDITIONS)}, got {_describe(condition)}")
        target = self.one_of(item, where, ("level", "average"))
        if target == "level":
            return AlertRule(symbol, condition, level=self.number(item[target], f"{where}.level", float,
                                                                  "alerts.rules.level"))
        return AlertRule(symbol, condition, average=self.number(item[target], f"{where}.average", int,
                                                                "alerts.rules.average"))

    def alert_sink(self, item: dict, where: str) -> AlertSink:
        self.only_keys(item, where, ("url", "command", "cooldown_seconds", "daily_cap"))
        cooldown, cap = (self.number(item[name], f"{where}.{name}", int, f"alerts.sinks.{name}") if name in item
                         else 0 for name in ("cooldown_seconds", "daily_cap"))   # 0: none, as AlertSink's defaults
        if self.one_of(item, where, ("url", "command")) == "url":
            url = item["url"]
            if not isinstance(url, str) or not url.strip():
                raise self.fail(f"{where}.url", f"must be a non-empty string, got {_describe(url)}")
            self.check_displayable(url, f"{where}.url")
            return AlertSink(url=url, cooldown_seconds=cooldown, daily_cap=cap)
        command = item["command"]
        if not isinstance(command, list) or not command or not all(isinstance(arg, str) for arg in command):
            raise self.fail(f"{where}.command", "must be a non-empty list of strings (the program, then "
                                                f"its arguments; no shell), got {_describe(command)}")
        for arg in command:
            self.check_displayable(arg, f"{where}.command")
        return AlertSink(command=tuple(command), cooldown_seconds=cooldown, daily_cap=cap)

    def check_displayable(self, text: str, key: str) -> None:
        if control := CONTROL_CHARACTERS.search(text):
            raise self.fail(key, f"contains the control character U+{ord(control.group()):04X}, "
                                 "which would reach the terminal (remove it)")

    def check_symbol(self, symbol: str, key: str) -> None:
        if not SYMBOL_PATTERN.match(symbol):
            raise self.fail(key, f"{symbol!r} is not a ticker (letters, digits and ^ . - = only, at most 15)")


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _num(value: float) -> str:
    return f"{value:g}"


def _describe(raw: Any) -> str:
    kind = {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
            list: "a list", dict: "a table"}.get(type(raw), type(raw).__name__)
    shown = repr(raw)
    return f"{kind} {shown}" if len(shown) <= 30 and not isinstance(raw, (list, dict)) else kind


def parse(text: str, path: str = "config.toml") -> Config:
    """Validate TOML text into a Config; raises ConfigError."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, "", f"TOML syntax error: {exc}") from None
    reader = _Reader(path)
    watchlist_tables = raw.pop("watchlists", None)
    config = reader.section(Config, raw, "")
    _check_consistency(config, reader)
    from tuimarket.watchlists import read_watchlists   # here: that module builds on this one

    return _with_path(replace(config, watchlists=read_watchlists(watchlist_tables, path)), path)


def _check_consistency(config: Config, reader: _Reader) -> None:
    macd = config.analysis.macd
    if macd.fast >= macd.slow:
        raise reader.fail("analysis.macd.fast", f"must be below analysis.macd.slow ({macd.slow}), got {macd.fast}")
    analysis = config.analysis
    if analysis.rs_minor_reversal >= analysis.rs_major_reversal:
        raise reader.fail("analysis.rs_minor_reversal", f"must be below analysis.rs_major_reversal "
                          f"({_num(analysis.rs_major_reversal)}), got {_num(analysis.rs_minor_reversal)}")
    regime = config.regime
    if regime.defensive_max_uptrends >= regime.full_min_uptrends:
        raise reader.fail("regime.defensive_max_uptrends",
                          f"must be below regime.full_min_uptrends ({regime.full_min_uptrends}), "
                          f"got {regime.defensive_max_uptrends}")
    for i, rule in enumerate(config.alerts.rules):
        if rule.symbol not in config.all_symbols:
            raise reader.fail(f"alerts.rules[{i}].symbol", f"{rule.symbol!r} is not a configured symbol "
                              f"(one of: {', '.join(config.all_symbols)})")
    index_symbols = {s.symbol for s in config.indexes}
    for i, entry in enumerate(config.rotation.symbols):
        if config.rotation.include_indexes and entry.symbol in index_symbols:
            raise reader.fail(f"rotation.symbols[{i}].symbol",
                              f"duplicate symbol {entry.symbol!r}: it is already one of the indexes")


def _with_path(config: Config, path: str) -> Config:
    values = {f.name: getattr(config, f.name) for f in fields(config)}
    values["path"] = path
    return Config(**values)


def load(path: str | os.PathLike[str] | None = None) -> Config:
    """Find and load the configuration, following the documented lookup order."""
    candidate = path or os.environ.get("TUIMARKET_CONFIG")
    explicit = candidate is not None
    if candidate is None:
        user_file = Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"
        if not user_file.is_file():
            return Config()
        candidate = user_file
    file = Path(candidate).expanduser()
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(str(file), "", "no such file") from None
    except IsADirectoryError:
        raise ConfigError(str(file), "", "is a directory, not a file") from None
    except UnicodeDecodeError:
        raise ConfigError(str(file), "", "is not UTF-8 text") from None
    except OSError as exc:
        raise ConfigError(str(file), "", exc.strerror or "cannot be read") from None
    return parse(text, str(file))
