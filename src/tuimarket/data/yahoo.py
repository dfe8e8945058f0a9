"""The yfinance path: one batched, silenced download per cycle, normalised into bars frames.

yfinance usually fails quietly (an empty frame, or all-NaN columns for a ticker it could not get)
rather than raising, so "no usable data" is treated like an exception: retried with capped,
jittered exponential backoff, then reported as one `FetchError`. Why it failed (unreachable,
rate-limited, or nothing to give) is read from the exception or from what yfinance logged.

yfinance's own rate-limit exception carries no response, so the wait Yahoo asks for (its
Retry-After header) is read off the HTTP session we hand yfinance: `YfinanceDownload`.
"""

from __future__ import annotations

import contextlib
import email.utils
import enum
import io
import logging
import random
import re
import time
from datetime import date, datetime, timezone
from typing import Any, Callable, Sequence
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from tuimarket.data.model import COLUMNS

NEW_YORK = ZoneInfo("America/New_York")
PRICE_COLUMNS = ["Open", "High", "Low", "Close"]
EXCHANGE_DAY_READING = pd.Timedelta(hours=13)   # see _session_dates

Download = Callable[..., pd.DataFrame]


class Failure(enum.StrEnum):
    UNREACHABLE = "Yahoo could not be reached"
    RATE_LIMITED = "Yahoo is limiting our requests (rate limit)"
    NO_DATA = "Yahoo returned no data"


# Words in an exception or in yfinance's log that tell why nothing came (curl's, requests', Yahoo's),
# the most telling first: the complaint quoted is the one with the first word found.
RATE_LIMIT_WORDS = ("RateLimit", "Rate limited", "Too Many Requests", "HTTP 429")
UNREACHABLE_WORDS = ("Could not resolve", "Connection refused", "Network is unreachable", "timed out", "Timeout",
                     "SSLError", "ProxyError", "Failed to perform", "ConnectionError")

# What wraps the reason in a complaint, said to nobody: yfinance's "Failed to get ticker 'XLV' reason: ",
# curl's "Failed to perform, curl: (6) " and its pointer to its list of error codes.
WRAPPING = re.compile(r"Failed to get ticker '[^']*' reason: |Failed to perform, curl: \(\d+\) |\.? See https?://\S+")


