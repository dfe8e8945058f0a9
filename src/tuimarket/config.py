"""The configuration: TOML read through a declared schema into frozen objects.

Lookup order: `--config PATH`, then `$TUIMARKET_CONFIG`, then `config.toml` in the user config
dir, then the built-in defaults (which equal the documented `config.toml` at the repo root).

The dataclasses below are the schema: each key's type, bounds, choices and one line of what it
does, read by msgspec (types and bounds), by the check for unknown keys ("did you mean"), and by
`reference()`, which writes README's configuration reference (`python -m tuimarket.config
--reference`; a test holds the two equal). What no type can say (fast below slow, a symbol
listed twice) is checked after, in `_check_consistency`. Every problem becomes one `ConfigError`
naming the file, the key and what is wrong.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import sys
import tomllib
import types
import typing
from dataclasses import MISSING, dataclass, field, fields, is_dataclass, replace
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec
import platformdirs
from msgspec import Meta

APP_NAME = "tuimarket"
# \A and \Z, not ^ and $: "$" also matches before a final newline.
SYMBOL_PATTERN = re.compile(r"\A[A-Za-z0-9^.\-=]{1,15}\Z")
EVENT_KIND_PATTERN = re.compile(r"\A[a-z][a-z0-9_]{0,39}\Z")
# C0 and C1 control characters drive the terminal (an OSC sets its title, a CSI clears the screen);
# bidi controls reorder the text shown around them. No string from the config that is shown may hold one.
_CONTROLS = "\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
CONTROL_CHARACTERS = re.compile(f"[{_CONTROLS}]")

ChartRange = Literal["3M", "6M", "1Y", "2Y", "5Y"]
Source = Literal["auto", "yahoo", "bundled"]
AlertCondition = Literal["above", "below", "crosses"]   # the close crossing upward, downward, either way
# Textual's built-in themes, named here so that reading a config never imports Textual (a test
# holds the two equal).
Theme = Literal["ansi-dark", "ansi-light", "atom-one-dark", "atom-one-light", "catppuccin-frappe", "catppuccin-latte",
                "catppuccin-macchiato", "catppuccin-mocha", "dracula", "flexoki", "gruvbox", "monokai", "nord",
                "rose-pine", "rose-pine-dawn", "rose-pine-moon", "solarized-dark", "solarized-light", "textual-dark",
                "textual-light", "tokyo-night"]
CHART_RANGES: tuple[str, ...] = typing.get_args(ChartRange)
SOURCES: tuple[str, ...] = typing.get_args(Source)
THEMES: tuple[str, ...] = typing.get_args(Theme)

# The kinds of text a key holds, each with what its pattern means (for the error message).
Ticker = Annotated[str, Meta(pattern=SYMBOL_PATTERN.pattern)]
Shown = Annotated[str, Meta(pattern=rf"\A[^{_CONTROLS}]*\Z")]                 # it reaches the terminal
Text = Annotated[str, Meta(min_length=1, pattern=rf"\A[^{_CONTROLS}]*[^{_CONTROLS}\s][^{_CONTROLS}]*\Z")]   # not blank
Name = Annotated[Text, Meta(max_length=40)]
EventKind = Annotated[str, Meta(pattern=EVENT_KIND_PATTERN.pattern)]
META_FIELDS = ("ge", "le", "min_length", "max_length", "pattern", "description")   # those the schema uses
PATTERN_MEANINGS = {
    SYMBOL_PATTERN.pattern: "is not a ticker (letters, digits and ^ . - = only, at most 15)",
    EVENT_KIND_PATTERN.pattern: "is not an event kind (lower-case words joined by _)",
}


def _key(low: float, high: float, doc: str) -> Meta:
    """A number from `low` to `high` (both inclusive), and what it sets."""
    return Meta(ge=low, le=high, description=doc)


def _doc(doc: str) -> Meta:
    return Meta(description=doc)


class ConfigError(Exception):
    """A user's configuration mistake; `str()` is the one line to print."""

    def __init__(self, path: str, key: str, problem: str) -> None:
        super().__init__(f"{path}: {key}: {problem}" if key else f"{path}: {problem}")
        self.path, self.key, self.problem = path, key, problem


