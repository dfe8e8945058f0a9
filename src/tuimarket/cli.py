"""The command line: `tuimarket` (the monitor), `data`, `report`, `history`, `evaluate`, `events`, `watch`, `alerts`.

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
TIMEFRAMES = ("daily", "weekly")              # tuimarket.analysis.timeframe's, without importing pandas
EVENT_FORMATS = ("text", "markdown", "json", "csv")   # tuimarket.events_report's
WINDOWS = ("week", "month")                   # tuimarket.analysis.changes's
BREADTH_COMMANDS = ("report", "events", "history")   # the commands that show the members' breadth


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


def _since(text: str) -> date | str:
    if text in WINDOWS:
        return text
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be week, month or a date written YYYY-MM-DD, got {text!r}") from None


def _replay_span(text: str) -> tuple[date, date]:
    start, dots, end = text.partition("..")
    if not dots:
        raise argparse.ArgumentTypeError(f"must be FROM..TO, two dates written YYYY-MM-DD, got {text!r}")
    first, last = _as_of(start), _as_of(end)
    if first > last:
        raise argparse.ArgumentTypeError(f"{first} is after {last}")
    return first, last


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
    report.add_argument("--since", type=_since, metavar="week|month|YYYY-MM-DD", default="week",
                        help="what changed since when (default: week)")
    report.add_argument("--timeframe", choices=TIMEFRAMES, default="daily",
                        help="the indexes on daily or weekly bars (default: daily); the stance, rotation and "
                             "events stay daily")
    history = commands.add_parser("history", parents=[common],
                                  help="print the stance and each index's signals for every session")
    _span_options(history)
    history.add_argument("--format", choices=HISTORY_FORMATS, default="text", help="output format (default: text)")
    evaluate = commands.add_parser("evaluate", parents=[common],
                                   help="how the stance would have served: shares, changes, a sanity backtest")
    _span_options(evaluate)
    events = commands.add_parser("events", parents=[common],
                                 help="list what changed: signals, breakouts, records, the stance (newest first)")
    events.add_argument("--symbols", nargs="+", metavar="SYMBOL",
                        help="only these symbols ('market' for the stance; default: all)")
    events.add_argument("--since", type=_since, metavar="week|month|YYYY-MM-DD", default="month",
                        help="the first date listed (default: month)")
    events.add_argument("--kinds", nargs="+", metavar="KIND", help="only these kinds (default: all)")
    events.add_argument("--format", choices=EVENT_FORMATS, default="text", help="output format (default: text)")
    watch = commands.add_parser("watch", parents=[common],
                                help="refresh with no screen: print alerts and send them to the configured sinks")
    watch.add_argument("--json", action="store_true", help="one JSON object per alert instead of a line of text")
    watch.add_argument("--replay", type=_replay_span, metavar="FROM..TO", default=None,
                       help="step through past sessions and emit the alerts that would have fired, then exit")
    alerts = commands.add_parser("alerts", parents=[common],
                                 help="list the stored alerts, newest first; mark them read; mute a symbol or a kind")
    alerts.add_argument("--unread", action="store_true", help="only the unread ones")
    alerts.add_argument("--limit", type=_positive, default=50, metavar="N", help="at most N alerts (default: 50)")
    alerts.add_argument("--json", action="store_true", help="one JSON object per alert")
    alerts.add_argument("--read", action="store_true", help="mark every alert read")
    alerts.add_argument("--mute", action="append", type=_mute_target, default=[], metavar="symbol:SYM|kind:KIND",
                        help="never announce this symbol's or this kind's alerts (still recorded); repeatable")
    alerts.add_argument("--unmute", action="append", type=_mute_target, default=[], metavar="symbol:SYM|kind:KIND",
                        help="undo a --mute; repeatable")
    alerts.add_argument("--kinds", action="store_true", help="list the alert kinds and exit")
    serve = commands.add_parser("serve", parents=[common],
                                help="serve the monitor to a browser tab (needs: pip install 'tuimarket[serve]')")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default: 127.0.0.1; there is no authentication)")
    serve.add_argument("--port", type=_port, default=8000, help="port to listen on (default: 8000)")
    serve.add_argument("--public-url", type=_http_url, metavar="URL", default=None,
                       help="the address browsers open, behind a reverse proxy (default: http://HOST:PORT)")
    return parser


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}")
    return int(text)


def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"must be a port number from 1 to 65535, got {text!r}")
    return int(text)


def _http_url(text: str) -> str:
    if not text.startswith(("http://", "https://")):
        raise argparse.ArgumentTypeError(f"must start with http:// or https://, got {text!r}")
    return text.rstrip("/")


def _mute_target(text: str) -> tuple[str, str]:
    what, colon, value = text.partition(":")
    if not colon or what not in ("symbol", "kind") or not value:
        raise argparse.ArgumentTypeError(f"must be symbol:SYMBOL or kind:KIND, got {text!r}")
    return what, value


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
        if command == "watch":
            return _watch(config, options)
        if command == "serve":
            return _serve(config, options)
        if command == "alerts":
            return _alerts(config, options)
        data = _load(config, options["source"], options["as_of"], with_members=command in BREADTH_COMMANDS)
        if command == "data":
            _print_data_table(config, data)
        elif command == "report":
            _print_report(config, data, options["format"], options["since"], options["timeframe"])
        elif command == "events":
            _print_events(config, data, options)
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


def _load(config, source: str | None, as_of: date | None, *, with_members: bool = False):
    """Live data when allowed (falling back offline); a replay reads only the cache and the bundle.

    `with_members`: with the index members breadth is measured over (None when breadth is off),
    their closes fetched as the monitor fetches them: only when the cache lacks a session closed
    since, never offline or in a replay.
    """
    from tuimarket.data.feed import CachedMembers, Feed

    if as_of is None:
        feed = Feed(config, source=source, attempts=1)
        data = feed.refresh()
    else:
        _check_replay(config, source, as_of)
        feed = Feed(config, source=source, as_of=as_of)
        data = feed.initial()
    return CachedMembers(config, lambda: feed).refresh(data) if with_members else data


def _watch(config, options: dict) -> int:
    """`watch`, or `watch --replay`: alerts on stdout, notes on stderr, the sinks fed."""
    import logging

    from tuimarket import watch
    from tuimarket.alerts.delivery import build_deliveries
    from tuimarket.data.feed import Feed

    if options["as_of"] is not None:
        raise UserError("watch: --as-of shows one past date; --replay FROM..TO steps through sessions")
    watch.check_event_kinds(config)
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="tuimarket: %(message)s")
    logging.getLogger("tuimarket").setLevel(logging.INFO)
    announce = watch.Announcer(sys.stdout, build_deliveries(config), json_lines=options["json"],
                               bell=config.alerts.bell)
    feed = Feed(config, source=options["source"])
    if options["replay"] is None:
        return watch.run_watch(config, feed, announce)
    start, end = options["replay"]
    data = feed.initial()    # the cache, else the bundled history: never the network
    firsts = [bars.index[0].date() for bars in data.bars.values() if len(bars)]
    if not firsts or data.as_of is None:
        raise UserError("--replay: there is no price history to replay")
    if start < min(firsts) or end > data.as_of:
        raise UserError(f"--replay {start}..{end} is outside the history at hand ({min(firsts)}..{data.as_of})")
    count = watch.replay(config, data, start, end, announce)
    logging.getLogger("tuimarket.alerts").info("replay %s..%s: %d alerts", start, end, count)
    return EXIT_OK


def _serve(config, options: dict) -> int:
    """`serve`: the monitor, with the user's options, in each browser tab that opens the page."""
    try:
        from tuimarket import serve
    except ImportError as missing:
        raise UserError(f"serve needs the serve extra ({missing.name} is not installed): "
                        "pip install 'tuimarket[serve]'") from None
    _check_replay(config, options["source"], options["as_of"])    # refused here, not in every tab
    host, port = options["host"], options["port"]
    try:
        serve.check_address(host, port)
    except OSError as exc:
        raise UserError(f"serve: cannot listen on {host} port {port}: {exc.strerror or exc}") from None
    if not serve.is_loopback(host):
        print(f"tuimarket: warning: serving on {host} with no authentication: anyone who can reach port {port} "
              "can use the monitor", file=sys.stderr)
    serve.serve(serve.monitor_command(options["config"], options["source"], options["as_of"]),
                host, port, options["public_url"])
    return EXIT_OK


