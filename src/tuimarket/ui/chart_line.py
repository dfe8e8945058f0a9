"""One labelled line of a chart, as every view model hands it to the charts."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ChartLine:
    label: str
    values: tuple[float | None, ...]
