"""Configuration: the documented file equals the defaults, and every mistake is one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest

from alert_support import LEVEL_RULES
from tuimarket import config
from tuimarket.config import AlertRule, AlertSink, Config, ConfigError, Symbol

REPO = Path(__file__).resolve().parents[1]

RULE = "[[alerts.rules]]\nsymbol = '^GSPC'\ncondition = 'above'\n"
SINK = "[[alerts.sinks]]\n"

# (TOML text, the key the error must name, a phrase the error must contain)
BAD_CONFIGS = [
    ("benchmark = ", "", "TOML syntax error"),
    ("[analysis\nsma_periods = [50]", "", "TOML syntax error"),
    ("colour = 'red'", "colour", "unknown key (expected one of: benchmark, indexes, rotation, analysis,"),
    ("[analysis]\nsma_period = [50]", "analysis.sma_period", "unknown key (did you mean sma_periods?)"),
    ("[analysis.macd]\nfast = 'twelve'", "analysis.macd.fast", "must be an integer, got a string 'twelve'"),
    ("[analysis.macd]\nfast = 12.5", "analysis.macd.fast", "must be an integer"),
    ("[analysis.macd]\nfast = true", "analysis.macd.fast", "must be an integer"),
    ("[analysis.macd]\nfast = 0", "analysis.macd.fast", "must be from 1 to 200"),
    ("[analysis.macd]\nfast = 30\nslow = 26", "analysis.macd.fast", "must be below"),
    ("[analysis]\nsma_periods = []", "analysis.sma_periods", "must be a non-empty list of integers, got an empty list"),
    ("[analysis]\nsma_periods = [50, 50]", "analysis.sma_periods", "duplicate"),
    ("[analysis]\nsma_periods = [50, 1000]", "analysis.sma_periods[1]", "must be from 2 to 400, got 1000"),
    ("[analysis]\nlevel_tolerance = -0.1", "analysis.level_tolerance", "must be from 0.0001 to 0.2, got -0.1"),
    ("[regime]\nfull_min_breadth = 1.5", "regime.full_min_breadth", "must be from 0 to 1"),
    ("[refresh]\nopen_seconds = 1", "refresh.open_seconds", "must be from 10 to 3600, got 1"),
    ("[chart]\nrange = '10Y'", "chart.range", "must be one of 3M, 6M, 1Y, 2Y, 5Y"),
    ("[data]\nsource = 'internet'", "data.source", "must be one of auto, yahoo, bundled"),
    ("[data]\ncache_dir = 5", "data.cache_dir", "must be a string"),
    ("[ui]\nbell = 'yes'", "ui.bell", "must be true or false"),
    ("chart = 5", "chart", "must be a table"),
    ("benchmark = 'S&P 500'", "benchmark", "is not a ticker"),
    ("benchmark = '../../etc/passwd'", "benchmark", "is not a ticker"),
    ("indexes = []", "indexes", "non-empty list"),
    ("indexes = ['^GSPC']", "indexes[0]", "must be a table"),
    ("indexes = [{ symbol = 'a;b', name = 'x' }]", "indexes[0].symbol", "is not a ticker"),
    ("indexes = [{ symbol = 'ABCDEFGHIJKLMNOP' }]", "indexes[0].symbol", "is not a ticker"),
    ("indexes = [{ name = 'S&P' }]", "indexes[0].symbol", "missing; must be a string"),
    ("indexes = [{ symbol = '^GSPC', name = '' }]", "indexes[0].name", "must be a non-empty string of at most 40"),
    ("indexes = [{ symbol = '^GSPC', name = '  ' }]", "indexes[0].name", "must not be blank"),
    ('indexes = [{ symbol = "SPY\\n" }]', "indexes[0].symbol", "is not a ticker"),   # "$" let it through
    ("indexes = [{ symbol = '^GSPC', name = 'a' }, { symbol = '^GSPC', name = 'b' }]",
     "indexes[1].symbol", "duplicate symbol"),
    ("indexes = [{ symbol = '^GSPC', label = 'x' }]", "indexes[0].label",
     "unknown key (expected one of: symbol, name)"),
    ("[[indexes]]\nsymbol = 'SPY'\nnmae = 'x'", "indexes[0].nmae", "unknown key (did you mean name?)"),
    ("[rotation]\nsymbols = [{ symbol = '^NDX', name = 'dup' }]", "rotation.symbols[0].symbol", "duplicate symbol"),
    ("[ui]\ntheme = 'solarised'", "ui.theme", "must be one of ansi-dark, ansi-light,"),
    ("[ui]\nthemes = 'nord'", "ui.themes", "unknown key (did you mean theme?)"),
    ("[ui]\ntheme = 5", "ui.theme", "must be one of ansi-dark, ansi-light,"),
    # [alerts]
    ("[[alerts.rules]]\nsymbol = 'AAPL'\ncondition = 'above'\nlevel = 1", "alerts.rules[0].symbol",
     "'AAPL' is not a configured symbol (one of: ^GSPC, ^NDX, ^RUT, XLK"),
    ("[[alerts.rules]]\nsymbol = 'a b'\ncondition = 'above'\nlevel = 1", "alerts.rules[0].symbol", "not a ticker"),
    ("[[alerts.rules]]\nsymbol = '^GSPC'\ncondition = 'closes above'\nlevel = 1", "alerts.rules[0].condition",
     "must be one of above, below, crosses, got a string 'closes above'"),
    ("[[alerts.rules]]\nsymbol = '^GSPC'\nlevel = 1", "alerts.rules[0].condition",
     "missing; must be one of above, below, crosses"),
    (RULE + "level = '6k'", "alerts.rules[0].level", "must be a number, got a string '6k'"),
    (RULE + "level = true", "alerts.rules[0].level", "must be a number, got a boolean True"),
    (RULE + "level = nan", "alerts.rules[0].level", "must be from 1e-09 to 1e+09, got nan"),
    (RULE + "level = -5", "alerts.rules[0].level", "must be from 1e-09 to 1e+09, got -5"),
    (RULE + "average = 200.5", "alerts.rules[0].average", "must be an integer, got a number 200.5"),
    (RULE + "average = 1000", "alerts.rules[0].average", "must be from 2 to 400"),
    (RULE, "alerts.rules[0]", "must have exactly one of level or average"),
    (RULE + "level = 1\naverage = 50", "alerts.rules[0]", "must have exactly one of level or average"),
    (RULE + "level = 1\nname = 'x'", "alerts.rules[0].name", "unknown key (expected one of: symbol, condition,"),
    (RULE + "levle = 1", "alerts.rules[0].levle", "unknown key (did you mean level?)"),
    ("[alerts]\nrules = 5", "alerts.rules", "must be a list of tables"),
    ("[alerts]\nsinks = ['ntfy://x']", "alerts.sinks[0]", "must be a table, got a string 'ntfy://x'"),
    (SINK + "cooldown_seconds = 5", "alerts.sinks[0]", "must have exactly one of url or command"),
    (SINK + "url = 'ntfy://x'\ncommand = ['true']", "alerts.sinks[0]", "exactly one of url or command"),
    (SINK + "url = ''", "alerts.sinks[0].url", "must be a non-empty string"),
    (SINK + 'url = "json://h/\\u001b]0;owned\\u0007"', "alerts.sinks[0].url", "control character U+001B"),
    (SINK + "command = 'notify-send hi'", "alerts.sinks[0].command", "must be a non-empty list of strings"),
    (SINK + "command = []", "alerts.sinks[0].command", "must be a non-empty list of strings, got an empty list"),
    (SINK + 'command = ["echo", "\\u202e"]', "alerts.sinks[0].command[1]", "control character U+202E"),
    (SINK + "url = 'ntfy://x'\ndaily_cap = -1", "alerts.sinks[0].daily_cap", "must be from 0 to 10000"),
    (SINK + "url = 'ntfy://x'\ncooldown_seconds = 'soon'", "alerts.sinks[0].cooldown_seconds",
     "must be an integer, got a string 'soon'"),
    (SINK + "url = 'ntfy://x'\nretries = 3", "alerts.sinks[0].retries", "unknown key (expected one of: url, command,"),
    ("[alerts]\nbell = 'yes'", "alerts.bell", "must be true or false"),
    ("[alerts]\nevents = 'all'", "alerts.events", "must be a list of strings, got a string 'all'"),
    ("[alerts]\nevents = ['MACD buy']", "alerts.events[0]", "'MACD buy' is not an event kind"),
    ("[alerts]\nevents = ['all', 'breakout']", "alerts.events", "\"all\" stands alone"),
]


@pytest.mark.parametrize("text, key, phrase", BAD_CONFIGS)
def test_bad_config_is_one_line_naming_file_and_key(text: str, key: str, phrase: str) -> None:
    with pytest.raises(ConfigError) as caught:
        config.parse(text, "my.toml")
    message = str(caught.value)
    assert "\n" not in message and "\x1b" not in message
    assert message.startswith(f"my.toml: {key}: " if key else "my.toml: ")
    assert phrase in message
    assert caught.value.key == key


def test_documented_config_file_equals_the_defaults() -> None:
    assert config.load(REPO / "config.toml") == Config()


def test_defaults_cover_the_documented_universe() -> None:
    defaults = Config()
    assert [s.symbol for s in defaults.indexes] == ["^GSPC", "^NDX", "^RUT"]
    assert len(defaults.rotation.symbols) == 11
    # The benchmark is never ranked against itself.
    assert "^GSPC" not in [s.symbol for s in defaults.rotation_universe]
    assert [s.symbol for s in defaults.rotation_universe][:2] == ["^NDX", "^RUT"]
    assert defaults.all_symbols.count("^GSPC") == 1


def test_partial_file_keeps_other_defaults() -> None:
    loaded = config.parse("[analysis.macd]\nfast = 8\n[chart]\nrange = '6M'")
    assert loaded.analysis.macd.fast == 8
    assert loaded.analysis.macd.slow == 26
    assert loaded.chart.range == "6M"
    assert loaded.indexes == Config().indexes


def test_periods_are_sorted_and_names_trimmed() -> None:
    loaded = config.parse("indexes = [{ symbol = 'QQQ', name = '  Nasdaq ETF ' }]\n"
                          "[analysis]\nsma_periods = [200, 20, 50]")
    assert loaded.analysis.sma_periods == (20, 50, 200)
    assert loaded.indexes == (Symbol("QQQ", "Nasdaq ETF"),)


def test_lookup_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env_file = tmp_path / "env.toml"
    env_file.write_text("[chart]\nrange = '2Y'")
    explicit = tmp_path / "explicit.toml"
    explicit.write_text("[chart]\nrange = '3M'")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("TUIMARKET_CONFIG", raising=False)
    assert config.load() == Config()
    user_file = tmp_path / "xdg" / "tuimarket" / "config.toml"
    user_file.parent.mkdir(parents=True)
    user_file.write_text("[chart]\nrange = '6M'")
    assert config.load().chart.range == "6M"
    monkeypatch.setenv("TUIMARKET_CONFIG", str(env_file))
    assert config.load().chart.range == "2Y"
    assert config.load(explicit).chart.range == "3M"


@pytest.mark.parametrize("make, phrase", [
    (lambda d: d / "absent.toml", "no such file"),
    (lambda d: d, "is a directory"),
    (lambda d: (d / "latin1.toml").write_bytes(b"benchmark = '\xff'") and d / "latin1.toml", "not UTF-8"),
])
def test_unreadable_files_are_one_line(tmp_path: Path, make, phrase: str) -> None:
    with pytest.raises(ConfigError) as caught:
        config.load(make(tmp_path))
    assert phrase in str(caught.value) and "\n" not in str(caught.value)


def test_cache_dir_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TUIMARKET_CACHE_DIR", raising=False)
    assert config.parse(f"[data]\ncache_dir = '{tmp_path}'").cache_dir == tmp_path
    monkeypatch.setenv("TUIMARKET_CACHE_DIR", str(tmp_path / "env"))
    assert config.parse(f"[data]\ncache_dir = '{tmp_path}'").cache_dir == tmp_path / "env"


def test_the_theme_choices_are_textuals_built_in_themes() -> None:
    """The config names the themes without importing Textual (headless commands read it too)."""
    from textual.theme import BUILTIN_THEMES

    assert config.THEMES == tuple(sorted(BUILTIN_THEMES))


def test_screenshots_go_to_the_pictures_dir_else_the_data_dir_never_the_cwd(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    for variable in ("XDG_DATA_HOME", "XDG_PICTURES_DIR", "XDG_CONFIG_HOME"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.chdir(tmp_path)
    assert Config().screenshot_dir == tmp_path / ".local/share/tuimarket/screenshots"
    (tmp_path / "Pictures").mkdir()
    assert Config().screenshot_dir == tmp_path / "Pictures/tuimarket"
    configured = config.parse("[ui]\nscreenshot_dir = '~/shots'")
    assert configured.screenshot_dir == tmp_path / "shots"


def test_rules_and_sinks_are_read() -> None:
    parsed = config.parse("""
        [alerts]
        bell = true
        events = ["breakout", "golden_cross", "breakout"]
        """ + LEVEL_RULES + """
        [[alerts.sinks]]
        url = "ntfy://my-topic"
        cooldown_seconds = 300
        daily_cap = 20
        [[alerts.sinks]]
        command = ["notify-send", "tuimarket"]
        """)
    assert parsed.alerts.bell and parsed.alerts.events == ("breakout", "golden_cross")
    assert parsed.alerts.rules == (AlertRule("^GSPC", "above", level=6000.0), AlertRule("^RUT", "crosses", average=200))
    assert isinstance(parsed.alerts.rules[0].level, float)
    assert parsed.alerts.sinks == (AlertSink(url="ntfy://my-topic", cooldown_seconds=300, daily_cap=20),
                                   AlertSink(command=("notify-send", "tuimarket")))
