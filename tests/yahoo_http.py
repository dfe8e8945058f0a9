"""Yahoo at the HTTP layer: a `requests` session that answers yfinance as Yahoo's servers would.

`YahooSite` is a transport adapter mounted on a real `requests.Session`, so the real
`yfinance.download(..., session=site.session())` runs all of its own code (the cookie and crumb
dance, the v8 chart request per ticker, the JSON parsing, the frame it assembles) and only the
bytes come from here. The chart JSON is shaped like Yahoo's (`chart.result[0]` with `meta`,
`timestamp` at each session's 09:30 New York open, `indicators.quote` and `indicators.adjclose`),
built from the bundled history. A symbol it does not know gets Yahoo's 404 answer.

Every URL yfinance may ask for is listed in `ROUTES`; any other request is recorded in
`unexpected` and raises, and the `yahoo_site` fixture fails the test when that list is not empty:
no request can reach the network, nor can yfinance start asking for something new unnoticed.

Knobs simulate Yahoo's moods: `splits` (the post-split view of a symbol's whole history),
`forming` (today's session still under way: a last bar stamped with the current time),
`limited` (every request answered 429 with a Retry-After), `cut_short` (a symbol's answer is
cut off mid-body). `charts` counts the requests for bars per symbol.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import parse_qs, unquote, urlsplit

import pandas as pd
import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from tuimarket.data import bundled

NEW_YORK = "America/New_York"
CRUMB = "fake-crumb-Xy1"
CHART = re.compile(r"https://query[12]\.finance\.yahoo\.com/v8/finance/chart/(?P<symbol>[^/?]+)$")
# When a symbol's chart fails, yfinance asks its quote summary for the timezone (twice a process).
QUOTE_SUMMARY = re.compile(r"https://query[12]\.finance\.yahoo\.com/v10/finance/quoteSummary/[^/?]+$")
ROUTES = {  # what yfinance 1.7 asks for besides the chart: its cookie and crumb, and the consent page
    "https://fc.yahoo.com/",
    "https://query1.finance.yahoo.com/v1/test/getcrumb",
    "https://query2.finance.yahoo.com/v1/test/getcrumb",
    "https://guce.yahoo.com/consent",
}


class UnexpectedRequest(AssertionError):
    pass


@dataclass
class YahooSite(BaseAdapter):
    history: dict[str, pd.DataFrame] = field(default_factory=dict)   # overrides the bundled bars
    splits: dict[str, float] = field(default_factory=dict)           # {"XLK": 2.0}
    forming: dict[str, tuple[datetime, float]] = field(default_factory=dict)  # {"SPY": (now, 1.01)}
    limited: bool = False
    retry_after: int = 120
    cut_short: set[str] = field(default_factory=set)
    charts: Counter = field(default_factory=Counter)
    unexpected: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__()

    def session(self) -> requests.Session:
        session = requests.Session()
        session.mount("https://", self)
        session.mount("http://", self)
        return session

    def send(self, request, **kwargs) -> requests.Response:
        url = urlsplit(request.url)
        base = f"{url.scheme}://{url.netloc}{url.path or '/'}"
        chart = CHART.match(base)
        if chart is None and base not in ROUTES and not QUOTE_SUMMARY.match(base):
            self.unexpected.append(request.url)
            raise UnexpectedRequest(f"unexpected request to {request.url}")
        if self.limited:
            return _response(request, 429, b"Too Many Requests\r\n",
                             {"Retry-After": str(self.retry_after), "Content-Type": "text/plain"})
        if QUOTE_SUMMARY.match(base):
            return _json(request, 404, {"quoteSummary": {"result": None, "error": {
                "code": "Not Found", "description": "Quote not found"}}})
        if chart is None:
            if "getcrumb" in base:
                return _response(request, 200, CRUMB.encode(), {"Content-Type": "text/plain"})
            return _response(request, 404, b"<html>no cookie here</html>", {"Content-Type": "text/html"})
        symbol = unquote(chart["symbol"]).upper()     # "^GSPC" travels as "%5EGSPC"
        params = {name: values[0] for name, values in parse_qs(url.query).items()}
        if "period1" in params:
            self.charts[symbol] += 1      # a request for bars (not the timezone, which yfinance caches)
        body = self._chart(symbol, params)
        if body is None:
            return _json(request, 404, {"chart": {"result": None, "error": {
                "code": "Not Found", "description": "No data found, symbol may be delisted"}}})
        text = json.dumps(body).encode()
        if symbol in self.cut_short:
            text = text[: len(text) // 2]      # the connection dropped mid-answer
        return _response(request, 200, text, {"Content-Type": "application/json"})

    def close(self) -> None:
        pass

    def bars(self, symbol: str) -> pd.DataFrame | None:
        """The daily bars Yahoo has for `symbol` today (after any split and with any forming bar)."""
        bars = self.history.get(symbol)
        bars = bars.copy() if bars is not None else bundled.load(symbol)
        if bars is None:
            return None
        bars.index = (pd.DatetimeIndex(bars.index).tz_localize(NEW_YORK) + pd.Timedelta(hours=9, minutes=30))
        if symbol in self.splits:
            bars[["Open", "High", "Low", "Close"]] /= self.splits[symbol]
            bars["Volume"] *= self.splits[symbol]
        if symbol in self.forming:
            moment, factor = self.forming[symbol]
            bar = bars.iloc[-1] * factor
            bar["Volume"] = bars["Volume"].iloc[-1] / 3
            bars.loc[pd.Timestamp(moment).tz_convert(NEW_YORK)] = bar   # stamped now, as Yahoo does
        return bars

    def _chart(self, symbol: str, params: dict[str, str]) -> dict | None:
        bars = self.bars(symbol)
        if bars is None:
            return None
        if "period1" in params:
            start = pd.Timestamp(int(params["period1"]), unit="s", tz="UTC")
            end = pd.Timestamp(int(params["period2"]), unit="s", tz="UTC")
            bars = bars[(bars.index >= start) & (bars.index < end)]
        else:   # range=1d: yfinance asks this to learn the symbol's timezone
            bars = bars.iloc[-1:]
        last = bars.index[-1] if len(bars) else None
        meta = {
            "currency": "USD", "symbol": symbol, "exchangeName": "PCX", "fullExchangeName": "NYSEArca",
            "instrumentType": "ETF", "firstTradeDate": 725846400,
            "regularMarketTime": int(last.timestamp()) if last is not None else None,
            "hasPrePostMarketData": True, "gmtoffset": -18000, "timezone": "EST",
            "exchangeTimezoneName": NEW_YORK, "priceHint": 2, "dataGranularity": "1d",
            "range": params.get("range", ""),
            "validRanges": ["1d", "5d", "1mo", "3mo", "6mo", "1y", "2y", "5y", "10y", "ytd", "max"],
        }
        quote = {column.lower(): [None if pd.isna(v) else float(v) for v in bars[column]]
                 for column in ("Open", "High", "Low", "Close")}
        quote["volume"] = [int(v) for v in bars["Volume"].fillna(0)]
        return {"chart": {"result": [{
            "meta": meta,
            "timestamp": [int(t.timestamp()) for t in bars.index],
            "indicators": {"quote": [quote], "adjclose": [{"adjclose": quote["close"]}]},
        }], "error": None}}


def _json(request, status: int, body: dict) -> requests.Response:
    return _response(request, status, json.dumps(body).encode(), {"Content-Type": "application/json"})


def _response(request, status: int, body: bytes, headers: dict[str, str]) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = body
    response.headers = CaseInsensitiveDict(headers)
    response.url = request.url
    response.request = request
    response.encoding = "utf-8"
    return response
