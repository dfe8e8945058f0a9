"""A Yahoo download that never returns: the app says so, starts no second one, and still exits at once.

The in-process tests drive the app through Pilot with a pipeline whose refresh blocks on an
event that is never set. The subprocess tests run the real `python -m tuimarket` under a pty with
`yfinance.download` replaced by one that hangs (tests/hanging_yahoo/sitecustomize.py), and time
how long `q`, SIGHUP and SIGTERM take to end it while that download hangs.
"""

from __future__ import annotations

import fcntl
import os
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tuimarket import config
from tuimarket.config import Config, ConfigError, RefreshSettings
from tuimarket.data.feed import Feed
from tuimarket.data.store import Store
from tuimarket.monitor import MarketPipeline
from tuimarket.ui.app import TuimarketApp
from tuimarket.ui.port import Loaded
from tuimarket.ui.viewmodels import MarketHours
from tuimarket.ui.widgets.market_bar import MarketBar

from fakes import FakeYahoo
from ui_support import ScriptedPipeline, bundled_view, record_notifications

HANGING_YAHOO = Path(__file__).with_name("hanging_yahoo")
EXIT_SECONDS = 2.0      # from the key or signal to the process gone, a download hanging meanwhile
NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2025, 9, 26, 16, 0, tzinfo=NEW_YORK)      # after the close: the retry comes 30 min later
# The file's lower bound is 10 s; a test need not wait that long, so it builds the settings itself.
QUICK_TIMEOUT = Config(refresh=RefreshSettings(timeout_seconds=1))


class HangingYahoo:
    """`yfinance.download` that blocks until released (never, unless the test says so), counting calls."""

    def __init__(self) -> None:
        self.calls = 0
        self.release = threading.Event()
        self._serve = FakeYahoo(end=date(2025, 9, 25))

    def __call__(self, *args, **kwargs):
        self.calls += 1
        self.release.wait()
        return self._serve(*args, **kwargs)


class HangingPipeline(MarketPipeline):
    """The real pipeline and feed over a real SQLite file, the download hanging.

    Only the start-up read is computed once for every test: on a loaded machine it can take
    longer than a test's short timeout, which would rightly be reported as stuck.
    """

    def initial(self) -> Loaded:
        return bundled_view(Config())

    def market_hours(self, now: datetime) -> MarketHours:
        return MarketHours(False, None)     # no calendar build in this test

    def refresh_interval(self, now: datetime) -> float:
        return 1800.0


def hanging_app(tmp_path: Path, yahoo: HangingYahoo, config: Config = QUICK_TIMEOUT) -> TuimarketApp:
    bundled_view(Config())     # computed before the app starts, not in its first refresh
    feed = Feed(config, download=yahoo, store=Store(tmp_path / "market.sqlite3"), now=NOW, sleep=lambda _: None)
    return TuimarketApp(config, HangingPipeline(config, feed), now=lambda: NOW, screenshot_dir=tmp_path)


async def until(pilot, happened, seconds: float = 30) -> None:
    """Wait for an outcome of the refresh thread, however loaded the machine is."""
    deadline = time.monotonic() + seconds
    while not happened():
        assert time.monotonic() < deadline, "timed out waiting"
        await pilot.pause(0.05)


def bar_text(app: TuimarketApp) -> str:
    return app.dashboard_screen.query_one(MarketBar).render().plain


async def test_a_hung_download_is_shown_stuck_and_never_doubled(tmp_path: Path) -> None:
    yahoo = HangingYahoo()
    app = hanging_app(tmp_path, yahoo)
    notified = record_notifications(app)
    try:
        # Wide enough for the market bar's every fact: stale, the stance says how old, and 8 alerts are unread.
        async with app.run_test(size=(200, 50), notifications=True) as pilot:
            await until(pilot, lambda: yahoo.calls == 1 and app.stuck_since is not None)
            assert "refresh stuck since 16:00, retrying at 16:30" in bar_text(app)
            assert "OFFLINE" in bar_text(app)     # only bundled history so far, and nothing new coming
            await pilot.press("r")
            assert any("no new one starts until it ends" in n.message for n in notified)
            # Counted from here: on a loaded machine the first (bundled) view can outlive the 1 s timeout too.
            failures = app.failures
            app.start_load(True)                  # the retry comes while the download still hangs
            await pilot.pause(0.2)
            assert yahoo.calls == 1 and threads_named("tuimarket-refresh") == 1
            assert "refresh stuck since 16:00" in bar_text(app)
            assert app.failures == failures + 1   # and the next try backs off further
            yahoo.release.set()                   # the download answers at last: its data is shown
            await until(pilot, lambda: app.stuck_since is None and app.failures == 0)
            assert "updated 16:00, next 16:30" in bar_text(app)
            assert "live" in bar_text(app) and "stuck" not in bar_text(app)
    finally:
        yahoo.release.set()


def threads_named(name: str) -> int:
    return sum(thread.name == name for thread in threading.enumerate())


async def test_r_during_a_refresh_starts_no_second_one(tmp_path: Path) -> None:
    yahoo = HangingYahoo()
    app = hanging_app(tmp_path, yahoo, Config())    # the download hangs, but not yet for the timeout
    notified = record_notifications(app)           # "Already refreshing…" lasts 2 s on screen
    try:
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await until(pilot, lambda: yahoo.calls == 1)
            await pilot.press("r", "r", "r")
            await pilot.pause(0.2)
            assert yahoo.calls == 1 and app.stuck_since is None
            assert any(n.message == "Already refreshing…" for n in notified)
    finally:
        yahoo.release.set()


