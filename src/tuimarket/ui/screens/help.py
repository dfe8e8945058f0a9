"""The help screen: every key that does something now, read from the same bindings the Footer shows."""

from __future__ import annotations

from typing import Iterable

from rich.table import Table
from rich.text import Text
from textual.actions import parse
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import Static

HelpRow = tuple[str, str]     # the keys, then what they do


def help_rows(bindings: Iterable[BindingType], app: App, owner: DOMNode | None) -> list[HelpRow]:
    """One row per thing to do, with every key that does it; only what `owner` can do now.

    Bindings that read the same (aliases such as `j` for the down arrow, the numbers that each
    show a pane) share a row, so no key or line is listed twice.
    """
    rows: dict[str, list[str]] = {}
    for binding in bindings:
        if not isinstance(binding, Binding) or not binding.description:
            continue
        _, action, parameters = parse(binding.action)
        if owner is not None and owner.check_action(action, parameters) is False:
            continue
        keys = rows.setdefault(binding.tooltip or binding.description, [])
        for key in binding.key.split(","):
            label = app.get_key_display(Binding(key.strip(), ""))
            if label not in keys:
                keys.append(label)
    return [(", ".join(keys), text) for text, keys in rows.items()]


class HelpScreen(ModalScreen):
    BINDINGS = [
        Binding("escape,question_mark,q", "app.pop_screen", "Close help", id="close-help"),
    ]

    def __init__(self, sections: list[tuple[str, list[HelpRow]]]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        table = Table(show_header=False, box=None, padding=(0, 2), expand=False)
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for title, rows in self.sections:
            table.add_row(Text(title, style="underline"), "")
            for keys, text in rows:
                table.add_row(Text(keys), Text(text))
            table.add_row("", "")
        with VerticalScroll(id="help-body"):
            yield Static("tuimarket — keys   (Esc to close)", id="help-title")
            yield Static(table)
