"""Delivery through apprise to a real local HTTP server, a command's environment, retries, rate limits."""

from __future__ import annotations

import json
import logging
import socket
import sys
import threading
import time
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tuimarket import config
from tuimarket.alerts import Alert
from tuimarket.alerts.delivery import CommandSink, Deliveries, RateLimit, build_deliveries
from tuimarket.config import ConfigError

ALERT = Alert(key="^GSPC|crossed_above/6000|2024-11-11|1", symbol="^GSPC", kind="crossed_above",
              date=date(2024, 11, 11), title="S&P 500 closed above 6,000", body="close 6,001.35 on 2024-11-11",
              fields={"close": 6001.35, "level": 6000.0}, subject="6000")
QUICK = (0.05, 0.1)      # backoff in tests: two retries within a fraction of a second


class Server:
    """A real HTTP server on 127.0.0.1 that records each POST and answers with `status`."""

    def __init__(self, status: int = 200) -> None:
        self.status, self.posts, self.arrived = status, [], threading.Condition()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                self.send_response(outer.status)
                self.end_headers()
                with outer.arrived:
                    outer.posts.append(payload)
                    outer.arrived.notify_all()

            def log_message(self, *args) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.http.serve_forever, daemon=True).start()
        self.url = f"json://127.0.0.1:{self.http.server_port}/alerts"

    def wait_for(self, count: int, timeout: float = 10.0) -> list[dict]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.posts) >= count, timeout)
        return self.posts

    def close(self) -> None:
        self.http.shutdown()
        self.http.server_close()


@pytest.fixture
def server():
    running = Server()
    yield running
    running.close()


def deliveries_to(*urls: str, cooldown: int = 0, cap: int = 0, **options) -> Deliveries:
    sinks = "".join(f"[[alerts.sinks]]\nurl = '{url}'\ncooldown_seconds = {cooldown}\ndaily_cap = {cap}\n"
                    for url in urls)
    return build_deliveries(config.parse(sinks), backoff=QUICK, **options)


def test_an_alert_reaches_a_json_webhook_through_apprise(server):
    deliveries_to(server.url).send(ALERT)
    [payload] = server.wait_for(1)
    assert payload["title"] == "S&P 500 closed above 6,000"
    assert payload["message"] == "close 6,001.35 on 2024-11-11"


def test_a_server_answering_500_is_retried_with_backoff_then_noted_in_the_log(caplog):
    failing = Server(status=500)
    waits = []
    deliveries = deliveries_to(failing.url, sleep=lambda seconds: waits.append(seconds) or time.sleep(seconds))
    with caplog.at_level(logging.INFO, logger="tuimarket.alerts"):
        deliveries.send(ALERT)
        assert deliveries.drain(timeout=10)
    failing.close()
    assert len(failing.posts) == 3 and waits == [0.0, *QUICK]
    [given_up] = [r for r in caplog.records if r.name == "tuimarket.alerts" and r.levelno == logging.WARNING]
    assert "not delivered to json://… after 3 attempts" in given_up.getMessage()
    # the URL (it may hold a token) is never in our log lines
    assert not any("/alerts" in r.getMessage() for r in caplog.records if r.name == "tuimarket.alerts")


def silent_url(silent: socket.socket, seconds: float) -> str:
    """A json:// URL to a socket the kernel accepts connections on, which nobody ever answers."""
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    return f"json://127.0.0.1:{silent.getsockname()[1]}/?rto={seconds:g}&cto={seconds:g}"


def test_a_server_that_never_answers_never_blocks_the_caller(caplog):
    with socket.socket() as silent:
        deliveries = deliveries_to(silent_url(silent, 0.3))
        with caplog.at_level(logging.WARNING, logger="tuimarket.alerts"):
            for _ in range(3):
                deliveries.send(ALERT)
            assert not deliveries.drain(timeout=0)      # all three returned with their deliveries pending
            assert deliveries.drain(timeout=30)
    assert sum("after 3 attempts" in r.getMessage() for r in caplog.records) == 3


def test_a_hanging_sink_does_not_hold_up_another(server):
    with socket.socket() as silent:
        deliveries = deliveries_to(silent_url(silent, 60), server.url)
        deliveries.send(ALERT)
        assert server.wait_for(1, timeout=20)           # long before the silent one's 60 s


def test_the_cooldown_holds_back_alerts_until_it_has_passed(server):
    clock = [datetime(2024, 11, 11, 21, 0, tzinfo=timezone.utc)]
    deliveries = deliveries_to(server.url, cooldown=300, now=lambda: clock[0])
    for n in range(3):
        deliveries.send(replace(ALERT, key=f"k{n}"))
    clock[0] += timedelta(seconds=301)
    deliveries.send(replace(ALERT, key="later"))
    assert deliveries.drain(timeout=10)
    assert len(server.posts) == 2


def test_the_daily_cap_resets_the_next_day():
    limit = RateLimit(daily_cap=2)
    day = datetime(2024, 11, 11, 15, 0, tzinfo=timezone.utc)
    assert [limit.allow(day + timedelta(minutes=n)) for n in range(4)] == [True, True, False, False]
    assert limit.allow(day + timedelta(days=1))


def test_a_url_apprise_cannot_parse_is_a_config_error_naming_its_key():
    settings = config.parse("[[alerts.sinks]]\nurl = 'ntfy://ok'\n[[alerts.sinks]]\nurl = 'nonsense://x'", "my.toml")
    with pytest.raises(ConfigError) as caught:
        build_deliveries(settings)
    assert str(caught.value).startswith("my.toml: alerts.sinks[1].url: apprise cannot parse this URL")


WRITE_ENV = ("import json, os, sys; json.dump({k: v for k, v in os.environ.items() "
             "if k.startswith('TUIMARKET_ALERT_')}, open(sys.argv[1], 'w'))")


def test_a_command_gets_the_alert_in_its_environment(tmp_path):
    out = tmp_path / "env.json"
    deliveries = Deliveries([(CommandSink([sys.executable, "-c", WRITE_ENV, str(out)]), RateLimit())])
    deliveries.send(ALERT.as_replay())
    assert deliveries.drain(timeout=20)
    env = json.loads(out.read_text())
    assert env["TUIMARKET_ALERT_TITLE"] == "[replay] S&P 500 closed above 6,000"
    assert env["TUIMARKET_ALERT_SYMBOL"] == "^GSPC" and env["TUIMARKET_ALERT_DATE"] == "2024-11-11"
    assert env["TUIMARKET_ALERT_LEVEL"] == "6000.0" and env["TUIMARKET_ALERT_REPLAY"] == "true"
    assert env["TUIMARKET_ALERT_KEY"] == ALERT.key


def test_a_failing_or_hanging_command_is_retried_and_noted(tmp_path, caplog):
    fails = CommandSink([sys.executable, "-c", "import sys; sys.exit('no route to phone')"])
    hangs = CommandSink([sys.executable, "-c", "import time; time.sleep(60)"], timeout=0.5)
    deliveries = Deliveries([(fails, RateLimit()), (hangs, RateLimit())], backoff=(0.05,))
    with caplog.at_level(logging.WARNING, logger="tuimarket.alerts"):
        deliveries.send(ALERT)
        assert deliveries.drain(timeout=20)
    messages = [r.getMessage() for r in caplog.records if r.name == "tuimarket.alerts"]
    assert any("exited with status 1 no route to phone" in m and "after 2 attempts" in m for m in messages)
    assert any("still running after 0.5 s (killed)" in m for m in messages)
