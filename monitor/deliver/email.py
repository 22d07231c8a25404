"""Email channel: one multipart (text + HTML) message per alert, or one per digest, over SMTP.

stdlib smtplib run in a worker thread: STARTTLS (`starttls = true`), implicit TLS
(`tls = true`), optional login. The TLS context is injected (default: the system's trust
store), so tests can trust a throwaway CA without any setting for it. The Message-ID of an
alert is derived from the alert id, so a copy resent after a lost reply is recognisably the
same message.
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from monitor.config import EmailChannel
from monitor.deliver import render
from monitor.errors import DeliveryError
from monitor.models import Alert


def sender_domain(sender: str) -> str:
    """`News Monitor <monitor@example.com>` -> `example.com` (for Message-IDs)."""
    address = parseaddr(sender)[1] or sender
    local, at, domain = address.rpartition("@")
    return domain if at and local and domain else "news-monitor.invalid"


def build_message(channel: EmailChannel, alert: Alert) -> EmailMessage:
    domain = sender_domain(channel.sender)
    return _message(
        channel,
        render.subject(alert),
        render.plain_text(alert),
        render.html_body(alert),
        message_id=f"<{alert.id}.{channel.name}@{domain}>".replace(" ", "_"),
    )


def build_digest(channel: EmailChannel, alerts: Sequence[Alert]) -> EmailMessage:
    return _message(
        channel,
        render.digest_subject(len(alerts)),
        render.digest_text(alerts),
        render.digest_html(alerts),
        message_id=make_msgid("digest", domain=sender_domain(channel.sender)),
    )


def _message(
    channel: EmailChannel, subject: str, text: str, html: str, *, message_id: str
) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = channel.sender
    msg["To"] = ", ".join(channel.recipients)
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = message_id
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies, please
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    return msg


class EmailSender:
    """Sends alerts to one email channel."""

    def __init__(self, channel: EmailChannel, *, ssl_context: ssl.SSLContext | None = None) -> None:
        self.channel = channel
        self.name = channel.name
        self._ssl = ssl_context or ssl.create_default_context()

    async def send(self, alert: Alert) -> None:
        await asyncio.to_thread(self._deliver, build_message(self.channel, alert))

    async def send_digest(self, alerts: Sequence[Alert]) -> None:
        await asyncio.to_thread(self._deliver, build_digest(self.channel, alerts))

    def _deliver(self, msg: EmailMessage) -> None:
        where = f"{self.channel.host}:{self.channel.port}"
        try:
            with self._connect() as smtp:
                if self.channel.username and self.channel.password is not None:
                    smtp.login(self.channel.username, self.channel.password.get_secret_value())
                smtp.send_message(msg)
        except smtplib.SMTPException as exc:
            raise _translate(exc, where) from None
        except (OSError, ssl.SSLError) as exc:  # refused, unreachable, timeout, bad certificate
            raise DeliveryError(f"SMTP {where}: {type(exc).__name__}: {exc}") from None

    def _connect(self) -> smtplib.SMTP:
        ch = self.channel
        timeout = ch.timeout.total_seconds()
        if ch.tls:
            return smtplib.SMTP_SSL(ch.host, ch.port, timeout=timeout, context=self._ssl)
        smtp = smtplib.SMTP(ch.host, ch.port, timeout=timeout)
        try:
            if ch.starttls:
                smtp.starttls(context=self._ssl)
        except BaseException:
            smtp.close()
            raise
        return smtp


def _translate(exc: smtplib.SMTPException, where: str) -> DeliveryError:
    """4xx replies and dropped connections are worth retrying soon; 5xx replies (bad
    password, unknown recipient, no STARTTLS) need someone to fix the config first."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        permanent = all(code >= 500 for code in codes)
        return DeliveryError(
            f"SMTP {where} refused the recipients: {codes}", retryable=not permanent
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return DeliveryError(f"SMTP {where}: {exc}", retryable=False)
    if isinstance(exc, smtplib.SMTPResponseException):
        text = (
            exc.smtp_error.decode("utf-8", "replace")
            if isinstance(exc.smtp_error, bytes)
            else exc.smtp_error
        )
        return DeliveryError(
            f"SMTP {where} answered {exc.smtp_code} {text}", retryable=exc.smtp_code < 500
        )
    return DeliveryError(f"SMTP {where}: {type(exc).__name__}: {exc}")
