"""One full `once` cycle over N feeds x M items served on loopback, then a second cycle with
nothing new (the steady state: every feed answers 304).

Prints articles/s, the share of the first cycle's wall time that trafilatura and feedparser
need by themselves (measured separately, in this process, on the same bytes: the floor no
pipeline can beat), and peak memory. Pages are the real-shaped fixtures in
tests/fixtures/pages, each served under many URLs with its own title.

    .venv/bin/python benchmarks/pipeline.py --feeds 20 --items 25
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import re
import resource
import sys
import tempfile
import time
from email.utils import formatdate
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from monitor.config import parse_config  # noqa: E402
from monitor.logs import setup_logging  # noqa: E402
from monitor.pipeline.extract import extract_page  # noqa: E402
from monitor.pipeline.feeds import parse_feed  # noqa: E402
from monitor.service.once import run_once  # noqa: E402
from tests.localserver import LocalServer, Request, Response  # noqa: E402

PAGES = sorted((REPO / "tests" / "fixtures" / "pages").glob("*.html"))


class Farm:
    def __init__(self, server: LocalServer, feeds: int, items: int) -> None:
        self.server, self.feeds, self.items = server, feeds, items
        self.templates = [p.read_bytes() for p in PAGES]
        self.last_modified = formatdate(usegmt=True)

    def page(self, i: int, j: int) -> bytes:
        title = f"Harbour authority denies report on pier closure ({i}-{j})".encode()
        body = self.templates[(i * 31 + j) % len(self.templates)]
        start, end = body.find(b"<title>"), body.find(b"</title>")
        if start >= 0:
            body = body[: start + 7] + title + body[end:]
        # the fixtures declare their own canonical addresses: make each copy its own article
        return re.sub(rb'<link rel="canonical"[^>]*>', b"", body)

    def feed(self, i: int) -> bytes:
        items = "".join(
            f"<item><title>Harbour authority denies report on pier closure ({i}-{j})</title>"
            f"<link>{self.server.url(f'/f/{i}/a/{j}.html')}?utm_source=rss</link>"
            f"<guid>f{i}-a{j}</guid><pubDate>{self.last_modified}</pubDate>"
            f"<description>Summary of item {j}.</description></item>"
            for j in range(self.items)
        )
        return (
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {i}</title>'
            f"{items}</channel></rss>"
        ).encode()

    def install(self) -> None:
        for i in range(self.feeds):
            body = self.feed(i)
            etag = '"' + hashlib.sha1(body).hexdigest() + '"'
            self.server.route(f"/f/{i}/feed.xml", handler=self._feed_handler(body, etag))
            for j in range(self.items):
                self.server.route(
                    f"/f/{i}/a/{j}.html",
                    body=self.page(i, j),
                    headers={"Content-Type": "text/html; charset=utf-8"},
                )

    def _feed_handler(self, body: bytes, etag: str):  # type: ignore[no-untyped-def]
        def handle(req: Request) -> Response:
            if req.headers.get("if-none-match") == etag:
                return Response(304, b"", {"ETag": etag})
            return Response(
                200,
                body,
                {
                    "Content-Type": "application/rss+xml",
                    "ETag": etag,
                    "Last-Modified": self.last_modified,
                },
            )

        return handle


def floor_seconds(farm: Farm) -> tuple[float, float]:
    """Time trafilatura and feedparser need alone for the same inputs, in this process."""
    started = time.perf_counter()
    for i in range(farm.feeds):
        parse_feed(farm.feed(i), f"http://bench/{i}")
    feedparser_s = time.perf_counter() - started
    started = time.perf_counter()
    for i in range(farm.feeds):
        for j in range(farm.items):
            extract_page(farm.page(i, j), f"http://bench/{i}/{j}")
    return feedparser_s, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=20)
    parser.add_argument("--items", type=int, default=25)
    args = parser.parse_args()
    setup_logging("WARNING")
    workers = os.cpu_count() or 1
    with LocalServer() as server, tempfile.TemporaryDirectory() as tmp:
        farm = Farm(server, args.feeds, args.items)
        farm.install()
        settings = parse_config(
            {
                "monitor": {
                    "database_url": f"sqlite:///{tmp}/bench.db",
                    "allow_private_networks": True,
                    "poll_interval": "1h",
                },
                "feeds": [{"url": server.url(f"/f/{i}/feed.xml")} for i in range(args.feeds)],
                "topics": [{"name": "harbour", "query": "harbour AND pier"}],
                "channels": [{"name": "log", "type": "log", "level": "INFO"}],
            },
            env={},
        )
        started = time.perf_counter()
        first = asyncio.run(run_once(settings))
        wall1 = time.perf_counter() - started
        started = time.perf_counter()
        second = asyncio.run(run_once(settings))
        wall2 = time.perf_counter() - started
        feedparser_s, trafilatura_s = floor_seconds(farm)
    n = first.cycle.new_articles
    floor = feedparser_s + trafilatura_s / workers
    peak_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peak_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"feeds={args.feeds} items={args.items} workers={workers}")
    print(f"cycle 1: {wall1:.2f}s wall, {n} articles, {n / wall1:.1f} articles/s")
    print(
        f"  trafilatura alone: {trafilatura_s:.2f}s on one core ({trafilatura_s / workers:.2f}s "
        f"over {workers} workers); feedparser alone: {feedparser_s:.2f}s"
    )
    print(
        f"  floor share of wall time: {floor / wall1:.0%} "
        f"(trafilatura {trafilatura_s / workers / wall1:.0%}, "
        f"feedparser {feedparser_s / wall1:.0%})"
    )
    print(
        f"cycle 2 (nothing new): {wall2:.2f}s wall, {second.cycle.not_modified} of "
        f"{second.cycle.feeds} feeds answered 304, {second.cycle.new_articles} articles"
    )
    print(f"ratio cycle2/cycle1 wall: {wall2 / wall1:.2f}")
    print(f"peak RSS: {peak_self:.0f} MB (this process), {peak_children:.0f} MB (largest worker)")


if __name__ == "__main__":
    main()
