"""The headless outputs of one date, byte for byte: `report`, `history`, `evaluate` and `events` on the
bundled history must print exactly the files in tests/golden/. They pin what scripts and the cache read
(the stance, trend, quadrant and MACD words among them), so a refactor of the vocabulary cannot change one.

A change meant to alter an output regenerates its file (REGOLDEN=1 pytest tests/test_outputs_golden.py)
and says so in its commit message, with the diff of the file there to review.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tuimarket.cli import main

GOLDEN = Path(__file__).parent / "golden"
COMMANDS = {
    "report-2024-11-29.json": ["report", "--as-of", "2024-11-29", "--format", "json"],
    "report-2024-11-29.md": ["report", "--as-of", "2024-11-29", "--format", "markdown"],
    "report-2024-11-29.txt": ["report", "--as-of", "2024-11-29"],
    # Three weeks around a change of stance (partially to fully invested on 2024-02-01).
    "history-2024-01.csv": ["history", "--from", "2024-01-16", "--to", "2024-02-09", "--format", "csv"],
    "history-2024-01.json": ["history", "--from", "2024-01-16", "--to", "2024-02-09", "--format", "json"],
    "history-2024-01.txt": ["history", "--from", "2024-01-16", "--to", "2024-02-09"],
    "events-2024-01.json": ["events", "--as-of", "2024-02-09", "--since", "2024-01-16", "--format", "json", "--kinds",
                            "stance_changed", "uptrend_confirmed", "uptrend_lost", "quadrant_changed", "macd_buy",
                            "macd_sell"],
    "evaluate-2020-2024.txt": ["evaluate", "--from", "2020-01-02", "--to", "2024-11-29"],
}


@pytest.mark.parametrize("name", COMMANDS)
def test_the_output_is_byte_identical_to_its_golden_file(capsys, name):
    assert main(["--source", "bundled", *COMMANDS[name]]) == 0
    output = capsys.readouterr().out
    golden = GOLDEN / name
    if os.environ.get("REGOLDEN"):
        golden.write_text(output, encoding="utf-8")
    assert output == golden.read_text(encoding="utf-8")
