"""Hostile neighbours: every kind of bad feed served beside a healthy one, in one `once`
cycle. Each bad feed gets its error recorded; the healthy feed is processed in the same cycle
and its alert delivered."""

from __future__ import annotations

import asyncio
import gzip
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select

from monitor.config import parse_config
from monitor.service.once import run_once
from monitor.store.db import Database
from monitor.store.tables import ArticleRow, FeedRow
from tests.daemon_support import denial_story, news_site
from tests.localserver import LocalServer, Response

XML = {"Content-Type": "application/rss+xml"}


def _rss(items: str) -> bytes:
    head = '<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>'
    return f"{head}{items}</channel></rss>".encode()


def _drip(stop: threading.Event) -> Iterator[bytes]:
    yield b'<?xml version="1.0"?><rss version="2.0"><channel>'
    while not stop.wait(0.5):
        yield b" "


def _hostile(server: LocalServer, stop: threading.Event) -> dict[str, str]:
    """name -> feed URL; each case from the issue's list."""
    big_page = b"<html><body>" + b"<div>" * 200_000 + b"x" + b"</div>" * 200_000 + b"</body></html>"
    cases: dict[str, Response | None] = {
        "malformed-xml": Response(200, b'<?xml version="1.0"?><rss><channel><item><title>cut', XML),
        "too-large": Response(200, b"<rss>" + b" " * (3 * 1024 * 1024), XML),
        "gzip-bomb": Response(
            200, gzip.compress(b" " * (40 * 1024 * 1024)), {**XML, "Content-Encoding": "gzip"}
        ),
        "redirect-loop": Response(302, b"", {"Location": "/hostile/redirect-loop-b"}),
        "binary-noise": Response(200, bytes(range(256)) * 64, XML),
        "html-page": Response(
            200, b"<html><body>Hello</body></html>", {"Content-Type": "text/html"}
        ),
        "status-500": Response(500, b"oops"),
        "wrong-charset": Response(
            200,
            _rss("<item><title>Café crème</title><guid>w1</guid></item>")
            .replace("é".encode(), b"\xe9")
            .replace("è".encode(), b"\xe8"),
            {"Content-Type": "application/rss+xml; charset=utf-8"},
        ),
        "entries-odd": Response(
            200,
            _rss(
                "<item><title>No link, no guid, no date</title></item>"
                "<item><title>Future</title><guid>f1</guid><pubDate>Thu, 01 Jan 2099 00:00:00 GMT"
                "</pubDate></item>"
                "<item><title>Dup A</title><guid>same</guid></item><item><title>Dup B</title>"
                "<guid>same</guid></item>"
                "<item><title><![CDATA[<script>alert(1)</script><b>Bold</b>]]></title><guid>h</guid>"
                "</item>"
            ),
            XML,
        ),
        "link-targets": Response(
            200,
            _rss(
                f"<item><title>PDF</title><link>{server.url('/t/big.pdf')}</link></item>"
                f"<item><title>Image</title><link>{server.url('/t/img.png')}</link></item>"
                f"<item><title>Nested</title><link>{server.url('/t/nested.html')}</link></item>"
            ),
            XML,
        ),
        "slow-drip": None,
    }
    urls = {}
    for name, response in cases.items():
        path = f"/hostile/{name}"
        if response is None:
            server.route(path, handler=lambda _r: Response(200, _drip(stop), XML))
        else:
            server.route(path, handler=lambda _r, resp=response: resp)
        urls[name] = server.url(path)
    server.route(
        "/hostile/redirect-loop-b", status=302, headers={"Location": "/hostile/redirect-loop"}
    )
    server.route(
        "/t/big.pdf",
        status=200,
        body=b"%PDF-1.4",
        headers={"Content-Type": "application/pdf", "Content-Length": str(2 << 30)},
    )
    server.route(
        "/t/img.png", body=b"\x89PNG\r\n\x1a\n" + b"\0" * 100, headers={"Content-Type": "image/png"}
    )
    server.route("/t/nested.html", body=big_page, headers={"Content-Type": "text/html"})
    return urls


@pytest.mark.timeout(120)
def test_bad_feeds_do_not_stop_a_healthy_one(tmp_path: Path) -> None:
    stop = threading.Event()
    with LocalServer() as server:
        site, hook = news_site(server, denial_story(1, "Brackenfield Motors"))
        hostile = _hostile(server, stop)
        db_url = f"sqlite:///{tmp_path / 'm.db'}"
        settings = parse_config(
            {
                "monitor": {
                    "database_url": db_url,
                    "allow_private_networks": True,
                    "fetch_timeout": "4s",
                    "max_bytes": 2 * 1024 * 1024,
                },
                "feeds": [{"url": u, "name": n} for n, u in hostile.items()]
                + [{"url": site.feed_url, "name": "Test Gazette"}],
                "topics": [{"name": "brackenfield", "query": '"Brackenfield Motors"'}],
                "channels": [{"name": "hook", "type": "webhook", "url": hook.url}],
            },
            env={},
        )
        started = time.monotonic()
        try:
            report = asyncio.run(run_once(settings))
        finally:
            stop.set()
        elapsed = time.monotonic() - started

    assert elapsed < 60
    assert report.delivery.sent == 1
    assert json.loads(hook.accepted[0].body)["topic"] == "brackenfield"
    db = Database(db_url)
    try:
        with db.session() as s:
            feeds = {f.name: f for f in s.exec(select(FeedRow))}
            titles = {a.title for a in s.exec(select(ArticleRow))}
    finally:
        db.close()
    assert feeds["Test Gazette"].last_success_at is not None
    for name in (
        "malformed-xml",
        "too-large",
        "gzip-bomb",
        "redirect-loop",
        "binary-noise",
        "html-page",
        "status-500",
        "slow-drip",
    ):
        assert feeds[name].last_error and feeds[name].consecutive_failures == 1, name
    assert feeds["too-large"].last_error_kind == "too_large"
    assert feeds["gzip-bomb"].last_error_kind == "too_large"
    assert feeds["slow-drip"].last_error_kind == "timeout"
    assert feeds["redirect-loop"].last_error_kind == "redirects"
    # odd but valid entries are stored, as plain text, once each
    assert {"No link, no guid, no date", "Future", "Dup A", "Café crème"} <= titles
    assert "Dup B" not in titles
    assert any("Bold" in t for t in titles) and not any("<" in t for t in titles)
    # link targets that are not articles fall back to the feed's own text
    assert {"PDF", "Image", "Nested"} <= titles
