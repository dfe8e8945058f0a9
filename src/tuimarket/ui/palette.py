"""Textual's command palette, hardened against two crashes fast typing reaches in Textual 8.2.8.

The monkey walk (tests/monkey_walk.py) found both; no upstream fix or issue exists yet.
- PageUp/PageDown as the palette opens: `OptionList._move_page` looks the highlight up in a line
  map that is empty until the list is laid out, and raises KeyError. Until then a page key is ignored.
- Typing then Escape: the search the typing asked for may start once Escape has closed the
  palette, and its worker fails with NoMatches('CommandList'), which ends the app. A search for a
  palette no longer on screen is not started.
"""

from __future__ import annotations

from textual import command

PAGE_ACTIONS = ("page_up", "page_down")


class CommandPalette(command.CommandPalette):
    def _action_command_list(self, action: str) -> None:
        if action in PAGE_ACTIONS and not self._highlight_laid_out():
            return
        super()._action_command_list(action)

    def _highlight_laid_out(self) -> bool:
        options = self.query_one(command.CommandList)
        return options.highlighted is None or options.highlighted in options._index_to_line

    def _gather_commands(self, search_value: str) -> None:
        if self.is_attached:
            super()._gather_commands(search_value)
