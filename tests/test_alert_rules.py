"""Level rules on the bundled history: the sessions the S&P 500 crossed 6,000 and the Russell its 200-day."""

from __future__ import annotations

from datetime import date

import pandas as pd

from alert_support import GSPC_ABOVE_6000, RULES
from tuimarket import config
from tuimarket.analysis.alert_rules import level_alerts
from tuimarket.analysis.indicators import sma
from tuimarket.data import bundled


def test_a_level_rule_fires_on_each_upward_crossing_and_only_then() -> None:
    settings = config.parse(GSPC_ABOVE_6000)
    gspc = bundled.load("^GSPC")
    alerts = level_alerts(settings, {"^GSPC": gspc})
    close = gspc["Close"]
    # an oracle in plain pandas: above 6000 today, at or below it the session before
    expected = [day.date() for day, above in ((close > 6000) & (close.shift() <= 6000)).items() if above]
    assert [alert.date for alert in alerts] == expected
    assert expected[0] == date(2024, 11, 11)          # the S&P 500's first close above 6,000
    first = alerts[0]
    assert first.title == "S&P 500 closed above 6,000"
    assert first.key == "^GSPC|crossed_above/6000|2024-11-11|1"
    assert first.kind == "crossed_above" and first.subject == "6000" and first.final
    assert first.fields["close"] == close["2024-11-11"]


def test_an_average_rule_crossing_either_way() -> None:
    settings = config.parse(RULES)
    rut = bundled.load("^RUT")
    alerts = level_alerts(settings, {"^RUT": rut})
    close, average = rut["Close"], sma(rut["Close"], 200)
    side = (close > average).astype(int) - (close < average).astype(int)
    side = side.where(average.notna() & (side != 0)).ffill()
    changes = side[(side != side.shift()) & side.shift().notna()]
    assert [(a.date, a.kind) for a in alerts] == [
        (day.date(), "crossed_above" if way > 0 else "crossed_below") for day, way in changes.items()]
    assert len(alerts) > 20
    assert alerts[0].title.startswith("Russell 2000 closed ") and alerts[0].title.endswith("its 200-day average")


def test_a_crossing_on_a_forming_bar_is_provisional_and_history_does_not_change_it() -> None:
    settings = config.parse(RULES)
    gspc = bundled.load("^GSPC")
    through_cross = gspc.loc[:"2024-11-11"]
    [*_, last] = level_alerts(settings, {"^GSPC": through_cross}, forming={"^GSPC"})
    assert last.date == date(2024, 11, 11) and not last.final
    later = [alert for alert in level_alerts(settings, {"^GSPC": gspc}) if alert.date <= date(2024, 11, 11)]
    assert later == level_alerts(settings, {"^GSPC": through_cross})


def test_a_symbol_without_bars_makes_no_alert() -> None:
    assert level_alerts(config.parse(RULES), {"^GSPC": pd.DataFrame({"Close": []}, dtype=float)}) == []