@dataclass(frozen=True)
class Symbol:
    symbol: Annotated[Ticker, _doc("a Yahoo ticker")]
    name: Annotated[Name, _doc("what the screen calls it (default: the ticker)")] = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", self.name.strip() or self.symbol)


@dataclass(frozen=True)
class Watchlist:
    """A named group of the user's symbols ([watchlists.NAME]; read by tuimarket.watchlists)."""

    name: str
    symbols: tuple[Symbol, ...]

    def __contains__(self, symbol: str) -> bool:
        return any(entry.symbol == symbol for entry in self.symbols)


@dataclass(frozen=True)
class MacdSettings:
    fast: Annotated[int, _key(1, 200, "the fast EMA's period, in sessions (below slow)")] = 12
    slow: Annotated[int, _key(2, 400, "the slow EMA's period")] = 26
    signal: Annotated[int, _key(1, 200, "the signal line's EMA period")] = 9


Period = Annotated[int, Meta(ge=2, le=400)]


@dataclass(frozen=True)
class AnalysisSettings:
    sma_periods: Annotated[tuple[Period, ...], Meta(min_length=1, description=(
        "the simple moving averages drawn and read, in sessions (2 to 400 each, no duplicates)"))] = (50, 100, 200)
    slope_lookback: Annotated[int, _key(1, 100, "an average rises when above its value this many sessions ago")] = 10
    swing_window: Annotated[int, _key(1, 50, "a swing high (low) is the highest (lowest) bar this many "
                                             "sessions either side")] = 5
    swing_count: Annotated[int, _key(2, 20, "recent swing highs and lows the trend structure compares")] = 4
    level_tolerance: Annotated[float, _key(0.0001, 0.2, "swing points this close (a fraction) form one "
                                                        "support or resistance level")] = 0.015
    level_min_touches: Annotated[int, _key(2, 10, "touches a level needs")] = 2
    level_lookback: Annotated[int, _key(20, 5000, "sessions searched for levels (5000: about 20 years)")] = 5000
    retest_away: Annotated[float, _key(0.001, 0.5, "how far (a fraction) price must move from a broken level "
                                                   "before coming back counts as a retest")] = 0.03
    rs_average: Annotated[int, _key(2, 400, "relative strength rises when above its average of this many "
                                            "sessions")] = 50
    rs_minor_reversal: Annotated[float, _key(0.01, 0.5, "a medium relative-strength swing ends when RS comes back "
                                                        "this fraction (below rs_major_reversal)")] = 0.1
    rs_major_reversal: Annotated[float, _key(0.01, 0.9, "a long relative-strength swing ends when RS comes back "
                                                        "this fraction")] = 0.2
    trend_floor_swings: Annotated[int, _key(1, 20, "an uptrend ends when a close breaks the lowest of this many "
                                                   "swing lows")] = 4
    confirm_band: Annotated[float, _key(0.0, 0.2, "an uptrend stays confirmed while the close is at most this "
                                                  "fraction under its rising 200-day average")] = 0.05
    macd: MacdSettings = MacdSettings()

    def __post_init__(self) -> None:
        object.__setattr__(self, "sma_periods", tuple(sorted(self.sma_periods)))


@dataclass(frozen=True)
class RegimeSettings:
    full_min_uptrends: Annotated[int, _key(1, 50, "fully invested: at least this many confirmed uptrends")] = 2
    full_min_breadth: Annotated[float, _key(0.0, 1.0, "... and at least this share of sectors above their "
                                                      "200-day average")] = 0.5
    defensive_max_uptrends: Annotated[int, _key(0, 50, "defensive: at most this many confirmed uptrends "
                                                       "(below full_min_uptrends) ...")] = 0
    defensive_below_breadth: Annotated[float, _key(0.0, 1.0, "... or fewer than this share of sectors above "
                                                             "their 200-day average")] = 0.3
    breadth_keeps_invested: Annotated[float, _key(0.0, 1.0, "... unless at least this share of sectors is "
                                                            "above it")] = 0.7
    confirm_sessions: Annotated[int, _key(1, 60, "sessions the signals must point the new way before the "
                                                 "stance shown changes")] = 10


@dataclass(frozen=True)
class ChartSettings:
    range: Annotated[ChartRange, _doc("the chart range at start-up")] = "1Y"


