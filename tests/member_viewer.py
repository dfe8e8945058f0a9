"""One process of three sharing a cache, run by tests/test_member_fetch.py.

    TUIMARKET_CACHE_DIR=CACHE_DIR python tests/member_viewer.py MODE LOG

MODE is `monitor` (the monitor's pipeline refreshing until its breadth reaches the fake Yahoo's
last date), `watch` (`tuimarket watch`'s passes, likewise) or `report` (`tuimarket report
--format json`, once). Each runs at a fixed moment after a close, on the real Feed and SQLite
cache in CACHE_DIR, against the fake Yahoo serving the indexes and the index members (bundled
closes walked on to the fake's last date). Every request for members appends "pid count" to LOG;
the process's last line on stdout is its breadth's date.
"""

from __future__ import annotations

import io
import json
import os
import sys
import time
from contextlib import redirect_stdout
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import fakes  # noqa: E402
from tuimarket import cli, config, watch  # noqa: E402
from tuimarket.alerts.delivery import Deliveries  # noqa: E402
from tuimarket.data import calendar, members, yahoo  # noqa: E402
from tuimarket.data.alert_store import AlertStore  # noqa: E402
from tuimarket.data.feed import CachedMembers, Feed  # noqa: E402
from tuimarket.monitor import MarketPipeline  # noqa: E402

LAST_DATE = datetime(2026, 3, 10).date()
AFTER_CLOSE = datetime(2026, 3, 10, 21, 0, tzinfo=timezone.utc)
PATIENCE_SECONDS = 60


def main(mode: str, log: str) -> None:
    closes = members.bundled().closes
    fake = fakes.FakeYahoo(end=LAST_DATE, history=fakes.member_history(closes, LAST_DATE))
    listed = set(closes.columns)

    def counted(tickers, **options):
        if asked := listed.intersection([tickers] if isinstance(tickers, str) else tickers):
            with open(log, "a", encoding="utf-8") as lines:    # O_APPEND: one short line, one write
                lines.write(f"{os.getpid()} {len(asked)}\n")
        return fake(tickers, **options)

    calendar.now_utc = lambda: AFTER_CLOSE          # noqa: the moment every Feed made here reads
    yahoo.default_download = lambda: counted        # the download of every Feed the CLI makes
    settings = config.load(None)
    if mode == "report":
        out = io.StringIO()
        with redirect_stdout(out):
            cli.main(["report", "--format", "json"])
        print(json.loads(out.getvalue())["breadth"]["as_of"])
        return
    feed = Feed(settings, attempts=1, sleep=lambda _: None)
    if mode == "monitor":
        refresh = MarketPipeline(settings, feed).refresh
        breadth_date = lambda: refresh().snapshot.market_breadth.reading.as_of   # noqa: E731
    else:
        cached, alerts = CachedMembers(settings, lambda: feed), AlertStore(feed.store)
        announce = watch.Announcer(io.StringIO(), Deliveries([]))
        breadth_date = lambda: watch.watch_once(settings, feed, cached, alerts, announce).members.as_of  # noqa: E731
    deadline = time.monotonic() + PATIENCE_SECONDS
    while True:
        seen = feed.store.data_version()      # read before the refresh: a commit during it counts
        if (day := breadth_date()) == LAST_DATE or time.monotonic() > deadline:
            break
        # Refresh again only once another process has committed to the cache: a refresh costs a
        # second of CPU, and polling with them slowed the very process it waited for.
        while feed.store.data_version() == seen and time.monotonic() < deadline:
            time.sleep(0.05)
    print(day)


if __name__ == "__main__":
    main(*sys.argv[1:])
