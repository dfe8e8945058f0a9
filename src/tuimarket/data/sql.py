"""What the cache's tables share in their SQL."""

from __future__ import annotations

from typing import Iterable, Iterator

BATCH = 500     # values per query (SQLite's limit on a statement's variables is far above)


def batches(values: Iterable[str]) -> Iterator[tuple[str, tuple[str, ...]]]:
    """The distinct values BATCH at a time, each batch with its query's placeholders ("?, ?")."""
    wanted = list(dict.fromkeys(values))
    for first in range(0, len(wanted), BATCH):
        batch = tuple(wanted[first:first + BATCH])
        yield ", ".join("?" * len(batch)), batch
