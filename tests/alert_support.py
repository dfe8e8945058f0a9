"""What the alert tests share: the level rules (the S&P 500 closing above 6,000, the Russell crossing
its 200-day) and a clock that moves the feed and Yahoo's last bar together."""

from datetime import date, datetime, timezone

from fakes import FakeYahoo

GSPC_ABOVE_6000 = """
[[alerts.rules]]
symbol = "^GSPC"
condition = "above"
level = 6000
"""
LEVEL_RULES = GSPC_ABOVE_6000 + """
[[alerts.rules]]
symbol = "^RUT"
condition = "crosses"
average = 200
"""
# The analysis' events alert too (alerts.events defaults to all): most tests hold the level rules alone.
RULES = "[alerts]\nevents = []\n" + LEVEL_RULES


class Clock:
    """The feed's clock and Yahoo's last bar, moved together: the evening after `day`'s close."""

    def __init__(self, day: date) -> None:
        self.yahoo = FakeYahoo(end=day)
        self.move(day)

    def move(self, day: date) -> None:
        self.yahoo.end = day
        self.now = datetime(day.year, day.month, day.day, 23, 0, tzinfo=timezone.utc)
