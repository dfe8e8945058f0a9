"""`tuimarket serve`: the monitor in a real headless Chromium, and the command's one-line refusals.

The browser test drives Debian's chromium through Playwright (its own browser download is not
used). textual-serve draws with xterm.js on a canvas, so the page has no text to read in its DOM:
the test reads xterm.js's screen buffer, the same cells the canvas shows.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from support import modules_loaded_by, wait_for
from tuimarket import cli

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PAINT_TIMEOUT_MS = 60_000     # a shared 2-core machine: the dashboard usually paints in 4 s

# textual.js keeps its xterm.js Terminal in a closure; the first object given a `fitAddon` is
# textual.js's own, and it holds the terminal: catch it as it is built, then step aside.
CATCH_THE_TERMINAL = """
Object.defineProperty(Object.prototype, "fitAddon", {
  configurable: true,
  set(addon) {
    delete Object.prototype.fitAddon;
    window.textualTerminal = this;
    this.fitAddon = addon;
  },
});
"""
SCREEN_TEXT = """() => {
  const terminal = window.textualTerminal && window.textualTerminal.terminal;
  if (!terminal) return "";
  const lines = [];
  for (let row = 0; row < terminal.rows; row++)
    lines.push(terminal.buffer.active.getLine(row).translateToString(true));
  return lines.join("\\n");
}"""

# Renamed indexes: the page showing these names proves the tab's monitor read the user's --config
# (and [ui] screenshot_dir, below, where a screenshot must not land).
CONFIG = """
indexes = [
  { symbol = "^GSPC", name = "Large caps" },
  { symbol = "^NDX",  name = "Tech hundred" },
  { symbol = "^RUT",  name = "Small caps" },
]
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_serve(logs: Path, *argv: str) -> subprocess.Popen[bytes]:
    """`tuimarket ARGV` started as a service manager would: no terminal (TERM=dumb), its output in
    files under `logs` (a pipe nobody reads could fill and stall it)."""
    with (logs / "serve.out").open("wb") as out, (logs / "serve.err").open("wb") as err:
        return subprocess.Popen([sys.executable, "-m", "tuimarket", *argv], stdout=out, stderr=err,
                                stdin=subprocess.DEVNULL, env=os.environ | {"TERM": "dumb"})


def output(logs: Path) -> str:
    return (logs / "serve.out").read_text(errors="replace") + (logs / "serve.err").read_text(errors="replace")


