"""Log channel: writes each alert to the daemon's log, one line, at the channel's level."""

from __future__ import annotations

from collections.abc import Sequence

from loguru import logger

from monitor.config import LogChannel
from monitor.deliver import render
from monitor.models import Alert


class LogSender:
    """Sends alerts to the log: cannot fail, so a fresh install alerts out of the box."""

    def __init__(self, channel: LogChannel) -> None:
        self.channel = channel
        self.name = channel.name

    async def send(self, alert: Alert) -> None:
        # the line goes in as an argument, never as the format string: article text may
        # hold braces
        logger.log(self.channel.level, "{}", render.log_line(alert))

    async def send_digest(self, alerts: Sequence[Alert]) -> None:
        logger.log(self.channel.level, "{}", render.digest_subject(len(alerts)))
        for alert in alerts:
            await self.send(alert)
