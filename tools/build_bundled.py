"""Rebuild the bundled history (src/tuimarket/data/history/) from ../shared/data.

Run once when the shared data changes: `python tools/build_bundled.py [SHARED_DATA_DIR]`.
Prices follow yfinance's `auto_adjust=True`: where a file has `Adj Close`, every OHLC value is
scaled by Adj Close / Close, so dividends and splits never show as price gaps. Index volume is
not real (see SOURCES.md), so indexes ship without it.

A primary file that starts late is extended back with an older copy of the same Yahoo series
(SPLICES): the older rows are taken only before the primary's first date, after checking that
the two agree on every close they share (MAX_SPLICE_GAP). ^RUT's primary starts 2016-06-28;
Yahoo's ^RUT from hjyssg agrees with it to 8.8e-6 on 2,038 shared closes (2-decimal rounding),
so it is spliced unscaled and the Russell's 2015 record (1,295.80 on 2015-06-23) is in the bundle.
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

import pandas as pd

FIRST_DATE = "1990-01-01"
# Bundled symbol -> file in the shared data folder.
FILES = {
    "^GSPC": "GSPC.csv", "^NDX": "NDX.csv", "^RUT": "RUT.csv",
    "SPY": "SPY.csv", "QQQ": "QQQ.csv", "IWM": "IWM.csv", "DIA": "DIA.csv",
    "XLK": "XLK.csv", "XLF": "XLF.csv", "XLV": "XLV.csv", "XLE": "XLE.csv", "XLI": "XLI.csv",
    "XLY": "XLY.csv", "XLP": "XLP.csv", "XLU": "XLU.csv", "XLB": "XLB.csv", "XLRE": "XLRE.csv",
    "XLC": "XLC.csv",
}
# Bundled symbol -> an older copy of the same series that extends it back in time.
SPLICES = {"^RUT": "alt/yahoo_hjyssg/RUT.csv"}
MAX_SPLICE_GAP = 1e-4      # the largest relative close difference on the overlap that needs no scaling
OHLC = ["Open", "High", "Low", "Close"]


def adjusted(raw: pd.DataFrame) -> pd.DataFrame:
    bars = raw.loc[raw.index >= FIRST_DATE, OHLC].astype(float)
    if "Adj Close" in raw:
        factor = raw.loc[bars.index, "Adj Close"] / raw.loc[bars.index, "Close"]
        bars = bars.mul(factor, axis=0)
    volume = raw["Volume"] if "Volume" in raw else pd.Series(0, index=raw.index)
    bars["Volume"] = volume.loc[bars.index].fillna(0).astype("int64")
    return bars


def spliced(primary: pd.DataFrame, older: pd.DataFrame) -> pd.DataFrame:
    """`primary` extended back with `older`'s rows before its first date, scaled to meet it.

    The scale is the median close ratio on the overlap (1 when the copies agree within
    MAX_SPLICE_GAP); the largest remaining close difference there is printed, so a rebuild says
    how well the two series meet.
    """
    shared = primary.index.intersection(older.index)
    if shared.empty:
        raise SystemExit("splice: the two series share no date to check against")
    ratio = primary.loc[shared, "Close"] / older.loc[shared, "Close"]
    scale = 1.0 if (ratio - 1).abs().max() <= MAX_SPLICE_GAP else float(ratio.median())
    gap = float((older.loc[shared, "Close"] * scale / primary.loc[shared, "Close"] - 1).abs().max())
    print(f"  splice: {len(shared)} shared closes, scale {scale:.6f}, max discrepancy {gap:.1e}")
    before = older.loc[older.index < primary.index[0], OHLC] * scale
    return pd.concat([before, primary[OHLC]])


def main(shared: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for symbol, name in FILES.items():
        raw = pd.read_csv(shared / name, index_col="Date", parse_dates=True)
        if symbol in SPLICES:
            raw = spliced(raw, pd.read_csv(shared / SPLICES[symbol], index_col="Date", parse_dates=True))
        bars = adjusted(raw)
        text = bars.to_csv(float_format="%.6f", index_label="Date")
        with gzip.GzipFile(out / f"{symbol}.csv.gz", "wb", mtime=0) as fh:
            fh.write(text.encode())
        print(f"{symbol:6} {bars.index[0].date()}..{bars.index[-1].date()} {len(bars):6} rows")


if __name__ == "__main__":
    root = Path(__file__).resolve().parents[1]
    shared = Path(sys.argv[1]) if len(sys.argv) > 1 else root.parent / "shared" / "data"
    main(shared, root / "src" / "tuimarket" / "data" / "history")