def wait_until_listening(server: subprocess.Popen[bytes], port: int, logs: Path) -> None:
    def listening() -> bool:
        if server.poll() is not None:
            pytest.fail(f"serve exited with {server.returncode}:\n{output(logs)}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            return False

    wait_for(listening, f"serve to listen on port {port}", timeout=60)


def stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


@pytest.fixture
def chromium() -> Path:
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: `apt-get install chromium` (CI's .ci/run does)")
    return CHROMIUM


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`tuimarket serve` on a free loopback port: the bundled history, this test's cache and a config."""
    config = tmp_path / "config.toml"
    config.write_text(f'{CONFIG}\n[ui]\nscreenshot_dir = "{tmp_path / "screenshots"}"\n')
    port = free_port()
    server = start_serve(tmp_path, "--config", str(config), "--source", "bundled", "serve", "--port", str(port))
    try:
        wait_until_listening(server, port, tmp_path)
        yield f"http://127.0.0.1:{port}/", server
    finally:
        stop(server)


def monitor_processes(server: subprocess.Popen[bytes]) -> list[int]:
    """The monitors the server runs now, one per open tab (each under its own shell or not)."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    return [int(pid) for pid in children]


@pytest.mark.processes
def test_the_monitor_in_a_browser_tab(chromium: Path, served: tuple[str, subprocess.Popen[bytes]],
                                      cache_dir: Path, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    url, server = served
    logs = tmp_path
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            context.add_init_script(CATCH_THE_TERMINAL)
            # Nothing leaves this machine: the page's web font (Google's) is refused, the server's own files pass.
            context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(url)
                          else route.abort())

            page = context.new_page()
            page.goto(url)
            wait_for_screen(page, logs, "^GSPC", "^NDX", "^RUT", "Large caps", "Tech hundred", "Small caps",
                            "6,604.72", "24,397.31", "2,411.04")

            page.locator(".xterm-helper-textarea").focus()    # the keyboard goes to the terminal
            # A screenshot is the browser's download, not a file on the server's disk.
            with context.expect_event("response", lambda response: "/download/" in response.url,
                                      timeout=PAINT_TIMEOUT_MS) as download:
                page.keyboard.press("s")
            assert download.value.ok and download.value.headers["content-type"].startswith("image/svg+xml")
            assert re.fullmatch(r"attachment; filename=tuimarket-\d{8}-\d{6}\.svg",
                                download.value.headers["content-disposition"])
            assert not (tmp_path / "screenshots").exists()

            page.keyboard.press("Enter")                       # the focused index's detail screen
            wait_for_screen(page, logs, "The Large caps closed at 6,604.72", "MACD (12, 26, 9)")

            page.close()
            wait_for(lambda: not monitor_processes(server), "the closed tab's monitor to end", timeout=30)
            again = context.new_page()
            again.goto(url)
            wait_for_screen(again, logs, "Large caps", "Tech hundred", "Small caps")   # a new monitor paints
            monitors = monitor_processes(server)
            assert server.poll() is None and len(monitors) == 1

            server.send_signal(signal.SIGINT)     # Ctrl+C with a tab open: it ends at once, and so does its monitor
            assert server.wait(timeout=10) == 0
            wait_for(lambda: not any(Path(f"/proc/{pid}").exists() for pid in monitors), "the monitor to end",
                     timeout=10)
            again.wait_for_function('() => document.body.classList.contains("-closed")', timeout=10_000)
        finally:
            browser.close()
    assert (cache_dir / "market.sqlite3").exists(), "the served monitor used the test's own cache"


def wait_for_screen(page, logs: Path, *texts: str) -> None:
    """Until the terminal shows every one of `texts`; a session that ends first fails at once."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    condition = f"""() => document.body.classList.contains("-closed")
                         || {list(texts)!r}.every(text => ({SCREEN_TEXT})().includes(text))"""
    try:
        page.wait_for_function(condition, timeout=PAINT_TIMEOUT_MS, polling=250)
        ended = page.evaluate('() => document.body.classList.contains("-closed")')
    except PlaywrightTimeout:
        ended = False
    else:
        if not ended:
            return
    pytest.fail(f"the page {'ended its session' if ended else 'timed out'} before it showed {texts}; "
                f"it shows:\n{page.evaluate(SCREEN_TEXT)}\nthe server said:\n{output(logs)}")


def served_page(logs: Path, *options: str) -> str:
    """The page `tuimarket serve OPTIONS` serves on a free port (bound to 0.0.0.0 or 127.0.0.1)."""
    port = free_port()
    server = start_serve(logs, "--source", "bundled", "serve", "--port", str(port), *options)
    try:
        wait_until_listening(server, port, logs)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
            return response.read().decode().replace(str(port), "PORT")
    finally:
        stop(server)


def test_a_host_beyond_this_machine_is_served_with_a_warning(tmp_path: Path) -> None:
    page = served_page(tmp_path, "--host", "0.0.0.0")
    warning = (tmp_path / "serve.err").read_text().splitlines()[0]
    assert warning.startswith("tuimarket: warning: serving on 0.0.0.0 with no authentication: anyone who can reach "
                              "port ") and warning.endswith(" can use the monitor")
    # No browser can reach 0.0.0.0: the page sends it to this machine's name instead.
    assert f'data-session-websocket-url="ws://{socket.gethostname()}:PORT/ws"' in page


def test_behind_a_proxy_the_page_points_at_the_public_url(tmp_path: Path) -> None:
    page = served_page(tmp_path, "--public-url", "https://market.example.org/")
    assert 'data-session-websocket-url="wss://market.example.org/ws"' in page
    assert "https://market.example.org/static/js/textual.js" in page
    assert "warning" not in (tmp_path / "serve.err").read_text()    # on 127.0.0.1 by default


@pytest.mark.parametrize("argv, phrase", [
    (["--port", "0"], "argument --port: must be a port number from 1 to 65535, got '0'"),
    (["--port", "65536"], "argument --port: must be a port number from 1 to 65535, got '65536'"),
    (["--port", "http"], "argument --port: must be a port number from 1 to 65535, got 'http'"),
    (["--public-url", "market.example.org"], "argument --public-url: must start with http:// or https://"),
])
def test_a_bad_port_or_url_is_one_line(capsys, argv: list[str], phrase: str) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["serve", *argv])
    err = capsys.readouterr().err
    assert exited.value.code == 2 and err.count("\n") == 1 and phrase in err


@pytest.fixture
def port_in_use() -> Iterator[int]:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]


def test_a_port_in_use_is_one_line_before_any_banner(capsys, port_in_use: int) -> None:
    code = cli.main(["--source", "bundled", "serve", "--port", str(port_in_use)])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err == f"tuimarket: error: serve: cannot listen on 127.0.0.1 port {port_in_use}: Address already in use\n"


def test_without_the_extra_serve_says_how_to_install_it(capsys, monkeypatch: pytest.MonkeyPatch,
                                                        port_in_use: int) -> None:
    import tuimarket

    monkeypatch.setitem(sys.modules, "textual_serve", None)     # as if `pip install tuimarket` alone
    monkeypatch.delitem(sys.modules, "textual_serve.server", raising=False)
    monkeypatch.delitem(sys.modules, "tuimarket.serve", raising=False)
    monkeypatch.delattr(tuimarket, "serve", raising=False)
    # on a port in use: should the extra be found after all, no server starts
    code = cli.main(["--source", "bundled", "serve", "--port", str(port_in_use)])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.startswith("tuimarket: error: serve needs the serve extra (textual_serve")
    assert err.endswith(" is not installed): pip install 'tuimarket[serve]'\n") and err.count("\n") == 1


def test_each_tab_runs_the_monitor_with_the_users_options(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import date

    from tuimarket.serve import monitor_command

    monkeypatch.chdir(tmp_path)
    assert monitor_command("my config.toml", "bundled", date(2025, 4, 8)) == (
        f"{sys.executable} -m tuimarket --config '{tmp_path / 'my config.toml'}' --source bundled "
        "--as-of 2025-04-08 monitor")
    assert monitor_command(None, None, None) == f"{sys.executable} -m tuimarket monitor"


def test_the_server_never_loads_textual() -> None:
    """Only each tab's monitor draws: the web server's process stays light."""
    loaded = modules_loaded_by("import tuimarket.cli, tuimarket.serve")
    assert "textual_serve" in loaded and not {"textual", "textual_plotext", "pandas"} & loaded
