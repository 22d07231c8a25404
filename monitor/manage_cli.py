"""Management commands (feeds, alerts, stories, replay, db): argv parsing and output.

The logic is in monitor.service.manage; this module registers the subcommands on the main
parser, turns their answers into aligned tables (or JSON with --json) and picks exit codes:
0 ok, 1 the command could not do it (the message on stderr says why), 2 bad usage.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, is_dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from monitor.config import Settings, find_config, load_config, parse_duration
from monitor.models import iso
from monitor.service import manage
from monitor.service.app import open_database
from monitor.store.db import Database

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
Handler = Callable[[argparse.Namespace], int]


def add_commands(sub: Any) -> None:
    """Register the management subcommands on the main parser's subparsers."""
    _feed_commands(sub.add_parser("feeds", help="list, add, remove, pause, import feeds"))
    _alert_commands(sub.add_parser("alerts", help="list and inspect alerts, test a channel"))
    _story_commands(sub.add_parser("stories", help="stories with their claims and denials"))
    _replay_command(sub.add_parser("replay", help="re-match and re-detect stored articles"))
    _db_commands(sub.add_parser("db", help="database statistics"))


def _group(parser: argparse.ArgumentParser) -> Any:
    return parser.add_subparsers(dest="action", metavar="ACTION", required=True)


