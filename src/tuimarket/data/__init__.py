"""Market data: Yahoo, the bundled history and the SQLite cache. Never imports Textual."""
