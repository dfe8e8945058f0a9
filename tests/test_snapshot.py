"""build_snapshot on the bundled history: shape, immutability, short and missing histories."""

import dataclasses
import math
from datetime import date

import pytest

from tuimarket.analysis.results import MarketSnapshot
from tuimarket.analysis.snapshot import CHART_SESSIONS, build_snapshot
from tuimarket.config import Config, Symbol
from tuimarket.data import bundled

from support import bundled_data

CONFIG = Config()


@pytest.fixture(scope="module")
def snapshot() -> MarketSnapshot:
    return build_snapshot(CONFIG, bundled_data(notes=("sectors end 2025-09-25",)))


def _values(value):
    """Every leaf value in a snapshot, walking dataclasses, mappings and tuples."""
    if dataclasses.is_dataclass(value):
        for field in dataclasses.fields(value):
            yield from _values(getattr(value, field.name))
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from _values(item)
    elif hasattr(value, "values"):
        yield from _values(tuple(value.keys()))
        yield from _values(tuple(value.values()))
    else:
        yield value


def test_default_snapshot_is_coherent(snapshot):
    assert snapshot.as_of == date(2025, 9, 25) and snapshot.benchmark == "^GSPC"
    assert [i.symbol for i in snapshot.indices] == ["^GSPC", "^NDX", "^RUT"]
    assert [r.symbol for r in snapshot.rotation] == [s.symbol for s in CONFIG.rotation_universe]
    assert sorted(r.rank for r in snapshot.rotation) == list(range(1, len(snapshot.rotation) + 1))
    assert snapshot.regime.of == 3 and snapshot.regime.sectors_counted == 11
    assert snapshot.freshness["XLK"] == "offline bundled as of 2025-09-25"
    assert snapshot.notes == ("sectors end 2025-09-25",)
    spx = snapshot.indices[0]
    assert spx.as_of == date(2025, 9, 25) and spx.relative_strength is None
    assert spx.close == pytest.approx(bundled.load("^GSPC").loc["2025-09-25", "Close"])
    assert [s.period for s in spx.smas] == [50, 100, 200]
    assert spx.commentary.startswith("The S&P 500 closed at 6,604.72")
    assert snapshot.indices[1].relative_strength.benchmark == "^GSPC"


def test_snapshot_has_no_nan_and_no_mutable_containers(snapshot):
    values = list(_values(snapshot))
    assert not any(isinstance(v, float) and math.isnan(v) for v in values)
    assert not any(isinstance(v, (list, dict, set)) for v in values)
    with pytest.raises(dataclasses.FrozenInstanceError):
        snapshot.indices[0].close = 1.0
    with pytest.raises(TypeError):
        snapshot.indices[0].series.sma[50] = ()


def test_chart_series_are_aligned_and_end_at_the_last_bar(snapshot):
    series = snapshot.indices[0].series
    n = len(series.dates)
    assert n == CHART_SESSIONS
    assert all(len(s) == n for s in (series.close, series.macd, series.signal, series.histogram, series.rs_ratio))
    assert all(len(values) == n for values in series.sma.values())
    assert series.dates[-1] == snapshot.as_of and series.close[-1] == snapshot.indices[0].close
    assert series.sma[200][-1] == pytest.approx(snapshot.indices[0].smas[2].value)
    assert series.rs_ratio[-1] == pytest.approx(1.0)    # the benchmark against itself


def test_short_history_gives_none_without_crashing():
    data = bundled_data(bars_of=lambda symbol: bundled.load(symbol).loc[:"2025-09-25"].iloc[-30:])
    snap = build_snapshot(CONFIG, data)
    spx = snap.indices[0]
    assert spx.close is not None and spx.all_time_high is not None
    assert all(s.value is None and s.rising is None and s.above is None for s in spx.smas)
    assert spx.stacked is None
    assert spx.macd.state is None and spx.macd.macd is None
    assert spx.trend.confirmed is None
    row = snap.rotation[0]
    assert row.returns["1M"] is not None and row.returns["3M"] is None and row.returns["1Y"] is None
    assert row.rs_ratio is None and row.quadrant is None and row.rank is None and row.above_200 is None
    assert snap.regime.sectors_counted == 0 and snap.regime.sector_breadth is None
    assert snap.regime.stance == "defensive"


def test_missing_symbols_give_none_fields():
    config = dataclasses.replace(CONFIG, indexes=CONFIG.indexes + (Symbol("NOPE", "Nowhere"),))
    data = bundled_data(symbols=("^NDX", "XLK"))     # no benchmark, no other sectors
    snap = build_snapshot(config, data)
    nope = snap.indices[-1]
    assert (nope.close, nope.as_of, nope.all_time_high, nope.macd.state, nope.trend.state) == (None,) * 5
    assert nope.series.dates == () and "no price history" in nope.commentary
    ndx = snap.indices[1]
    assert ndx.close is not None and ndx.relative_strength.ratio is None
    assert all(row.rs_ratio is None and row.rank is None for row in snap.rotation)


def test_as_of_clips_every_symbol():
    snap = build_snapshot(CONFIG, bundled_data(as_of=date(2024, 12, 31)))
    assert snap.as_of == date(2024, 12, 31)
    assert all(index.as_of == date(2024, 12, 31) for index in snap.indices)
    assert snap.rotation[2].returns["YTD"] == pytest.approx(
        bundled.load("XLK").loc["2024-12-31", "Close"] / bundled.load("XLK").loc["2023-12-29", "Close"] - 1)

