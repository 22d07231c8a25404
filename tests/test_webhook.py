"""Webhook delivery against a real HTTP server on 127.0.0.1: retries, signature, idempotency,
Retry-After, the INTERFACE.md body, Slack and Discord shapes, and no token in the logs."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from monitor.deliver import render
from monitor.deliver.dispatch import Dispatcher
from monitor.deliver.webhook import digest_body, redact_url
from monitor.pipeline.fetch import parse_retry_after
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
from tests.localserver import LocalServer, Request, Response

pytestmark = pytest.mark.timeout(30)
SECRET = "s3cret-for-hmac"


def failing_then_ok(failures: int, status: int = 503, headers: dict[str, str] | None = None) -> Any:
    seen = {"n": 0}

    def handler(_req: Request) -> Response:
        seen["n"] += 1
        if seen["n"] <= failures:
            return Response(status, b"busy", dict(headers or {}))
        return Response(200, b"ok")

    return handler


def dispatcher(db: Database, **channel: Any) -> Dispatcher:
    settings = make_settings({"name": "hook", "type": "webhook", **channel})
    return Dispatcher(db, settings, rng=random.Random(7))


def run_until_sent(d: Dispatcher, start: datetime, tries: int) -> list[Any]:
    """run_once at start, then each time two hours later (past any backoff)."""
    reports = []
    for i in range(tries):
        reports.append(asyncio.run(d.run_once(start + timedelta(hours=2 * i))))
    return reports


def test_retried_after_503s_then_delivered_once_signed_and_idempotent(sqlite_db: Database) -> None:
    alert = make_alert(1)
    add_alert(sqlite_db, alert, ["hook"])
    with LocalServer() as srv:
        url = srv.route("/hook/T0KEN", handler=failing_then_ok(2))
        d = dispatcher(sqlite_db, url=url, secret=SECRET)
        reports = run_until_sent(d, T0, 4)
        hits = srv.hits("/hook/T0KEN")

    assert [(r.sent, r.retrying, r.failed, r.waiting) for r in reports] == [
        (0, 1, 0, 1),
        (0, 1, 0, 1),
        (1, 0, 0, 0),
        (0, 0, 0, 0),
    ]
    assert len(hits) == 3  # two 503s, one 200, nothing after
    for hit in hits:
        assert hit.method == "POST"
        assert hit.headers["content-type"] == "application/json"
        assert hit.headers["idempotency-key"] == alert.id == json.loads(hit.body)["id"]
        expected = hmac.new(SECRET.encode(), hit.body, hashlib.sha256).hexdigest()
        assert hit.headers["x-monitor-signature"] == f"sha256={expected}"
        assert hit.headers["user-agent"].startswith("news-monitor/")
    body = json.loads(hits[-1].body)
    assert set(body) == {
        "id",
        "kind",
        "topic",
        "story_id",
        "summary",
        "statement",
        "article",
        "detected_at",
    }
    assert set(body["statement"]) == {"text", "speaker", "party", "quote"}
    assert set(body["article"]) == {"url", "title", "feed_url", "published_at"}
    assert body["detected_at"] == "2026-11-02T09:16:03Z"
    assert body["statement"]["speaker"] == "Dmitry Peskov"
    (row,) = deliveries(sqlite_db)
    assert (row.status, row.attempts, row.last_error) == ("sent", 3, None)


def test_no_signature_header_without_a_secret(sqlite_db: Database) -> None:
    add_alert(sqlite_db, make_alert(1), ["hook"])
    with LocalServer() as srv:
        d = dispatcher(sqlite_db, url=srv.route("/h"))
        report = asyncio.run(d.run_once(T0))
        (hit,) = srv.hits("/h")
    assert report.sent == 1
    assert "x-monitor-signature" not in hit.headers


def test_retry_after_is_honoured(sqlite_db: Database) -> None:
    add_alert(sqlite_db, make_alert(1), ["hook"])
    with LocalServer() as srv:
        d = dispatcher(sqlite_db, url=srv.route("/h", status=429, headers={"Retry-After": "1200"}))
        report = asyncio.run(d.run_once(T0))
    (row,) = deliveries(sqlite_db)
    assert report.retrying == 1
    assert row.next_attempt_at == T0 + timedelta(seconds=1200)
    assert row.last_error is not None and "HTTP 429" in row.last_error


def test_a_client_error_waits_the_longest_backoff_and_is_not_dropped(sqlite_db: Database) -> None:
    add_alert(sqlite_db, make_alert(1), ["hook"])
    with LocalServer() as srv:
        d = dispatcher(sqlite_db, url=srv.route("/h", status=404))
        asyncio.run(d.run_once(T0))
    (row,) = deliveries(sqlite_db)
    assert row.status == "pending"
    assert row.next_attempt_at == T0 + timedelta(hours=1)


def test_the_hook_url_token_never_reaches_logs_or_errors(sqlite_db: Database) -> None:
    add_alert(sqlite_db, make_alert(1), ["hook"])
    with LocalServer() as srv:
        url = srv.route("/services/XOXB-TOKEN", status=500)
        port = srv.port
    # the server is gone now: a connection error, whose text might quote the URL
    with captured_logs() as logs:
        d = dispatcher(sqlite_db, url=url)
        asyncio.run(d.run_once(T0))
    (row,) = deliveries(sqlite_db)
    assert row.last_error == f"webhook http://127.0.0.1:{port}/… failed: ConnectError"
    assert logs and not any("XOXB-TOKEN" in message for _, message in logs)


def test_max_age_turns_a_failing_delivery_failed_and_logs_it_at_error(sqlite_db: Database) -> None:
    alert = make_alert(1)
    add_alert(sqlite_db, alert, ["hook"])
    with LocalServer() as srv, captured_logs("ERROR") as errors:
        d = dispatcher(sqlite_db, url=srv.route("/h", status=503))
        reports = run_until_sent(d, T0, 13)  # T0 .. T0+24h
    assert reports[-1].failed == 1 and reports[-1].waiting == 0
    assert all(r.failed == 0 for r in reports[:-1])
    (row,) = deliveries(sqlite_db)
    assert row.status == "failed" and row.attempts == 13
    assert len(errors) == 1
    assert alert.id in errors[0][1] and "hook" in errors[0][1] and "HTTP 503" in errors[0][1]


def test_slack_format_is_readable_mrkdwn(sqlite_db: Database) -> None:
    alert = make_alert(1, article_title="Peskov <script>alert(1)</script> & more")
    add_alert(sqlite_db, alert, ["hook"])
    with LocalServer() as srv:
        d = dispatcher(sqlite_db, url=srv.route("/slack"), format="slack")
        asyncio.run(d.run_once(T0))
        (hit,) = srv.hits("/slack")
    body = json.loads(hit.body)
    assert set(body) == {"text", "blocks"}
    assert body["text"] == render.subject(alert)
    text = body["blocks"][0]["text"]["text"]
    assert body["blocks"][0]["text"]["type"] == "mrkdwn"
    for part in ("*DENIAL*", "putin-trump", "pure fiction", "Dmitry Peskov", alert.article_url):
        assert part in text
    assert "&lt;script&gt;" in text and "<script>" not in text and "&amp; more" in text


def test_discord_format_has_content_and_an_embed_and_allows_no_mentions(
    sqlite_db: Database,
) -> None:
    alert = make_alert(1, summary="@everyone Kremlin denies call")
    add_alert(sqlite_db, alert, ["hook"])
    with LocalServer() as srv:
        d = dispatcher(sqlite_db, url=srv.route("/discord"), format="discord")
        asyncio.run(d.run_once(T0))
        (hit,) = srv.hits("/discord")
    body = json.loads(hit.body)
    assert body["content"] == render.subject(alert)
    assert body["allowed_mentions"] == {"parse": []}
    (embed,) = body["embeds"]
    assert embed["url"] == alert.article_url
    assert embed["title"].startswith("DENIAL: ")
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields == {
        "Topic": "putin-trump",
        "Speaker": "Dmitry Peskov",
        "Party": "Kremlin",
        "Quote": "pure fiction",
    }


def test_digest_bodies_carry_every_alert() -> None:
    alerts = [make_alert(i) for i in range(1, 4)]
    body = digest_body("json", alerts)
    assert body["kind"] == "digest" and body["count"] == 3
    assert [a["id"] for a in body["alerts"]] == [a.id for a in alerts]
    assert body["id"] == digest_body("json", list(reversed(alerts)))["id"]  # stable key
    many = [make_alert(i) for i in range(25)]
    assert len(digest_body("discord", many)["embeds"]) == 10
    assert "5 more" in json.dumps(digest_body("slack", many))


def test_send_test_posts_a_marked_test_alert(sqlite_db: Database) -> None:
    with LocalServer() as srv:
        d = dispatcher(sqlite_db, url=srv.route("/h"))
        ok, message = asyncio.run(d.send_test("hook"))
        (hit,) = srv.hits("/h")
        missing = asyncio.run(d.send_test("nope"))
    body = json.loads(hit.body)
    assert ok and "hook" in message
    assert body["test"] is True and body["summary"].startswith("TEST")
    assert hit.headers["idempotency-key"] == body["id"]
    assert missing == (False, "no channel named 'nope' (channels: hook)")
    assert deliveries(sqlite_db) == []  # a test alert bypasses the outbox


def test_send_test_reports_a_failure() -> None:
    with LocalServer() as srv:
        url = srv.route("/h", status=401)
        d = Dispatcher(
            Database("sqlite://"),
            make_settings({"name": "hook", "type": "webhook", "url": url}),
            http_client_factory=lambda: httpx.AsyncClient(trust_env=False),
        )
        ok, message = asyncio.run(d.send_test("hook"))
    assert not ok and "HTTP 401" in message


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("120", 120.0), ("Mon, 02 Nov 2026 09:20:03 GMT", 240.0), ("soon", None), (None, None)],
)
def test_retry_after_parsing(value: str | None, seconds: float | None) -> None:
    assert parse_retry_after(value, now=T0.astimezone(UTC)) == seconds


def test_redact_url_keeps_scheme_and_host_only() -> None:
    assert (
        redact_url("https://user:pw@hooks.example.com/T/B/X?token=1")
        == "https://hooks.example.com/…"
    )