def _alerts(config, options: dict) -> int:
    """`alerts`: the alert log of the cache, its read marks and mutes."""
    import json

    from tuimarket.config import CONTROL_CHARACTERS
    from tuimarket.data.alert_store import AlertStore
    from tuimarket.data.store import Store
    from tuimarket.watch import known_kinds

    kinds = known_kinds()
    if options["kinds"]:
        sys.stdout.write("".join(f"{kind}\n" for kind in kinds))
        return EXIT_OK
    symbols = config.all_symbols + ("market",)
    for what, value in options["mute"] + options["unmute"]:
        if value not in (symbols if what == "symbol" else kinds):
            known = ", ".join(symbols) if what == "symbol" else "see tuimarket alerts --kinds"
            raise UserError(f"alerts: unknown {what} {value!r} ({known})")
    store = Store.for_config(config)
    alerts = AlertStore(store)
    changed = [alerts.mute(*target) for target in options["mute"]] + \
              [alerts.unmute(*target) for target in options["unmute"]]
    if options["read"]:
        changed.append(alerts.mark_read())
    if not all(changed):
        raise UserError(f"alerts: the cache could not be changed: {alerts.problem}")
    for stored in alerts.recent(options["limit"], unread_only=options["unread"]):
        alert = stored.alert
        if options["json"]:
            line = json.dumps(alert.as_fields() | {"first_seen": stored.first_seen.isoformat(), "read": stored.read})
        else:
            line = f"{alert.date} {'   ' if stored.read else 'new'} {alert.title}: {alert.body}"
        # the cache is a file anyone can write: nothing read from it drives the terminal
        print(CONTROL_CHARACTERS.sub("", line))
    if mutes := sorted(alerts.mutes()):
        print("muted: " + ", ".join(f"{what} {value}" for what, value in mutes), file=sys.stderr)
    store.close()
    return EXIT_OK


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


