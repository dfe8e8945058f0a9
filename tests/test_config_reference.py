"""The schema is the documentation: README's configuration reference names exactly the schema's keys."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import MISSING
from pathlib import Path

from tuimarket import config

README = Path(__file__).resolve().parents[1] / "README.md"
HEADING = "### Configuration reference"


def reference_keys(text: str) -> list[str]:
    """The keys of the reference table's rows: the first cell of each, between backticks."""
    return re.findall(r"^\| `([^`]+)` \|", text, re.MULTILINE)


def test_readme_documents_every_key_of_the_schema_and_no_other() -> None:
    readme = README.read_text(encoding="utf-8")
    assert HEADING in readme, f"README has no {HEADING!r}: paste `python -m tuimarket.config --reference` under it"
    section = readme.split(HEADING, 1)[1].split("\n#", 1)[0]
    schema = [key for key, _, _ in config.schema_keys()]
    documented = reference_keys(section)
    assert sorted(set(schema) - set(documented)) == [], "in the schema but not in README"
    assert sorted(set(documented) - set(schema)) == [], "in README but not in the schema"


def test_the_reference_is_written_from_the_schema() -> None:
    printed = subprocess.run([sys.executable, "-m", "tuimarket.config", "--reference"], capture_output=True,
                             text=True, check=True).stdout
    assert printed.strip() == config.reference()
    keys = reference_keys(printed)
    assert keys == [key for key, _, _ in config.schema_keys()] and len(keys) == len(set(keys))
    assert {"benchmark", "indexes[].name", "analysis.macd.fast", "alerts.rules[].level",
            "alerts.sinks[].url"} <= set(keys)
    # Each row says what the key takes, its default and what it sets.
    assert "| `analysis.macd.fast` | an integer from 1 to 200 | `12` | the fast EMA's period" in printed
    assert "| `chart.range` | one of 3M, 6M, 1Y, 2Y, 5Y | `\"1Y\"` |" in printed
    assert all(row.count(" | ") == 3 and not row.endswith("|  |") for row in printed.splitlines()[2:]), \
        "a key without a description"


def test_every_key_of_the_schema_is_a_key_the_reader_accepts() -> None:
    """No documented key is refused as unknown: each, set to its default, reads back."""
    for key, _, default in config.schema_keys():
        if "[]" in key or default is MISSING or default is None:
            continue
        *tables, name = key.split(".")
        text = (f"[{'.'.join(tables)}]\n" if tables else "") + f"{name} = {toml_value(default)}"
        assert config.parse(text) == config.Config(), key


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, tuple):
        if value and isinstance(value[0], config.Symbol):
            return "[" + ", ".join(f"{{ symbol = {entry.symbol!r}, name = {entry.name!r} }}" for entry in value) + "]"
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    return repr(value) if isinstance(value, str) else str(value)