@dataclass(frozen=True)
class RrgSettings:
    tail: Annotated[int, _key(4, 16, "weekly positions drawn behind each symbol in the Relative Rotation "
                                     "Graph")] = 8
    window: Annotated[int, _key(5, 52, "weeks RS-Ratio and RS-Momentum are standardised over")] = 14


@dataclass(frozen=True)
class RefreshSettings:
    open_seconds: Annotated[int, _key(10, 3600, "seconds between refreshes while the NYSE is open")] = 60
    closed_seconds: Annotated[int, _key(60, 86400, "... and while it is closed (never past the opening "
                                                   "bell)")] = 1800
    timeout_seconds: Annotated[int, _key(10, 3600, "a refresh running longer is given up as stuck")] = 120


@dataclass(frozen=True)
class DataSettings:
    source: Annotated[Source, _doc("auto: Yahoo, falling back to the cache and the bundled history; yahoo: "
                                   "Yahoo and the cache; bundled: offline")] = "auto"
    cache_dir: Annotated[Shown, _doc("the SQLite cache's directory (empty: the user cache dir; "
                                     "$TUIMARKET_CACHE_DIR overrides both)")] = ""
    history_years: Annotated[int, _key(2, 40, "years of daily history fetched on the first load")] = 12


@dataclass(frozen=True)
class BreadthSettings:
    enabled: Annotated[bool, _doc("breadth over index members in reports")] = True
    members: Annotated[Text, _doc('"bundled" (the S&P 500 members shipped with tuimarket) or the path of a '
                                  "CSV file with Symbol and Sector columns")] = "bundled"


@dataclass(frozen=True)
class UiSettings:
    theme: Annotated[Theme, _doc("the Textual theme at start-up (t cycles)")] = "textual-dark"
    bell: Annotated[bool, _doc("ring the terminal bell when an alert is announced in the monitor")] = False
    screenshot_dir: Annotated[Shown, _doc("where s saves SVG screenshots (empty: ~/Pictures/tuimarket, or "
                                          "the user data dir)")] = ""


@dataclass(frozen=True)
class AlertRule:
    """"^GSPC closes above 6000", "^RUT closes below its 200-day average": one of level, average."""

    symbol: Annotated[Ticker, _doc("a configured symbol")]
    condition: Annotated[AlertCondition, _doc("the close crossing the level upward, downward or either way")]
    level: Annotated[float, _key(1e-9, 1e9, "a price (exactly one of level and average)")] | None = None
    average: Annotated[int, _key(2, 400, "the period of a simple moving average")] | None = None


@dataclass(frozen=True)
class AlertSink:
    """Where alerts go besides the screen: an apprise URL or a command (an argv, never a shell)."""

    url: Annotated[Shown, Meta(min_length=1, description="an apprise URL: ntfy://, slack://, mailto://, "
                                                          "json:// ... (exactly one of url and command)")] = ""
    command: Annotated[tuple[Shown, ...], Meta(min_length=1, description=(
        "a program and its arguments, run without a shell; the alert in TUIMARKET_ALERT_* variables"))] = ()
    cooldown_seconds: Annotated[int, _key(0, 86400, "at most one delivery this often (0: no cooldown)")] = 0
    daily_cap: Annotated[int, _key(0, 10000, "at most this many deliveries a day (0: no cap)")] = 0


@dataclass(frozen=True)
class AlertSettings:
    bell: Annotated[bool, _doc("tuimarket watch rings the terminal bell (stdout a terminal)")] = False
    events: Annotated[tuple[EventKind, ...], _doc('the event kinds that alert: ["all"], none ([]) or some '
                                                  "(tuimarket alerts --kinds lists them)")] = ("all",)
    rules: Annotated[tuple[AlertRule, ...], _doc("level rules, each a [[alerts.rules]] table")] = ()
    sinks: Annotated[tuple[AlertSink, ...], _doc("where alerts go, each a [[alerts.sinks]] table")] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "events", tuple(dict.fromkeys(self.events)))


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
Symbols = tuple[Symbol, ...]


@dataclass(frozen=True)
class RotationSettings:
    include_indexes: Annotated[bool, _doc("rank the indexes (except the benchmark) in the rotation "
                                          "table too")] = True
    symbols: Annotated[Symbols, Meta(min_length=1, description="the other members of the rotation table "
                                                               "(default: the 11 sector SPDR ETFs)")] = DEFAULT_SECTORS