def _print_report(config, data, fmt: str, since: date | str, timeframe: str = "daily") -> None:
    from tuimarket.analysis.snapshot import build_snapshot, on_weekly_bars
    from tuimarket.report import render

    snapshot = build_snapshot(config, data, weekly=timeframe == "weekly")
    if timeframe == "weekly":
        snapshot = on_weekly_bars(snapshot)
    changes = _changes(config, data, since) if snapshot.as_of else None
    color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
    width = os.get_terminal_size().columns if sys.stdout.isatty() else 100
    sys.stdout.write(render(snapshot, fmt, color=color, width=width, changes=changes))
    sys.stdout.flush()


def _changes(config, data, since: date | str):
    """The events of the window `since` up to the data's date (see analysis.changes), the members'
    breadth events among them when `data` has members."""
    import pandas as pd

    from tuimarket.analysis.changes import changes_since, window
    from tuimarket.analysis.divergence import member_events
    from tuimarket.analysis.events import market_events
    from tuimarket.data.model import clip

    if data.as_of is None:
        raise UserError("there is no price history")
    if isinstance(since, date) and since > data.as_of:
        raise UserError(f"--since {since} is after the last session ({data.as_of})")
    bars = {symbol: clip(frame, data.as_of).dropna(subset=["Close"]) for symbol, frame in data.bars.items()}
    forming = {symbol for symbol, freshness in data.freshness.items() if freshness.partial}
    last_closes = {symbol: float(frame["Close"].iloc[-1]) for symbol, frame in bars.items() if len(frame)}
    # Only the window's events are made; their states still come from the whole history.
    first = window(data.as_of, since)[1]
    events = market_events(config, bars, forming=forming, since=first)
    if data.members is not None and config.benchmark in bars:
        members = data.members.until(pd.Timestamp(data.as_of))
        forming_day = data.as_of if config.benchmark in forming else None
        events += member_events(members, bars[config.benchmark]["Close"], since=first, forming_day=forming_day)
    return changes_since(events, data.as_of, since, last_closes)


def _print_events(config, data, options: dict) -> None:
    """`events`: the window's events of the chosen symbols and kinds, newest first."""
    from tuimarket.analysis.events import MARKET, EventKind
    from tuimarket.events_report import render_events

    known_symbols = {MARKET, *data.bars}
    symbols = _listed(options["symbols"])
    if unknown := [symbol for symbol in symbols if symbol not in known_symbols]:
        raise UserError(f"--symbols: unknown symbol {unknown[0]!r} (known: {', '.join(sorted(known_symbols))})")
    kind_names = {kind.value for kind in EventKind}
    kinds = _listed(options["kinds"])
    if unknown := [kind for kind in kinds if kind not in kind_names]:
        raise UserError(f"--kinds: unknown kind {unknown[0]!r} (known: {', '.join(kind.value for kind in EventKind)})")
    changes = _changes(config, data, options["since"])
    chosen = [event for event in changes.events
              if (not symbols or event.symbol in symbols) and (not kinds or event.kind.value in kinds)]
    names = {entry.symbol: entry.name for entry in config.indexes + config.rotation.symbols}
    sys.stdout.write(render_events(chosen, options["format"], names, config.name_of(config.benchmark),
                                   changes.last_closes))
    sys.stdout.flush()


def _listed(values: list[str] | None) -> list[str]:
    """`--symbols A B` or `--symbols A,B`: each value, once, in order."""
    return list(dict.fromkeys(part.strip() for value in values or () for part in value.split(",") if part.strip()))


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
        import pandas as pd

        from tuimarket.analysis.timeline import with_member_breadth
        from tuimarket.timeline_report import render_history

        members = data.members
        timeline = with_member_breadth(timeline, members and members.until(pd.Timestamp(data.as_of)))
        symbols = tuple(entry.symbol for entry in config.indexes)
        sys.stdout.write(render_history(timeline.loc[str(start):str(end)], symbols, options["format"],
                                        members.caveat if members else ""))
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
