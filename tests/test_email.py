"""Email delivery against a real SMTP server (aiosmtpd on 127.0.0.1): plain, STARTTLS, implicit
TLS and AUTH with a throwaway certificate authority; the message parsed and checked."""

from __future__ import annotations

import asyncio
import ssl
from datetime import timedelta
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest

from monitor.config import EmailChannel
from monitor.deliver.dispatch import Dispatcher
from monitor.deliver.email import EmailSender, build_message, sender_domain
from monitor.errors import DeliveryError
from monitor.store.db import Database
from tests.deliver_support import (
    T0,
    Certs,
    add_alert,
    authenticator,
    deliveries,
    make_alert,
    make_certs,
    make_settings,
    smtp_server,
    sqlite_db_fixture,  # noqa: F401  (the sqlite_db fixture)
)

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
def certs(tmp_path: Path) -> Certs:
    return make_certs(tmp_path)


def channel(port: int, **changes: Any) -> dict[str, Any]:
    return {
        "name": "desk-mail",
        "type": "email",
        "host": "127.0.0.1",
        "port": port,
        "starttls": False,
        "sender": "News Monitor <monitor@example.com>",
        "recipients": ["desk@example.com", "night@example.com"],
        "timeout": "10s",
        **changes,
    }


def email_channel(port: int, **changes: Any) -> EmailChannel:
    (ch,) = make_settings(channel(port, **changes)).channels
    assert isinstance(ch, EmailChannel)
    return ch


def parts(msg: EmailMessage) -> tuple[str, str]:
    text = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


def test_plain_smtp_message_has_subject_headers_and_both_parts(sqlite_db: Database) -> None:
    alert = make_alert(1, article_title="Peskov: <script>alert('x')</script> & co")
    add_alert(sqlite_db, alert, ["desk-mail"])
    with smtp_server() as (server, inbox):
        d = Dispatcher(sqlite_db, make_settings(channel(server.port)))
        report = asyncio.run(d.run_once(T0))
    assert report.sent == 1
    (msg,) = inbox.messages
    assert msg["Subject"] == f"[news-monitor] denial: putin-trump: {alert.summary}"
    assert msg["From"] == "News Monitor <monitor@example.com>"
    assert msg["To"] == "desk@example.com, night@example.com"
    assert msg["Message-ID"] == f"<{alert.id}.desk-mail@example.com>"
    assert parsedate_to_datetime(msg["Date"]).tzinfo is not None
    assert msg.get_content_type() == "multipart/alternative"
    assert inbox.envelopes[0].rcpt_tos == ["desk@example.com", "night@example.com"]
    text, html = parts(msg)
    facts = [alert.statement.text, "Dmitry Peskov", "Kremlin", "pure fiction", alert.article_url]
    facts += ["putin-trump", alert.story_id, "2026-11-02T09:16:03Z", alert.article_title]
    for fact in facts:
        assert fact in text
    assert "<script>" in text  # plain text is shown as text, never run
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; co" in html
    assert f'<a href="{alert.article_url}">' in html
    assert deliveries(sqlite_db)[0].status == "sent"


def test_starttls_with_a_throwaway_certificate(certs: Certs) -> None:
    with smtp_server(tls_context=certs.server_context(), require_starttls=True) as (server, inbox):
        sender = EmailSender(
            email_channel(server.port, starttls=True), ssl_context=certs.client_context()
        )
        asyncio.run(sender.send(make_alert(1)))
    (msg,) = inbox.messages
    assert msg["Subject"].startswith("[news-monitor] denial: putin-trump: ")


def test_starttls_refuses_a_certificate_it_does_not_trust(certs: Certs) -> None:
    with smtp_server(tls_context=certs.server_context(), require_starttls=True) as (server, inbox):
        sender = EmailSender(
            email_channel(server.port, starttls=True), ssl_context=ssl.create_default_context()
        )
        with pytest.raises(DeliveryError, match="SSLCertVerificationError"):
            asyncio.run(sender.send(make_alert(1)))
    assert inbox.messages == []


def test_implicit_tls(certs: Certs) -> None:
    with smtp_server(ssl_context=certs.server_context()) as (server, inbox):
        sender = EmailSender(
            email_channel(server.port, tls=True), ssl_context=certs.client_context()
        )
        asyncio.run(sender.send(make_alert(1)))
    assert len(inbox.messages) == 1


def test_login_over_starttls(certs: Certs) -> None:
    auth = {
        "tls_context": certs.server_context(),
        "require_starttls": True,
        "auth_required": True,
        "auth_require_tls": True,
        "authenticator": authenticator("monitor", "hunter2"),
    }
    with smtp_server(**auth) as (server, inbox):
        good = email_channel(server.port, starttls=True, username="monitor", password="hunter2")
        asyncio.run(EmailSender(good, ssl_context=certs.client_context()).send(make_alert(1)))
        bad = email_channel(server.port, starttls=True, username="monitor", password="wrong")
        with pytest.raises(DeliveryError) as caught:
            asyncio.run(EmailSender(bad, ssl_context=certs.client_context()).send(make_alert(2)))
    assert len(inbox.messages) == 1
    assert "535" in str(caught.value) and caught.value.retryable is False


def test_an_unreachable_server_is_a_retryable_error(sqlite_db: Database) -> None:
    with smtp_server() as (server, _inbox):
        port = server.port
    add_alert(sqlite_db, make_alert(1), ["desk-mail"])
    d = Dispatcher(sqlite_db, make_settings(channel(port)))
    report = asyncio.run(d.run_once(T0))
    (row,) = deliveries(sqlite_db)
    assert report.retrying == 1 and row.status == "pending"
    assert row.last_error is not None and "ConnectionRefusedError" in row.last_error
    assert row.next_attempt_at < T0 + timedelta(minutes=1)


def test_digest_gathers_a_periods_alerts_into_one_message(sqlite_db: Database) -> None:
    alerts = [make_alert(i) for i in range(1, 4)]
    for i, alert in enumerate(alerts):
        add_alert(sqlite_db, alert, ["desk-mail"], now=T0 + timedelta(minutes=10 * i))
    with smtp_server() as (server, inbox):
        d = Dispatcher(sqlite_db, make_settings(channel(server.port, digest="1h")))
        early = asyncio.run(d.run_once(T0 + timedelta(minutes=59)))
        due = asyncio.run(d.run_once(T0 + timedelta(minutes=60)))
    assert (early.sent, early.waiting) == (0, 3)
    assert (due.sent, due.waiting) == (3, 0)
    (msg,) = inbox.messages
    assert msg["Subject"] == "[news-monitor] digest: 3 alerts"
    text, html = parts(msg)
    for alert in alerts:
        assert alert.article_url in text and alert.article_url in html
        assert alert.summary in text


def test_message_id_domain_comes_from_the_sender() -> None:
    assert sender_domain("News Monitor <monitor@example.com>") == "example.com"
    assert sender_domain("monitor") == "news-monitor.invalid"
    msg = build_message(email_channel(25, sender="monitor@mail.example.org"), make_alert(1))
    assert msg["Message-ID"].endswith("@mail.example.org>")