def _duration(value: str) -> timedelta:
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _json_flag(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--json", action="store_true", help="JSON output, for scripts")
    return parser


def _feed_commands(parser: argparse.ArgumentParser) -> None:
    actions = _group(parser)
    _json_flag(actions.add_parser("list", help="every feed with its health")).set_defaults(
        handler=feeds_list
    )
    p = actions.add_parser("add", help="add a feed (a web page's announced feed is found)")
    p.add_argument("url", help="the feed's URL, or a web page that links its feed")
    p.add_argument("--name", help="the name to show (default: the feed's title)")
    p.set_defaults(handler=feeds_add)
    for action, handler, what in (
        ("remove", feeds_remove, "remove a feed added with `feeds add` or `feeds import`"),
        ("pause", feeds_pause, "stop polling a feed"),
        ("resume", feeds_resume, "poll a paused feed again"),
    ):
        p = actions.add_parser(action, help=what)
        p.add_argument("feed", metavar="ID|URL", help="the feed's id (see `feeds list`) or URL")
        p.set_defaults(handler=handler)
    p = actions.add_parser("import", help="add the feeds of an OPML file")
    p.add_argument("file", type=Path, help="an OPML file, as feed readers export")
    p.set_defaults(handler=feeds_import)
    p = actions.add_parser("export", help="write the feed list as OPML 2.0")
    p.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    p.set_defaults(handler=feeds_export)


def _alert_commands(parser: argparse.ArgumentParser) -> None:
    actions = _group(parser)
    p = _json_flag(actions.add_parser("list", help="alerts, newest first"))
    p.add_argument("--since", type=_duration, help="only the last DURATION, e.g. 1d or 6h")
    p.add_argument("--topic", help="only this topic's alerts")
    p.add_argument("--limit", type=int, default=200, help="at most this many (default 200)")
    p.set_defaults(handler=alerts_list)
    p = _json_flag(actions.add_parser("show", help="an alert's payload and deliveries"))
    p.add_argument("alert", metavar="ID", help="the alert's id, or enough of its start")
    p.set_defaults(handler=alerts_show)
    p = actions.add_parser("test", help="send a test alert through one channel now")
    p.add_argument("channel", help="a channel name from the config")
    p.set_defaults(handler=alerts_test)


def _story_commands(parser: argparse.ArgumentParser) -> None:
    actions = _group(parser)
    p = _json_flag(actions.add_parser("list", help="stories, each with its timeline"))
    p.add_argument("--topic", help="only this topic's stories")
    p.add_argument("--limit", type=int, default=100, help="at most this many (default 100)")
    p.set_defaults(handler=stories_list)


def _replay_command(parser: argparse.ArgumentParser) -> None:
    _json_flag(parser)
    parser.add_argument(
        "--since", type=_duration, required=True, help="articles fetched in the last DURATION"
    )
    parser.add_argument(
        "--topic", action="append", help="replay only this topic (repeatable; default: all)"
    )
    parser.add_argument("--dry-run", action="store_true", help="show what is found, write nothing")
    parser.add_argument("--alert", action="store_true", help="raise alerts for new statements")
    parser.set_defaults(handler=replay)


def _db_commands(parser: argparse.ArgumentParser) -> None:
    actions = _group(parser)
    p = _json_flag(actions.add_parser("stats", help="schema, size, rows, outbox backlog"))
    p.set_defaults(handler=db_stats)


# ---- shared ------------------------------------------------------------------------------


@contextmanager
def _database(args: argparse.Namespace) -> Iterator[tuple[Settings, Database]]:
    settings = load_config(find_config(args.config))
    db = open_database(settings)
    try:
        yield settings, db
    finally:
        db.close()


def _fail(message: str, code: int = EXIT_FAILURE) -> int:
    print(message, file=sys.stderr)
    return code


def _when(value: datetime | None) -> str:
    return "-" if value is None else f"{value:%Y-%m-%d %H:%M}Z"


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Columns padded to their widest cell; the last column is left ragged."""
    cells = [[str(c) for c in headers]] + [["-" if c is None else str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    return "\n".join(lines)


def _plain(value: Any) -> Any:
    """JSON-ready: dataclasses as objects, datetimes as ISO 8601 UTC, tuples as lists."""
    if is_dataclass(value) and not isinstance(value, type):
        return _plain(asdict(value))
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, timedelta):
        return value.total_seconds()
    return value


def _print_json(value: Any) -> None:
    print(json.dumps(_plain(value), ensure_ascii=False, indent=2))


def _short(text: str | None, width: int = 60) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"


# ---- feeds -------------------------------------------------------------------------------


def feeds_list(args: argparse.Namespace) -> int:
    with _database(args) as (_, db):
        feeds = manage.list_feeds(db)
    if args.json:
        _print_json(feeds)
        return EXIT_OK
    rows = [
        (
            f.id,
            f.state,
            f.source,
            _short(f.name, 30),
            f.url,
            _when(f.last_success_at),
            _short(f.last_error, 40) or "-",
            _when(f.next_poll_at),
            "-" if f.not_modified_ratio is None else f"{f.not_modified_ratio:.0%}",
        )
        for f in feeds
    ]
    headers = ("ID", "STATE", "SOURCE", "NAME", "URL", "LAST SUCCESS", "LAST ERROR", "NEXT POLL")
    print(table((*headers, "304"), rows) if feeds else "no feeds")
    return EXIT_OK


def feeds_add(args: argparse.Namespace) -> int:
    with _database(args) as (settings, db):
        try:
            result = asyncio.run(manage.add_feed(db, settings, args.url, args.name))
        except manage.CommandError as exc:
            return _fail(f"no feed added: {exc}")
    feed = result.feed
    if not result.added:
        print(f"feed {feed.id} is in the list already: {feed.url}")
        return EXIT_OK
    print(f"added feed {feed.id}: {feed.name or '(no title)'} <{feed.url}>")
    for other in result.others:
        print(f"  the page also announces {other}")
    return EXIT_OK


def feeds_remove(args: argparse.Namespace) -> int:
    with _database(args) as (settings, db):
        try:
            feed = manage.remove_feed(db, args.feed, settings.source or "the config")
        except manage.CommandError as exc:
            return _fail(str(exc))
    print(f"removed feed {feed.id}: {feed.url}")
    return EXIT_OK


def _set_paused(args: argparse.Namespace, paused: bool) -> int:
    with _database(args) as (_, db):
        try:
            feed = manage.set_feed_paused(db, args.feed, paused)
        except manage.CommandError as exc:
            return _fail(str(exc))
    print(f"{'paused' if paused else 'resumed'} feed {feed.id}: {feed.url}")
    return EXIT_OK


def feeds_pause(args: argparse.Namespace) -> int:
    return _set_paused(args, True)


def feeds_resume(args: argparse.Namespace) -> int:
    return _set_paused(args, False)


def feeds_import(args: argparse.Namespace) -> int:
    try:
        data = args.file.read_bytes()
    except OSError as exc:
        return _fail(f"cannot read {args.file}: {exc.strerror or exc}")
    with _database(args) as (_, db):
        try:
            report = manage.import_opml(db, data)
        except manage.CommandError as exc:
            return _fail(f"{args.file}: {exc}")
    for url in report.added:
        print(f"added {url}")
    for url in report.skipped:
        print(f"skipped {url} (in the list already)")
    print(f"{len(report.added)} added, {len(report.skipped)} skipped")
    return EXIT_OK


def feeds_export(args: argparse.Namespace) -> int:
    with _database(args) as (_, db):
        document = manage.export_opml(db)
    if args.output is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(document)
        sys.stdout.buffer.flush()
        return EXIT_OK
    try:
        _write_atomically(args.output, document)
    except OSError as exc:
        return _fail(f"cannot write {args.output}: {exc.strerror or exc}")
    print(f"wrote {args.output}", file=sys.stderr)
    return EXIT_OK


def _write_atomically(path: Path, data: bytes) -> None:
    # a crash mid-write must not leave half a feed list where the old one was
    fd, temp = tempfile.mkstemp(dir=path.parent or Path("."), prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


# ---- alerts ------------------------------------------------------------------------------


def _delivery_line(alert: manage.AlertInfo) -> str:
    return " ".join(f"{d.channel}:{d.status}" for d in alert.deliveries) or "-"


def alerts_list(args: argparse.Namespace) -> int:
    with _database(args) as (_, db):
        alerts = manage.list_alerts(db, since=args.since, topic=args.topic, limit=args.limit)
    if args.json:
        _print_json(alerts)
        return EXIT_OK
    rows = [
        (a.id, _when(a.created_at), a.topic, a.kind, _delivery_line(a), _short(a.summary, 80))
        for a in alerts
    ]
    headers = ("ID", "CREATED", "TOPIC", "KIND", "DELIVERIES", "SUMMARY")
    print(table(headers, rows) if alerts else "no alerts")
    return EXIT_OK


def alerts_show(args: argparse.Namespace) -> int:
    with _database(args) as (_, db):
        try:
            detail = manage.show_alert(db, args.alert)
        except manage.CommandError as exc:
            return _fail(str(exc))
    if args.json:
        _print_json(detail)
        return EXIT_OK
    alert = detail.alert
    print(f"alert {alert.id}  {alert.kind}  {alert.topic}  created {_when(alert.created_at)}")
    print(json.dumps(detail.payload, ensure_ascii=False, indent=2))
    rows = [
        (
            d.channel,
            d.status,
            d.attempts,
            _when(d.sent_at if d.status == "sent" else d.next_attempt_at),
            d.last_error or "-",
        )
        for d in alert.deliveries
    ]
    headers = ("CHANNEL", "STATUS", "ATTEMPTS", "SENT / NEXT TRY", "LAST ERROR")
    print(table(headers, rows) if rows else "no deliveries (the alert names no channel)")
    return EXIT_OK


def alerts_test(args: argparse.Namespace) -> int:
    with _database(args) as (settings, db):
        if not manage.has_channel(settings, args.channel):
            known = ", ".join(c.name for c in settings.channels) or "none configured"
            return _fail(f"no channel named {args.channel!r} (channels: {known})", EXIT_USAGE)
        delivered, why = asyncio.run(manage.test_channel(db, settings, args.channel))
    print(f"{'delivered' if delivered else 'not delivered'}: {why}")
    return EXIT_OK if delivered else EXIT_FAILURE


# ---- stories -----------------------------------------------------------------------------


def stories_list(args: argparse.Namespace) -> int:
    with _database(args) as (_, db):
        stories = manage.list_stories(db, topic=args.topic, limit=args.limit)
    if args.json:
        _print_json(stories)
        return EXIT_OK
    if not stories:
        print("no stories")
    for number, story in enumerate(stories):
        if number:
            print()
        print(f"story {story.id}  topic {story.topic}: {story.proposition}")
        rows = [
            (
                _when(e.time),
                e.kind,
                e.party or "-",
                e.speaker or "-",
                _short(e.quote, 40) or "-",
                _short(e.article_title, 50),
                e.article_url,
            )
            for e in story.entries
        ]
        headers = ("TIME", "KIND", "PARTY", "SPEAKER", "QUOTE", "ARTICLE", "URL")
        print(table(headers, rows))
    return EXIT_OK


# ---- replay ------------------------------------------------------------------------------


def _progress_printer(stream: Any) -> manage.Progress:
    live = stream.isatty()

    def show(done: int, total: int) -> None:
        if live:  # a counter redrawn in place; a log or pipe gets only the final line
            stream.write(f"\rreplaying articles: {done}/{total}")
            stream.flush()

    return show


def replay(args: argparse.Namespace) -> int:
    with _database(args) as (settings, db):
        unknown = manage.unknown_topics(settings, args.topic or ())
        if unknown:
            known = ", ".join(t.name for t in settings.topics) or "none configured"
            return _fail(f"no topic named {', '.join(unknown)} (topics: {known})", EXIT_USAGE)
        report = manage.replay(
            db,
            settings,
            args.since,
            topics=args.topic,
            alert=args.alert,
            dry_run=args.dry_run,
            progress=_progress_printer(sys.stderr),
        )
    if sys.stderr.isatty():
        sys.stderr.write("\n")
    print(_replay_line(report), file=sys.stderr)
    if args.json:
        _print_json(_replay_json(report))
        return EXIT_OK
    for finding in report.findings:
        _print_finding(finding)
    return EXIT_OK


def _replay_line(report: manage.ReplayReport) -> str:
    prefix = "dry run, nothing written: " if report.dry_run else ""
    return (
        f"{prefix}{report.articles} articles replayed, {report.matched} matched, "
        f"{report.statements} statements, {len(report.alerts)} alerts raised"
    )


def _print_finding(finding: manage.ReplayFinding) -> None:
    if not finding.topics:
        return
    print(f"{', '.join(finding.topics)}: {_short(finding.title, 70)} <{finding.url}>")
    for topic, kind, party in finding.statements:
        print(f"  {kind} by {party or 'unnamed party'} ({topic})")
    for alert in finding.alerts:
        print(f"  alert {alert.id}: {alert.summary}")


def _replay_json(report: manage.ReplayReport) -> dict[str, Any]:
    return {
        "dry_run": report.dry_run,
        "articles": report.articles,
        "matched": report.matched,
        "statements": report.statements,
        "alerts": [{"id": a.id, "topic": a.topic, "summary": a.summary} for a in report.alerts],
        "findings": [
            {
                "article_id": f.article_id,
                "title": f.title,
                "url": f.url,
                "topics": f.topics,
                "statements": [{"topic": t, "kind": k, "party": p} for t, k, p in f.statements],
                "alerts": [a.id for a in f.alerts],
            }
            for f in report.findings
            if f.topics
        ],
    }


# ---- db ----------------------------------------------------------------------------------


def db_stats(args: argparse.Namespace) -> int:
    with _database(args) as (_, db):
        stats = manage.db_stats(db)
    if args.json:
        _print_json(stats)
        return EXIT_OK
    revision = stats.revision or "none"
    behind = "" if stats.revision == stats.head_revision else f" (newest: {stats.head_revision})"
    print(f"database: {stats.url}")
    print(f"backend: {stats.backend}; schema revision {revision}{behind}")
    if stats.size_bytes is not None:
        print(f"size on disk: {_bytes(stats.size_bytes)}")
    print(table(("TABLE", "ROWS"), list(stats.rows.items())))
    o = stats.outbox
    oldest = f", oldest waiting since {_when(o.oldest_waiting_at)}" if o.oldest_waiting_at else ""
    print(f"outbox: {o.waiting} waiting, {o.failed} failed, {o.sent} sent{oldest}")
    return EXIT_OK


def _bytes(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"