def test_the_timeout_is_a_documented_and_checked_setting() -> None:
    assert config.parse("[refresh]\ntimeout_seconds = 45").refresh.timeout_seconds == 45
    with pytest.raises(ConfigError, match="refresh.timeout_seconds: must be from 10 to 3600, got 5"):
        config.parse("[refresh]\ntimeout_seconds = 5")
    documented = (Path(__file__).parents[1] / "config.toml").read_text()
    assert "\ntimeout_seconds = 120\n" in documented and Config().refresh.timeout_seconds == 120


class Terminal:
    """`python -m tuimarket` on a pty of its own, everything it writes collected."""

    def __init__(self, tmp_path: Path, size: tuple[int, int] = (100, 30)) -> None:
        self.downloads = tmp_path / "downloads"
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
        env = os.environ | {
            "PYTHONPATH": str(HANGING_YAHOO),
            "TUIMARKET_TEST_DOWNLOADS": str(self.downloads),
            "TUIMARKET_CACHE_DIR": str(tmp_path / "cache"),
            "XDG_CONFIG_HOME": str(tmp_path / "config"),    # no user config file
            "TERM": "xterm-256color",
        }
        env.pop("TUIMARKET_CONFIG", None)
        self.process = subprocess.Popen([sys.executable, "-m", "tuimarket"], stdin=slave, stdout=slave,
                                        stderr=slave, env=env, start_new_session=True, close_fds=True)
        os.close(slave)
        self.master = master
        self.output = bytearray()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        master = self.master    # drop_line() closes it and forgets it: reading then fails with EBADF
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:     # EIO: the child's side is closed; EBADF: the line was dropped
                return
            if not chunk:
                return
            self.output += chunk

    def wait_for_download(self, seconds: float = 90) -> None:
        """Until the live refresh's download is in flight (after the first view is painted)."""
        deadline = time.monotonic() + seconds
        while not self.downloads.exists():
            assert self.process.poll() is None, self.text()
            assert time.monotonic() < deadline, "no download started: " + self.text()[-2000:]
            time.sleep(0.05)
        time.sleep(0.3)     # the hung download's thread is parked; the app is idle again

    def seconds_to_exit(self, limit: float = 15) -> float:
        started = time.monotonic()
        try:
            self.process.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            pytest.fail(f"still running {limit} s after being asked to end")
        self._reader.join(timeout=5)
        return time.monotonic() - started

    def text(self) -> str:
        return self.output.decode(errors="replace")

    def drop_line(self) -> None:
        """What an SSH drop does: the terminal is gone, then SIGHUP."""
        os.close(self.master)
        self.master = None
        self.process.send_signal(signal.SIGHUP)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if self.master is not None:
            os.close(self.master)


@pytest.fixture
def terminal(tmp_path: Path):
    term = Terminal(tmp_path)
    yield term
    term.close()


def restores_the_terminal(written: bytes) -> bool:
    """After the last switch to the alternate screen: left it, mouse tracking off, cursor shown."""
    tail = written[written.rindex(b"\x1b[?1049h"):]
    return all(sequence in tail for sequence in (b"\x1b[?1049l", b"\x1b[?1000l", b"\x1b[?1003l", b"\x1b[?1006l",
                                                  b"\x1b[?25h"))


@pytest.mark.processes
def test_q_exits_at_once_while_a_download_hangs(terminal: Terminal) -> None:
    terminal.wait_for_download()
    os.write(terminal.master, b"q")
    assert terminal.seconds_to_exit() < EXIT_SECONDS
    assert terminal.process.returncode == 0
    assert restores_the_terminal(bytes(terminal.output))


def saved_views(tmp_path: Path) -> list[Path]:
    return list((tmp_path / "cache").glob("view-*.json"))


@pytest.mark.processes
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_signal_exits_at_once_and_restores_the_terminal(terminal: Terminal, tmp_path: Path, signum: int) -> None:
    terminal.wait_for_download()
    for view in saved_views(tmp_path):     # the one kept at start-up: the exit must save its own
        view.unlink()
    terminal.process.send_signal(signum)
    assert terminal.seconds_to_exit() < EXIT_SECONDS
    assert terminal.process.returncode == 0     # handled: a clean exit, as systemd expects of SIGTERM
    assert restores_the_terminal(bytes(terminal.output))
    assert saved_views(tmp_path), "the view was not saved"
    assert "Traceback" not in terminal.text()


@pytest.mark.processes
def test_a_dropped_ssh_link_ends_the_app_at_once(terminal: Terminal, tmp_path: Path) -> None:
    terminal.wait_for_download()
    for view in saved_views(tmp_path):
        view.unlink()
    terminal.drop_line()
    assert terminal.seconds_to_exit() < EXIT_SECONDS
    assert terminal.process.returncode == 0
    assert saved_views(tmp_path), "the view was not saved"


class BrokenPipeline(ScriptedPipeline):
    """A pipeline breaking its promise never to raise: the refresh thread must still report back."""

    def refresh(self):
        self.refreshes += 1
        raise RuntimeError("feed exploded")


async def test_a_refresh_that_raises_is_shown_and_retried(tmp_path: Path) -> None:
    pipeline = BrokenPipeline(Config(), start=date(2025, 9, 25))
    app = TuimarketApp(Config(), pipeline, now=lambda: NOW, screenshot_dir=tmp_path)
    notified = record_notifications(app)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await until(pilot, lambda: app.failures == 1)
        assert app.refreshing_since is None and app.next_refresh is not None     # the retry is scheduled
        assert "STALE" in bar_text(app)
        assert any("RuntimeError: feed exploded" in n.message for n in notified)
