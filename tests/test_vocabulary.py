"""The vocabulary: each word's stored value and display words, written once (analysis/vocabulary.py)."""

from __future__ import annotations

import ast
import json
import sqlite3
from pathlib import Path

import pytest

from tuimarket.analysis import vocabulary
from tuimarket.analysis.vocabulary import Direction, MacdSide, Quadrant, Stance, Trend

WORDS = (Stance, Trend, Quadrant, MacdSide, Direction)
SRC = Path(vocabulary.__file__).parents[1]


def test_the_stored_values_are_the_strings_of_before():
    # JSON, CSV, the saved view and the cache hold these: renaming one breaks every reader.
    assert [str(word) for word in Stance] == ["fully_invested", "partially_invested", "defensive"]
    assert [str(word) for word in Trend] == ["uptrend", "downtrend", "sideways"]
    assert [str(word) for word in Quadrant] == ["leading", "weakening", "lagging", "improving"]
    assert [str(word) for word in MacdSide] == ["buy", "sell"]
    assert [str(word) for word in Direction] == ["rising", "falling", "flat"]


@pytest.mark.parametrize("word", [word for kind in WORDS for word in kind])
def test_a_word_is_written_and_read_back_as_its_plain_value(word):
    assert json.dumps({"state": word}) == json.dumps({"state": word.value})
    assert f"{word}" == word.value
    with sqlite3.connect(":memory:") as db:
        db.execute("CREATE TABLE t (state TEXT)")
        db.execute("INSERT INTO t VALUES (?)", (word,))
        (stored,) = db.execute("SELECT state FROM t").fetchone()
    assert type(stored) is str and stored == word and type(word)(stored) is word


def test_display_words():
    assert [(s.words, s.label, s.short) for s in Stance] == [
        ("fully invested", "FULLY INVESTED", "fully"), ("partially invested", "PARTIALLY INVESTED", "partially"),
        ("defensive", "DEFENSIVE", "defensive")]
    assert [(t.label, t.short) for t in Trend] == [("UPTREND", "up"), ("DOWNTREND", "down"), ("SIDEWAYS", "side")]
    assert [(q.label, q.short) for q in Quadrant] == [("Leading", "Lead"), ("Weakening", "Weak"), ("Lagging", "Lag"),
                                                       ("Improving", "Impr")]
    assert [m.label for m in MacdSide] == ["BUY", "SELL"]
    assert [d.short for d in Direction] == ["up", "down", "flat"]


def test_a_more_invested_stance_has_a_higher_level_and_exposure():
    assert [(s.level, s.exposure) for s in Stance] == [(2, 1.0), (1, 0.5), (0, 0.0)]


def test_no_word_is_spelled_as_a_string_outside_the_vocabulary():
    """Code names a word by its member (comments and docstrings may still say it)."""
    values = {word.value for kind in WORDS for word in kind}
    spelled = [f"{path.relative_to(SRC)}:{node.lineno}: {node.value!r}"
               for path in sorted(SRC.rglob("*.py")) if path.name != "vocabulary.py"
               for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
               if isinstance(node, ast.Constant) and node.value in values]
    assert spelled == []
