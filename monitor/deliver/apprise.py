"""Apprise channel: hands each alert to the apprise library (`urls = [...]`), which knows
some hundred services. apprise is an optional extra; without it deliveries wait, with an
error that says how to install it, and go out once it is there."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from monitor.config import AppriseChannel
from monitor.deliver import render
from monitor.errors import DeliveryError
from monitor.models import Alert

NOT_INSTALLED = "apprise is not installed: pip install 'news-monitor[apprise]'"


class ChannelUnavailable(DeliveryError):
    """The channel cannot send from this install at all (a missing library): its deliveries
    wait without counting tries, so they are neither failed nor lost."""


def _load_apprise() -> Any:
    try:
        import apprise  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        raise ChannelUnavailable(NOT_INSTALLED, retryable=False) from None
    return apprise


class AppriseSender:
    """Sends alerts to every URL of one apprise channel."""

    def __init__(self, channel: AppriseChannel) -> None:
        self.channel = channel
        self.name = channel.name

    async def send(self, alert: Alert) -> None:
        await self._notify(render.subject(alert), render.plain_text(alert))

    async def send_digest(self, alerts: Sequence[Alert]) -> None:
        await self._notify(render.digest_subject(len(alerts)), render.digest_text(alerts))

    async def _notify(self, title: str, body: str) -> None:
        apprise = _load_apprise()
        notifier = apprise.Apprise()
        for url in self.channel.urls:
            if not notifier.add(url.get_secret_value()):
                raise DeliveryError(
                    f"apprise channel {self.name}: a URL is not understood by apprise",
                    retryable=False,
                )
        ok = await asyncio.to_thread(notifier.notify, title=title, body=body)
        if not ok:
            raise DeliveryError(f"apprise channel {self.name}: a service did not take the alert")
