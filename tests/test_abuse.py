"""Abuse: malformed configs through the command line (in a real process for the control characters),
hostile names, and nothing done behind the user's back."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tuimarket import cli
from tuimarket.analysis.snapshot import build_snapshot
from tuimarket.config import Config, ConfigError, DataSettings, RotationSettings, Symbol, parse
from tuimarket.data.feed import Feed
from tuimarket.monitor import MarketPipeline
from tuimarket.report import render
from tuimarket.ui.app import TuimarketApp

from ui_support import FIXED_NOW, search_palette

BAD_TOML = {
    "empty symbol list": "indexes = []",
    "unicode symbol": "indexes = [{ symbol = 'ÄPFEL', name = 'Apfel' }]",
    "emoji symbol": "benchmark = '📈'",
    "path symbol": "benchmark = '../../x'",
    "shell symbol": "indexes = [{ symbol = 'a;b', name = 'x' }]",
    "newline symbol": "benchmark = \"SPY\\nrm\"",
    "huge number": "[refresh]\nopen_seconds = 99999999999999999999",
    "huge integer in range key": "[data]\nhistory_years = 9223372036854775807",
    "infinity": "[regime]\nfull_min_breadth = inf",
    "nan": "[regime]\nfull_min_breadth = nan",
    "negative period": "[analysis]\nsma_periods = [-50]",
    "string period": "[analysis]\nsma_periods = ['50']",
    "nested wrong type": "[analysis]\nmacd = 12",
    "unknown section": "[colours]\nred = 1",
    "unknown key": "refresh_rate = 5",
    "bad syntax": "benchmark = ^GSPC",
    "unclosed table": "[data",
    "duplicate key": "benchmark = 'SPY'\nbenchmark = 'QQQ'",
    "wrong bool": "[ui]\nbell = 1",
    "long name": "indexes = [{ symbol = 'SPY', name = '" + "x" * 41 + "' }]",
    "bad range": "[chart]\nrange = 'forever'",
    "bad source": "[data]\nsource = 'ftp'",
    "cache dir not a string": "[data]\ncache_dir = ['/tmp']",
    "fast above slow": "[analysis.macd]\nfast = 50\nslow = 26",
}
# Names that would drive the terminal (set its title, clear the screen) or reorder what is shown.
CONTROL_NAMES = {
    "title-setting OSC": "\u001b]2;PWNED\u0007S&P",
    "clear screen CSI": "\u001b[2J",
    "bell": "S&P\u0007",
    "carriage return": "S&P\rNasdaq",
    "tab": "S&P\t500",
    "delete": "S&P\u007f",
    "C1 CSI": "S&P\u009b2J",
    "right-to-left override": "\u202eP&S",
    "left-to-right embedding": "\u202aS&P",
    "pop directional formatting": "S&P\u202c",
    "right-to-left isolate": "\u2067S&P",
    "pop directional isolate": "S&P\u2069",
    "right-to-left mark": "S&P\u200f",
    "left-to-right mark": "\u200eS&P",
    "arabic letter mark": "S&P\u061c",
}
CONTROL_KEYS = {
    "indexes[0].name": "indexes = [{{ symbol = 'SPY', name = {} }}]",
    "rotation.symbols[0].name": "[rotation]\nsymbols = [{{ symbol = 'XLK', name = {} }}]",
    "data.cache_dir": "[data]\ncache_dir = {}",
    "ui.screenshot_dir": "[ui]\nscreenshot_dir = {}",
}
BAD_BYTES = {
    "binary garbage": bytes(range(256)) * 4,
    "latin-1 text": "benchmark = 'ÉTÉ'".encode("latin-1"),
    "nul bytes": b"benchmark = 'SPY'\x00\x00",
}


def run_data_command(config_path: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    """`tuimarket data` in a process of its own: its real exit status and all it writes."""
    environment = {**os.environ, "TUIMARKET_CACHE_DIR": str(tmp_path / "cache"), "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "tuimarket", "--config", str(config_path), "data"],
                          capture_output=True, text=True, env=environment, timeout=60)


def data_command_in_process(config_path: Path, capsys) -> subprocess.CompletedProcess:
    """`tuimarket data` through `cli.main`, as the process above runs it (an exception escaping
    it would be the traceback): the many configs below need no interpreter each."""
    code = cli.main(["--config", str(config_path), "data"])
    out, err = capsys.readouterr()
    return subprocess.CompletedProcess(["tuimarket", "data"], code, out, err)


def assert_one_line_usage_error(result: subprocess.CompletedProcess) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith("tuimarket: error: ")


@pytest.mark.parametrize("text", BAD_TOML.values(), ids=BAD_TOML.keys())
def test_malformed_config_file_is_one_line_and_exit_2(text: str, tmp_path: Path, capsys) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    assert_one_line_usage_error(data_command_in_process(path, capsys))


@pytest.mark.parametrize("name", CONTROL_NAMES.values(), ids=CONTROL_NAMES.keys())
def test_control_characters_in_a_displayed_string_are_refused_naming_the_key(name: str) -> None:
    for key, template in CONTROL_KEYS.items():
        with pytest.raises(ConfigError) as caught:
            parse(template.format(json.dumps(name)))
        assert caught.value.key == key and "control character U+" in str(caught.value)
        assert str(caught.value).isprintable()           # the error itself carries none of them


@pytest.mark.parametrize("name", [CONTROL_NAMES["title-setting OSC"], CONTROL_NAMES["right-to-left override"]],
                         ids=["OSC", "bidi"])
def test_a_control_character_in_a_name_is_one_line_and_exit_2(name: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(f"indexes = [{{ symbol = 'SPY', name = {json.dumps(name)} }}]", encoding="utf-8")
    result = run_data_command(path, tmp_path)
    assert_one_line_usage_error(result)
    assert "indexes[0].name" in result.stderr and "\x1b" not in result.stderr and "\u202e" not in result.stderr


@pytest.mark.parametrize("content", BAD_BYTES.values(), ids=BAD_BYTES.keys())
def test_config_that_is_not_utf8_toml_is_one_line_and_exit_2(content: bytes, tmp_path: Path, capsys) -> None:
    path = tmp_path / "bad.toml"
    path.write_bytes(content)
    assert_one_line_usage_error(data_command_in_process(path, capsys))


@pytest.mark.parametrize("kind", ["directory", "missing", "unreadable"])
def test_config_path_that_is_not_a_readable_file_is_one_line_and_exit_2(kind: str, tmp_path: Path, capsys) -> None:
    path = tmp_path / "config.toml"
    if kind == "directory":
        path.mkdir()
    elif kind == "unreadable":
        if os.geteuid() == 0:
            pytest.skip("root reads any file")
        path.write_text("benchmark = 'SPY'")
        path.chmod(0)
    assert_one_line_usage_error(data_command_in_process(path, capsys))


def test_a_dumb_terminal_is_refused_in_one_line_pointing_to_the_report(tmp_path: Path) -> None:
    environment = {**os.environ, "TERM": "dumb", "TUIMARKET_CACHE_DIR": str(tmp_path / "cache")}
    result = subprocess.run([sys.executable, "-m", "tuimarket", "--source", "bundled"], capture_output=True,
                            text=True, env=environment, timeout=60, stdin=subprocess.DEVNULL)
    assert_one_line_usage_error(result)
    assert "TERM=dumb" in result.stderr and "tuimarket report" in result.stderr


# ---- hostile names ---------------------------------------------------------------------------

MARKUP_NAMES = ["[red]Evil[/]", "[link=http://x]Click[/link]", "Close [/] tag", "[b]Bold[/b] [@click=quit]"]


@pytest.mark.parametrize("symbol", ["../../x", "a;b", "$(rm -rf ~)", "SPY ", "", "^GSPC\x1b[2J", "x" * 16])
def test_hostile_symbols_are_refused_by_the_config(symbol: str) -> None:
    with pytest.raises(ConfigError, match="is not a ticker"):
        parse(f"indexes = [{{ symbol = {json.dumps(symbol)}, name = 'x' }}]")


def markup_config() -> Config:
    """The bundled indexes and XLK, each named with markup that must show literally."""
    indexes = tuple(Symbol(index.symbol, name) for index, name in zip(Config().indexes, MARKUP_NAMES))
    return Config(indexes=indexes, rotation=RotationSettings(symbols=(Symbol("XLK", MARKUP_NAMES[3]),)),
                  data=DataSettings(source="bundled"))


def markup_app(screenshot_dir: Path) -> TuimarketApp:
    """The monitor over the bundled history, with the markup-named configuration."""
    config = markup_config()
    pipeline = MarketPipeline(config, Feed(config, source="bundled"), source="bundled")
    return TuimarketApp(config, pipeline, now=lambda: FIXED_NOW, screenshot_dir=screenshot_dir)


@pytest.fixture
def jail(tmp_path: Path, monkeypatch) -> Path:
    """HOME, XDG dirs, the cache and the cwd all inside one temp dir, to see what gets written."""
    for variable in ("HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(variable, str(tmp_path / "home"))
    monkeypatch.setenv("TUIMARKET_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def listening_inodes() -> set[str]:
    """Socket inodes in LISTEN state, from /proc/net/tcp{,6} (state 0A)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if os.path.exists(table):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                if fields[3] == "0A":
                    inodes.add(fields[9])
    return inodes


