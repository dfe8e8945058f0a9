"""The analysis engine: pure functions over price frames. Never imports Textual."""
