"""The dispatcher: the only sender of alerts. It leases due deliveries from the outbox, sends
each through its channel, and records every result in its own transaction.

One `run_once` tries every due delivery once; channels run side by side, at most a few
messages at a time each. Nothing is dropped: a failure is retried with backoff until the
alert is older than `delivery_max_age` (then it is `failed`, logged at ERROR); a delivery
whose channel left the config, or whose channel cannot send from this install (apprise
missing), waits.

Batching, both done by leasing pending rows together (no `digest` status is stored):

- `digest = "1h"` (email): a channel's due alerts are held until the oldest has waited the
  period, then go out as one message.
- `max_per_hour = N`: a channel that sent N alerts in the last hour is not leased at all;
  once the window has room R, up to R waiting alerts go out one by one; when more than R
  wait, all of them are folded into one digest message. A digest counts every alert it
  carries against the cap, so a flood yields about one digest an hour.
"""

from __future__ import annotations

import asyncio
import functools
import random
import ssl
import uuid
from collections.abc import Callable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

import httpx
from loguru import logger
from sqlmodel import Session

from monitor.config import (
    AppriseChannel,
    EmailChannel,
    LogChannel,
    Settings,
    WebhookChannel,
)
from monitor.deliver.apprise import AppriseSender, ChannelUnavailable
from monitor.deliver.email import EmailSender
from monitor.deliver.log import LogSender
from monitor.deliver.render import alert_from_payload
from monitor.deliver.webhook import WebhookRefused, WebhookSender
from monitor.errors import DeliveryError
from monitor.models import Alert, Statement, utcnow
from monitor.store import outbox
from monitor.store.db import Database
from monitor.store.outbox import DeliveryCounts, DueDelivery

T = TypeVar("T")
RATE_WINDOW = timedelta(hours=1)
MAX_WAVES = 1000  # a bound, not a limit met in practice: each wave leaves its rows done
UNAVAILABLE_WAIT = timedelta(minutes=10)  # how often a channel that cannot send is re-checked
LEASE_MARGIN = timedelta(seconds=30)
PER_CHANNEL = 3  # messages in flight per channel: polite to one SMTP server or hook


class Sender(Protocol):
    """What every channel module offers. Failures raise `DeliveryError`."""

    name: str

    async def send(self, alert: Alert) -> None: ...

    async def send_digest(self, alerts: Sequence[Alert]) -> None: ...


