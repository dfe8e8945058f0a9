"""The watchlist's cells, drawn as one segment each, look as the Rich text they replace does."""

from __future__ import annotations

import pytest
from rich.console import Console
from rich.style import Style
from rich.text import Text

from tuimarket.ui.screens.watchlist import PlainCell

RED = Style(color="red")


def drawn(renderable: object, width: int) -> list[tuple[str, Style | None]]:
    """The line `renderable` draws at `width` in a row one line high, as DataTable draws it: (text, style) pairs."""
    console = Console(width=width, color_system="truecolor")
    options = console.options.update_dimensions(width, 1).update(no_wrap=True)
    line = console.render_lines(renderable, options, pad=True)[0]
    return [(segment.text, segment.style) for segment in line if segment.text]


TEXTS = ["AAPL", "6,377.15", "-1.25%", "up ✓", "…", "", "MACD buy Feb 13"]


@pytest.mark.parametrize(("text", "width"), [(text, width) for text in TEXTS for width in (4, 9, 28)
                                             if len(text) <= width])
@pytest.mark.parametrize("justify", ["left", "right"])
def test_a_cell_that_fits_looks_as_its_rich_text_does(text: str, justify: str, width: int) -> None:
    cell, reference = PlainCell(text, RED, justify), Text(text, style=RED, justify=justify)
    assert "".join(part for part, _ in drawn(cell, width)) == "".join(part for part, _ in drawn(reference, width))
    assert {style for part, style in drawn(cell, width) if part.strip()} <= {RED}
    assert cell.__rich_measure__(Console(), Console().options).maximum == Text(text).cell_len


def test_a_cell_too_long_for_its_column_is_cut_to_it_as_rich_text_is() -> None:
    for text, justify, width, shown in [("not computed (BrokenProcessPool)", "left", 12, "not computed"),
                                        ("+123.45%", "right", 6, "+123.4")]:
        assert drawn(PlainCell(text, RED, justify), width) == [(shown, RED)]
        assert "".join(part for part, _ in drawn(Text(text, style=RED, justify=justify), width)) == shown
    assert drawn(PlainCell("日本語", RED, "left"), 5) == [("日本 ", RED)]    # wide characters: cells, not letters