@dataclass(frozen=True)
class Config:
    benchmark: Annotated[Ticker, _doc("what relative strength and rotation are measured against")] = "^GSPC"
    indexes: Annotated[Symbols, Meta(min_length=1, description="one dashboard panel each, in this "
                                                               "order")] = DEFAULT_INDEXES
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
    # [watchlists.NAME] tables: named by the user, so read by tuimarket.watchlists, not the schema
    watchlists: tuple[Watchlist, ...] = field(default=(), metadata={"read": False})
    path: str = field(default="(defaults)", compare=False, metadata={"read": False})   # the file read

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


# ---- reading --------------------------------------------------------------------------------------

def parse(text: str, path: str = "config.toml") -> Config:
    """Validate TOML text into a Config; raises ConfigError."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, "", f"TOML syntax error: {exc}") from None
    # The [watchlists] table has a reader of its own (its keys are the user's names): taken out of
    # `raw` before the schema reads the rest, its result put in the Config after.
    watchlist_tables = raw.pop("watchlists", None)
    _check_known_keys(Config, raw, (), path)
    try:
        config = msgspec.convert(raw, Config)
    except msgspec.ValidationError as exc:
        raise _explained(exc, raw, path) from None
    _check_consistency(config, path)
    from tuimarket.watchlists import read_watchlists   # here: that module builds on this one

    return replace(config, watchlists=read_watchlists(watchlist_tables, path), path=path)


def _check_known_keys(kind: Any, raw: Any, where: tuple[str | int, ...], path: str) -> None:
    """Every key in `raw` is one of the schema's: a typo is an error that says what was meant."""
    if isinstance(raw, dict) and is_dataclass(kind):
        known = _keys(kind)
        for key, value in raw.items():
            if key not in known:
                raise ConfigError(path, _dotted((*where, key)), f"unknown key{did_you_mean(key, list(known))}")
            _check_known_keys(known[key], value, (*where, key), path)
    elif isinstance(raw, list) and typing.get_origin(kind := _bare(kind)) is tuple:
        for i, item in enumerate(raw):
            _check_known_keys(typing.get_args(kind)[0], item, (*where, i), path)


def did_you_mean(word: str, choices: list[str]) -> str:
    """' (did you mean X?)' when one of `choices` is close to `word`, else ' (expected one of: ...)'."""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else f" (expected one of: {', '.join(choices)})"


def _explained(exc: msgspec.ValidationError, raw: dict[str, Any], path: str) -> ConfigError:
    """msgspec's refusal as our one line: the key's dotted path, what it must be and what it got."""
    match = re.fullmatch(r"(?P<what>.*?)(?: - at `\$(?P<at>.*)`)?", str(exc), re.DOTALL)
    assert match is not None, "the pattern matches any text"
    where: tuple[str | int, ...] = tuple(key or int(index) for key, index
                                         in re.findall(r"\.([^.\[]+)|\[(\d+)\]", match["at"] or ""))
    if missing := re.fullmatch(r"Object missing required field `(.+)`", match["what"]):
        where += (missing[1],)
        return ConfigError(path, _dotted(where), f"missing; must be {_wanted(_schema_at(where))}")
    value: Any = raw
    for step in where:
        value = value[step]
    return ConfigError(path, _dotted(where), _problem(_schema_at(where), value, match["what"]))


def _problem(kind: Any, value: Any, refusal: str) -> str:
    """What is wrong with `value` as a `kind` (msgspec said `refusal`)."""
    base, meta = _unwrapped(kind)
    if not _is_a(base, value):
        return f"must be {_wanted(kind)}, got {_describe(value)}"
    if typing.get_origin(base) is Literal:
        return f"must be one of {', '.join(typing.get_args(base))}, got {_describe(value)}"
    if isinstance(value, (int, float)):
        return f"must be from {_num(meta['ge'])} to {_num(meta['le'])}, got {_num(value)}"
    if isinstance(value, (str, list)) and not meta.get("min_length", 0) <= len(value) <= meta.get("max_length", 1e9):
        return f"must be {_wanted(kind)}, got {_describe(value)}"
    if isinstance(value, str) and meta.get("pattern") in PATTERN_MEANINGS:
        return f"{value!r} {PATTERN_MEANINGS[meta['pattern']]}"
    if isinstance(value, str) and (control := CONTROL_CHARACTERS.search(value)):
        return (f"contains the control character U+{ord(control.group()):04X}, which would reach the terminal "
                "(remove it)")
    if isinstance(value, str) and not value.strip():
        return f"must not be blank, got {value!r}"
    return refusal[:1].lower() + refusal[1:]      # a check of the schema's own, in its words


