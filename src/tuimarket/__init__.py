"""tuimarket: a terminal market monitor for index trends, momentum and rotation."""

__version__ = "0.1.0"
