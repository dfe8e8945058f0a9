"""The command line as a user meets it: exit codes, one-line errors, the data and report commands."""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tuimarket import __version__, cli


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_version_and_help(capsys) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["--version"])
    assert exited.value.code == 0 and capsys.readouterr().out.strip() == f"tuimarket {__version__}"
    with pytest.raises(SystemExit) as exited:
        cli.main(["--help"])
    out = capsys.readouterr().out
    assert exited.value.code == 0 and "report" in out and "--as-of" in out


@pytest.mark.parametrize("argv, phrase", [
    (["--as-of", "2025-13-01", "report"], "must be a date written YYYY-MM-DD"),
    (["--as-of", "yesterday", "data"], "must be a date written YYYY-MM-DD"),
    (["report", "--format", "xml"], "invalid choice"),
    (["--source", "internet", "data"], "invalid choice"),
    (["frobnicate"], "invalid choice"),
])
def test_usage_mistakes_are_one_line_and_exit_2(capsys, argv: list[str], phrase: str) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(argv)
    err = capsys.readouterr().err
    assert exited.value.code == 2
    assert err.count("\n") == 1 and phrase in err and "Traceback" not in err


@pytest.mark.parametrize("as_of, phrase", [
    ("1980-01-02", "is before the data begins (1990-01-02)"),
    ("2027-01-04", "is after the data ends (2025-09-25)"),
])
def test_replay_dates_outside_the_history_are_refused(capsys, as_of: str, phrase: str) -> None:
    code, out, err = run(capsys, "--source", "bundled", "report", "--as-of", as_of)
    assert code == 2 and out == "" and err == f"tuimarket: error: --as-of {as_of} {phrase}\n"


def test_broken_config_is_one_line(capsys, tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("[analysis.macd]\nfast = 'twelve'\n")
    code, out, err = run(capsys, "--config", str(broken), "data")
    assert code == 2 and out == ""
    assert err == f"tuimarket: error: {broken}: analysis.macd.fast: must be an integer, got a string 'twelve'\n"


def test_data_lists_every_configured_symbol(capsys) -> None:
    code, out, _ = run(capsys, "--source", "bundled", "data")
    assert code == 0
    for symbol in ("^GSPC", "^NDX", "^RUT", "XLK", "XLC"):
        assert f" {symbol} " in out
    assert "6,604.72" in out and "2025-09-25" in out and "bundled" in out


def test_report_json_at_a_replay_date(capsys) -> None:
    code, out, _ = run(capsys, "--source", "bundled", "report", "--format", "json", "--as-of", "2020-03-23")
    report = json.loads(out)
    assert code == 0 and report["as_of"] == "2020-03-23"
    gspc = report["indices"][0]
    assert gspc["symbol"] == "^GSPC" and gspc["close"] == pytest.approx(2237.40, abs=0.01)
    assert gspc["trend"]["state"] in ("downtrend", "sideways") and gspc["macd"]["state"] == "sell"
    assert report["regime"]["stance"] == "defensive"


def test_report_markdown_and_text(capsys) -> None:
    code, markdown, _ = run(capsys, "--source", "bundled", "report", "--format", "markdown")
    assert code == 0 and markdown.startswith("# Market report as of 2025-09-25")
    code, text, _ = run(capsys, "--source", "bundled", "report")
    assert code == 0 and "Rotation" in text and "\x1b[" not in text      # not a terminal: no colour codes


def test_auto_source_without_yahoo_falls_back_to_the_bundle_quickly(capsys, monkeypatch) -> None:
    import yfinance

    def unreachable(*args, **kwargs):
        raise ConnectionError("no route to Yahoo")

    monkeypatch.setattr(yfinance, "download", unreachable)
    started = time.perf_counter()
    code, out, _ = run(capsys, "data")
    assert code == 0 and "Yahoo could not be reached" in out
    assert time.perf_counter() - started < 5      # one attempt, no backoff, for a one-shot command


@pytest.mark.processes
def test_the_monitor_exits_cleanly_when_the_terminal_hangs_up(tmp_path: Path) -> None:
    """Over SSH the terminal can vanish: SIGHUP must end the app without a traceback."""
    pid, fd = pty.fork()
    if pid == 0:   # the child: the monitor on a pseudo-terminal
        os.environ.update(TERM="xterm-256color", COLUMNS="80", LINES="24")
        os.execv(sys.executable, [sys.executable, "-m", "tuimarket", "--source", "bundled"])
    painted = b""
    deadline = time.monotonic() + 30
    while b"S&P 500" not in painted and time.monotonic() < deadline:
        if select.select([fd], [], [], 0.5)[0]:
            painted += os.read(fd, 65536)
    assert b"S&P 500" in painted, "the monitor never painted"
    os.kill(pid, signal.SIGHUP)
    deadline = time.monotonic() + 15
    status = None
    while time.monotonic() < deadline:
        try:
            if select.select([fd], [], [], 0.2)[0]:
                painted += os.read(fd, 65536)
        except OSError:
            pass
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
    else:
        os.kill(pid, signal.SIGKILL)
        pytest.fail("the monitor kept running after SIGHUP")
    os.close(fd)
    assert b"Traceback" not in painted
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0    # our handler, not the default kill