def _wanted(kind: Any) -> str:
    """What a value of `kind` is, in words: 'an integer', 'a non-empty list of tables'."""
    base, meta = _unwrapped(kind)
    if typing.get_origin(base) is Literal:
        return f"one of {', '.join(typing.get_args(base))}"
    if typing.get_origin(base) is tuple:
        items = {str: "strings", int: "integers"}.get(_bare(typing.get_args(base)[0]), "tables")
        return f"a {'non-empty ' if meta.get('min_length') else ''}list of {items}"
    if base is str:
        return f"a {'non-empty ' if meta.get('min_length') else ''}string" + (
            f" of at most {meta['max_length']} characters" if "max_length" in meta else "")
    return {bool: "true or false", int: "an integer", float: "a number"}.get(base, "a table")


def _is_a(base: Any, value: Any) -> bool:
    if base is bool or isinstance(value, bool):
        return base is bool and isinstance(value, bool)
    if typing.get_origin(base) is Literal:
        return isinstance(value, str)
    if typing.get_origin(base) is tuple:
        return isinstance(value, list)
    expected: dict[Any, type | tuple[type, ...]] = {int: int, float: (int, float), str: str}
    return isinstance(value, expected.get(base, dict))


def _schema_at(where: tuple[str | int, ...]) -> Any:
    """The schema's type for the key at `where`."""
    kind: Any = Config
    for step in where:
        kind = typing.get_args(_bare(kind))[0] if isinstance(step, int) else _keys(_bare(kind))[step]
    return kind


def _keys(kind: Any) -> dict[str, Any]:
    """The keys of a table of the schema, with their types (as annotated, bounds included)."""
    hints = typing.get_type_hints(kind, include_extras=True)
    return {f.name: hints[f.name] for f in fields(kind) if f.metadata.get("read", True)}


def _bare(kind: Any) -> Any:
    return _unwrapped(kind)[0]


def _meta(kind: Any) -> dict[str, Any]:
    return _unwrapped(kind)[1]


def _unwrapped(kind: Any) -> tuple[Any, dict[str, Any]]:
    """`kind` without its annotations and without None (no TOML value is None), and the bounds,
    pattern and description of every Meta it is annotated with, merged."""
    merged: dict[str, Any] = {}
    while True:
        if typing.get_origin(kind) is Annotated:
            for meta in kind.__metadata__:
                merged |= {name: getattr(meta, name) for name in META_FIELDS if getattr(meta, name) is not None}
            kind = typing.get_args(kind)[0]
        elif typing.get_origin(kind) in (typing.Union, types.UnionType):
            kind = next(arg for arg in typing.get_args(kind) if arg is not type(None))
        else:
            return kind, merged


def _dotted(where: tuple[str | int, ...]) -> str:
    return "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in where).lstrip(".")


def _num(value: float) -> str:
    return f"{value:g}"


def _describe(raw: Any) -> str:
    kind = {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
            list: "a list", dict: "a table"}.get(type(raw), type(raw).__name__)
    if isinstance(raw, (str, list, dict)) and not raw:
        return f"an empty {kind.split()[-1]}"
    if isinstance(raw, str) and len(raw) > 30:
        return f"a string of {len(raw)} characters"
    shown = repr(raw)
    return f"{kind} {shown}" if len(shown) <= 30 and not isinstance(raw, (list, dict)) else kind


