"""The stance rules, table-driven."""

import pytest

from tuimarket.analysis.regime import assess, decide_stance
from tuimarket.config import RegimeSettings

DEFAULTS = RegimeSettings(full_min_breadth=0.5, defensive_max_uptrends=0, defensive_below_breadth=0.3)


@pytest.mark.parametrize("uptrends, of, breadth, stance", [
    (3, 3, 0.5, "fully_invested"),          # all confirmed, breadth exactly at the minimum
    (3, 3, 1.0, "fully_invested"),
    (3, 3, 0.49, "partially_invested"),     # breadth just short of full
    (2, 3, 0.9, "partially_invested"),      # one index not confirmed
    (1, 3, 0.3, "partially_invested"),      # breadth exactly at the defensive line is not below it
    (1, 3, 0.29, "defensive"),
    (0, 3, 0.9, "defensive"),               # no confirmed uptrends
    (3, 3, None, "partially_invested"),     # unknown breadth never passes a breadth test
    (0, 3, None, "defensive"),
    (0, 0, 1.0, "defensive"),               # nothing to be invested in
])
def test_stance_table(uptrends, of, breadth, stance):
    assert decide_stance(uptrends, of, breadth, DEFAULTS) == stance


def test_settings_move_the_lines():
    looser = RegimeSettings(full_min_breadth=0.2, defensive_max_uptrends=1, defensive_below_breadth=0.1)
    assert decide_stance(2, 2, 0.25, looser) == "fully_invested"
    assert decide_stance(1, 2, 0.9, looser) == "defensive"


def test_assess_counts_breadth_and_explains():
    regime = assess(2, 3, sectors_above=7, sectors_counted=11, settings=DEFAULTS, long_period=200)
    assert regime.sector_breadth == pytest.approx(7 / 11)
    assert regime.stance == "partially_invested"
    assert regime.commentary == ("2 of 3 indexes are in a confirmed uptrend, and 7 of 11 sectors (64%) "
                                 "are above their 200-day average. Stance: partially invested.")


def test_assess_without_sectors_has_no_breadth():
    regime = assess(3, 3, 0, 0, DEFAULTS, 200)
    assert regime.sector_breadth is None and "unknown" in regime.commentary
