"""The dispatcher: restart and lease expiry, channels that left the config, apprise missing,
the log channel, the hourly cap folding alerts into a digest, and the `once` summary line."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import timedelta

import pytest

from monitor.deliver.dispatch import Dispatcher, DispatchReport, lease_for
from monitor.store import outbox
from monitor.store.db import Database
from tests.deliver_support import (
    T0,
    add_alert,
    captured_logs,
    deliveries,
    make_alert,
    make_settings,
    sqlite_db_fixture,  # noqa: F401  (the sqlite_db fixture)
)
from tests.localserver import LocalServer

pytestmark = pytest.mark.timeout(30)
LOG = {"name": "log", "type": "log"}


def test_a_fresh_process_resumes_pending_deliveries_and_re_leases_expired_ones(db_url: str) -> None:
    first = Database(db_url)
    first.migrate()
    add_alert(first, make_alert(1), ["hook"])
    add_alert(first, make_alert(2), ["hook"])
    with first.session() as s:  # a sender leases alert 1, then its process dies
        (crashed,) = outbox.lease_due(s, T0, ["hook"], limit=1)
    first.close()

    second = Database(db_url)  # the next process: a new engine over the same database
    try:
        with LocalServer() as srv:
            d = Dispatcher(
                second, make_settings({"name": "hook", "type": "webhook", "url": srv.route("/h")})
            )
            during_lease = asyncio.run(d.run_once(T0 + timedelta(minutes=1)))
            after_lease = asyncio.run(d.run_once(T0 + timedelta(minutes=6)))
            ids = [json.loads(h.body)["id"] for h in srv.hits("/h")]
        assert (during_lease.sent, during_lease.waiting) == (1, 1)  # alert 2 only
        assert (after_lease.sent, after_lease.waiting) == (1, 0)
        assert ids == [make_alert(2).id, crashed.alert_id]
        assert all(row.status == "sent" for row in deliveries(second))
    finally:
        second.close()


def test_deliveries_of_a_channel_no_longer_configured_wait_and_are_warned_once(
    sqlite_db: Database,
) -> None:
    add_alert(sqlite_db, make_alert(1), ["log", "old-hook"])
    d = Dispatcher(sqlite_db, make_settings(LOG))
    with captured_logs("WARNING") as logs:
        first = asyncio.run(d.run_once(T0))
        second = asyncio.run(d.run_once(T0 + timedelta(hours=30)))
    assert (first.sent, first.waiting, first.failed) == (1, 1, 0)
    assert (second.sent, second.waiting, second.failed) == (0, 1, 0)
    assert [m for _, m in logs if "old-hook" in m] == [
        "deliveries to channel 'old-hook' wait: no channel of that name is configured "
        "(add it back to deliver them)"
    ]
    # the channel comes back: the waiting delivery goes out
    d.reconfigure(make_settings(LOG, {"name": "old-hook", "type": "log"}))
    assert asyncio.run(d.run_once(T0 + timedelta(hours=31))).sent == 1


def test_apprise_missing_keeps_deliveries_waiting_with_a_clear_error(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "apprise", None)  # import apprise -> ImportError
    add_alert(sqlite_db, make_alert(1), ["push"])
    d = Dispatcher(
        sqlite_db,
        make_settings({"name": "push", "type": "apprise", "urls": ["json://127.0.0.1:9/x"]}),
    )
    report = asyncio.run(d.run_once(T0))
    late = asyncio.run(d.run_once(T0 + timedelta(days=3)))
    (row,) = deliveries(sqlite_db)
    assert (report.waiting, report.failed, late.failed) == (1, 0, 0)
    assert (row.status, row.attempts) == ("pending", 0)
    assert row.last_error == "apprise is not installed: pip install 'news-monitor[apprise]'"
    ok, message = asyncio.run(d.send_test("push"))
    assert not ok and "pip install 'news-monitor[apprise]'" in message


def test_log_channel_writes_one_line_per_alert_at_its_level(sqlite_db: Database) -> None:
    alert = make_alert(1, summary="Kremlin denies {call} reports\nsecond line")
    add_alert(sqlite_db, alert, ["log"])
    d = Dispatcher(sqlite_db, make_settings({**LOG, "level": "WARNING"}))
    with captured_logs("WARNING") as logs:
        report = asyncio.run(d.run_once(T0))
    assert report.sent == 1
    lines = [m for level, m in logs if level == "WARNING"]
    assert lines == [
        "alert denial: putin-trump: Kremlin denies {call} reports second line | "
        "speaker: Dmitry Peskov | party: Kremlin | quote: \u201cpure fiction\u201d | "
        "https://news.example.com/articles/1"
    ]


def test_max_per_hour_folds_further_alerts_into_one_digest_when_the_window_frees(
    sqlite_db: Database,
) -> None:
    with LocalServer() as srv:
        hook = {"name": "hook", "type": "webhook", "url": srv.route("/h"), "max_per_hour": 2}
        d = Dispatcher(sqlite_db, make_settings(hook))
        for n in (1, 2):
            add_alert(sqlite_db, make_alert(n), ["hook"], now=T0 + timedelta(minutes=n))
            assert asyncio.run(d.run_once(T0 + timedelta(minutes=n))).sent == 1
        for n in (3, 4, 5):
            add_alert(sqlite_db, make_alert(n), ["hook"], now=T0 + timedelta(minutes=10 * n))
            held = asyncio.run(d.run_once(T0 + timedelta(minutes=10 * n)))
            assert (held.sent, held.waiting) == (0, n - 2)  # at the cap: held, not dropped
        freed = asyncio.run(d.run_once(T0 + timedelta(minutes=62)))
        bodies = [json.loads(h.body) for h in srv.hits("/h")]
    assert (freed.sent, freed.waiting) == (3, 0)
    assert [b["id"] for b in bodies[:2]] == [make_alert(1).id, make_alert(2).id]
    assert len(bodies) == 3
    digest = bodies[2]
    assert digest["kind"] == "digest" and digest["count"] == 3
    assert [a["id"] for a in digest["alerts"]] == [make_alert(n).id for n in (3, 4, 5)]


def test_every_channel_gets_every_due_alert_once(sqlite_db: Database) -> None:
    with LocalServer() as srv:
        settings = make_settings(
            LOG,
            {"name": "a", "type": "webhook", "url": srv.route("/a")},
            {"name": "b", "type": "webhook", "url": srv.route("/b")},
        )
        for n in range(1, 8):
            add_alert(sqlite_db, make_alert(n), ["log", "a", "b"])
        d = Dispatcher(sqlite_db, settings)
        report = asyncio.run(d.run_once(T0))
        again = asyncio.run(d.run_once(T0 + timedelta(hours=1)))
        got = {p: sorted(json.loads(h.body)["id"] for h in srv.hits(p)) for p in ("/a", "/b")}
    expected = sorted(make_alert(n).id for n in range(1, 8))
    assert got == {"/a": expected, "/b": expected}
    assert (report.sent, report.waiting, again.sent) == (21, 0, 0)


def test_report_line_for_once() -> None:
    report = DispatchReport(sent=3, retrying=1, failed=2, waiting=1)
    assert report.line() == "deliveries: 3 sent, 1 waiting, 2 failed"


def test_a_wave_holds_its_rows_only_as_long_as_its_sends_can_take() -> None:
    hook, mail = make_settings(
        {"name": "hook", "type": "webhook", "url": "http://127.0.0.1:9/h", "timeout": "15s"},
        {"name": "mail", "type": "email", "host": "127.0.0.1", "sender": "m@example.com",
         "recipients": ["d@example.com"], "timeout": "30s"},
    ).channels  # fmt: skip
    assert lease_for(hook, 3) == timedelta(seconds=3 * 15 + 30)
    assert lease_for(mail, 1) == timedelta(seconds=3 * 30 + 30)
    assert lease_for(hook, 7) == timedelta(seconds=3 * 3 * 15 + 30)  # three waves of three
