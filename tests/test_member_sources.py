"""Where the breadth members come from: the bundle, a user's CSV, or the pytickersymbols package."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest

from tuimarket import cli
from tuimarket.config import BreadthSettings, Config
from tuimarket.data import members

# Three of pytickersymbols' S&P 500 companies as its data holds them (trimmed to what is read):
# the GICS sector sits among other taxonomies' industries, in no fixed place.
COMPANIES = [
    {"name": "3M", "symbol": "MMM", "industries": ["Conglomerate", "Industrial Conglomerates", "Industrials"],
     "symbols": [{"yahoo": "MMM.F", "google": "FRA:MMM"}, {"yahoo": "MMM", "google": "NYSE:MMM"}]},
    {"name": "Apple", "symbol": "AAPL", "industries": ["Information Technology", "Technology"]},
    {"name": "Odd", "symbol": "ODD", "industries": ["Conglomerate"]},
    {"name": "Broken", "symbol": "$(rm -rf)", "industries": ["Energy"]},
]


@pytest.fixture(autouse=True)
def offline_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUIMARKET_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("TUIMARKET_CONFIG", raising=False)


def test_pytickersymbols_companies_become_symbols_with_their_gics_sector() -> None:
    table = members.companies_table(COMPANIES)
    assert table.to_dict("records") == [{"Symbol": "MMM", "Sector": "Industrials"},
                                        {"Symbol": "AAPL", "Sector": "Information Technology"},
                                        {"Symbol": "ODD", "Sector": "Unclassified"}]   # never a shell word


def test_pytickersymbols_not_installed_is_one_line_and_exit_2(capsys, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "pytickersymbols", None)     # import fails, installed or not
    path = tmp_path / "config.toml"
    path.write_text('[breadth]\nmembers = "pytickersymbols"\n')
    code = cli.main(["--config", str(path), "report", "--source", "bundled"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "breadth.members" in err and "pip install 'tuimarket[members]'" in err


def test_pytickersymbols_gives_todays_sp500_with_bundled_closes() -> None:
    pytest.importorskip("pytickersymbols")     # an optional extra: tuimarket[members]
    listed = members.for_config(replace(Config(), breadth=BreadthSettings(members="pytickersymbols")))
    assert listed is not None and listed.source == "pytickersymbols"
    assert len(listed.closes.columns) + len(listed.missing) > 490
    assert {"AAPL", "MSFT", "JPM"} <= set(listed.closes.columns)
    assert listed.sectors["AAPL"] == "Information Technology"
