"""The yfinance path: one batched, silenced download per cycle, normalised into bars frames.

yfinance usually fails quietly (an empty frame, or all-NaN columns for a ticker it could not get)
rather than raising, so "no usable data" is treated like an exception: retried with capped,
jittered exponential backoff, then reported as one `FetchError`.
"""

from __future__ import annotations

import contextlib
import io
import logging
import random
import time
from datetime import date, datetime
from typing import Callable, Sequence
from zoneinfo import ZoneInfo

import pandas as pd

from tuimarket.data.model import COLUMNS

NEW_YORK = ZoneInfo("America/New_York")
PRICE_COLUMNS = ["Open", "High", "Low", "Close"]

Download = Callable[..., pd.DataFrame]


class FetchError(Exception):
    """Yahoo gave no usable data after every retry; `str()` is a short line for the status bar."""


def fetch(
    symbols: Sequence[str],
    *,
    start: date | None = None,
    period: str | None = None,
    download: Download | None = None,
    sleep: Callable[[float], None] = time.sleep,
    attempts: int = 3,
    today: date | None = None,
) -> dict[str, pd.DataFrame]:
    """Bars per symbol from one batched download (`start` or `period`, e.g. "12y").

    Symbols Yahoo could not deliver are absent from the result; raises FetchError when none came.
    `today` (New York) bounds the bars: anything dated later is dropped.
    """
    symbols = list(dict.fromkeys(symbols))
    download = download or _yfinance_download()
    today = today or datetime.now(NEW_YORK).date()
    arguments = {"start": start.isoformat()} if start else {"period": period or "max"}
    problem = "no data"
    for attempt in range(attempts):
        try:
            # A malformed response (text prices, not a frame at all) fails normalise: also a retry.
            bars = normalise(_quietly(download, symbols, **arguments), symbols, today=today)
        except Exception as exc:  # yfinance raises many kinds; any of them means "try again"
            problem = _short(exc)
        else:
            if bars:
                return bars
            problem = "Yahoo returned no data"
        if attempt + 1 < attempts:
            sleep(backoff_delay(attempt))
    raise FetchError(f"Yahoo download failed after {attempts} attempts: {problem}")


def backoff_delay(attempt: int, *, base: float = 1.0, cap: float = 8.0,
                  rand: Callable[[], float] = random.random) -> float:
    """Seconds to wait after failed attempt number `attempt` (0-based): "equal jitter" backoff.

    Half the capped exponential step is fixed and half random, so retries from several
    instances spread out but never wait close to zero.
    """
    step = min(cap, base * 2 ** attempt)
    return step / 2 + rand() * step / 2


def normalise(frame: pd.DataFrame | None, symbols: Sequence[str], *, today: date) -> dict[str, pd.DataFrame]:
    """Split a yfinance download into one clean bars frame per symbol that has data."""
    if frame is None or frame.empty:
        return {}
    result = {}
    for symbol in symbols:
        raw = _columns_of(frame, symbol, single=len(symbols) == 1)
        if raw is None:
            continue
        bars = _clean(raw, today)
        if not bars.empty:
            result[symbol] = bars
    return result


def _columns_of(frame: pd.DataFrame, symbol: str, *, single: bool) -> pd.DataFrame | None:
    """The price columns of one ticker, from (Price, Ticker) columns or a flat single-ticker frame."""
    if not isinstance(frame.columns, pd.MultiIndex):
        return frame if single else None
    level = "Ticker" if "Ticker" in frame.columns.names else 1
    tickers = {str(t).upper(): t for t in frame.columns.get_level_values(level)}
    if symbol.upper() not in tickers:
        return None
    return frame.xs(tickers[symbol.upper()], axis=1, level=level)


def _clean(raw: pd.DataFrame, today: date) -> pd.DataFrame:
    if any(column not in raw.columns for column in PRICE_COLUMNS):
        return pd.DataFrame()
    bars = raw.reindex(columns=list(COLUMNS)).astype("float64").rename_axis(columns=None)
    bars.index = _session_dates(pd.DatetimeIndex(raw.index))
    bars = bars.dropna(subset=["Close"])          # a bar without a close is no bar (all-NaN rows too)
    bars["Volume"] = bars["Volume"].fillna(0.0)
    bars = bars[~bars.index.duplicated(keep="last")].sort_index()
    return bars.loc[: pd.Timestamp(today)]


def _session_dates(index: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """Tz-naive New York midnight dates, whatever timezone yfinance handed back."""
    if index.tz is not None:
        index = index.tz_convert(NEW_YORK).tz_localize(None)
    return index.normalize().rename("Date")


def _quietly(download: Download, symbols: list[str], **arguments) -> pd.DataFrame:
    """Call download with yfinance's logger muted and its stray prints swallowed.

    `threads=False`: yfinance's threaded mode stalls about 5 s per call when Yahoo cannot be
    reached (measured with 14 symbols; sequential fails in 20 ms), and refreshes run in a
    background worker, so parallel requests buy little.
    """
    _mute_yfinance_logger()
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        return download(symbols, interval="1d", auto_adjust=True, group_by="column", progress=False,
                        threads=False, multi_level_index=True, **arguments)


def _mute_yfinance_logger() -> None:
    logger = logging.getLogger("yfinance")
    logger.setLevel(logging.CRITICAL + 1)
    logger.propagate = False
    if not logger.handlers:
        logger.addHandler(logging.NullHandler())   # keeps logging's last-resort stderr handler away


def _yfinance_download() -> Download:
    import yfinance  # lazy: start-up must never pay for importing yfinance

    return yfinance.download


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text[:120]}" if text else type(exc).__name__
