"""Rebuild the bundled S&P 500 members (src/tuimarket/data/sp500/) from ../shared/data/sp500.

Run once when the shared data changes: `python tools/build_members.py [SHARED_DATA_DIR]`.
Breadth needs only each member's daily close, so the bundle is a dates x members matrix of
float32 closes (NaN before a member's listing) in one compressed .npz, about 3 MB, beside a
small csv of the members: symbol, name, GICS sector and the stays in the index.

Sectors are GICS; the 12 members the GICS list lacks get Yahoo's sector under its GICS name.
Stays come from membership.csv; a member whose current stay it lacks (renames, recent
additions) gets one open stay from its `Added` date.
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

import numpy as np
import pandas as pd

# Yahoo's sector names -> the GICS sector they correspond to.
GICS_OF_YAHOO = {
    "Technology": "Information Technology", "Healthcare": "Health Care",
    "Financial Services": "Financials", "Consumer Cyclical": "Consumer Discretionary",
    "Consumer Defensive": "Consumer Staples", "Basic Materials": "Materials",
    "Communication Services": "Communication Services", "Energy": "Energy",
    "Industrials": "Industrials", "Real Estate": "Real Estate", "Utilities": "Utilities",
}


def closes_matrix(bars_file: Path) -> pd.DataFrame:
    bars = pd.read_csv(bars_file, usecols=["Date", "Symbol", "Close"], parse_dates=["Date"])
    return bars.pivot(index="Date", columns="Symbol", values="Close").sort_index()


def members_table(members_file: Path, membership_file: Path) -> pd.DataFrame:
    """One row per stay in the index: Symbol, Name, Sector, Start, End (empty: still in)."""
    members = pd.read_csv(members_file, dtype=str, keep_default_na=False)
    members["Sector"] = [gics or GICS_OF_YAHOO.get(yahoo, "Unknown")
                         for gics, yahoo in zip(members["Sector"], members["YahooSector"])]
    stays = pd.read_csv(membership_file, dtype=str, keep_default_na=False).rename(
        columns={"ticker": "Symbol", "start_date": "Start", "end_date": "End"})
    stays = stays[stays["Symbol"].isin(members["Symbol"])]
    still_in = set(stays.loc[stays["End"] == "", "Symbol"])
    missing = members.loc[~members["Symbol"].isin(still_in), ["Symbol", "Added"]]
    stays = pd.concat([stays, missing.rename(columns={"Added": "Start"}).assign(End="")])
    table = members[["Symbol", "Name", "Sector"]].merge(stays, on="Symbol")
    return table.sort_values(["Symbol", "Start"]).reset_index(drop=True)


def main(shared: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    closes = closes_matrix(shared / "bars.csv.gz")
    np.savez_compressed(
        out / "closes.npz",
        dates=closes.index.to_numpy().astype("datetime64[D]"),
        symbols=closes.columns.to_numpy(dtype=str),
        closes=closes.to_numpy(dtype=np.float32),
    )
    table = members_table(shared / "members.csv", shared / "membership.csv")
    with gzip.GzipFile(out / "members.csv.gz", "wb", mtime=0) as fh:
        fh.write(table.to_csv(index=False).encode())
    print(f"{closes.shape[1]} members x {closes.shape[0]} sessions "
          f"{closes.index[0].date()}..{closes.index[-1].date()}; {len(table)} stays")
    for name in ("closes.npz", "members.csv.gz"):
        print(f"{name}: {(out / name).stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    root = Path(__file__).resolve().parents[1]
    shared = Path(sys.argv[1]) if len(sys.argv) > 1 else root.parent / "shared" / "data"
    main(shared / "sp500", root / "src" / "tuimarket" / "data" / "sp500")
