"""Child processes the benchmarks launch: `python bench/harness.py MODE`, printing PAINTED when done.

The line also gives the process's peak resident memory so far (VmHWM, KiB): ru_maxrss would
count the memory of the benchmark process it was forked from, before the exec.

MODE is one of:
  hello     a bare Textual app with one Static: the reference for launch time
  monitor   tuimarket on the bundled history, until its first snapshot has painted
  monitor-no-breadth   the same with `[breadth] enabled = false` (no members, no breadth pane)
  empty     tuimarket's first frame, whatever it shows (with no saved view: every widget, no data)
  refresh   tuimarket against a fake Yahoo, through its first live refresh (for peak memory), the
            index members' closes fetched and cached in it

Every mode runs headless (`App.run(headless=True)`), with the cache in $TUIMARKET_CACHE_DIR.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

from textual.app import App, ComposeResult
from textual.widgets import Static

MARKER = "PAINTED"


def _painted(app: App) -> None:
    peak = next(line.split()[1] for line in Path("/proc/self/status").read_text().splitlines()
                if line.startswith("VmHWM:"))
    print(MARKER, peak, flush=True)
    app.exit()


class HelloWorld(App):
    def compose(self) -> ComposeResult:
        yield Static("Hello, world")

    def on_mount(self) -> None:
        self.call_after_refresh(_painted, self)


def _monitor(live: bool, empty: bool = False, breadth: bool = True) -> App:
    """The real app, reporting once the dashboard has painted real (or, with `live`, refreshed) data.

    With `empty`, it reports its first frame whatever it shows: with no saved view, the bare
    dashboard (every widget, no data), which is what Textual alone makes of the widget tree.
    """
    from tuimarket.config import Config
    from tuimarket.monitor import MarketPipeline
    from tuimarket.ui.app import TuimarketApp

    class FirstPaint(TuimarketApp):
        def start_load(self, live_load: bool) -> None:
            if empty:   # called as the app mounts, with no saved view: report the first frame
                self.call_after_refresh(_painted, self)
            elif self.board is not None and not live:   # called once the saved view's frame is out
                _painted(self)
            else:
                super().start_load(live_load)

        def on_snapshot_ready(self, message) -> None:
            # Textual calls the base class's handler too (it dispatches along the MRO).
            if message.live or not live:
                self.call_after_refresh(_painted, self)

    config = Config() if breadth else replace(Config(), breadth=replace(Config().breadth, enabled=False))
    if not live:   # as `tuimarket --source bundled` builds it: the feed is made in the refresh worker
        return FirstPaint(config, MarketPipeline(config, source="bundled"))
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from fakes import FakeYahoo, member_history

    from tuimarket.data.feed import Feed

    from tuimarket.data import calendar, members

    # Yahoo serves the index members too (their bundled closes walked on to today), so with breadth
    # on the refresh fetches and caches all 503 members' closes, as a live first refresh does.
    today = calendar.now_utc().date()
    history = member_history(members.bundled().closes, today) if config.breadth.enabled else {}
    feed = Feed(config, download=FakeYahoo(history=history), sleep=lambda seconds: None)
    return FirstPaint(config, MarketPipeline(config, feed))


if __name__ == "__main__":
    mode = sys.argv[1]
    app = HelloWorld() if mode == "hello" else _monitor(live=mode == "refresh", empty=mode == "empty",
                                                        breadth=mode != "monitor-no-breadth")
    app.run(headless=True, size=(160, 48))
