"""Every test gets its own cache directory: none reads or writes the user's real cache."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def private_cache_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUIMARKET_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
