"""The command line: `tuimarket` (the monitor), `tuimarket data`, `report`, `history`, `evaluate`.

Exit status: 0 success, 2 a user's mistake (usage, config, dates), 1 anything unexpected.
A user's mistake is one line on stderr, never a traceback. Heavy modules (pandas, Textual,
yfinance) are imported only by the command that needs them, so `--help` is instant.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from typing import TYPE_CHECKING, NoReturn, Sequence

from tuimarket import __version__
from tuimarket.config import SOURCES, ConfigError

if TYPE_CHECKING:
    from rich.console import JustifyMethod

EXIT_OK, EXIT_UNEXPECTED, EXIT_USAGE = 0, 1, 2
REPORT_FORMATS = ("text", "markdown", "json")
HISTORY_FORMATS = ("text", "csv", "json")     # tuimarket.timeline_report's, without importing pandas


class UserError(Exception):
    """A mistake in what the user asked for; its message is the one line to print."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # argparse prints the whole usage block; one line that says what to fix reads better.
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _as_of(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a date written YYYY-MM-DD, got {text!r}") from None


def _common_options() -> _Parser:
    # SUPPRESS keeps a subcommand's unset option from overwriting the same option given before it.
    common = _Parser(add_help=False)
    common.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS,
                        help="configuration file (default: $TUIMARKET_CONFIG, then the user config dir)")
    common.add_argument("--source", choices=SOURCES, default=argparse.SUPPRESS,
                        help="where prices come from; 'bundled' works offline (default: from the config)")
    common.add_argument("--as-of", type=_as_of, metavar="YYYY-MM-DD", default=argparse.SUPPRESS,
                        help="replay history: clip every series at this date")
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common_options()
    parser = _Parser(
        prog="tuimarket",
        description="A terminal market monitor: index trends, MACD, support and resistance, sector rotation.",
        epilog="Without a command, opens the monitor. Keys: ? in the monitor lists them.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"tuimarket {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.add_parser("monitor", parents=[common], help="open the dashboard (the default)")
    commands.add_parser("data", parents=[common],
                        help="print each configured symbol's dates, last close, source and freshness")
    report = commands.add_parser("report", parents=[common],
                                 help="print the analysis as text, markdown or json")
    report.add_argument("--format", choices=REPORT_FORMATS, default="text", help="output format (default: text)")
    history = commands.add_parser("history", parents=[common],
                                  help="print the stance and each index's signals for every session")
    _span_options(history)
    history.add_argument("--format", choices=HISTORY_FORMATS, default="text", help="output format (default: text)")
    evaluate = commands.add_parser("evaluate", parents=[common],
                                   help="how the stance would have served: shares, changes, a sanity backtest")
    _span_options(evaluate)
    return parser


def _span_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--from", dest="start", type=_as_of, metavar="YYYY-MM-DD", default=None,
                         help="first session (default: the first with data)")
    command.add_argument("--to", dest="end", type=_as_of, metavar="YYYY-MM-DD", default=None,
                         help="last session (default: the last with data)")


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _run(argv)
    except BrokenPipeError:
        # `tuimarket data | head -1` closing the pipe early is not an error. Python flushes stdout
        # once more as it exits: pointed at devnull, that flush cannot fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


def _run(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    options = {"config": None, "source": None, "as_of": None} | vars(args)
    try:
        from tuimarket import config as config_module

        config = config_module.load(options["config"])
        command = options["command"] or "monitor"
        if command == "monitor":
            if os.environ.get("TERM") == "dumb":   # no cursor movement, no colours: a screen cannot be drawn
                raise UserError("the monitor needs a terminal that can draw a screen (TERM=dumb); "
                                "`tuimarket report` prints the same analysis as text")
            from tuimarket.monitor import run_monitor

            _check_replay(config, options["source"], options["as_of"])
            return run_monitor(config, source=options["source"], as_of=options["as_of"])
        data = _load(config, options["source"], options["as_of"])
        if command == "data":
            _print_data_table(config, data)
        elif command == "report":
            _print_report(config, data, options["format"])
        else:
            _print_timeline(config, data, command, options)
        return EXIT_OK
    except (ConfigError, UserError) as exc:
        print(f"tuimarket: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        raise       # main() ends quietly, whichever command was writing
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, and how to see more
        if os.environ.get("TUIMARKET_DEBUG"):
            raise
        print(f"tuimarket: unexpected error: {type(exc).__name__}: {exc} "
              "(set TUIMARKET_DEBUG=1 for the traceback)", file=sys.stderr)
        return EXIT_UNEXPECTED


def _load(config, source: str | None, as_of: date | None):
    """Live data when allowed (falling back offline); a replay reads only the cache and the bundle."""
    from tuimarket.data.feed import Feed

    if as_of is None:
        return Feed(config, source=source, attempts=1).refresh()
    _check_replay(config, source, as_of)
    return Feed(config, source=source, as_of=as_of).initial()


def _check_replay(config, source: str | None, as_of: date | None) -> None:
    if as_of is not None:
        from tuimarket.data.feed import Feed

        check_as_of(Feed(config, source=source).initial(), as_of)


def check_as_of(data, as_of: date) -> None:
    """Refuse a replay date outside the history at hand, naming the range that exists."""
    firsts = [bars.index[0].date() for bars in data.bars.values() if len(bars)]
    if not firsts or data.as_of is None:
        raise UserError("--as-of: there is no price history to replay")
    if as_of < min(firsts):
        raise UserError(f"--as-of {as_of} is before the data begins ({min(firsts)})")
    if as_of > data.as_of:
        raise UserError(f"--as-of {as_of} is after the data ends ({data.as_of})")


def _print_data_table(config, data) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from tuimarket.data.feed import describe

    table = Table(title=f"tuimarket data — as of {data.as_of or 'n/a'} ({data.source})", title_justify="left",
                  box=box.SIMPLE_HEAD, pad_edge=False)
    # Dates and numbers never wrap; the freshness label gives way on a narrow terminal.
    columns: list[tuple[str, JustifyMethod, int]] = [
        ("symbol", "left", 6), ("first", "left", 10), ("last", "left", 10), ("last close", "right", 10),
        ("source", "left", 7)]
    for column, justify, width in columns:
        table.add_column(column, justify=justify, no_wrap=True, min_width=width)
    table.add_column("freshness")
    for row in describe(data, config):
        close = f"{row['last_close']:,.2f}" if row["last_close"] is not None else "—"
        cells = [row["symbol"], str(row["first"] or "—"), str(row["last"] or "—"), close, row["source"],
                 row["freshness"]]
        table.add_row(*(Text(cell) for cell in cells))   # Text: a feed's name is never read as markup
    console = _console()
    console.print(table)
    for note in data.notes:
        console.print(f"note: {note}", markup=False, highlight=False)


def _console():
    """A Rich console on stdout; a closed pipe raises BrokenPipeError for main(), where Rich exits 1."""
    from rich.console import Console

    class PipeAwareConsole(Console):
        def on_broken_pipe(self) -> None:
            raise BrokenPipeError

    return PipeAwareConsole()


def _print_report(config, data, fmt: str) -> None:
    from dataclasses import replace

    from tuimarket.analysis.snapshot import build_snapshot
    from tuimarket.data.members import for_config
    from tuimarket.data.store import Store
    from tuimarket.report import render

    data = replace(data, members=for_config(config, Store.for_config(config).read_many))

    color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
    width = os.get_terminal_size().columns if sys.stdout.isatty() else 100
    sys.stdout.write(render(build_snapshot(config, data), fmt, color=color, width=width))
    sys.stdout.flush()


def _print_timeline(config, data, command: str, options: dict) -> None:
    """`history` or `evaluate` over --from..--to: the timeline is computed on all the history (the
    averages need their warm-up), then cut."""
    from tuimarket.analysis.timeline import market_timeline
    from tuimarket.data.model import clip

    bars = {symbol: clip(frame, data.as_of) for symbol, frame in data.bars.items()}
    timeline = market_timeline(config, bars, detail=command == "history")
    if timeline.empty:
        raise UserError(f"{command}: there is no index history")
    start, end = _span(timeline.index[0].date(), timeline.index[-1].date(), options["start"], options["end"])
    if command == "history":
        from tuimarket.timeline_report import render_history

        symbols = tuple(entry.symbol for entry in config.indexes)
        sys.stdout.write(render_history(timeline.loc[str(start):str(end)], symbols, options["format"]))
    else:
        from tuimarket.analysis.evaluation import evaluate
        from tuimarket.timeline_report import render_evaluation

        benchmark = bars.get(config.benchmark)
        if benchmark is None or benchmark.empty:
            raise UserError(f"evaluate: there is no history for the benchmark {config.benchmark}")
        sys.stdout.write(render_evaluation(evaluate(timeline["stance"], benchmark, str(start), str(end)),
                                           config.benchmark))
    sys.stdout.flush()


def _span(first: date, last: date, start: date | None, end: date | None) -> tuple[date, date]:
    """--from and --to, checked against each other and the history at hand (first..last)."""
    if start and end and start > end:
        raise UserError(f"--from {start} is after --to {end}")
    if start and start > last:
        raise UserError(f"--from {start} is after the data ends ({last})")
    if end and end < first:
        raise UserError(f"--to {end} is before the data begins ({first})")
    return max(start or first, first), min(end or last, last)
