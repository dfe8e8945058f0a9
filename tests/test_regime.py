"""The stance rules, table-driven; the held stance's hysteresis; the regime's explanation."""

import pytest

from tuimarket.analysis.regime import decide_stance, describe_regime, held_stances
from tuimarket.analysis.results import Regime
from tuimarket.analysis.vocabulary import Stance
from tuimarket.config import ConfigError, RegimeSettings, parse

DEFAULTS = RegimeSettings()


@pytest.mark.parametrize("uptrends, of, breadth, stance", [
    (3, 3, 0.5, "fully_invested"),          # all confirmed, breadth exactly at the minimum
    (2, 3, 0.9, "fully_invested"),          # two of three confirmed uptrends are enough
    (3, 3, 0.49, "partially_invested"),     # breadth just short of full denies it
    (1, 3, 0.9, "partially_invested"),      # one index is not enough for full
    (1, 3, 0.3, "partially_invested"),      # breadth exactly at the defensive line is not below it
    (3, 3, 0.29, "defensive"),              # breadth below the defensive line denies even three uptrends
    (0, 3, 0.69, "defensive"),              # no confirmed uptrend
    (0, 3, 0.7, "partially_invested"),      # ... but broad sector breadth keeps a foot in
    (3, 3, None, "fully_invested"),         # unknown breadth neither confirms nor denies
    (0, 3, None, "defensive"),
    (1, 1, 0.5, "fully_invested"),          # a single configured index needs only itself
    (0, 0, 1.0, "defensive"),               # nothing to be invested in
])
def test_stance_table(uptrends, of, breadth, stance):
    assert decide_stance(uptrends, of, breadth, DEFAULTS) == stance


def test_settings_move_the_lines():
    looser = RegimeSettings(full_min_uptrends=1, full_min_breadth=0.2, defensive_max_uptrends=0,
                            defensive_below_breadth=0.1, breadth_keeps_invested=1.0)
    assert decide_stance(1, 2, 0.25, looser) == "fully_invested"
    assert decide_stance(0, 2, 0.9, looser) == "defensive"


F, P, D = Stance.FULLY_INVESTED, Stance.PARTIALLY_INVESTED, Stance.DEFENSIVE


def test_a_change_holds_only_after_confirm_sessions_in_a_row():
    signalled = [F, F, P, P, F, P, P, P, D, D, D]
    assert held_stances(signalled, [False] * 11, confirm_sessions=3) == [F, F, F, F, F, F, F, P, P, P, D]


def test_signals_wavering_between_two_lower_stances_still_move_the_stance_down():
    signalled = [F, P, D, P, D, D, P]
    assert held_stances(signalled, [False] * 7, confirm_sessions=3) == [F, F, F, P, P, P, P]


def test_a_record_close_ends_a_defensive_stance_at_once():
    signalled = [D, D, P, F, F]
    records = [False, False, False, True, False]
    assert held_stances(signalled, records, confirm_sessions=10) == [D, D, D, F, F]


def test_regime_counts_breadth_and_explains():
    regime = Regime(2, 3, sectors_above=7, sectors_counted=11, sector_breadth=7 / 11, stance=P, commentary="")
    assert describe_regime(regime, 200, 10) == ("2 of 3 indexes are in a confirmed uptrend, and 7 of 11 sectors "
                                                "(64%) are above their 200-day average. Stance: partially invested.")


def test_a_pending_change_is_explained():
    regime = Regime(0, 3, 2, 11, 2 / 11, P, "", signalled=D)
    assert describe_regime(regime, 200, 10).endswith(
        "Stance: partially invested. The signals point to defensive; the stance follows if they hold 10 sessions "
        "in a row.")


def test_regime_without_sectors_says_breadth_is_unknown():
    regime = Regime(3, 3, 0, 0, None, F, "")
    assert "sector breadth is unknown" in describe_regime(regime, 200, 10)


def test_defensive_line_must_sit_below_the_full_line():
    with pytest.raises(ConfigError, match="regime.defensive_max_uptrends: must be below regime.full_min_uptrends"):
        parse("[regime]\nfull_min_uptrends = 2\ndefensive_max_uptrends = 2\n")


def test_the_medium_rs_view_must_be_shorter_than_the_long_one():
    with pytest.raises(ConfigError, match="analysis.rs_minor_reversal: must be below analysis.rs_major_reversal"):
        parse("[analysis]\nrs_minor_reversal = 0.3\nrs_major_reversal = 0.2\n")
