"""The generated commentary says what the numbers say, in the words a technician would use."""

from __future__ import annotations

from datetime import date

from tuimarket.analysis.snapshot import build_snapshot
from tuimarket.config import Config

from support import bundled_data


def commentary(as_of: date) -> dict[str, str]:
    config = Config()
    return {index.symbol: index.commentary for index in build_snapshot(config, bundled_data(config, as_of)).indices}


def test_a_cross_on_the_as_of_day_is_news_not_a_duration() -> None:
    said = commentary(date(2025, 9, 25))
    assert "MACD crossed to a sell signal on the day" in said["^GSPC"]
    assert "since 2025-09-25" not in said["^GSPC"]
    assert "MACD has been on a buy signal since 2025-09-09" in said["^NDX"]
