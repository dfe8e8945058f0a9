"""The monkey: 10,000 random keys and resizes over every screen and theme, the feed misbehaving, replays too.

It runs tools/monkey.py (the walk is tests/monkey_walk.py) in a process of its own, so Textual paints
at the installed app's 20 frames a second. It is long (10,000 steps: 3 minutes of CPU, 5 to 7 of
wall time on this shared 2-core machine, most of it Textual painting and restyling the screens),
so marked `slow`; a plain `pytest` still runs it. The seed is random unless TUIMARKET_MONKEY_SEED sets it, and a failure
names it: rerun with it to replay the same keys.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from textual.app import App

from monkey_walk import VIEW_KEYS, ChaoticYahoo

pytestmark = pytest.mark.slow

TOOL = Path(__file__).resolve().parents[1] / "tools" / "monkey.py"
STEPS = int(os.environ.get("TUIMARKET_MONKEY_STEPS") or 10_000)


def test_ten_thousand_random_steps_end_with_the_app_answering(tmp_path: Path) -> None:
    seed = int(os.environ.get("TUIMARKET_MONKEY_SEED") or random.randrange(1_000_000))
    # The walk adds symbols to watchlists and takes screenshots: all of it in its own directory, never
    # in the home or XDG directories of whoever runs it (a walk once edited this machine's watchlists).
    home = tmp_path / "home"
    home.mkdir()
    users_directories = {"HOME": str(home), **{name: str(home / name) for name in
                                               ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME")}}
    run = subprocess.run([sys.executable, str(TOOL), "--steps", str(STEPS), "--seed", str(seed), "--json"],
                         capture_output=True, text=True, timeout=1800, env={**os.environ, **users_directories})
    assert run.returncode == 0, f"monkey seed {seed} (TUIMARKET_MONKEY_SEED={seed} replays it):\n{run.stderr[-6000:]}"
    walk = json.loads(run.stdout.splitlines()[-1])
    print(run.stdout)
    assert walk["steps"] == STEPS
    # It went everywhere: every screen, every theme, both extreme sizes, every kind of bad answer.
    views = {view.__name__ for view, _ in VIEW_KEYS}
    assert {"DashboardScreen", *views} <= set(walk["screens"]), walk
    missing_themes = set(App().available_themes) - set(walk["themes"])
    assert not missing_themes, f"seed {seed}: themes never shown: {missing_themes}"
    assert {(20, 8), (250, 70)} <= {tuple(size) for size in walk["sizes"]}
    assert walk["replays"], f"seed {seed}: no session replayed history"
    assert set(ChaoticYahoo.ANSWERS) <= set(walk["answers"]), f"seed {seed}: {walk['answers']}"
    assert walk["stuck_seen"], f"seed {seed}: no refresh was ever given up as stuck"
    assert [str(path.relative_to(home)) for path in home.rglob("*")] == [], f"seed {seed} wrote outside its directory"

