"""The outbox queries: leasing, results, backoff, giving up, counts. On SQLite and PostgreSQL
(the shared `database` fixture)."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import update

from monitor.store import outbox
from monitor.store.db import Database
from monitor.store.tables import DeliveryRow
from tests.deliver_support import T0, add_alert, captured_logs, deliveries, make_alert

pytestmark = pytest.mark.timeout(30)
MAX_AGE = timedelta(hours=24)


def test_lease_takes_due_rows_once_and_again_after_the_lease_expires(database: Database) -> None:
    add_alert(database, make_alert(1), ["a", "b"])
    add_alert(database, make_alert(2), ["a"], now=T0 + timedelta(minutes=10))
    with database.session() as s:
        first = outbox.lease_due(s, T0, ["a", "b"], lease=timedelta(minutes=5))
    # alert 2 is not due yet at T0
    assert sorted((d.alert_id, d.channel) for d in first) == [
        (make_alert(1).id, "a"),
        (make_alert(1).id, "b"),
    ]
    assert first[0].payload["id"] == make_alert(1).id
    assert first[0].party_key == "kremlin"
    with database.session() as s:
        assert outbox.lease_due(s, T0 + timedelta(minutes=4), ["a", "b"]) == []
    with database.session() as s:
        again = outbox.lease_due(s, T0 + timedelta(minutes=11), ["a", "b"])
    # both leases expired (crashed sender) and alert 2 became due
    assert len(again) == 3


def test_leases_of_a_dead_process_are_taken_back_at_once(database: Database) -> None:
    add_alert(database, make_alert(1), ["a"])
    with database.session() as s:
        leased = outbox.lease_due(s, T0, ["a"], lease=timedelta(minutes=5))
        assert len(leased) == 1
    with database.session() as s:
        # the holder (this process) is alive: the lease stands
        assert outbox.release_orphaned_leases(s, T0, alive=lambda pid: False) == 0
        assert outbox.lease_due(s, T0 + timedelta(minutes=1), ["a"]) == []
    _set_owner(database, outbox.lease_owner().rsplit(":", 1)[0] + ":4194303")
    with database.session() as s:
        assert outbox.release_orphaned_leases(s, T0, alive=lambda pid: True) == 0
        assert outbox.release_orphaned_leases(s, T0, alive=lambda pid: False) == 1
        assert len(outbox.lease_due(s, T0 + timedelta(minutes=1), ["a"])) == 1
    _set_owner(database, "another-host:4194303")
    with database.session() as s:  # another host's leases are never second-guessed
        assert outbox.release_orphaned_leases(s, T0, alive=lambda pid: False) == 0


def _set_owner(database: Database, owner: str) -> None:
    with database.session() as s:
        s.exec(update(DeliveryRow).values(lease_owner=owner))


def test_lease_only_takes_the_channels_asked_for(database: Database) -> None:
    add_alert(database, make_alert(1), ["a", "gone"])
    with database.session() as s:
        leased = outbox.lease_due(s, T0, ["a"])
        assert [d.channel for d in leased] == ["a"]
        assert outbox.waiting_channels(s) == {"a", "gone"}


def test_sent_rows_leave_the_queue_and_are_counted(database: Database) -> None:
    add_alert(database, make_alert(1), ["a", "b"])
    with database.session() as s:
        leased = outbox.lease_due(s, T0, ["a", "b"])
        outbox.mark_sent(s, [leased[0].id], T0)
    with database.session() as s:
        counts = outbox.delivery_counts(s)
        assert (counts.sent, counts.waiting, counts.failed) == (1, 1, 0)
        assert counts.by_channel == {"a": {"sent": 1}, "b": {"pending": 1}}
        assert counts.oldest_waiting_at == T0
        assert counts.backlog_seconds(T0 + timedelta(seconds=90)) == 90
        assert outbox.backlog(s) == 1
        assert outbox.sent_since(s, "a", T0 - timedelta(hours=1)) == 1
        assert outbox.sent_since(s, "a", T0) == 0
        assert outbox.lease_due(s, T0 + timedelta(hours=1), ["a"]) == []


def test_failure_schedules_a_retry_then_gives_up_after_max_age_at_error(database: Database) -> None:
    add_alert(database, make_alert(1), ["hook"])
    rng = random.Random(1)
    with database.session() as s:
        (d,) = outbox.lease_due(s, T0, ["hook"])
        assert (
            outbox.record_failure(s, d.id, T0, "HTTP 503", max_age=MAX_AGE, rng=rng) == "retrying"
        )
    (row,) = deliveries(database)
    assert row.status == "pending" and row.attempts == 1 and row.last_error == "HTTP 503"
    assert T0 + outbox.BACKOFF_BASE / 2 <= row.next_attempt_at <= T0 + outbox.BACKOFF_BASE
    assert row.lease_until is None

    late = T0 + MAX_AGE
    with captured_logs("ERROR") as logs, database.session() as s:
        assert (
            outbox.record_failure(s, d.id, late, "HTTP 502", max_age=MAX_AGE, rng=rng) == "failed"
        )
    (row,) = deliveries(database)
    assert row.status == "failed" and row.attempts == 2
    assert len(logs) == 1
    level, message = logs[0]
    assert level == "ERROR"
    assert make_alert(1).id in message and "hook" in message and "HTTP 502" in message

    with database.session() as s:
        assert outbox.retry_failed(s, late) == 1
        assert [x.id for x in outbox.lease_due(s, late, ["hook"])] == [d.id]


def test_defer_keeps_a_delivery_waiting_without_counting_a_try(database: Database) -> None:
    add_alert(database, make_alert(1), ["push"])
    with database.session() as s:
        (d,) = outbox.lease_due(s, T0, ["push"])
        outbox.defer(s, [d.id], T0 + timedelta(minutes=10), "apprise is not installed")
    (row,) = deliveries(database)
    assert (row.status, row.attempts, row.last_error) == ("pending", 0, "apprise is not installed")
    assert row.next_attempt_at == T0 + timedelta(minutes=10)


@pytest.mark.parametrize("attempts", [1, 2, 3, 5, 8, 30])
def test_backoff_doubles_with_jitter_and_stops_at_an_hour(attempts: int) -> None:
    rng = random.Random(attempts)
    nominal = outbox.BACKOFF_BASE.total_seconds() * 2 ** (attempts - 1)
    for _ in range(50):
        delay = outbox.backoff(attempts, rng).total_seconds()
        assert min(nominal / 2, 3600) <= delay <= min(nominal, 3600)


def test_backoff_honours_retry_after_and_waits_long_for_errors_needing_a_fix() -> None:
    rng = random.Random(0)
    assert outbox.backoff(1, rng, retry_after=600).total_seconds() == 600
    assert outbox.backoff(1, rng, retry_after=86400) == timedelta(hours=1)
    assert outbox.backoff(1, rng, retryable=False) == timedelta(hours=1)
