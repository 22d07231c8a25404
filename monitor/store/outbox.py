"""The delivery outbox: which alerts are due on which channel, and what became of each try.

Every function takes a `Session` (run it through `Database.run`). A delivery is *leased*
before it is sent: `lease_until` is set in the database, so a sender that crashes mid-send
only holds its rows until the lease expires, then any run (this process or the next) takes
them again. Each lease is a conditional UPDATE, so two processes never both take a row.

Statuses: ``pending`` (waiting: due now or at `next_attempt_at`), ``sent``, ``failed``
(given up after `delivery_max_age`, always logged at ERROR with the alert, channel and last
error; `retry_failed` puts them back). ``digest`` is not used: digests and the hourly cap
lease pending rows together and send them as one message (see deliver/dispatch.py).
"""

from __future__ import annotations

import json
import os
import random
import socket
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from loguru import logger
from sqlalchemy import func, or_, update
from sqlmodel import Session, col, select

from monitor.store.tables import AlertRow, DeliveryRow

PENDING, SENT, FAILED = "pending", "sent", "failed"
DEFAULT_LEASE = timedelta(minutes=5)  # longer than any channel's timeout
BACKOFF_BASE = timedelta(seconds=2)  # a hiccup clears fast; news is urgent
BACKOFF_CAP = timedelta(hours=1)

Outcome = Literal["retrying", "failed"]


@dataclass(frozen=True, slots=True)
class DueDelivery:
    """A leased delivery with what the channel needs to send it."""

    id: int
    alert_id: str
    channel: str
    attempts: int
    payload: dict[str, Any]
    party_key: str
    alert_created_at: datetime
    last_error: str | None = None


@dataclass(frozen=True, slots=True)
class DeliveryCounts:
    """What the outbox holds: for `once`'s summary line, `alerts` and the metrics."""

    sent: int = 0
    waiting: int = 0
    failed: int = 0
    oldest_waiting_at: datetime | None = None
    # channel -> status -> count
    by_channel: dict[str, dict[str, int]] = field(default_factory=dict)

    def backlog_seconds(self, now: datetime) -> float:
        """Age of the oldest waiting delivery; 0 when nothing waits."""
        if self.oldest_waiting_at is None:
            return 0.0
        return max(0.0, (now - self.oldest_waiting_at).total_seconds())


def _lease_free(now: datetime) -> Any:
    return or_(col(DeliveryRow.lease_until).is_(None), col(DeliveryRow.lease_until) <= now)


def lease_due(
    session: Session,
    now: datetime,
    channels: Collection[str],
    *,
    lease: timedelta = DEFAULT_LEASE,
    limit: int = 200,
) -> list[DueDelivery]:
    """Lease up to `limit` due deliveries of `channels`, oldest first."""
    if not channels:
        return []
    query = (
        select(DeliveryRow, AlertRow)
        .join(AlertRow, col(AlertRow.id) == col(DeliveryRow.alert_id))
        .where(DeliveryRow.status == PENDING)
        .where(col(DeliveryRow.channel).in_(list(channels)))
        .where(col(DeliveryRow.next_attempt_at) <= now)
        .where(_lease_free(now))
        .order_by(col(DeliveryRow.next_attempt_at), col(DeliveryRow.id))
        .limit(limit)
    )
    leased = []
    for row, alert in session.exec(query).all():
        if _take(session, row.id, now, now + lease):
            leased.append(_due(row, alert))
    return leased


def _take(session: Session, delivery_id: int | None, now: datetime, until: datetime) -> bool:
    # conditional: a row another process leased between our SELECT and here is skipped
    taken = session.exec(
        update(DeliveryRow)
        .where(col(DeliveryRow.id) == delivery_id)
        .where(col(DeliveryRow.status) == PENDING)
        .where(_lease_free(now))
        .values(lease_until=until, lease_owner=lease_owner())
    )
    return bool(taken.rowcount)


