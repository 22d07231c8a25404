"""The refresh step: poll feeds and turn new entries into stored articles, each handed to
the detection step (monitor/detection.py) in the transaction that stores it.

With detection, this is where the pipeline stages meet the store. Each stage is called
with plain values; every database write runs on the store's single writer thread, and an
article is stored, matched, detected and its alerts recorded in ONE transaction, so a crash
leaves either all of it or none of it.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from loguru import logger

from monitor import metrics
from monitor.config import Settings
from monitor.detection import Detection
from monitor.errors import FeedError, FetchError, StoreError
from monitor.logs import redact_url
from monitor.models import Alert, Article, Entry, TextSource, utcnow
from monitor.pipeline.extract import Extractor, PageText
from monitor.pipeline.feeds import parse_feed
from monitor.pipeline.fetch import Fetcher, FetchSettings, failure_delay
from monitor.pipeline.urls import canonical_url, page_canonical
from monitor.store import articles as article_store
from monitor.store import feeds as feed_store
from monitor.store.db import Database

PAGE_CONCURRENCY = 32  # article pages fetched (and queued for extraction) at once
PAGES_PER_FEED = 4  # of those, one feed's: a feed of 5,000 new items must not starve others
ENTRY_BATCH = 32  # a big feed's entries are fetched and stored this many at a time


def fetch_settings(settings: Settings) -> FetchSettings:
    m = settings.monitor
    return FetchSettings(
        user_agent=m.user_agent,
        allow_private_networks=m.allow_private_networks,
        max_bytes=m.max_bytes,
        total_timeout=m.fetch_timeout.total_seconds(),
        max_connections=m.max_connections,
        max_per_host=m.max_per_host,
    )


def configured_feeds(settings: Settings) -> list[feed_store.ConfiguredFeed]:
    return [
        feed_store.ConfiguredFeed(url=f.url, name=f.name, interval=f.interval, enabled=f.enabled)
        for f in settings.feeds
    ]


@dataclass(frozen=True, slots=True)
class _Page:
    """What fetching an article's page gave: its text, where it led, its declared address."""

    text: PageText | None = None
    final_url: str | None = None
    canonical: str | None = None


@dataclass
class CycleReport:
    """What one round of polling did, for `once` and the log."""

    feeds: int = 0
    not_modified: int = 0
    failed: int = 0
    new_articles: int = 0
    alerts: list[Alert] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"feeds: {self.feeds} polled, {self.not_modified} unchanged, {self.failed} failed; "
            f"articles: {self.new_articles} new; alerts: {len(self.alerts)} raised"
        )


