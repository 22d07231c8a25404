"""The commands: the only place that reads argv and picks exit codes.

Exit codes: 0 ok, 1 runtime failure, 2 bad config or usage.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict
from importlib import resources
from pathlib import Path
from typing import Any, TextIO

from loguru import logger

from monitor import __version__
from monitor.config import Settings, config_warnings, find_config, load_config
from monitor.errors import ConfigError, MonitorError, StoreError
from monitor.logs import setup_logging

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2

Handler = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="news-monitor",
        description="Watch news feeds and alert on new claims and denials about your topics.",
    )
    _global_options(parser, defaults=True)
    parser.add_argument("--version", action="version", version=f"news-monitor {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("init", help="write a commented starter config")
    p.add_argument("dir", nargs="?", default="config", help="directory (default ./config)")
    p.add_argument("--force", action="store_true", help="overwrite an existing monitor.toml")
    p.set_defaults(handler=cmd_init)
    sub.add_parser("check-config", help="validate the config").set_defaults(handler=cmd_check)
    sub.add_parser("run", help="run the daemon in the foreground").set_defaults(handler=cmd_run)
    sub.add_parser("once", help="poll every enabled feed now, deliver, exit").set_defaults(
        handler=cmd_once
    )
    p = sub.add_parser("explain", help="why an article does or does not alert")
    p.add_argument("target", help="article URL or a saved HTML file")
    p.add_argument("--title", help="the title to use (default: the page's)")
    p.set_defaults(handler=cmd_explain)
    sub.add_parser("classify", help="JSON lines in, one classification per line out").set_defaults(
        handler=cmd_classify
    )
    from monitor import manage_cli

    manage_cli.add_commands(sub)
    for command in _subparsers(parser):
        _global_options(command, defaults=False)
    return parser


def _global_options(parser: argparse.ArgumentParser, *, defaults: bool) -> None:
    """-c, --log-json and --log-level, accepted before the command and after it
    (`news-monitor -c FILE run --log-json`, as the systemd unit writes it). On a command
    they default to SUPPRESS, so an option given before the command is not overwritten."""
    unset: Any = argparse.SUPPRESS
    parser.add_argument(
        "-c",
        "--config",
        default=None if defaults else unset,
        help="config file (default: $NEWS_MONITOR_CONFIG, "
        "./config/monitor.toml, /etc/news-monitor/monitor.toml)",
    )
    parser.add_argument(
        "--log-json",
        action="store_true",
        default=False if defaults else unset,
        help="log one JSON object per line",
    )
    parser.add_argument(
        "--log-level",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        default="INFO" if defaults else unset,
        help="log level",
    )


def _subparsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    """Every command and subcommand parser below `parser`."""
    found = []
    for action in parser._actions:  # argparse offers no public walk of its tree
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                found += [child, *_subparsers(child)]
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    setup_logging(args.log_level, json_lines=args.log_json)
    handler: Handler = args.handler
    try:
        return handler(args)
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return EXIT_USAGE
    except StoreError as exc:
        logger.error("{}", exc)
        return EXIT_FAILURE
    except MonitorError as exc:
        logger.error("{}", exc)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return 130


def settings_of(args: argparse.Namespace) -> Settings:
    return load_config(find_config(args.config))


# ---- commands --------------------------------------------------------------------------


def starter_config() -> str:
    return resources.files("monitor").joinpath("data/monitor.toml").read_text(encoding="utf-8")


def cmd_init(args: argparse.Namespace) -> int:
    target = Path(args.dir) / "monitor.toml"
    if target.exists() and not args.force:
        print(f"{target} exists; pass --force to overwrite it", file=sys.stderr)
        return EXIT_USAGE
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(starter_config(), encoding="utf-8")
    print(f"wrote {target}; check it with: news-monitor -c {target} check-config")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    path = find_config(args.config)
    settings = load_config(path)
    for warning in config_warnings(settings):
        print(f"warning: {warning}", file=sys.stderr)
    print(
        f"{path}: ok ({len(settings.feeds)} feeds, {len(settings.topics)} topics, "
        f"{len(settings.channels)} channels)"
    )
    return EXIT_OK


def _stopped_while_starting(signum: int, _frame: object) -> None:
    # TERM before the daemon's own handlers are in place (start-up: imports, migrations,
    # worker warm-up): stop cleanly; every write is a transaction, so nothing is half-done
    raise SystemExit(EXIT_OK)


def cmd_run(args: argparse.Namespace) -> int:
    signal.signal(signal.SIGTERM, _stopped_while_starting)
    from monitor.service.daemon import Daemon

    path = find_config(args.config)
    settings = load_config(path)
    return asyncio.run(Daemon(path, settings).run())


def cmd_once(args: argparse.Namespace) -> int:
    from monitor.service.once import run_once

    report = asyncio.run(run_once(settings_of(args)))
    print(report.cycle.line())
    d = report.delivery
    print(f"deliveries: {d.sent} sent, {d.waiting} waiting, {d.failed} failed")
    return EXIT_OK


def cmd_explain(args: argparse.Namespace) -> int:
    from monitor.service.explain import explain

    for line in asyncio.run(explain(settings_of(args), args.target, title=args.title)):
        print(line)
    return EXIT_OK


def cmd_classify(
    args: argparse.Namespace, stdin: TextIO | None = None, stdout: TextIO | None = None
) -> int:
    from monitor.pipeline.detect import classify

    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    bad = 0
    for number, line in enumerate(stdin, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            text, title = item.get("text") or "", item.get("title")
            if not isinstance(text, str) or not (title is None or isinstance(title, str)):
                raise ValueError("text and title must be strings")
        except (ValueError, AttributeError) as exc:
            print(f"line {number}: not a JSON object with a text: {exc}", file=sys.stderr)
            stdout.write(json.dumps({"kind": None, "statements": [], "error": str(exc)}) + "\n")
            bad += 1
            continue
        kind, statements = classify(text, title)
        out = {"kind": kind, "statements": [statement_json(s) for s in statements]}
        stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        stdout.flush()
    return EXIT_OK if not bad else EXIT_FAILURE


def statement_json(statement: Any) -> dict[str, Any]:
    out = asdict(statement)
    out["keywords"] = sorted(out.get("keywords") or ())
    return out
