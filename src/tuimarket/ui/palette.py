"""Textual's command palette, hardened against what fast typing reaches in Textual 8.2.8.

The monkey walk (tests/monkey_walk.py) found them; Textual has no fix or issue for them yet.
- PageUp/PageDown as the palette opens: `OptionList._move_page` looks the highlight up in a line
  map that is empty until the list is laid out, and raises KeyError. Until then a page key is ignored.
- Typing, then Escape: the search the typing started may start, or end, once the closed palette
  has lost its widgets (they are removed before the palette itself, which cancels its searches),
  and its worker fails with NoMatches('CommandList'), which ends the app. A search for a closed
  palette is dropped; one that fails while the palette is open still fails loudly. Its busy
  indicator's timers, run as the palette's messages, fail the same way (seed 3 again). Its watcher
  is run after the message that set the flag, outside the palette's handling of it: set as the
  palette closes, it is dropped (seed 20261201).
- Enter, then Escape (or the reverse), typed ahead: the second closes the palette again, and its
  result callback, already answered, raises InvalidStateError (seed 20261201). A palette already
  closed is not closed twice.
- Enter typed ahead, several times: each picked the command again, and the closed palette ran it
  again (three Enters on "Next theme" moved three themes on). A closed palette runs nothing.
"""

from __future__ import annotations

from typing import Any

from textual import command, work
from textual.await_complete import AwaitComplete
from textual.css.query import NoMatches
from textual.message import Message
from textual.widgets import Input, OptionList

PAGE_ACTIONS = ("page_up", "page_down")
ANSWERS = (Input.Submitted, OptionList.OptionSelected)     # what makes the palette run its command


class CommandPalette(command.CommandPalette):
    def _action_command_list(self, action: str) -> None:
        if action in PAGE_ACTIONS and not self._highlight_laid_out():
            return
        super()._action_command_list(action)

    def _highlight_laid_out(self) -> bool:
        options = self.query_one(command.CommandList)
        return options.highlighted is None or options.highlighted in options._index_to_line

    @work(exclusive=True, group=command.CommandPalette._GATHER_COMMANDS_GROUP)
    async def _gather_commands(self, search_value: str) -> None:
        try:
            # Textual's own search, undecorated: this method is the worker around it. (@work keeps
            # the function as __wrapped__, which its type does not declare.)
            search = command.CommandPalette._gather_commands.__wrapped__  # type: ignore[attr-defined]
            await search(self, search_value)
        except NoMatches:
            if self._open:
                raise

    async def _dispatch_message(self, message: Message) -> None:
        if isinstance(message, ANSWERS) and not self._open:
            return      # an Enter typed ahead of the close: the palette has answered already
        try:
            await super()._dispatch_message(message)
        except NoMatches:
            if self._open:
                raise

    async def _watch__show_busy(self) -> None:
        if self._open:
            await super()._watch__show_busy()

    def dismiss(self, result: Any = None) -> AwaitComplete:
        if not self._open:
            return AwaitComplete()
        answered = self._result_callbacks and self._result_callbacks[-1].future is not None \
            and self._result_callbacks[-1].future.done()
        if answered:    # an earlier gesture answered: only close it, if it is still on top
            return self.app.pop_screen() if self.app.screen is self else AwaitComplete()
        return super().dismiss(result)

    @property
    def _open(self) -> bool:
        # Its widgets are removed only once it is closed, or as the app ends (Ctrl+Q, then Ctrl+P
        # typed ahead, opens it as the app removes every widget: seed 20261201, step 7,431).
        return self in self.app.screen_stack and not (self.app._exit or self.app._closing)
