"""Feeds: the list to poll, each feed's HTTP validators, schedule and health.

The database is the one source of truth for the feed list. `[[feeds]]` of the config are
synced into it at start and on reload (source "config"); `news-monitor feeds add` adds feeds
of source "cli" that the config does not touch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_
from sqlmodel import Session, col, select

from monitor.store.tables import FeedRow


@dataclass(frozen=True, slots=True)
class ConfiguredFeed:
    url: str
    name: str | None
    interval: timedelta | None
    enabled: bool


@dataclass(frozen=True, slots=True)
class FeedState:
    """What polling needs to know about a feed."""

    id: int
    url: str
    name: str
    etag: str | None
    last_modified: str | None
    interval: timedelta | None
    failures: int
    first_failure_at: datetime | None


def _state(row: FeedRow) -> FeedState:
    assert row.id is not None
    interval = timedelta(seconds=row.interval_seconds) if row.interval_seconds else None
    return FeedState(
        id=row.id,
        url=row.url,
        name=row.name or row.url,
        etag=row.etag,
        last_modified=row.last_modified,
        interval=interval,
        failures=row.consecutive_failures,
        first_failure_at=row.first_failure_at,
    )


def sync_feeds(session: Session, configured: Sequence[ConfiguredFeed]) -> None:
    """Make the config's feeds present, updated, and the ones dropped from it gone."""
    rows = {r.url: r for r in session.exec(select(FeedRow))}
    wanted = {f.url for f in configured}
    for feed in configured:
        row = rows.get(feed.url)
        if row is None:
            row = FeedRow(url=feed.url, source="config")
            session.add(row)
        row.name = feed.name
        row.interval_seconds = feed.interval.total_seconds() if feed.interval else None
        if not feed.enabled:
            row.paused, row.paused_reason = True, "disabled in the config"
        elif row.paused_reason == "disabled in the config":
            row.paused, row.paused_reason = False, None
    for url, row in rows.items():
        if row.source == "config" and url not in wanted:
            session.delete(row)


def due_feeds(session: Session, now: datetime, limit: int = 500) -> list[FeedState]:
    query = (
        select(FeedRow)
        .where(FeedRow.paused == False)  # noqa: E712  (SQL comparison)
        .where(or_(col(FeedRow.next_poll_at).is_(None), col(FeedRow.next_poll_at) <= now))
        .order_by(col(FeedRow.next_poll_at).asc().nulls_first())
        .limit(limit)
    )
    return [_state(r) for r in session.exec(query)]


def active_feeds(session: Session) -> list[FeedState]:
    query = select(FeedRow).where(FeedRow.paused == False).order_by(col(FeedRow.id))  # noqa: E712
    return [_state(r) for r in session.exec(query)]


def next_due_at(session: Session) -> datetime | None:
    query = (
        select(FeedRow.next_poll_at)
        .where(FeedRow.paused == False)  # noqa: E712
        .order_by(col(FeedRow.next_poll_at).asc().nulls_first())
        .limit(1)
    )
    return session.exec(query).first()


def record_success(
    session: Session,
    feed_id: int,
    *,
    now: datetime,
    status: int,
    etag: str | None,
    last_modified: str | None,
    next_poll_at: datetime,
    warning: str | None = None,
) -> None:
    row = session.get(FeedRow, feed_id)
    if row is None:
        return  # removed while it was being polled
    row.polls += 1
    if status == 304:
        row.polls_not_modified += 1
    else:
        row.etag, row.last_modified = etag, last_modified
    row.last_polled_at = row.last_success_at = now
    row.next_poll_at = next_poll_at
    row.consecutive_failures = 0
    row.first_failure_at = None
    row.last_error = warning
    row.last_error_kind = "warning" if warning else None


def record_failure(
    session: Session,
    feed_id: int,
    *,
    now: datetime,
    kind: str,
    message: str,
    next_poll_at: datetime,
    pause_after: timedelta,
) -> bool:
    """Record a failed poll; pause the feed once it has failed for `pause_after`.
    Returns True when this failure paused it."""
    row = session.get(FeedRow, feed_id)
    if row is None:
        return False
    row.polls += 1
    row.last_polled_at = now
    row.consecutive_failures += 1
    row.first_failure_at = row.first_failure_at or now
    row.last_error, row.last_error_kind, row.last_error_at = message, kind, now
    row.next_poll_at = next_poll_at
    if now - row.first_failure_at >= pause_after:
        row.paused = True
        row.paused_reason = f"failing since {row.first_failure_at:%Y-%m-%d %H:%M}Z: {message}"
        return True
    return False


def list_feeds(session: Session) -> list[FeedRow]:
    return list(session.exec(select(FeedRow).order_by(col(FeedRow.id))))


def find_feed(session: Session, ref: str) -> FeedRow | None:
    """A feed by id or URL."""
    if ref.isdigit():
        return session.get(FeedRow, int(ref))
    return session.exec(select(FeedRow).where(FeedRow.url == ref)).first()


def add_feed(session: Session, url: str, name: str | None = None) -> FeedRow | None:
    """Add a feed of source "cli"; None when the URL is already there."""
    if session.exec(select(FeedRow).where(FeedRow.url == url)).first() is not None:
        return None
    row = FeedRow(url=url, name=name, source="cli")
    session.add(row)
    session.flush()
    return row


def set_paused(session: Session, row: FeedRow, paused: bool, reason: str | None = None) -> None:
    row.paused = paused
    row.paused_reason = reason if paused else None
    if not paused:
        row.consecutive_failures = 0
        row.first_failure_at = None
        row.next_poll_at = None


def state_counts(session: Session) -> dict[str, int]:
    """How many feeds are active, failing (active, last poll failed) and paused."""
    counts = {"active": 0, "failing": 0, "paused": 0}
    for paused, failures in session.exec(select(FeedRow.paused, FeedRow.consecutive_failures)):
        counts["paused" if paused else "failing" if failures else "active"] += 1
    return counts


def last_success(session: Session) -> datetime | None:
    """When any feed was last polled successfully."""
    query = select(FeedRow.last_success_at).order_by(
        col(FeedRow.last_success_at).desc().nulls_last()
    )
    return session.exec(query.limit(1)).first()
