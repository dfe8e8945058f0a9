"""Test only: `yfinance.download` hangs forever in a `python -m tuimarket` started by test_hang.py.

That test puts this directory on PYTHONPATH, and Python imports `sitecustomize` as it starts, so
the product runs its real yfinance code path with only the download replaced: no switch in the
product. Each call appends a line to the file named by TUIMARKET_TEST_DOWNLOADS, so the test
knows when a download is in flight and how many were started.
"""

import os
import threading

import yfinance


def _hang(*args, **kwargs):
    with open(os.environ["TUIMARKET_TEST_DOWNLOADS"], "a") as calls:
        calls.write("download\n")
    threading.Event().wait()    # like a socket whose peer never answers


yfinance.download = _hang
