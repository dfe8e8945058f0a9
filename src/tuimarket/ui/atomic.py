"""Files written whole or not at all."""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file beside it, renamed into place once complete.

    A full disk or a crash midway leaves the old file (or none), never a truncated one, and the
    temporary file does not outlive a failure. Raises OSError.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:   # a file where the directory should be: say that, not "File exists"
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(path.parent)) from None
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        try:
            remaining = memoryview(text.encode("utf-8"))
            while remaining:
                remaining = remaining[os.write(descriptor, remaining):]
        finally:
            os.close(descriptor)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
