"""The Textual monitor. Never imports yfinance or SQLite: it gets data through `port.Pipeline`."""
