"""Rebuild the bundled history (src/tuimarket/data/history/) from ../shared/data.

Run once when the shared data changes: `python tools/build_bundled.py [SHARED_DATA_DIR]`.
Prices follow yfinance's `auto_adjust=True`: where a file has `Adj Close`, every OHLC value is
scaled by Adj Close / Close, so dividends and splits never show as price gaps. Index volume is
not real (see SOURCES.md), so indexes ship without it.
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
OHLC = ["Open", "High", "Low", "Close"]


def adjusted(raw: pd.DataFrame) -> pd.DataFrame:
    bars = raw.loc[raw.index >= FIRST_DATE, OHLC].astype(float)
    if "Adj Close" in raw:
        factor = raw.loc[bars.index, "Adj Close"] / raw.loc[bars.index, "Close"]
        bars = bars.mul(factor, axis=0)
    volume = raw["Volume"] if "Volume" in raw else pd.Series(0, index=raw.index)
    bars["Volume"] = volume.loc[bars.index].fillna(0).astype("int64")
    return bars


def main(shared: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for symbol, name in FILES.items():
        raw = pd.read_csv(shared / name, index_col="Date", parse_dates=True)
        bars = adjusted(raw)
        text = bars.to_csv(float_format="%.6f", index_label="Date")
        with gzip.GzipFile(out / f"{symbol}.csv.gz", "wb", mtime=0) as fh:
            fh.write(text.encode())
        print(f"{symbol:6} {bars.index[0].date()}..{bars.index[-1].date()} {len(bars):6} rows")


if __name__ == "__main__":
    root = Path(__file__).resolve().parents[1]
    shared = Path(sys.argv[1]) if len(sys.argv) > 1 else root.parent / "shared" / "data"
    main(shared, root / "src" / "tuimarket" / "data" / "history")