class FetchError(Exception):
    """Yahoo gave no usable data after every retry; `str()` is a short line for the status bar.

    `retry_after` is the wait, in seconds, that Yahoo asked for (its Retry-After header), if any.
    """

    def __init__(self, message: str, failure: Failure, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.failure = failure
        self.retry_after = retry_after


def fetch(
    symbols: Sequence[str],
    *,
    start: date | None = None,
    period: str | None = None,
    download: Download | None = None,
    sleep: Callable[[float], None] = time.sleep,
    attempts: int = 3,
    today: date | None = None,
    now: datetime | None = None,
) -> dict[str, pd.DataFrame]:
    """Bars per symbol from one batched download (`start` or `period`, e.g. "12y").

    Symbols Yahoo could not deliver are absent from the result; raises FetchError when none came.
    `today` (New York) bounds the bars: anything dated later is dropped. `now` (tz-aware; the
    clock's by default) is what a Retry-After given as a date is counted from.
    """
    symbols = list(dict.fromkeys(symbols))
    download = download or default_download()
    today = today or datetime.now(NEW_YORK).date()
    arguments = {"start": start.isoformat()} if start else {"period": period or "max"}
    for attempt in range(attempts):
        complaints: list[str] = []
        asked: str | None = None      # the Retry-After of this attempt's 429, if any
        try:
            # A malformed response (text prices, not a frame at all) fails normalise: also a retry.
            bars = normalise(_quietly(download, symbols, complaints, **arguments), symbols, today=today)
        except Exception as exc:  # yfinance raises many kinds; any of them means "try again"
            complaints.insert(0, _short(exc))
            asked = _retry_after_header(exc)
        else:
            if bars:
                return bars
        asked = asked or getattr(download, "retry_after", None)   # what our session saw (YfinanceDownload)
        retry_after = _seconds_to_wait(asked, now or datetime.now(timezone.utc))
        failure, detail = _why(complaints)
        if retry_after is not None:
            break     # Yahoo said when: asking sooner only prolongs the limit
        if attempt + 1 < attempts:
            sleep(backoff_delay(attempt))
    problem = f"{failure}: {detail}" if detail else str(failure)
    tries = f"{attempt + 1} attempts" if attempt else "one attempt"
    raise FetchError(f"Yahoo download failed after {tries}: {problem}", failure, retry_after)


def _retry_after_header(exc: Exception) -> str | None:
    """The Retry-After of the HTTP response riding on `exc` (curl_cffi's and requests' errors)."""
    response = getattr(exc, "response", None)
    return getattr(response, "headers", {}).get("Retry-After") if response is not None else None


def _seconds_to_wait(value: str | None, now: datetime) -> float | None:
    """Seconds a Retry-After value asks us to wait: a number of seconds or an HTTP date."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        return max(0.0, (email.utils.parsedate_to_datetime(value) - now).total_seconds())
    except (TypeError, ValueError):
        return None


def _why(complaints: list[str]) -> tuple[Failure, str | None]:
    """Why an attempt brought nothing, and the complaint that says so."""
    for failure, words in ((Failure.RATE_LIMITED, RATE_LIMIT_WORDS), (Failure.UNREACHABLE, UNREACHABLE_WORDS)):
        for word in words:
            for complaint in complaints:
                if word in complaint:
                    return failure, WRAPPING.sub("", complaint).strip()
    return Failure.NO_DATA, complaints[0] if complaints else None


def backoff_delay(attempt: int, *, base: float = 1.0, cap: float = 8.0,
                  rand: Callable[[], float] = random.random) -> float:
    """Seconds to wait after failed attempt number `attempt` (0-based): "equal jitter" backoff.

    Half the capped exponential step is fixed and half random, so retries from several
    instances spread out but never wait close to zero.
    """
    step = min(cap, base * 2.0 ** attempt)
    return step / 2 + rand() * step / 2


def normalise(frame: pd.DataFrame | None, symbols: Sequence[str], *, today: date) -> dict[str, pd.DataFrame]:
    """Split a yfinance download into one clean bars frame per symbol that has data.

    The batch's dates are read and its prices converted once, not once per symbol: a refresh of the
    index members splits five downloads of a hundred symbols each.
    """
    if frame is None or frame.empty:
        return {}
    columns = _columns_of(frame, symbols)
    if not columns:
        return {}
    asked = sorted({position for positions in columns.values() for position in positions if position is not None})
    prices = frame.iloc[:, asked].to_numpy(dtype=np.float64)    # a text price fails here: a retry
    column_of = {position: column for column, position in enumerate(asked)}
    missing = np.full(len(frame), np.nan)
    dates = _session_dates(pd.DatetimeIndex(frame.index))
    until_today = dates <= pd.Timestamp(today)
    result = {}
    for symbol, positions in columns.items():
        values = np.column_stack([missing if position is None else prices[:, column_of[position]]
                                  for position in positions])
        kept = until_today & ~np.isnan(values[:, COLUMNS.index("Close")])   # a bar without a close is no bar
        if not kept.any():
            continue
        values = values[kept]
        volume = values[:, COLUMNS.index("Volume")]
        volume[np.isnan(volume)] = 0.0
        bars = pd.DataFrame(values, index=dates[kept], columns=list(COLUMNS))
        if not bars.index.is_unique:
            bars = bars[~bars.index.duplicated(keep="last")]
        result[symbol] = bars if bars.index.is_monotonic_increasing else bars.sort_index()
    return result


def _columns_of(frame: pd.DataFrame, symbols: Sequence[str]) -> dict[str, list[int | None]]:
    """Where each symbol's COLUMNS are in `frame` (None: a column it lacks), for the symbols that
    have every price column: (Price, Ticker) columns, or a flat single-ticker frame."""
    if isinstance(frame.columns, pd.MultiIndex):
        level = frame.columns.names.index("Ticker") if "Ticker" in frame.columns.names else 1
        tickers = [str(ticker).upper() for ticker in frame.columns.get_level_values(level)]
        names = frame.columns.get_level_values(1 - level)
    elif len(symbols) == 1:
        tickers, names = [symbols[0].upper()] * len(frame.columns), frame.columns
    else:
        return {}
    where = {(ticker, name): position for position, (ticker, name) in enumerate(zip(tickers, names))}
    columns = {symbol: [where.get((symbol.upper(), column)) for column in COLUMNS] for symbol in symbols}
    return {symbol: positions for symbol, positions in columns.items()
            if all(position is not None for column, position in zip(COLUMNS, positions) if column in PRICE_COLUMNS)}


def _session_dates(index: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """Each bar's session date at its exchange, tz-naive midnight, whatever timezone yfinance handed back.

    yfinance stamps a daily bar at midnight where its exchange is, and a tz-aware index may show
    that instant in another zone (a batch is converted to its most common one). Read at UTC+13,
    the local midnight of every offset from UTC-10 to UTC+13 (every exchange's) falls on its own date.
    """
    if index.tz is not None:
        index = (index.tz_convert("UTC") + EXCHANGE_DAY_READING).tz_localize(None)
    # yfinance parses epoch seconds (datetime64[s]); the cache and the bundle hold microseconds.
    return index.normalize().as_unit("us").rename("Date")


def _quietly(download: Download, symbols: list[str], complaints: list[str],
             **arguments: object) -> pd.DataFrame:
    """Call download with yfinance's logger muted and its stray prints swallowed.

    What yfinance logs as errors (it catches its own exceptions and logs them) goes to `complaints`.

    `threads=False`: yfinance's threaded mode stalls about 5 s per call when Yahoo cannot be
    reached (measured with 14 symbols; sequential fails in 20 ms), and refreshes run in a
    background worker, so parallel requests buy little.
    """
    logger = _quiet_yfinance_logger()
    listener = _Complaints(complaints)
    logger.addHandler(listener)
    sink = io.StringIO()
    try:
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            return download(symbols, interval="1d", auto_adjust=True, group_by="column", progress=False,
                            threads=False, multi_level_index=True, **arguments)
    finally:
        logger.removeHandler(listener)


class _Complaints(logging.Handler):
    def __init__(self, complaints: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.complaints = complaints

    def emit(self, record: logging.LogRecord) -> None:
        if text := record.getMessage().strip():
            self.complaints.append(text.splitlines()[0][:160])


def _quiet_yfinance_logger() -> logging.Logger:
    """yfinance's logger, kept from the screen: nothing propagates to the root logger or stderr."""
    logger = logging.getLogger("yfinance")
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    if not logger.handlers:
        logger.addHandler(logging.NullHandler())   # keeps logging's last-resort stderr handler away
    return logger


def default_download() -> Download:
    """The download of every fetch given none (every Feed the commands make): yfinance's, through a
    session of ours. A process that must not reach Yahoo (a test's, serving Yahoo's answers from
    memory) puts its own download function here, called afresh for each fetch."""
    return YfinanceDownload()


class YfinanceDownload:
    """`yfinance.download` through an HTTP session of ours that keeps the Retry-After of a 429.

    yfinance raises its rate-limit error without the response, so the wait Yahoo asked for would
    be lost; the session sees every response first. Without a `session` each call gets a new one
    as yfinance makes it (curl_cffi impersonating Chrome); tests pass a session serving Yahoo's
    answers. `retry_after` is the header of the last call's last 429 (None: no 429, or no header).
    """

    def __init__(self, session: Any = None) -> None:
        self._session = _recording(session, self) if session is not None else None
        self.retry_after: str | None = None

    def __call__(self, symbols: Sequence[str], **arguments: Any) -> pd.DataFrame:
        import yfinance  # lazy: start-up must never pay for importing yfinance

        self.retry_after = None
        session = self._session or _recording(_browser_session(), self)
        frame: pd.DataFrame = yfinance.download(symbols, session=session, **arguments)
        return frame


def _browser_session() -> Any:
    from curl_cffi import requests as curl_requests

    return curl_requests.Session(impersonate="chrome")


def _recording(session: Any, download: YfinanceDownload) -> Any:
    """`session`, its requests passing each 429's Retry-After to `download` on the way back.

    Wrapped on the instance, since yfinance accepts only a genuine curl_cffi or requests
    Session (both send `get` and `post` through `request`, and neither has response hooks in common).
    """
    send = session.request

    def request(*args: Any, **kwargs: Any) -> Any:
        response = send(*args, **kwargs)
        if response.status_code == 429:
            download.retry_after = response.headers.get("Retry-After")
        return response

    session.request = request
    return session


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text[:120]}" if text else type(exc).__name__
