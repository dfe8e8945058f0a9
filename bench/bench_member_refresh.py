"""A member refresh: the index members' bars of the sessions since the bundle ended, fetched,
normalised and cached, against pandas.read_csv of the members' whole history (bench_cache_read's CSV).

Once a session, after the close, the monitor (or `watch`, or `report`) fetches the 503 S&P 500
members' bars after the last ones at hand: six downloads of at most a hundred symbols (from the
test suite's fake Yahoo, made beforehand, so the fake's own work is not timed), split per
symbol, screened and written to a new SQLite cache, then breadth's members read again with them.
Target: <= 3x reading all of the members' history once (measured on 2 shared cores: 5.6x, 1.72 s,
when each symbol was normalised apart; 2.4x, 0.83 s, since). Run: python bench/bench_member_refresh.py
"""

from __future__ import annotations

import sys
import tempfile
from datetime import date, datetime, timezone
from pathlib import Path

import pandas as pd

from bench_cache_read import member_bars
from common import median_seconds_in_turns, ratio_against

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import fakes  # noqa: E402 - the tests' fake yfinance, shaped like the real one

from tuimarket.config import Config  # noqa: E402
from tuimarket.data import members  # noqa: E402
from tuimarket.data.feed import CachedMembers, Feed  # noqa: E402
from tuimarket.data.store import Store  # noqa: E402

RUNS = 5
TARGET_RATIO = 3.0
LAST_SESSION = date(2026, 3, 10)
AFTER_CLOSE = datetime(2026, 3, 10, 21, 0, tzinfo=timezone.utc)


class Answers:
    """The fake Yahoo's answers, made once: each call gets the frame made for its request."""

    def __init__(self) -> None:
        self.yahoo = fakes.FakeYahoo(end=LAST_SESSION,
                                     history=fakes.member_history(members.bundled().closes, LAST_SESSION))
        self.made: dict[tuple, pd.DataFrame] = {}

    def __call__(self, tickers, **options) -> pd.DataFrame:
        key = (tuple(tickers), options.get("start"))
        if key not in self.made:
            self.made[key] = self.yahoo(tickers, **options)
        return self.made[key]


def refresh_members(answers: Answers) -> members.Members:
    with tempfile.TemporaryDirectory() as directory:
        feed = Feed(Config(), download=answers, store=Store(Path(directory) / "market.sqlite3"), now=AFTER_CLOSE,
                    attempts=1, sleep=lambda _: None)
        carried = CachedMembers(Config(), lambda: feed).refresh(feed.initial()).members
        feed.store.close()
    assert carried is not None and carried.as_of == LAST_SESSION, "the members' closes were not carried on"
    return carried


def run(runs: int = RUNS) -> dict:
    answers = Answers()
    refresh_members(answers)         # the answers made, the calendar built
    fetched = {key: frame for key, frame in answers.made.items() if len(key[0]) > 1 and key[1] is not None}
    with tempfile.TemporaryDirectory() as directory:
        csv = Path(directory) / "bars.csv"
        history = member_bars()
        pd.concat(history, names=["Symbol", "Date"]).reset_index().to_csv(csv, index=False)
        refresh_s, csv_s = median_seconds_in_turns((lambda: refresh_members(answers),
                                                     lambda: pd.read_csv(csv, parse_dates=["Date"])), runs)
    return {
        "name": "member_refresh",
        "members": sum(len(key[0]) for key in fetched),
        "history_bars": sum(len(frame) for frame in history.values()),
        "runs": runs,
        "refresh_s": round(refresh_s, 3),
        "read_csv_s": round(csv_s, 3),
        **ratio_against(refresh_s, csv_s, TARGET_RATIO),
    }


if __name__ == "__main__":
    result = run()
    print(f"{result['members']} members, median of {result['runs']} runs in turns")
    print(f"member refresh:    {result['refresh_s']:6.3f} s")
    print(f"pandas.read_csv:   {result['read_csv_s']:6.3f} s ({result['history_bars']:,} bars)")
    print(f"ratio:             {result['ratio']:6.2f}x (target <= {TARGET_RATIO}x: {result['result']})")
