"""The [alerts] section: rules and sinks read into frozen objects, every mistake one line naming its key."""

from __future__ import annotations

import pytest

from alert_support import RULES
from tuimarket import config
from tuimarket.config import AlertRule, AlertSink, ConfigError

RULE = "[[alerts.rules]]\nsymbol = '^GSPC'\ncondition = 'above'\n"
SINK = "[[alerts.sinks]]\n"

BAD_ALERTS = [
    ("[[alerts.rules]]\nsymbol = 'AAPL'\ncondition = 'above'\nlevel = 1", "alerts.rules[0].symbol",
     "'AAPL' is not a configured symbol (one of: ^GSPC, ^NDX, ^RUT, XLK"),
    ("[[alerts.rules]]\nsymbol = 'a b'\ncondition = 'above'\nlevel = 1", "alerts.rules[0].symbol", "not a ticker"),
    ("[[alerts.rules]]\nsymbol = '^GSPC'\ncondition = 'closes above'\nlevel = 1", "alerts.rules[0].condition",
     "must be one of above, below, crosses, got a string 'closes above'"),
    ("[[alerts.rules]]\nsymbol = '^GSPC'\nlevel = 1", "alerts.rules[0].condition", "must be one of"),
    (RULE + "level = '6k'", "alerts.rules[0].level", "must be a number, got a string '6k'"),
    (RULE + "level = true", "alerts.rules[0].level", "must be a number"),
    (RULE + "level = nan", "alerts.rules[0].level", "must be from"),
    (RULE + "level = -5", "alerts.rules[0].level", "must be from"),
    (RULE + "average = 200.5", "alerts.rules[0].average", "must be an integer"),
    (RULE + "average = 1000", "alerts.rules[0].average", "must be from 2 to 400"),
    (RULE, "alerts.rules[0]", "must have exactly one of level or average"),
    (RULE + "level = 1\naverage = 50", "alerts.rules[0]", "must have exactly one of level or average"),
    (RULE + "level = 1\nname = 'x'", "alerts.rules[0].name", "unknown key"),
    ("[alerts]\nrules = 5", "alerts.rules", "must be a list of tables"),
    ("[alerts]\nsinks = ['ntfy://x']", "alerts.sinks", "must be a list of tables"),
    (SINK + "cooldown_seconds = 5", "alerts.sinks[0]", "must have exactly one of url or command"),
    (SINK + "url = 'ntfy://x'\ncommand = ['true']", "alerts.sinks[0]", "exactly one of url or command"),
    (SINK + "url = ''", "alerts.sinks[0].url", "must be a non-empty string"),
    (SINK + 'url = "json://h/\\u001b]0;owned\\u0007"', "alerts.sinks[0].url", "control character U+001B"),
    (SINK + "command = 'notify-send hi'", "alerts.sinks[0].command", "must be a non-empty list of strings"),
    (SINK + "command = []", "alerts.sinks[0].command", "must be a non-empty list of strings"),
    (SINK + 'command = ["echo", "\\u202e"]', "alerts.sinks[0].command", "control character U+202E"),
    (SINK + "url = 'ntfy://x'\ndaily_cap = -1", "alerts.sinks[0].daily_cap", "must be from 0 to 10000"),
    (SINK + "url = 'ntfy://x'\ncooldown_seconds = 'soon'", "alerts.sinks[0].cooldown_seconds",
     "must be an integer"),
    (SINK + "url = 'ntfy://x'\nretries = 3", "alerts.sinks[0].retries", "unknown key"),
    ("[alerts]\nbell = 'yes'", "alerts.bell", "must be true or false"),
    ("[alerts]\nevents = 'all'", "alerts.events", "must be a list of event kinds"),
    ("[alerts]\nevents = ['MACD buy']", "alerts.events", "'MACD buy' is not an event kind"),
    ("[alerts]\nevents = ['all', 'breakout']", "alerts.events", "\"all\" stands alone"),
]


@pytest.mark.parametrize("text, key, phrase", BAD_ALERTS)
def test_bad_alert_config_is_one_line_naming_the_key(text: str, key: str, phrase: str) -> None:
    with pytest.raises(ConfigError) as caught:
        config.parse(text, "my.toml")
    message = str(caught.value)
    assert "\n" not in message and "\x1b" not in message
    assert message.startswith(f"my.toml: {key}: ")
    assert phrase in message


def test_rules_and_sinks_are_read() -> None:
    parsed = config.parse(RULES + """
        [[alerts.sinks]]
        url = "ntfy://my-topic"
        cooldown_seconds = 300
        daily_cap = 20
        [[alerts.sinks]]
        command = ["notify-send", "tuimarket"]
        [alerts]
        bell = true
        events = ["breakout", "golden_cross", "breakout"]
        """)
    assert parsed.alerts.bell and parsed.alerts.events == ("breakout", "golden_cross")
    assert parsed.alerts.rules == (AlertRule("^GSPC", "above", level=6000.0), AlertRule("^RUT", "crosses", average=200))
    assert isinstance(parsed.alerts.rules[0].level, float)
    assert parsed.alerts.sinks == (AlertSink(url="ntfy://my-topic", cooldown_seconds=300, daily_cap=20),
                                   AlertSink(command=("notify-send", "tuimarket")))
