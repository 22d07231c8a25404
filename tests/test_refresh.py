"""The refresh step end to end, in process: feeds and pages on a local server, `once` cycles,
the store checked afterwards."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlmodel import select

from monitor.config import Settings, parse_config
from monitor.service.once import OnceReport, run_once
from monitor.store.db import Database
from monitor.store.tables import ArticleRow, FeedRow
from tests.localserver import LocalServer, Request, Response

pytestmark = pytest.mark.timeout(90)

PAGE = """<html><head><title>{title}</title></head><body><nav>Home | World | Sport</nav>
<article><h1>{title}</h1><p>{first}</p><p>The second paragraph adds detail about the
decision and what it means for the people who live nearby.</p><p>A third paragraph closes
the report with the reaction of local officials and campaigners.</p></article>
<aside>Most read: Celebrity chef opens third restaurant</aside></body></html>"""


def rss(server: LocalServer, items: list[tuple[str, str]], title: str = "Feed") -> bytes:
    body = "".join(
        f"<item><title>{t}</title><link>{server.url(path)}</link><guid>{path}</guid>"
        f"<description>Summary of {t}.</description></item>"
        for t, path in items
    )
    head = f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
    return f"{head}{body}</channel></rss>".encode()


def page(server: LocalServer, path: str, title: str) -> None:
    first = f"{title} was announced on Monday by the regional council after a long review."
    server.route(
        path.split("?")[0],
        body=PAGE.format(title=title, first=first).encode(),
        headers={"Content-Type": "text/html; charset=utf-8"},
    )


def settings_for(tmp_path: Path, feeds: list[str]) -> Settings:
    return parse_config(
        {
            "monitor": {
                "database_url": f"sqlite:///{tmp_path / 'm.db'}",
                "allow_private_networks": True,
                "fetch_timeout": "5s",
            },
            "feeds": [{"url": u} for u in feeds],
            "topics": [{"name": "bridge", "query": "bridge"}],
            "channels": [{"name": "log", "type": "log"}],
        },
        env={},
    )


def once(settings: Settings) -> OnceReport:
    return asyncio.run(run_once(settings))


def rows(settings: Settings, table: type) -> list:
    db = Database(settings.monitor.database_url or "")
    try:
        with db.session() as s:
            return list(s.exec(select(table)))
    finally:
        db.close()


def etag_feed(body: bytes, etag: str = '"v1"'):  # type: ignore[no-untyped-def]
    def handle(req: Request) -> Response:
        if req.headers.get("if-none-match") == etag:
            return Response(304, b"", {"ETag": etag})
        return Response(200, body, {"Content-Type": "application/rss+xml", "ETag": etag})

    return handle


def test_second_poll_of_an_unchanged_feed_is_a_304_and_fetches_no_page(tmp_path: Path) -> None:
    with LocalServer() as server:
        page(server, "/a/1.html", "New bridge opens")
        feed = server.route(
            "/feed.xml", handler=etag_feed(rss(server, [("New bridge opens", "/a/1.html")]))
        )
        settings = settings_for(tmp_path, [feed])
        first = once(settings)
        assert first.cycle.new_articles == 1 and len(first.cycle.alerts) <= 1
        second = once(settings)
        assert second.cycle.not_modified == 1 and second.cycle.new_articles == 0
        assert len(server.hits("/a/1.html")) == 1
        assert server.hits("/feed.xml")[-1].headers["if-none-match"] == '"v1"'
    (article,) = rows(settings, ArticleRow)
    assert article.text_source == "page"
    assert article.text.startswith("New bridge opens was announced on Monday")
    assert "Most read" not in article.text and "Home | World" not in article.text


def test_one_story_through_two_feeds_with_tracking_parameters_is_stored_once(
    tmp_path: Path,
) -> None:
    with LocalServer() as server:
        page(server, "/a/1.html", "Bridge tolls scrapped")
        a = server.route(
            "/a.xml",
            body=rss(
                server, [("Bridge tolls scrapped", "/a/1.html?utm_source=rss&amp;utm_medium=feed")]
            ),
        )
        b = server.route(
            "/b.xml", body=rss(server, [("Bridge tolls scrapped", "/a/1.html?fbclid=xyz#top")])
        )
        settings = settings_for(tmp_path, [a, b])
        report = once(settings)
        assert report.cycle.new_articles == 1
        assert len(server.hits("/a/1.html")) == 1
    (article,) = rows(settings, ArticleRow)
    assert article.url == server.url("/a/1.html")


def test_a_malformed_feed_that_yields_entries_is_used_beside_healthy_ones(tmp_path: Path) -> None:
    with LocalServer() as server:
        page(server, "/a/1.html", "Bridge inspection ordered")
        page(server, "/b/1.html", "Bridge repairs begin")
        healthy = server.route("/ok.xml", body=rss(server, [("Bridge repairs begin", "/b/1.html")]))
        broken = rss(server, [("Bridge inspection ordered", "/a/1.html")]).replace(
            b"</channel></rss>", b"<item><title>cut"
        )
        bad = server.route("/bad.xml", body=broken)
        settings = settings_for(tmp_path, [bad, healthy])
        report = once(settings)
    assert report.cycle.new_articles == 2 and report.cycle.failed == 0
    feeds = {f.url: f for f in rows(settings, FeedRow)}
    assert feeds[bad].last_error_kind == "warning" and feeds[bad].last_success_at is not None
    assert feeds[healthy].last_error is None


def test_when_the_page_cannot_be_fetched_the_feed_text_is_used(tmp_path: Path) -> None:
    with LocalServer() as server:
        feed = server.route(
            "/feed.xml", body=rss(server, [("Bridge closed for storm", "/gone.html")])
        )
        settings = settings_for(tmp_path, [feed])
        once(settings)
    (article,) = rows(settings, ArticleRow)
    assert article.text_source == "feed"
    assert article.text == "Summary of Bridge closed for storm."


def test_redirects_are_followed_and_the_final_address_kept(tmp_path: Path) -> None:
    with LocalServer() as server:
        page(server, "/final/1.html", "Bridge vote passes")
        server.route("/go/1", status=301, headers={"Location": "/final/1.html"})
        feed = server.route("/feed.xml", body=rss(server, [("Bridge vote passes", "/go/1")]))
        settings = settings_for(tmp_path, [feed])
        once(settings)
    (article,) = rows(settings, ArticleRow)
    assert article.url == server.url("/final/1.html")
    assert article.entry_url == server.url("/go/1")


def test_a_failing_feed_backs_off(tmp_path: Path) -> None:
    with LocalServer() as server:
        feed = server.route("/feed.xml", status=503, headers={"Retry-After": "600"})
        settings = settings_for(tmp_path, [feed])
        report = once(settings)
    assert report.cycle.failed == 1
    (row,) = rows(settings, FeedRow)
    assert row.last_error_kind == "http_503" and row.consecutive_failures == 1
    assert row.next_poll_at is not None and row.last_polled_at is not None
    waited = (row.next_poll_at - row.last_polled_at).total_seconds()
    assert waited >= 600  # Retry-After honoured (and never under the interval)


def test_a_huge_feed_does_not_starve_a_small_one(tmp_path: Path) -> None:
    import time as _time

    def slow_page(req: Request) -> Response:
        _time.sleep(0.02)
        title = req.path.rsplit("/", 1)[-1]
        first = f"Bridge notice {title} was posted by the council this morning."
        return Response(
            200, PAGE.format(title=title, first=first).encode(), {"Content-Type": "text/html"}
        )

    with LocalServer() as server:
        items = []
        for n in range(120):
            server.route(f"/big/{n}.html", handler=slow_page)
            items.append((f"Bridge notice {n}", f"/big/{n}.html"))
        big = server.route("/big.xml", body=rss(server, items))
        page(server, "/small/1.html", "Bridge reopens")
        small = server.route("/small.xml", body=rss(server, [("Bridge reopens", "/small/1.html")]))
        settings = settings_for(tmp_path, [big, small])
        once(settings)
    articles = rows(settings, ArticleRow)
    assert len(articles) == 121
    big_times = sorted(a.fetched_at for a in articles if "/big/" in a.url)
    (small_time,) = [a.fetched_at for a in articles if "/small/" in a.url]
    assert small_time < big_times[len(big_times) // 4]  # not queued behind the big feed


def test_a_stored_match_says_which_terms_matched_where(tmp_path: Path) -> None:
    import json

    from monitor.store.tables import MatchRow

    with LocalServer() as server:
        page(server, "/a/1.html", "New bridge opens")
        feed = server.route("/feed.xml", body=rss(server, [("New bridge opens", "/a/1.html")]))
        settings = settings_for(tmp_path, [feed])
        once(settings)
    (match,) = rows(settings, MatchRow)
    (article,) = rows(settings, ArticleRow)
    hits = json.loads(match.terms)
    assert match.topic == "bridge" and hits
    for hit in hits:
        field = article.title if hit["field"] == "title" else article.text
        assert field[hit["start"] : hit["end"]].lower() == "bridge"
        assert "bridge" in hit["sentence"].lower()


def test_once_detects_a_cycles_articles_in_publication_order(tmp_path: Path) -> None:
    """The claim (published first, on a slow site) is detected before the denial (published
    later, on a fast one), whichever page arrived first: `once` is deterministic."""
    import time as _time

    from monitor.store.tables import StatementRow

    claim_title = "Bridge to close for two years, sources say"
    denial_title = "Council denies report that the bridge will close"

    def slow_claim(req: Request) -> Response:
        _time.sleep(0.5)
        first = f"{claim_title} after inspectors found cracks in the main span."
        body = PAGE.format(title=claim_title, first=first).encode()
        return Response(200, body, {"Content-Type": "text/html"})

    def feed(server: LocalServer, title: str, path: str, when: str) -> bytes:
        item = (
            f"<item><title>{title}</title><link>{server.url(path)}</link><guid>{path}</guid>"
            f"<pubDate>{when}</pubDate><description>{title}.</description></item>"
        )
        return (
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>{item}'.encode()
            + (b"</channel></rss>")
        )

    with LocalServer() as server:
        server.route("/slow/claim.html", handler=slow_claim)
        page(server, "/fast/denial.html", denial_title)
        slow = server.route(
            "/slow.xml",
            body=feed(server, claim_title, "/slow/claim.html", "Mon, 02 Mar 2026 09:00:00 GMT"),
        )
        fast = server.route(
            "/fast.xml",
            body=feed(server, denial_title, "/fast/denial.html", "Mon, 02 Mar 2026 10:00:00 GMT"),
        )
        settings = settings_for(tmp_path, [fast, slow])
        once(settings)
    statements = sorted(rows(settings, StatementRow), key=lambda s: s.id)
    assert [s.kind for s in statements] == ["claim", "denial"]
    articles = {a.id: a.url for a in rows(settings, ArticleRow)}
    assert "/fast/" in articles[min(articles)]  # the denial's page was stored first
