"""The help screen: every key, read from the same bindings the Footer shows."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


def _key_label(binding: Binding, app) -> str:
    return ", ".join(app.get_key_display(Binding(key.strip(), "")) for key in binding.key.split(","))


class HelpScreen(ModalScreen):
    BINDINGS = [
        Binding("escape,question_mark,q", "app.pop_screen", "Close help", id="close-help"),
    ]

    def __init__(self, sections: list[tuple[str, list[BindingType]]]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        table = Table(show_header=False, box=None, padding=(0, 2), expand=False)
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for title, bindings in self.sections:
            table.add_row(f"[u]{title}[/u]", "")
            for binding in bindings:
                if isinstance(binding, Binding) and binding.description:
                    table.add_row(_key_label(binding, self.app), binding.tooltip or binding.description)
            table.add_row("", "")
        with VerticalScroll(id="help-body"):
            yield Static("tuimarket — keys   (Esc to close)", id="help-title")
            yield Static(table)
