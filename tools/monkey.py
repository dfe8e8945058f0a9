"""The monkey, as long as you like: `python tools/monkey.py --steps 100000 --seed N`.

Random keys and resizes over every screen and theme of the real monitor, its feed hanging,
failing and returning garbage meanwhile (the walk is tests/monkey_walk.py). tests/test_monkey.py runs
10,000 steps through this script, in a process of its own: Textual paints at 20 frames a second
as the installed `tuimarket` does (the rate is read once, when Textual is imported), and the
threads of hung downloads end with it. Prints the seed first; exits 1 naming it on a failure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import sys
import tempfile
import traceback
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1] / "tests"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100_000, help="keys and resizes in all (default 100,000)")
    parser.add_argument("--seed", type=int, default=None, help="replay the keys of an earlier walk")
    parser.add_argument("--json", action="store_true", help="end with the walk's summary as one JSON line")
    args = parser.parse_args()
    seed = random.randrange(1_000_000) if args.seed is None else args.seed
    os.environ.setdefault("TEXTUAL_FPS", "20")     # as run_monitor sets it, before Textual is imported
    workdir = Path(tempfile.mkdtemp(prefix="tuimarket-monkey-"))
    os.environ["TUIMARKET_CACHE_DIR"] = str(workdir / "cache")
    # Everything else the walk makes (watchlist edits, screenshots, saved views) stays in its own
    # directory too: `n` and `x` on a watchlist must not edit the user's watchlists.json.
    os.environ["HOME"] = str(workdir / "home")
    for name in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
        os.environ[name] = str(workdir / name.lower())
    sys.path.insert(0, str(TESTS))
    from monkey_walk import MonkeyFailure, walk

    print(f"monkey seed {seed}, {args.steps} steps", flush=True)
    try:
        record = asyncio.run(walk(args.steps, seed, workdir))
    except MonkeyFailure as failure:
        print(f"monkey seed {seed}: {failure}", file=sys.stderr)
        traceback.print_exception(failure.__cause__, file=sys.stderr)    # where inside the app it broke
        return 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    # To the process's own stdout: a session the walk ended abruptly can leave Textual's capture of
    # sys.stdout in place, and the summary the test reads would vanish into it.
    print(record.summary(), file=sys.__stdout__, flush=True)
    if args.json:
        print(json.dumps(record.as_dict()), file=sys.__stdout__, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
