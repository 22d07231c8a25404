"""Webhook channel: POST an alert as JSON (INTERFACE.md), or as a Slack or Discord message.

The body is serialised once and those exact bytes are signed (`X-Monitor-Signature`) and
sent, so a receiver can check the HMAC over the raw body it got. `Idempotency-Key` is the
alert id, the same on every retry, so a receiver can drop a second copy after a lost reply.
Hook URLs often carry a token: logs and errors show only scheme://host/….
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

import httpx

from monitor.config import WebhookChannel
from monitor.deliver import render
from monitor.errors import DeliveryError
from monitor.models import Alert
from monitor.pipeline.fetch import parse_retry_after


class WebhookRefused(DeliveryError):
    """The receiver answered, but not with a 2xx. `retry_after` is its Retry-After in seconds."""

    def __init__(
        self, message: str, *, status: int, retry_after: float | None, retryable: bool
    ) -> None:
        super().__init__(message, retryable=retryable)
        self.status = status
        self.retry_after = retry_after


def redact_url(url: str) -> str:
    """`https://hooks.slack.com/…`: enough to tell hooks apart, never the token."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}/…"


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def alert_body(fmt: str, alert: Alert) -> dict[str, Any]:
    if fmt == "slack":
        return render.slack_message(alert)
    if fmt == "discord":
        return render.discord_message(alert)
    return alert.payload()


def digest_id(alerts: Sequence[Alert]) -> str:
    """Stable for the same set of alerts, so a retried digest keeps its Idempotency-Key."""
    basis = "\n".join(sorted(a.id for a in alerts))
    return "dg_" + hashlib.sha256(basis.encode()).hexdigest()[:24]


def digest_body(fmt: str, alerts: Sequence[Alert]) -> dict[str, Any]:
    """JSON receivers get `{"id", "kind": "digest", "count", "alerts": [alert bodies]}`."""
    if fmt == "slack":
        return render.slack_digest(alerts)
    if fmt == "discord":
        return render.discord_digest(alerts)
    return {
        "id": digest_id(alerts),
        "kind": "digest",
        "count": len(alerts),
        "alerts": [a.payload() for a in alerts],
    }


class WebhookSender:
    """Sends alerts to one webhook channel through a shared `httpx.AsyncClient`."""

    def __init__(self, channel: WebhookChannel, client: httpx.AsyncClient, user_agent: str) -> None:
        self.channel = channel
        self.name = channel.name
        self._client = client
        self._user_agent = user_agent

    async def send(self, alert: Alert) -> None:
        await self._post(alert_body(self.channel.format, alert), alert.id)

    async def send_digest(self, alerts: Sequence[Alert]) -> None:
        await self._post(digest_body(self.channel.format, alerts), digest_id(alerts))

    def headers(self, body: bytes, key: str) -> dict[str, str]:
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": key,
            "User-Agent": self._user_agent,
        }
        if self.channel.secret is not None:
            headers["X-Monitor-Signature"] = signature(self.channel.secret.get_secret_value(), body)
        return headers

    async def _post(self, payload: dict[str, Any], key: str) -> None:
        body = json.dumps(payload).encode()
        url = self.channel.url.get_secret_value()
        where = redact_url(url)
        try:
            response = await self._client.post(
                url,
                content=body,
                headers=self.headers(body, key),
                timeout=self.channel.timeout.total_seconds(),
            )
        except httpx.TimeoutException:
            raise DeliveryError(f"webhook {where} timed out") from None
        except httpx.HTTPError as exc:
            # the exception text may quote the URL (and its token): name only its kind
            raise DeliveryError(f"webhook {where} failed: {type(exc).__name__}") from None
        _check(response, where)


def _check(response: httpx.Response, where: str) -> None:
    status = response.status_code
    if 200 <= status < 300:
        return
    # 408 and 429 are "later", 5xx the receiver's trouble: both worth retrying soon;
    # other 4xx need someone to fix the hook, so they wait the longest backoff
    soon = status in (408, 429) or status >= 500
    raise WebhookRefused(
        f"webhook {where} answered HTTP {status}",
        status=status,
        retry_after=parse_retry_after(response.headers.get("retry-after")),
        retryable=soon,
    )
