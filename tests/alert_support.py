"""The level rules the alert tests share: the S&P 500 closing above 6,000, the Russell crossing its 200-day."""

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
