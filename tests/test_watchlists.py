"""Watchlists in config.toml, and the run-time edits over them: read strictly, applied faithfully."""

from __future__ import annotations

from pathlib import Path

import pytest

from tuimarket import cli, config
from tuimarket.config import ConfigError, Symbol, Watchlist
from tuimarket.watchlists import DEFAULT_GROUP, Edits, normalise_symbol

GOOD = """
[watchlists.tech]
symbols = ["AAPL", { symbol = "MSFT", name = "Microsoft" }, "^NDX", "BRK-B"]

[watchlists.empty]
symbols = []
"""

# (TOML, the key the error must name, a phrase it must contain)
BAD = [
    ("watchlists = 5", "watchlists", "must be a table"),
    ("[watchlists]\ntech = ['AAPL']", "watchlists.tech", "must be a table with symbols"),
    ("[watchlists.'my list']\nsymbols = []", "watchlists.my list", "letters, digits, - and _ only"),
    ("[watchlists.tech]\nsymbol = ['AAPL']", "watchlists.tech.symbol", "unknown key (expected symbols)"),
    ("[watchlists.tech]\nsymbols = 'AAPL'", "watchlists.tech.symbols", "must be a list"),
    ("[watchlists.tech]\nsymbols = ['AAPL', 'a;b']", "watchlists.tech.symbols[1]", "'a;b' is not a ticker"),
    ("[watchlists.tech]\nsymbols = [5]", "watchlists.tech.symbols[0]", "must be a ticker or a { symbol, name } table"),
    ("[watchlists.tech]\nsymbols = ['AAPL', 'AAPL']", "watchlists.tech.symbols[1]", "duplicate symbol 'AAPL'"),
    ("[watchlists.tech]\nsymbols = [{ symbol = 'AAPL', name = '' }]", "watchlists.tech.symbols[0].name",
     "non-empty string"),
    ("[watchlists.tech]\nsymbols = [{ symbol = 'AAPL', nick = 'x' }]", "watchlists.tech.symbols[0].nick",
     "unknown key"),
    ('[watchlists.tech]\nsymbols = [{ symbol = "AAPL", name = "a\\u001b]0;pwned\\u0007" }]',
     "watchlists.tech.symbols[0].name", "control character U+001B"),
]


def test_watchlists_are_read_in_order_with_their_names() -> None:
    parsed = config.parse(GOOD, "my.toml")
    assert parsed.watchlists == (
        Watchlist("tech", (Symbol("AAPL", "AAPL"), Symbol("MSFT", "Microsoft"), Symbol("^NDX", "^NDX"),
                           Symbol("BRK-B", "BRK-B"))),
        Watchlist("empty", ()),
    )
    assert config.parse("", "my.toml").watchlists == ()
    assert "AAPL" not in parsed.all_symbols       # a watchlist is not the dashboard's


@pytest.mark.parametrize(("toml", "key", "phrase"), BAD)
def test_a_bad_watchlist_is_one_line_naming_the_key(toml: str, key: str, phrase: str) -> None:
    with pytest.raises(ConfigError) as raised:
        config.parse(toml, "my.toml")
    assert str(raised.value).startswith(f"my.toml: {key}: ") and phrase in str(raised.value)
    assert "\n" not in str(raised.value)


def test_a_bad_watchlist_exits_2_with_one_line(capsys, tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[watchlists.tech]\nsymbols = ['AAPL', 'rm -rf']\n")
    code = cli.main(["--config", str(path), "data", "--source", "bundled"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "watchlists.tech.symbols[1]" in err


def test_edits_add_and_remove_over_the_configured_groups() -> None:
    configured = config.parse(GOOD, "my.toml").watchlists
    edits = Edits()
    edits.add("tech", "NVDA")
    edits.remove("tech", "MSFT")
    edits.add("new", "SPY")
    tech, empty, new = edits.apply(configured)
    assert [entry.symbol for entry in tech.symbols] == ["AAPL", "^NDX", "BRK-B", "NVDA"]
    assert empty.symbols == () and new == Watchlist("new", (Symbol("SPY", "SPY"),))
    edits.add("tech", "MSFT")       # back again: the configured name is kept
    assert Symbol("MSFT", "Microsoft") in edits.apply(configured)[0].symbols
    edits.remove("tech", "NVDA")    # added, then removed: gone
    assert "NVDA" not in edits.apply(configured)[0] and "NVDA" not in edits.added["tech"]


def test_with_no_watchlist_configured_there_is_one_to_add_to() -> None:
    assert Edits().apply(()) == (Watchlist(DEFAULT_GROUP, ()),)


def test_edits_survive_a_round_trip_and_a_damaged_file_is_not_trusted() -> None:
    edits = Edits()
    edits.add("tech", "NVDA")
    edits.remove("tech", "AAPL")
    assert Edits.from_json(edits.to_json()) == edits
    for damaged in ("{", "[]", '{"version": 99, "added": {"tech": ["X"]}}', edits.to_json()[:-5]):
        assert Edits.from_json(damaged) == Edits()
    hostile = '{"version": 1, "added": {"tech": ["OK", "a\\u001b[2J", 5], "bad name!": ["X"]}, "removed": 3}'
    assert Edits.from_json(hostile) == Edits(added={"tech": ["OK"]})


@pytest.mark.parametrize(("typed", "symbol"), [(" aapl ", "AAPL"), ("brk-b", "BRK-B"), ("^vix", "^VIX"),
                                               ("a b", None), ("", None), ("$(rm)", None)])
def test_a_typed_symbol_is_upper_cased_or_refused(typed: str, symbol: str | None) -> None:
    assert normalise_symbol(typed) == symbol