class Refresher:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        fetcher: Fetcher,
        extractor: Extractor,
        *,
        rng: random.Random | None = None,
        defer_detection: bool = False,
    ) -> None:
        self.db = db
        # `once` stores a whole cycle first and detects afterwards in publication order, so
        # its alerts do not depend on which feed's pages arrived first
        self.defer_detection = defer_detection
        self.fetcher = fetcher
        self.extractor = extractor
        self.rng = rng or random.Random()
        self.settings = settings
        self.detection = Detection(settings)
        # feeds in flight at once: as many as connections, since a feed mostly waits on the
        # network (a slow one holds its slot until fetch_timeout); per-host caps are the fetcher's
        self._feed_slots = asyncio.Semaphore(settings.monitor.max_connections)
        self._page_slots = asyncio.Semaphore(PAGE_CONCURRENCY)
        self._in_flight: set[str] = set()  # canonical entry URLs being fetched and stored

    def reconfigure(self, settings: Settings) -> None:
        """Take a new config: the next article sees the new topics; work in flight is kept."""
        self.detection.reconfigure(settings)
        self.settings = settings

    # ---- polling -------------------------------------------------------------------------

    async def poll(self, feeds: Sequence[feed_store.FeedState]) -> CycleReport:
        report = CycleReport()
        await asyncio.gather(*(self._poll_bounded(feed, report) for feed in feeds))
        return report

    async def _poll_bounded(self, feed: feed_store.FeedState, report: CycleReport) -> None:
        async with self._feed_slots:
            try:
                await self.poll_feed(feed, report)
            except (asyncio.CancelledError, StoreError):
                raise
            except Exception as exc:  # a bug in one feed's path must not stop the others
                logger.exception("feed {}: unexpected error: {}", redact_url(feed.url), exc)
                await self._record_failure(feed, "internal", f"internal error: {exc}", None)
                report.failed += 1

    async def poll_feed(self, feed: feed_store.FeedState, report: CycleReport) -> None:
        report.feeds += 1
        try:
            result = await self.fetcher.fetch_feed(
                feed.url, etag=feed.etag, last_modified=feed.last_modified
            )
        except FetchError as exc:
            await self._record_failure(feed, exc.kind, str(exc), exc.retry_after)
            report.failed += 1
            return
        if result.status == 304:
            metrics.POLLS.labels(result="304").inc()
            report.not_modified += 1
            await self._record_success(feed, 304, None, None, None)
            return
        try:
            parsed = parse_feed(result.body, feed.url, content_type=result.content_type)
        except FeedError as exc:
            await self._record_failure(feed, "parse", str(exc), None)
            report.failed += 1
            return
        if parsed.warning:
            logger.warning("feed {}: malformed but usable: {}", feed.name, parsed.warning)
        metrics.POLLS.labels(result=str(result.status)).inc()
        await self._take_entries(feed, parsed.entries, report)
        await self._record_success(
            feed, result.status, result.etag, result.last_modified, parsed.warning
        )

    async def _take_entries(
        self, feed: feed_store.FeedState, entries: Sequence[Entry], report: CycleReport
    ) -> None:
        fresh = await self.db.run(self._fresh_entries, feed, entries)
        # another feed of this cycle may be fetching the same article right now: leave it
        # to that one, so a page carried by several feeds is fetched once
        claimed = {e.link: _canonical_or_none(e.link, feed.url) for e in fresh}
        fresh = [e for e in fresh if claimed[e.link] not in self._in_flight]
        urls = {url for e in fresh if (url := claimed[e.link])}
        self._in_flight.update(urls)
        # oldest first, so a story's claim is recorded before the denial that answers it;
        # in batches, so a huge feed's articles are stored as they come, not all at the end
        fresh.sort(key=_entry_age)
        feed_slots = asyncio.Semaphore(PAGES_PER_FEED)
        try:
            for start in range(0, len(fresh), ENTRY_BATCH):
                batch = fresh[start : start + ENTRY_BATCH]
                built = await asyncio.gather(
                    *(self._build_bounded(feed_slots, feed.name, entry) for entry in batch)
                )
                for article, entry_url in sorted(built, key=_published_key):
                    alerts = await self.db.run(self._store_article, feed.id, article, entry_url)
                    if alerts is not None:
                        report.new_articles += 1
                        report.alerts.extend(alerts)
        finally:
            self._in_flight.difference_update(urls)

    def _fresh_entries(self, feed: feed_store.FeedState, entries: Sequence[Entry]) -> list[Entry]:
        urls = {e: _canonical_or_none(e.link, feed.url) for e in entries}
        guids = [e.guid for e in entries if e.guid]
        with self.db.session() as session:
            known_urls, known_guids = article_store.known_entries(
                session, feed.id, [u for u in urls.values() if u], guids
            )
        fresh: list[Entry] = []
        seen: set[str] = set()
        for entry in entries:
            url = urls[entry]
            key = url or entry.guid or entry.identity
            if key in seen or (url and url in known_urls) or (entry.guid in known_guids):
                continue
            seen.add(key)
            fresh.append(entry)
        return fresh

    async def _build_bounded(
        self, feed_slots: asyncio.Semaphore, outlet: str, entry: Entry
    ) -> tuple[Article, str | None]:
        async with feed_slots, self._page_slots:
            return await self.build_article(outlet, entry)

    async def build_article(self, outlet: str, entry: Entry) -> tuple[Article, str | None]:
        """The entry's page fetched and extracted, or the feed's own text when that fails."""
        entry_url = _canonical_or_none(entry.link, entry.feed_url)
        page = await self._page_text(entry_url) if entry_url else _Page()
        url = _article_url(entry, entry_url, page)
        feed_text = entry.content or entry.summary
        text = page.text.text if page.text else ""
        from_page = bool(text) and len(text) >= min(200, len(feed_text))
        source: TextSource = "page" if from_page else "feed"
        metrics.ARTICLES.labels(source=source).inc()
        extracted = page.text
        article = Article(
            url=url,
            feed_url=entry.feed_url,
            title=entry.title or (extracted.title if extracted else "") or "",
            text=text if from_page else feed_text,
            text_source=source,
            guid=entry.guid,
            author=entry.author or (extracted.author if extracted else None),
            published_at=entry.published_at or (extracted.published_at if extracted else None),
            language=extracted.language if extracted else None,
            outlet=outlet,
        )
        return article, entry_url

    async def _page_text(self, url: str) -> _Page:
        try:
            result = await self.fetcher.fetch_page(url)
        except FetchError as exc:
            logger.info(
                "article {}: page not fetched ({}); using the feed's text", redact_url(url), exc
            )
            return _Page()
        declared = page_canonical(_head(result.body), result.final_url)
        started = time.perf_counter()
        text = await self.extractor.extract(result.body, result.final_url)
        metrics.EXTRACTION_SECONDS.observe(time.perf_counter() - started)
        if text is None or not text.text.strip():
            logger.info(
                "article {}: no main text in the page; using the feed's text", redact_url(url)
            )
            text = None
        return _Page(text, result.final_url, declared)

    # ---- storing and detecting -----------------------------------------------------------

    def _store_article(
        self, feed_id: int | None, article: Article, entry_url: str | None
    ) -> list[Alert] | None:
        """Store the article and everything detected in it, in one transaction.
        None when the article was stored already (another feed carried it)."""
        with self.db.session() as session:
            article_id = article_store.save_article(session, article, feed_id, entry_url)
            if article_id is None:
                return None
            if self.defer_detection:
                return []  # detected by process_leftovers, in publication order
            alerts = self.detection.process(session, replace(article, id=article_id))
            article_store.mark_processed(session, article_id)
        return alerts

    async def process_leftovers(self) -> list[Alert]:
        """Articles stored but not detected yet, oldest publication first: a deferred
        cycle's, or those a crash left between storing and detecting."""
        alerts: list[Alert] = []
        while pending := await self.db.transact(article_store.unprocessed):
            for article in pending:
                alerts += await self.db.run(self._detect_stored, article)
        return alerts

    def _detect_stored(self, article: Article) -> list[Alert]:
        assert article.id is not None
        with self.db.session() as session:
            alerts = self.detection.process(session, article)
            article_store.mark_processed(session, article.id)
        return alerts

    # ---- feed bookkeeping ----------------------------------------------------------------

    def _interval(self, feed: feed_store.FeedState) -> timedelta:
        return feed.interval or self.settings.monitor.poll_interval

    async def _record_success(
        self,
        feed: feed_store.FeedState,
        status: int,
        etag: str | None,
        last_modified: str | None,
        warning: str | None,
    ) -> None:
        now = utcnow()
        metrics.LAST_SUCCESSFUL_POLL.set(now.timestamp())
        next_at = now + self._interval(feed)

        await self.db.transact(
            feed_store.record_success,
            feed.id,
            now=now,
            status=status,
            etag=etag,
            last_modified=last_modified,
            next_poll_at=next_at,
            warning=warning,
        )

    async def _record_failure(
        self, feed: feed_store.FeedState, kind: str, message: str, retry_after: float | None
    ) -> None:
        metrics.POLLS.labels(result=kind).inc()
        now = utcnow()
        interval = self._interval(feed).total_seconds()
        delay = failure_delay(feed.failures + 1, interval, retry_after, rng=self.rng)
        logger.warning(
            "feed {}: {} ({}); failure {} in a row, next try in {:.0f}s",
            feed.name,
            message,
            kind,
            feed.failures + 1,
            delay,
        )
        pause_after = self.settings.monitor.pause_after

        paused = await self.db.transact(
            feed_store.record_failure,
            feed.id,
            now=now,
            kind=kind,
            message=message,
            next_poll_at=now + timedelta(seconds=delay),
            pause_after=pause_after,
        )
        if paused:
            logger.error(
                "feed {}: paused after failing since {}; `news-monitor feeds resume` "
                "brings it back",
                feed.name,
                feed.first_failure_at or now,
            )


