"""The bundled S&P 500 members: what breadth is measured over (data/sp500, tools/build_members.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tuimarket.data import members

GICS_SECTORS = {"Communication Services", "Consumer Discretionary", "Consumer Staples", "Energy", "Financials",
                "Health Care", "Industrials", "Information Technology", "Materials", "Real Estate", "Utilities"}


@pytest.fixture(scope="module")
def bundle() -> members.Members:
    return members.bundled()


def test_the_bundle_holds_every_member_from_2018(bundle: members.Members) -> None:
    assert bundle.closes.shape == (2043, 503)
    assert bundle.closes.index[0] == pd.Timestamp("2018-01-02")
    assert bundle.closes.index[-1] == pd.Timestamp("2026-02-18")
    assert bundle.closes.index.is_monotonic_increasing and bundle.closes.index.is_unique


@pytest.mark.parametrize(("symbol", "close"), [("AAPL", 236.0406), ("MSFT", 420.3591), ("NVDA", 138.2027)])
def test_closes_are_the_adjusted_closes_of_the_source(bundle: members.Members, symbol: str, close: float) -> None:
    # float32 keeps 7 digits: far finer than any comparison breadth makes
    assert bundle.closes.at[pd.Timestamp("2024-11-29"), symbol] == pytest.approx(close, rel=1e-6)


def test_a_member_listed_after_2018_is_missing_before_not_zero(bundle: members.Members) -> None:
    ge_vernova = bundle.closes["GEV"]   # spun off from GE in April 2024
    assert ge_vernova.loc[:"2024-03-01"].isna().all()
    assert (ge_vernova.dropna() > 0).all()


def test_every_member_has_a_gics_sector(bundle: members.Members) -> None:
    assert set(bundle.sectors.index) == set(bundle.closes.columns)
    assert set(bundle.sectors) == GICS_SECTORS   # the 12 without a GICS row get Yahoo's, renamed


def test_a_member_counts_only_during_its_stays_in_the_index(bundle: members.Members) -> None:
    mask = bundle.in_index
    assert not mask.loc[:"2023-10-17", "JBL"].any() and mask.loc["2023-10-18":, "JBL"].all()   # joined 2023-10-18
    # PCG left on 2019-01-18 and came back on 2022-10-03
    assert mask.loc[:"2019-01-18", "PCG"].all()
    assert not mask.loc["2019-01-22":"2022-09-30", "PCG"].any()
    assert mask.loc["2022-10-03":, "PCG"].all()
    assert mask.loc["2026-02-18"].all()    # today's members are all in the index


def test_until_cuts_every_part_at_a_date(bundle: members.Members) -> None:
    cut = bundle.until(pd.Timestamp("2024-11-29"))
    assert cut.closes.index[-1] == cut.in_index.index[-1] == pd.Timestamp("2024-11-29")
    assert np.array_equal(cut.closes.columns, bundle.closes.columns)
