"""The daemon's small HTTP endpoint: ``/healthz`` for liveness checks, ``/metrics`` for Prometheus.

Why a tiny HTTP/1.1 responder on ``asyncio.start_server`` and not ``http.server`` in a
thread: the health check looks at things owned by the daemon's event loop (the scheduler,
``Database.run``), so running it in that loop needs no locks and no cross-thread calls; a
stuck loop also makes ``/healthz`` stop answering, which is exactly what an outside check
should see. The protocol surface is deliberately small: one GET or HEAD per connection,
no bodies, no keep-alive, a size cap and a timeout on the request head. Nothing else in the
project needs an HTTP server, so this adds no dependency.

The endpoint is off unless ``[monitor] http`` is set; bind it to loopback (the default
example is ``127.0.0.1:9108``) and let a reverse proxy or the scraper reach it there.
"""

from __future__ import annotations

import asyncio
import inspect
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from loguru import logger

from monitor import __version__, metrics

REQUEST_HEAD_LIMIT = 8 * 1024
REQUEST_TIMEOUT = 5.0  # seconds a client gets to send its request head
CHECK_TIMEOUT = 5.0  # seconds the health check may take before the answer is 503

_REASONS = {
    200: "OK",
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    503: "Service Unavailable",
}


@dataclass(frozen=True)
class HealthReport:
    """The daemon's health: `ok` picks 200 or 503; `details` is the JSON summary."""

    ok: bool
    details: dict[str, Any] = field(default_factory=dict)


HealthCheck = Callable[[], Awaitable[HealthReport]] | Callable[[], HealthReport]


def summarize(
    *,
    scheduler_running: bool,
    database_ok: bool,
    feeds: int,
    last_successful_poll: datetime | None,
    outbox_backlog: int,
) -> HealthReport:
    """The standard report: healthy while the scheduler runs and the database answers.

    A feed that stops answering is not a daemon failure (its errors show in the metrics and
    feed status), so neither the last poll time nor the backlog decides `ok`: restarting
    the daemon would not fix them.
    """
    return HealthReport(
        ok=scheduler_running and database_ok,
        details={
            "scheduler_running": scheduler_running,
            "database_ok": database_ok,
            "feeds": feeds,
            "last_successful_poll": last_successful_poll,
            "outbox_backlog": outbox_backlog,
        },
    )


@dataclass(frozen=True)
class _Response:
    status: int
    body: bytes
    content_type: str
    headers: tuple[tuple[str, str], ...] = ()


class HealthServer:
    """Serves ``/healthz`` and ``/metrics`` on `listen` ("HOST:PORT"; port 0 picks a free one)."""

    def __init__(self, listen: str, check: HealthCheck) -> None:
        self._host, self._port = parse_listen(listen)
        self._check = check
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.StreamWriter] = set()

    @property
    def port(self) -> int:
        """The port actually bound (useful after asking for port 0)."""
        if self._server is None:
            raise RuntimeError("HealthServer is not started")
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def start(self) -> None:
        """Bind and start answering; raises OSError when the address cannot be bound."""
        self._server = await asyncio.start_server(
            self._serve, self._host, self._port, limit=REQUEST_HEAD_LIMIT
        )
        logger.info("health and metrics endpoint on http://{}:{}/", self._host, self.port)

    async def stop(self) -> None:
        """Stop listening and close connections still open."""
        if self._server is None:
            return
        self._server.close()
        for writer in list(self._connections):
            writer.close()
        await self._server.wait_closed()
        self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._connections.add(writer)
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), REQUEST_TIMEOUT)
            method, response = await self._respond(head)
            writer.write(_encode(response, with_body=method != "HEAD"))
            await writer.drain()
        except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass  # a client that sends no complete request gets no answer
        except ConnectionError:
            pass  # the client went away; nothing to tell it
        finally:
            self._connections.discard(writer)
            writer.close()

    async def _respond(self, head: bytes) -> tuple[str, _Response]:
        parts = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/"):
            return "GET", _text(400, "bad request\n")
        method, target = parts[0], parts[1]
        if method not in ("GET", "HEAD"):
            refusal = _text(405, "only GET and HEAD\n")
            return method, replace(refusal, headers=(("Allow", "GET, HEAD"),))
        path = target.split("?", 1)[0]
        if path == "/healthz":
            return method, await self._health()
        if path == "/metrics":
            body, content_type = metrics.render()
            return method, _Response(200, body, content_type)
        return method, _text(404, "not found: try /healthz or /metrics\n")

    async def _health(self) -> _Response:
        report = await self._run_check()
        summary = {"status": "ok" if report.ok else "unhealthy", "version": __version__}
        summary.update(report.details)
        body = json.dumps(summary, default=_json_default, sort_keys=True).encode() + b"\n"
        return _Response(200 if report.ok else 503, body, "application/json")

    async def _run_check(self) -> HealthReport:
        try:
            result = self._check()
            if inspect.isawaitable(result):
                result = await asyncio.wait_for(result, CHECK_TIMEOUT)
            if not isinstance(result, HealthReport):
                raise TypeError(f"health check returned {type(result).__name__}")
            return result
        except TimeoutError:
            return HealthReport(False, {"error": f"health check took over {CHECK_TIMEOUT:g}s"})
        except Exception as exc:  # the endpoint must answer 503, not drop the connection
            logger.exception("health check failed")
            return HealthReport(False, {"error": f"health check failed: {exc}"})


def parse_listen(listen: str) -> tuple[str, int]:
    """Split "HOST:PORT" or "[IPv6]:PORT" into host and port."""
    host, sep, port = listen.rpartition(":")
    if not sep or not host or not port.isdigit() or int(port) > 65535:
        raise ValueError(f"{listen!r} is not HOST:PORT, e.g. '127.0.0.1:9108'")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host, int(port)


def _text(status: int, message: str) -> _Response:
    return _Response(status, message.encode(), "text/plain; charset=utf-8")


def _encode(response: _Response, *, with_body: bool) -> bytes:
    """An HTTP/1.1 response; the connection closes after it, so Content-Length ends it."""
    extra = "".join(f"{name}: {value}\r\n" for name, value in response.headers)
    head = (
        f"HTTP/1.1 {response.status} {_REASONS[response.status]}\r\n"
        f"{extra}"
        f"Content-Type: {response.content_type}\r\n"
        f"Content-Length: {len(response.body)}\r\n"
        "Cache-Control: no-store\r\n"
        "Connection: close\r\n\r\n"
    ).encode("latin-1")
    return head + response.body if with_body else head


def _json_default(value: object) -> str:
    """Datetimes as ISO 8601; anything else JSON cannot hold as its string."""
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)
