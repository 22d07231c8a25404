"""The apprise channel through the real apprise library, to a local JSON endpoint
(apprise's `json://` service posts each notification to an HTTP server: ours, on loopback)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest

from monitor.deliver.dispatch import Dispatcher
from monitor.store.db import Database
from tests.deliver_support import T0, add_alert, deliveries, make_alert, make_settings
from tests.localserver import LocalServer, Request, Response

pytest.importorskip("apprise", reason="apprise is an optional extra: pip install '.[apprise]'")


@pytest.fixture
def receiver() -> Iterator[tuple[LocalServer, list[Request]]]:
    received: list[Request] = []

    def take(req: Request) -> Response:
        received.append(req)
        return Response(200, b"ok")

    with LocalServer() as server:
        server.route("/notify", handler=take)
        yield server, received


def test_an_alert_reaches_an_apprise_service(
    database: Database, receiver: tuple[LocalServer, list[Request]]
) -> None:
    server, received = receiver
    url = f"json://{server.host}:{server.port}/notify"
    settings = make_settings({"name": "phones", "type": "apprise", "urls": [url]})
    alert = make_alert(1)
    add_alert(database, alert, ["phones"])
    report = asyncio.run(Dispatcher(database, settings).run_once(now=T0))
    assert report.sent == 1
    (request,) = received
    body = json.loads(request.body)
    assert body["title"].startswith("[news-monitor] denial: putin-trump:")
    assert alert.article_url in body["message"] and "Dmitry Peskov" in body["message"]
    assert [d.status for d in deliveries(database)] == ["sent"]


def test_a_refusing_apprise_service_is_retried(
    database: Database, receiver: tuple[LocalServer, list[Request]]
) -> None:
    server, _ = receiver
    server.route("/notify", status=500, body=b"down")
    settings = make_settings(
        {
            "name": "phones",
            "type": "apprise",
            "urls": [f"json://{server.host}:{server.port}/notify"],
        }
    )
    add_alert(database, make_alert(1), ["phones"])
    report = asyncio.run(Dispatcher(database, settings).run_once(now=T0))
    assert report.sent == 0 and report.waiting == 1
    (row,) = deliveries(database)
    assert row.status == "pending" and row.attempts == 1 and row.last_error
