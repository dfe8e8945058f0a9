"""Chart thinning keeps what a technician reads off a chart: the extremes and the last bar."""

from __future__ import annotations

from tuimarket.ui.widgets.charts import _points


def test_short_series_are_drawn_whole_and_gaps_skipped() -> None:
    assert _points([1.0, None, 3.0], step=2) == ([0, 2], [1.0, 3.0])


def test_thinning_keeps_every_bucket_extreme_and_the_last_bar() -> None:
    values = [float(v) for v in [5, 1, 9, 4, 4, 4, 2, 8, 3, 6, 7]]
    xs, ys = _points(values, step=4)
    assert max(ys) == 9 and min(ys) == 1          # the peak and the trough stay on the chart
    assert xs[-1] == 10 and ys[-1] == 7.0          # the last bar is exact
    assert len(xs) < len(values) and xs == sorted(xs)


def test_an_all_time_high_between_strides_is_not_lost() -> None:
    values = [100.0] * 200
    values[157] = 150.0
    _, ys = _points(values, step=5)
    assert 150.0 in ys