def _canonical_or_none(link: str | None, base: str) -> str | None:
    if not link:
        return None
    try:
        url = canonical_url(link, base)
    except ValueError:
        return None
    return url if url.startswith(("http://", "https://")) else None


def _article_url(entry: Entry, entry_url: str | None, page: _Page) -> str:
    """The page's canonical link, else where the link led, else the link, else a stable
    name made from the feed and the entry's identity (entries without a link still count).
    A canonical link to a site's front page is a template bug, not the article's address."""
    declared = page.canonical
    if declared and urlsplit(declared).path in ("", "/"):
        declared = None
    for candidate in (declared, page.final_url, entry_url):
        url = _canonical_or_none(candidate, entry.feed_url)
        if url:
            return url
    return f"{entry.feed_url}#entry-{entry.identity[:16]}"


def _head(body: bytes) -> bytes:
    """The part of a page where its canonical link lives, so that finding it never parses
    a whole (possibly huge) document."""
    end = body.find(b"</head>", 0, 262144)
    return body[: end + 7] if end >= 0 else body[:65536]


def _oldest_first(published: datetime | None) -> tuple[int, float]:
    """Sort key: by publication time, undated last."""
    return (0, published.timestamp()) if published else (1, 0.0)


def _entry_age(entry: Entry) -> tuple[int, float]:
    return _oldest_first(entry.published_at)


def _published_key(item: tuple[Article, str | None]) -> tuple[int, float]:
    return _oldest_first(item[0].published_at)