def own_socket_inodes() -> set[str]:
    inodes = set()
    for fd in Path("/proc/self/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:["):-1])
    return inodes


async def test_markup_names_show_literally_and_nothing_is_written_or_listened_outside(jail: Path) -> None:
    screenshots = jail / "shots"
    screenshots.mkdir()
    app = markup_app(screenshots)
    async with app.run_test(size=(200, 60)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.export_screenshot().replace("&#160;", " ")
        for name in MARKUP_NAMES:
            assert name.replace("&", "&amp;") in screen
        await pilot.press("s")
        await pilot.pause()
        assert app.is_running
        assert not (own_socket_inodes() & listening_inodes())
    written = {p.relative_to(jail).parts[0] for p in jail.rglob("*")}
    assert written <= {"shots", "cache"}, written
    assert len(list(screenshots.glob("*.svg"))) == 1


async def test_markup_names_stay_text_in_the_80_column_switcher(jail: Path) -> None:
    app = markup_app(jail)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        switcher = app.screen.query_one("#switcher").render()
        for name in MARKUP_NAMES[:3]:     # the configured indexes, each named with markup
            assert name in str(switcher)
        await pilot.press("2")
        assert app.is_running


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_markup_names_show_literally_in_the_report(fmt: str, jail: Path) -> None:
    config = markup_config()
    snapshot = build_snapshot(config, Feed(config, source="bundled").initial())
    text = render(snapshot, fmt, color=False, width=200)
    for name in MARKUP_NAMES[:3]:     # the index names; the text report's rotation table shows tickers only
        shown = name if fmt == "text" else name.replace("[", "\\[").replace("]", "\\]")
        assert shown in text


async def test_markup_names_stay_text_in_the_command_palette(jail: Path) -> None:
    app = markup_app(jail)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await search_palette(app, pilot, "jump")
        # The fuzzy highlight splits a line into several SVG text runs: join them to read the line.
        runs = re.findall(r">([^<]*)</text>", app.export_screenshot())
        shown = "".join(runs).replace("&#160;", " ").replace("&amp;", "&")
        assert "Jump to [red]Evil[/] (^GSPC)" in shown and "Jump to [link=http://x]Click[/link]" in shown
        assert app.is_running