@dataclass(frozen=True, slots=True)
class DispatchReport:
    """What one run did (sent, retrying, failed) and what still waits in the outbox."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    waiting: int = 0

    def line(self) -> str:
        return f"deliveries: {self.sent} sent, {self.waiting} waiting, {self.failed} failed"


@dataclass(frozen=True, slots=True)
class _Job:
    """One message: a single alert, or several folded into a digest."""

    channel: str
    deliveries: tuple[DueDelivery, ...]
    digest: bool = False


@dataclass(slots=True)
class _Tally:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    def add(self, other: _Tally) -> None:
        self.sent += other.sent
        self.retrying += other.retrying
        self.failed += other.failed


class Dispatcher:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        http_client_factory: Callable[[], httpx.AsyncClient] | None = None,
        rng: random.Random | None = None,
        ssl_context: ssl.SSLContext | None = None,
        lease: timedelta | None = None,
        batch: int = 200,
    ) -> None:
        self.db = db
        self.settings = settings
        self.channels = {c.name: c for c in settings.channels}
        self._client_factory = http_client_factory or httpx.AsyncClient
        self._rng = rng or random.Random()
        self._ssl = ssl_context
        self._lease = lease
        self._batch = batch
        self._warned: set[str] = set()

    def reconfigure(self, settings: Settings) -> None:
        """Take a reloaded config: channels added, changed or removed apply from the next run;
        deliveries of a removed channel wait (warned again should it go missing again)."""
        self.settings = settings
        self.channels = {c.name: c for c in settings.channels}
        self._warned.clear()

    async def run_once(self, now: datetime | None = None) -> DispatchReport:
        """Try every due delivery once: each channel drains its due alerts in small waves,
        side by side with the other channels."""
        now = now or utcnow()
        await self._store(outbox.release_orphaned_leases, now)
        await self._store(self._warn_unknown_channels)
        async with AsyncExitStack() as stack:
            senders = _LazySenders(self, stack)
            parts = await asyncio.gather(
                *(self._drain(name, senders, now) for name in self.channels)
            )
        tally = _Tally()
        for part in parts:
            tally.add(part)
        counts = await self.counts()
        return DispatchReport(tally.sent, tally.retrying, tally.failed, counts.waiting)

    async def _drain(self, name: str, senders: _LazySenders, now: datetime) -> _Tally:
        tally = _Tally()
        for _ in range(MAX_WAVES):
            leased, room = await self._store(self._lease_channel, name, now)
            if not leased:
                break
            jobs = plan(leased, {name: room} if room is not None else {}, self.channels)
            tally.add(await self._run_channel(await senders.get(name), jobs, now))
        return tally

    async def counts(self) -> DeliveryCounts:
        return await self._store(outbox.delivery_counts)

    async def send_test(self, channel_name: str) -> tuple[bool, str]:
        """Send a test alert straight through one channel (no outbox): `alerts test CHANNEL`."""
        if channel_name not in self.channels:
            known = ", ".join(sorted(self.channels)) or "none configured"
            return False, f"no channel named {channel_name!r} (channels: {known})"
        async with AsyncExitStack() as stack:
            sender = await _LazySenders(self, stack).get(channel_name)
            try:
                await sender.send(make_test_alert())
            except DeliveryError as exc:
                return False, f"channel {channel_name}: {exc}"
        return True, f"test alert sent through channel {channel_name}"

    # -- the store side: each call is one transaction on the writer thread

    async def _store(self, fn: Callable[..., T], *args: Any) -> T:
        return await self.db.run(self._transaction, fn, *args)

    def _transaction(self, fn: Callable[..., T], *args: Any) -> T:
        with self.db.session() as session:
            return fn(session, *args)

    def _warn_unknown_channels(self, session: Session) -> None:
        self._warn_unknown(outbox.waiting_channels(session) - self.channels.keys())

    def _lease_channel(
        self, session: Session, name: str, now: datetime
    ) -> tuple[list[DueDelivery], int | None]:
        """Lease one wave of a channel's due alerts: a few single alerts, or everything
        waiting when it will go out as one digest. Returns them and the room under the cap."""
        channel = self.channels[name]
        if not _digest_ripe(session, channel, now):
            return [], None
        room: int | None = None
        limit, messages = PER_CHANNEL, PER_CHANNEL
        if channel.max_per_hour is not None:
            room = channel.max_per_hour - outbox.sent_since(session, name, now - RATE_WINDOW)
            if room <= 0:
                return [], room  # at the cap: its alerts wait for the window to free up
            limit, messages = self._batch, min(room, self._batch)
        if getattr(channel, "digest", None) is not None:
            limit, messages = self._batch, 1
        lease = self._lease or lease_for(channel, messages)
        return outbox.lease_due(session, now, [name], lease=lease, limit=limit), room

    def _warn_unknown(self, names: set[str]) -> None:
        for name in sorted(names - self._warned):
            logger.warning(
                "deliveries to channel {!r} wait: no channel of that name is configured "
                "(add it back to deliver them)",
                name,
            )
        self._warned |= names

    # -- the sending side

    def _make_sender(self, name: str, client: httpx.AsyncClient | None) -> Sender:
        channel = self.channels[name]
        if isinstance(channel, WebhookChannel):
            assert client is not None
            return WebhookSender(channel, client, self.settings.monitor.user_agent)
        return self._sender(channel)

    def _sender(self, channel: EmailChannel | LogChannel | AppriseChannel) -> Sender:
        if isinstance(channel, EmailChannel):
            return EmailSender(channel, ssl_context=self._ssl)
        if isinstance(channel, LogChannel):
            return LogSender(channel)
        return AppriseSender(channel)

    async def _run_channel(self, sender: Sender, jobs: Sequence[_Job], now: datetime) -> _Tally:
        bound = asyncio.Semaphore(PER_CHANNEL)

        async def one(job: _Job) -> _Tally:
            async with bound:
                return await self._deliver(sender, job, now)

        tally = _Tally()
        for part in await asyncio.gather(*(one(job) for job in jobs)):
            tally.add(part)
        return tally

    async def _deliver(self, sender: Sender, job: _Job, now: datetime) -> _Tally:
        ids = [d.id for d in job.deliveries]
        alerts = [alert_from_payload(d.payload, d.party_key) for d in job.deliveries]
        try:
            if job.digest:
                await sender.send_digest(alerts)
            else:
                await sender.send(alerts[0])
        except ChannelUnavailable as exc:
            await self._store(outbox.defer, ids, now + UNAVAILABLE_WAIT, str(exc))
            self._warn_unavailable(job.channel, str(exc))
            return _Tally()
        except DeliveryError as exc:
            return await self._failed(job, now, exc)
        except Exception as exc:  # a bug in a channel must not lose the alert
            logger.exception("channel {} crashed while sending", job.channel)
            return await self._failed(job, now, DeliveryError(f"{type(exc).__name__}: {exc}"))
        await self._store(outbox.mark_sent, ids, now)
        logger.info("sent {} alert(s) through channel {}", len(ids), job.channel)
        return _Tally(sent=len(ids))

    async def _failed(self, job: _Job, now: datetime, exc: DeliveryError) -> _Tally:
        logger.warning(
            "channel {} could not deliver {} alert(s): {}", job.channel, len(job.deliveries), exc
        )
        record = functools.partial(
            _record_failures,
            max_age=self.settings.monitor.delivery_max_age,
            rng=self._rng,
            retry_after=exc.retry_after if isinstance(exc, WebhookRefused) else None,
            retryable=exc.retryable,
        )
        outcomes = await self._store(record, [d.id for d in job.deliveries], now, str(exc))
        return _Tally(retrying=outcomes.count("retrying"), failed=outcomes.count("failed"))

    def _warn_unavailable(self, channel: str, error: str) -> None:
        key = f"unavailable:{channel}"
        if key not in self._warned:
            logger.warning("channel {} cannot send yet; its alerts wait: {}", channel, error)
            self._warned.add(key)


class _LazySenders:
    """Senders for one run, made on first use; the HTTP client only if a webhook sends."""

    def __init__(self, dispatcher: Dispatcher, stack: AsyncExitStack) -> None:
        self._dispatcher = dispatcher
        self._stack = stack
        self._client: httpx.AsyncClient | None = None
        self._senders: dict[str, Sender] = {}

    async def get(self, name: str) -> Sender:
        if name not in self._senders:
            channel = self._dispatcher.channels[name]
            if isinstance(channel, WebhookChannel) and self._client is None:
                factory = self._dispatcher._client_factory
                self._client = await self._stack.enter_async_context(factory())
            self._senders[name] = self._dispatcher._make_sender(name, self._client)
        return self._senders[name]


def lease_for(channel: Any, messages: int) -> timedelta:
    """How long a wave holds its rows: long enough for its messages to go out (an SMTP
    exchange is several round trips, each under the timeout), short enough that alerts
    leased by a process that was killed go out soon after it restarts."""
    timeout = getattr(channel, "timeout", LEASE_MARGIN)
    waves = -(-messages // PER_CHANNEL)
    return waves * 3 * timeout + LEASE_MARGIN


def _record_failures(
    session: Session, ids: Sequence[int], now: datetime, error: str, **how: Any
) -> list[outbox.Outcome]:
    return [outbox.record_failure(session, i, now, error, **how) for i in ids]


def _digest_ripe(session: Session, channel: Any, now: datetime) -> bool:
    """A digest channel is leased only once its oldest due alert has waited the period."""
    period = getattr(channel, "digest", None)
    if period is None:
        return True
    oldest = outbox.oldest_waiting(session, channel.name, now)
    return oldest is not None and oldest <= now - period


def plan(
    leased: Sequence[DueDelivery], rooms: dict[str, int], channels: dict[str, Any]
) -> list[_Job]:
    """Turn leased deliveries into messages: one each, or folded into a digest."""
    jobs: list[_Job] = []
    for name, group in _group(leased).items():
        room = rooms.get(name)
        is_digest = getattr(channels[name], "digest", None) is not None
        over_cap = room is not None and len(group) > room
        if len(group) > 1 and (is_digest or over_cap):
            jobs.append(_Job(name, tuple(group), digest=True))
        else:
            jobs += [_Job(name, (d,)) for d in group]
    return jobs


def _group(leased: Sequence[DueDelivery]) -> dict[str, list[DueDelivery]]:
    groups: dict[str, list[DueDelivery]] = {}
    for delivery in leased:
        groups.setdefault(delivery.channel, []).append(delivery)
    return groups


def make_test_alert(now: datetime | None = None) -> Alert:
    """A clearly marked test alert; its id is fresh so receivers do not de-duplicate it."""
    now = now or utcnow()
    statement = Statement(
        kind="claim",
        text="This is a test alert from news-monitor: if you read it, the channel works.",
        cue="",
        proposition="the channel works",
        party="news-monitor",
        party_key="news-monitor",
        quote="the channel works",
    )
    return Alert(
        id=f"test_{uuid.uuid4().hex[:20]}",
        kind="claim",
        topic="test",
        story_id="test",
        summary="TEST alert from news-monitor: delivery through this channel works",
        statement=statement,
        article_url="https://example.org/news-monitor-test-alert",
        article_title="news-monitor test alert",
        feed_url="",
        published_at=now,
        detected_at=now,
        test=True,
    )