def _check_consistency(config: Config, path: str) -> None:
    """What the types cannot say: keys that must agree with each other, symbols listed once."""
    def fail(key: str, problem: str) -> ConfigError:
        return ConfigError(path, key, problem)

    analysis, macd, regime = config.analysis, config.analysis.macd, config.regime
    if macd.fast >= macd.slow:
        raise fail("analysis.macd.fast", f"must be below analysis.macd.slow ({macd.slow}), got {macd.fast}")
    if len(set(analysis.sma_periods)) != len(analysis.sma_periods):
        raise fail("analysis.sma_periods", f"has a duplicate period in {list(analysis.sma_periods)}")
    if analysis.rs_minor_reversal >= analysis.rs_major_reversal:
        raise fail("analysis.rs_minor_reversal", f"must be below analysis.rs_major_reversal "
                   f"({_num(analysis.rs_major_reversal)}), got {_num(analysis.rs_minor_reversal)}")
    if regime.defensive_max_uptrends >= regime.full_min_uptrends:
        raise fail("regime.defensive_max_uptrends", f"must be below regime.full_min_uptrends "
                   f"({regime.full_min_uptrends}), got {regime.defensive_max_uptrends}")
    index_symbols = {s.symbol for s in config.indexes}
    for key, entries in [("indexes", config.indexes), ("rotation.symbols", config.rotation.symbols)]:
        for i, entry in enumerate(entries):
            if entry.symbol in {s.symbol for s in entries[:i]}:
                raise fail(f"{key}[{i}].symbol", f"duplicate symbol {entry.symbol!r}")
            if key == "rotation.symbols" and config.rotation.include_indexes and entry.symbol in index_symbols:
                raise fail(f"{key}[{i}].symbol", f"duplicate symbol {entry.symbol!r}: it is already one of the indexes")
    alerts = config.alerts
    if "all" in alerts.events and len(alerts.events) > 1:
        raise fail("alerts.events", "\"all\" stands alone: it already names every kind")
    for i, rule in enumerate(alerts.rules):
        if (rule.level is None) == (rule.average is None):
            raise fail(f"alerts.rules[{i}]", "must have exactly one of level or average")
        if rule.symbol not in config.all_symbols:
            raise fail(f"alerts.rules[{i}].symbol", f"{rule.symbol!r} is not a configured symbol "
                       f"(one of: {', '.join(config.all_symbols)})")
    for i, sink in enumerate(alerts.sinks):
        if bool(sink.url) == bool(sink.command):
            raise fail(f"alerts.sinks[{i}]", "must have exactly one of url or command")


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


# ---- the reference ----------------------------------------------------------------------------------

def schema_keys(kind: Any = Config, prefix: str = "") -> list[tuple[str, Any, Any]]:
    """Every key of the schema as (dotted key, type, default), tables' keys after the table's; the keys
    of a list of tables read `alerts.rules[].level`. A required key's default is MISSING."""
    keys: list[tuple[str, Any, Any]] = []
    defaults = {f.name: f.default for f in fields(kind)}
    for name, hint in _keys(kind).items():
        base, key = _bare(hint), prefix + name
        if is_dataclass(base):
            keys += schema_keys(base, key + ".")
            continue
        keys.append((key, hint, defaults[name]))
        if typing.get_origin(base) is tuple and is_dataclass(item := _bare(typing.get_args(base)[0])):
            keys += schema_keys(item, key + "[].")
    return keys


def reference() -> str:
    """README's configuration reference: a table of every key, written from the schema."""
    rows = ["| key | value | default | what it sets |", "|---|---|---|---|"]
    for key, hint, default in schema_keys():
        rows.append(f"| `{key}` | {_value_words(hint)} | {_default_words(default)} | "
                    f"{_meta(hint).get('description', '')} |")
    return "\n".join(rows)


def _value_words(hint: Any) -> str:
    base, meta = _unwrapped(hint)
    if typing.get_origin(base) is tuple:
        meta = _meta(typing.get_args(base)[0])       # a list's bounds are its items'
    pattern = meta.get("pattern")
    words = "a ticker" if pattern == SYMBOL_PATTERN.pattern else _wanted(hint)
    if "ge" in meta:
        words += f" from {_num(meta['ge'])} to {_num(meta['le'])}"
    return words


def _default_words(default: Any) -> str:
    if default is MISSING:
        return "required"
    if default is None:
        return "none"
    if isinstance(default, tuple) and default and is_dataclass(default[0]):
        return " ".join(f"`{entry.symbol}`" for entry in default)
    return f"`{json.dumps(msgspec.to_builtins(default))}`"


if __name__ == "__main__":
    if sys.argv[1:] != ["--reference"]:
        sys.exit("usage: python -m tuimarket.config --reference")
    print(reference())