def lease_owner() -> str:
    """This process, as a lease holder: host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, someone else's
    return True


def release_orphaned_leases(
    session: Session, now: datetime, alive: Callable[[int], bool] = _pid_alive
) -> int:
    """Take back the leases held by dead processes of this host (a daemon killed mid-send),
    so their alerts go out now rather than when the lease expires. Leases of live processes
    and of other hosts are left alone: only their expiry frees those."""
    host = socket.gethostname()
    rows = session.exec(
        select(DeliveryRow)
        .where(DeliveryRow.status == PENDING)
        .where(col(DeliveryRow.lease_until) > now)
        .where(col(DeliveryRow.lease_owner).startswith(f"{host}:"))
    ).all()
    released = 0
    for row in rows:
        pid = (row.lease_owner or "").rsplit(":", 1)[-1]
        if pid.isdigit() and int(pid) != os.getpid() and not alive(int(pid)):
            row.lease_until, row.lease_owner = None, None
            released += 1
    if released:
        logger.info("took back {} delivery lease(s) of a process that died mid-send", released)
    return released


def _due(row: DeliveryRow, alert: AlertRow) -> DueDelivery:
    assert row.id is not None
    return DueDelivery(
        id=row.id,
        alert_id=row.alert_id,
        channel=row.channel,
        attempts=row.attempts,
        payload=json.loads(alert.payload),
        party_key=alert.party_key,
        alert_created_at=alert.created_at,
        last_error=row.last_error,
    )


def waiting_channels(session: Session) -> set[str]:
    """Channels that have deliveries waiting (to spot ones no longer in the config)."""
    query = select(DeliveryRow.channel).where(DeliveryRow.status == PENDING).distinct()
    return set(session.exec(query).all())


def oldest_waiting(session: Session, channel: str, now: datetime) -> datetime | None:
    """When the oldest delivery of `channel` that is due now was created (for digests)."""
    query = (
        select(func.min(DeliveryRow.created_at))
        .where(DeliveryRow.channel == channel)
        .where(DeliveryRow.status == PENDING)
        .where(col(DeliveryRow.next_attempt_at) <= now)
        .where(_lease_free(now))
    )
    value = session.exec(query).one()
    return _aware(value)


def sent_since(session: Session, channel: str, since: datetime) -> int:
    """Alerts `channel` delivered after `since` (a digest counts each alert it carried)."""
    query = (
        select(func.count())
        .select_from(DeliveryRow)
        .where(DeliveryRow.channel == channel)
        .where(DeliveryRow.status == SENT)
        .where(col(DeliveryRow.sent_at) > since)
    )
    return int(session.exec(query).one())


def mark_sent(session: Session, delivery_ids: Sequence[int], now: datetime) -> None:
    for row in _rows(session, delivery_ids):
        row.status = SENT
        row.attempts += 1
        row.sent_at = now
        row.lease_until = None
        row.last_error = None
        session.add(row)


def backoff(
    attempts: int,
    rng: random.Random,
    *,
    retry_after: float | None = None,
    retryable: bool = True,
) -> timedelta:
    """Delay before try number `attempts + 1`: 2 s doubling, jittered to 50-100 %, at least
    the server's Retry-After, at most an hour. An error no retry will fix by itself (a
    rejected password, an HTTP 404) waits the full hour: someone must fix the config first."""
    if not retryable:
        return BACKOFF_CAP
    raw = BACKOFF_BASE.total_seconds() * 2 ** min(max(attempts - 1, 0), 20)
    delay = raw * (0.5 + rng.random() / 2)
    if retry_after is not None:
        delay = max(delay, retry_after)
    return timedelta(seconds=min(delay, BACKOFF_CAP.total_seconds()))


def record_failure(
    session: Session,
    delivery_id: int,
    now: datetime,
    error: str,
    *,
    max_age: timedelta,
    rng: random.Random,
    retry_after: float | None = None,
    retryable: bool = True,
) -> Outcome:
    """Count a failed try: schedule the next one, or give up once the alert is older than
    `max_age` (status failed, logged at ERROR: never dropped silently)."""
    row = session.get(DeliveryRow, delivery_id)
    alert = session.get(AlertRow, row.alert_id) if row is not None else None
    if row is None or alert is None:
        return "failed"  # the alert was deleted meanwhile: nothing left to deliver
    row.attempts += 1
    row.last_error = error
    row.lease_until = None
    if now - alert.created_at >= max_age:
        row.status = FAILED
        session.add(row)
        logger.error(
            "giving up on alert {} to channel {} after {} tries over {}: {}",
            row.alert_id, row.channel, row.attempts, now - alert.created_at, error,
        )  # fmt: skip
        return "failed"
    row.next_attempt_at = now + backoff(
        row.attempts, rng, retry_after=retry_after, retryable=retryable
    )
    session.add(row)
    return "retrying"


def defer(session: Session, delivery_ids: Sequence[int], until: datetime, error: str) -> None:
    """Keep deliveries waiting without counting a try: the channel cannot send right now
    for a reason on our side (its library is missing)."""
    for row in _rows(session, delivery_ids):
        row.next_attempt_at = until
        row.lease_until = None
        row.last_error = error
        session.add(row)


def retry_failed(session: Session, now: datetime, channel: str | None = None) -> int:
    """Put failed deliveries back in the queue (for `alerts retry`); returns how many."""
    query = select(DeliveryRow).where(DeliveryRow.status == FAILED)
    if channel is not None:
        query = query.where(DeliveryRow.channel == channel)
    rows = list(session.exec(query).all())
    for row in rows:
        row.status = PENDING
        row.next_attempt_at = now
        row.lease_until = None
        session.add(row)
    return len(rows)


def delivery_counts(session: Session) -> DeliveryCounts:
    query = select(DeliveryRow.channel, DeliveryRow.status, func.count()).group_by(
        col(DeliveryRow.channel), col(DeliveryRow.status)
    )
    by_channel: dict[str, dict[str, int]] = {}
    totals: dict[str, int] = {}
    for channel, status, count in session.exec(query).all():
        by_channel.setdefault(channel, {})[status] = int(count)
        totals[status] = totals.get(status, 0) + int(count)
    oldest = session.exec(
        select(func.min(DeliveryRow.created_at)).where(DeliveryRow.status == PENDING)
    ).one()
    return DeliveryCounts(
        sent=totals.get(SENT, 0),
        waiting=totals.get(PENDING, 0),
        failed=totals.get(FAILED, 0),
        oldest_waiting_at=_aware(oldest),
        by_channel=by_channel,
    )


def backlog(session: Session) -> int:
    """Deliveries waiting to go out (the outbox backlog gauge)."""
    query = select(func.count()).select_from(DeliveryRow).where(DeliveryRow.status == PENDING)
    return int(session.exec(query).one())


def _rows(session: Session, delivery_ids: Sequence[int]) -> list[DeliveryRow]:
    if not delivery_ids:
        return []
    query = select(DeliveryRow).where(col(DeliveryRow.id).in_(list(delivery_ids)))
    return list(session.exec(query).all())


def _aware(value: Any) -> datetime | None:
    """Aggregates (MIN) bypass the column type: SQLite returns a naive string."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
