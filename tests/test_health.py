"""The health and metrics endpoint, hit over real HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar

import httpx
import pytest

from monitor import metrics
from monitor.service import health
from monitor.service.health import HealthReport, HealthServer, parse_listen, summarize

T = TypeVar("T")

HEALTHY = summarize(
    scheduler_running=True,
    database_ok=True,
    feeds=3,
    last_successful_poll=datetime(2026, 11, 2, 9, 15, tzinfo=UTC),
    outbox_backlog=2,
)
UNHEALTHY = summarize(
    scheduler_running=True,
    database_ok=False,
    feeds=3,
    last_successful_poll=None,
    outbox_backlog=0,
)


def _serve(
    check: Callable[[], HealthReport] | Callable[[], Awaitable[HealthReport]],
    talk: Callable[[httpx.AsyncClient], Awaitable[T]],
) -> T:
    """Start a server on a free loopback port, run `talk` against it, stop the server."""

    async def main() -> T:
        server = HealthServer("127.0.0.1:0", check)
        await server.start()
        try:
            # trust_env=False: no proxy from the environment; the request stays on loopback.
            async with httpx.AsyncClient(
                base_url=f"http://127.0.0.1:{server.port}", trust_env=False, timeout=5
            ) as client:
                return await talk(client)
        finally:
            await server.stop()

    return asyncio.run(main())


def _get(
    path: str, method: str = "GET"
) -> Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]:
    async def talk(client: httpx.AsyncClient) -> httpx.Response:
        return await client.request(method, path)

    return talk


def test_healthz_answers_200_with_the_summary_when_healthy() -> None:
    response = _serve(lambda: HEALTHY, _get("/healthz"))

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "status": "ok",
        "version": "0.1.0",
        "scheduler_running": True,
        "database_ok": True,
        "feeds": 3,
        "last_successful_poll": "2026-11-02T09:15:00+00:00",
        "outbox_backlog": 2,
    }


def test_healthz_answers_503_with_the_same_summary_when_not() -> None:
    async def check() -> HealthReport:
        return UNHEALTHY

    response = _serve(check, _get("/healthz"))

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unhealthy"
    assert body["database_ok"] is False
    assert body["last_successful_poll"] is None


def test_a_failing_check_is_a_503_not_a_dropped_connection() -> None:
    def check() -> HealthReport:
        raise RuntimeError("scheduler gone")

    response = _serve(check, _get("/healthz"))

    assert response.status_code == 503
    assert response.json()["error"] == "health check failed: scheduler gone"


def test_a_check_that_hangs_times_out_as_503(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(health, "CHECK_TIMEOUT", 0.05)

    async def check() -> HealthReport:
        await asyncio.sleep(10)
        return HEALTHY

    response = _serve(check, _get("/healthz"))

    assert response.status_code == 503
    assert "took over" in response.json()["error"]


def test_metrics_serves_every_news_monitor_metric() -> None:
    metrics.POLLS.labels(result="304").inc()
    metrics.DELIVERIES.labels(channel="ops-hook", result="sent").inc()
    response = _serve(lambda: HEALTHY, _get("/metrics"))

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    for family, kind in (
        ("news_monitor_polls_total", "counter"),
        ("news_monitor_articles_extracted_total", "counter"),
        ("news_monitor_extraction_seconds", "histogram"),
        ("news_monitor_matches_total", "counter"),
        ("news_monitor_statements_total", "counter"),
        ("news_monitor_alerts_raised_total", "counter"),
        ("news_monitor_deliveries_total", "counter"),
        ("news_monitor_outbox_backlog", "gauge"),
        ("news_monitor_last_successful_poll_timestamp_seconds", "gauge"),
        ("news_monitor_seconds_since_last_successful_poll", "gauge"),
        ("news_monitor_feeds", "gauge"),
    ):
        assert f"# TYPE {family} {kind}\n" in response.text
    assert 'news_monitor_polls_total{result="304"}' in response.text
    assert 'news_monitor_deliveries_total{channel="ops-hook",result="sent"}' in response.text


def test_unknown_paths_are_404_and_query_strings_are_ignored() -> None:
    async def talk(client: httpx.AsyncClient) -> tuple[int, int]:
        missing = await client.get("/admin")
        with_query = await client.get("/healthz?verbose=1")
        return missing.status_code, with_query.status_code

    assert _serve(lambda: HEALTHY, talk) == (404, 200)


def test_only_get_and_head_are_allowed() -> None:
    response = _serve(lambda: HEALTHY, _get("/healthz", method="POST"))

    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"


def test_head_has_the_headers_and_no_body() -> None:
    response = _serve(lambda: UNHEALTHY, _get("/healthz", method="HEAD"))

    assert response.status_code == 503
    assert int(response.headers["content-length"]) > 0
    assert response.content == b""


def test_a_garbled_request_line_is_400() -> None:
    async def main() -> bytes:
        server = HealthServer("127.0.0.1:0", lambda: HEALTHY)
        await server.start()
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
            writer.write(b"hello there\r\n\r\n")
            answer = await asyncio.wait_for(reader.read(), 5)
            writer.close()
            return answer
        finally:
            await server.stop()

    assert asyncio.run(main()).startswith(b"HTTP/1.1 400 Bad Request\r\n")


def test_stop_releases_the_port() -> None:
    async def main() -> int:
        server = HealthServer("127.0.0.1:0", lambda: HEALTHY)
        await server.start()
        port = server.port
        await server.stop()
        return port

    port = asyncio.run(main())
    with (
        socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe,
        pytest.raises(ConnectionRefusedError),
    ):
        probe.connect(("127.0.0.1", port))


def test_port_before_start_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="not started"):
        _ = HealthServer("127.0.0.1:0", lambda: HEALTHY).port


@pytest.mark.parametrize(
    ("listen", "expected"),
    [
        ("127.0.0.1:9108", ("127.0.0.1", 9108)),
        ("localhost:0", ("localhost", 0)),
        ("[::1]:9108", ("::1", 9108)),
    ],
)
def test_parse_listen(listen: str, expected: tuple[str, int]) -> None:
    assert parse_listen(listen) == expected


@pytest.mark.parametrize("listen", ["9108", ":9108", "127.0.0.1:", "127.0.0.1:http", "h:70000"])
def test_parse_listen_refuses_what_is_not_host_port(listen: str) -> None:
    with pytest.raises(ValueError, match="is not HOST:PORT"):
        parse_listen(listen)


@pytest.mark.parametrize(
    ("scheduler_running", "database_ok", "ok"),
    [(True, True, True), (False, True, False), (True, False, False), (False, False, False)],
)
def test_summarize_is_healthy_only_when_scheduler_and_database_are(
    scheduler_running: bool, database_ok: bool, ok: bool
) -> None:
    report = summarize(
        scheduler_running=scheduler_running,
        database_ok=database_ok,
        feeds=0,
        last_successful_poll=None,
        outbox_backlog=50,
    )
    assert report.ok is ok
    assert report.details["outbox_backlog"] == 50
    assert set(report.details) == {
        "scheduler_running",
        "database_ok",
        "feeds",
        "last_successful_poll",
        "outbox_backlog",
    }
