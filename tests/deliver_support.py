"""Helpers shared by the delivery tests: alerts, settings, a per-test SQLite outbox, captured
logs, a throwaway TLS certificate authority and a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword
from loguru import logger
from sqlmodel import col, select

from monitor.config import Settings, parse_config
from monitor.models import Alert, Statement
from monitor.store.alerts import record_alert
from monitor.store.db import Database
from monitor.store.tables import DeliveryRow

T0 = datetime(2026, 11, 2, 9, 16, 3, tzinfo=UTC)


@pytest.fixture(name="sqlite_db")
def sqlite_db_fixture(tmp_path: Path) -> Iterator[Database]:
    """A fresh, migrated SQLite outbox per test (the shared `database` fixture runs on every
    backend; these tests are about channels, so one backend is enough)."""
    db = Database(f"sqlite:///{tmp_path}/m.db")
    db.migrate()
    try:
        yield db
    finally:
        db.close()


def make_alert(n: int = 1, **changes: Any) -> Alert:
    statement = Statement(
        kind="denial",
        text="Kremlin spokesman Dmitry Peskov said reports of a Putin-Trump call were "
        "pure fiction.",
        cue="pure fiction",
        proposition="Putin and Trump spoke by phone",
        party="Kremlin",
        party_key="kremlin",
        speaker="Dmitry Peskov",
        quote="pure fiction",
    )
    fields: dict[str, Any] = {
        "id": f"al_{n:024d}",
        "kind": "denial",
        "topic": "putin-trump",
        "story_id": f"st_{n}",
        "summary": f"Kremlin denies reports of a Putin-Trump phone call ({n})",
        "statement": statement,
        "article_url": f"https://news.example.com/articles/{n}",
        "article_title": f"Kremlin denies call, article {n}",
        "feed_url": "https://news.example.com/rss.xml",
        "published_at": T0 - timedelta(minutes=1),
        "detected_at": T0,
    }
    fields.update(changes)
    return Alert(**fields)


def make_settings(*channels: dict[str, Any], **monitor: Any) -> Settings:
    return parse_config({"monitor": monitor, "channels": list(channels)}, env={})


def add_alert(db: Database, alert: Alert, channels: list[str], now: datetime = T0) -> None:
    with db.session() as session:
        assert record_alert(session, alert, alert.statement.party_key, channels, now=now)


def deliveries(db: Database) -> list[DeliveryRow]:
    with db.session() as session:
        return list(session.exec(select(DeliveryRow).order_by(col(DeliveryRow.id))).all())


@contextmanager
def captured_logs(level: str = "DEBUG") -> Iterator[list[tuple[str, str]]]:
    """(level name, message) of every loguru record at `level` or above."""
    records: list[tuple[str, str]] = []
    sink = logger.add(
        lambda m: records.append((m.record["level"].name, m.record["message"])), level=level
    )
    try:
        yield records
    finally:
        logger.remove(sink)


# -- TLS: a throwaway CA and a server certificate for 127.0.0.1, made with openssl


@dataclass(frozen=True)
class Certs:
    ca: Path
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.cert, self.key)
        return ctx

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca))


def make_certs(directory: Path) -> Certs:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: cannot make a throwaway certificate")

    def run(*args: str) -> None:
        subprocess.run(
            ["openssl", *args], check=True, capture_output=True, cwd=directory, timeout=30
        )

    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=test CA",
        "-keyout", "ca.key", "-out", "ca.pem",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign")  # fmt: skip
    run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
        "-keyout", "server.key", "-out", "server.csr")  # fmt: skip
    (directory / "server.ext").write_text(
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
        "keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n"
        "authorityKeyIdentifier=keyid\nsubjectKeyIdentifier=hash\n"
    )
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-days", "2", "-out", "server.pem",
        "-extfile", "server.ext")  # fmt: skip
    return Certs(directory / "ca.pem", directory / "server.pem", directory / "server.key")


# -- SMTP: aiosmtpd on 127.0.0.1, on a port the kernel picks


@dataclass
class Inbox:
    """The SMTP handler: keeps every message it accepts."""

    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[Envelope] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        self.envelopes.append(envelope)
        msg = message_from_bytes(raw, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        self.messages.append(msg)
        return "250 Message accepted for delivery"


class _LoopbackController(Controller):
    """Binds port 0 and learns the port before aiosmtpd's readiness probe connects."""

    def _trigger_server(self) -> None:
        server: Any = self.server  # an asyncio.Server: it has the bound sockets
        self.port = server.sockets[0].getsockname()[1]
        super()._trigger_server()


def authenticator(user: str, password: str) -> Any:
    def check(
        server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == user.encode()
            and (auth_data.password == password.encode())
        )
        return AuthResult(success=ok, handled=False)  # False: the server answers 535

    return check


@contextmanager
def smtp_server(**kwargs: Any) -> Iterator[tuple[_LoopbackController, Inbox]]:
    inbox = Inbox()
    controller = _LoopbackController(inbox, hostname="127.0.0.1", port=0, **kwargs)
    controller.start()
    try:
        yield controller, inbox
    finally:
        controller.stop()
