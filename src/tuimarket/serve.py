"""`tuimarket serve`: the monitor in a browser tab, through textual-serve (the `serve` extra).

Each tab that opens the page gets its own monitor process, `python -m tuimarket monitor` with the
options the user gave, drawn by xterm.js over a websocket; closing the tab ends that process only.
This process runs the web server alone: it never imports Textual. The server has no
authentication, so it listens on the loopback address unless told otherwise.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import shlex
import socket
import sys
from datetime import date
from pathlib import Path
from typing import Any

# Imported here, not where it is used: without the extra, importing this module is the error the
# command line turns into "pip install 'tuimarket[serve]'".
from aiohttp import web
from textual_serve.server import Server


def monitor_command(config: str | None, source: str | None, as_of: date | None) -> str:
    """The shell command each tab runs: this interpreter's monitor, with the user's options."""
    argv = [sys.executable, "-m", "tuimarket"]
    if config is not None:
        argv += ["--config", str(Path(config).resolve())]    # the same file, whatever the cwd
    if source is not None:
        argv += ["--source", source]
    if as_of is not None:
        argv += ["--as-of", as_of.isoformat()]
    return shlex.join([*argv, "monitor"])


def is_loopback(host: str) -> bool:
    """Only this machine can reach `host`; a name other than localhost is not trusted to be."""
    address = _ip_address(host)
    return host == "localhost" or (address is not None and address.is_loopback)


def default_url(host: str, port: int) -> str:
    """Where the page sends the browser for its websocket and scripts, unless told otherwise.

    No browser can reach a wildcard address (0.0.0.0, ::): this machine's name stands in for it.
    """
    address = _ip_address(host)
    if address is not None and address.is_unspecified:
        host = socket.gethostname()
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _ip_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """`host` as an address, or None for a name."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def check_address(host: str, port: int) -> None:
    """OSError now if `host` and `port` cannot be listened on (a port in use, a host not this machine's).

    textual-serve prints its banner before it binds: found out first, the user reads one error,
    not "Serving ... on" followed by one.
    """
    for family, kind, protocol, _, address in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                                 flags=socket.AI_PASSIVE):
        with socket.socket(family, kind, protocol) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)   # as the server will
            probe.bind(address)


class MonitorServer(Server):
    """textual-serve's server, ending every open tab's session when it stops.

    Left alone, Ctrl+C with a tab open waited for that tab's websocket to time out (18 s).
    """

    def __init__(self, command: str, **options: Any) -> None:
        super().__init__(command, **options)
        self._sessions: set[asyncio.Task[Any]] = set()

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        session = asyncio.current_task()
        assert session is not None
        self._sessions.add(session)
        try:
            return await super().handle_websocket(request)
        finally:
            self._sessions.discard(session)

    async def on_shutdown(self, app: web.Application) -> None:
        # A cancelled session quits its monitor and closes its websocket (Server.handle_websocket).
        for session in self._sessions:
            session.cancel()


def serve(command: str, host: str, port: int, public_url: str | None = None) -> None:
    """Serve `command` until Ctrl+C (after `check_address`)."""
    # The monitor draws into xterm.js, not into the terminal (if any) that started the server:
    # a TERM=dumb inherited from a service manager must not make it refuse to start.
    os.environ["TERM"] = "xterm-256color"
    MonitorServer(command, host=host, port=port, title="tuimarket",
                  public_url=public_url or default_url(host, port)).serve()
