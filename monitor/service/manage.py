"""The management commands' logic (feeds, alerts, stories, replay, db stats), as plain data.

Every function takes an open `Database` (and the settings where it needs them) and returns
dataclasses; `monitor.manage_cli` parses argv and formats what comes back. A problem the user
must act on (no such feed, nothing to add at a URL) is a `CommandError` saying what to do.

The feed list lives in the database (see monitor/store/feeds.py). Config feeds are synced
into it whenever the config is loaded, so removing one here would be undone at the next
start: `remove_feed` refuses them and says to edit the config, or to pause the feed.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import make_url
from sqlmodel import Session

from monitor.config import Settings
from monitor.deliver.dispatch import Dispatcher
from monitor.detection import Detection
from monitor.errors import FeedError, FetchError, MonitorError
from monitor.models import Alert, utcnow
from monitor.pipeline.feeds import discover_feeds, parse_feed
from monitor.pipeline.fetch import Fetcher
from monitor.pipeline.opml import OpmlFeed, parse_opml, write_opml
from monitor.refresh import fetch_settings
from monitor.store import alerts as alert_store
from monitor.store import articles as article_store
from monitor.store import feeds as feed_store
from monitor.store import outbox
from monitor.store import stats as stats_store
from monitor.store import stories as story_store
from monitor.store.db import Database, head_revision
from monitor.store.tables import AlertRow, ArticleRow, DeliveryRow, FeedRow, StatementRow

PAUSED_BY_USER = "paused with `news-monitor feeds pause`"


class CommandError(MonitorError):
    """A management command cannot do what was asked; the message says why and what to do."""


# ---- feeds -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeedInfo:
    id: int
    url: str
    name: str | None
    source: str  # "config" or "cli"
    state: str  # active, paused or failing
    paused_reason: str | None
    last_success_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    next_poll_at: datetime | None
    polls: int
    not_modified_ratio: float | None  # polls answered 304 / polls; None before any poll


def feed_info(row: FeedRow) -> FeedInfo:
    assert row.id is not None
    if row.paused:
        state = "paused"
    elif row.consecutive_failures:
        state = "failing"
    else:
        state = "active"
    return FeedInfo(
        id=row.id,
        url=row.url,
        name=row.name,
        source=row.source,
        state=state,
        paused_reason=row.paused_reason,
        last_success_at=row.last_success_at,
        last_error=row.last_error,
        last_error_at=row.last_error_at,
        next_poll_at=None if row.paused else row.next_poll_at,
        polls=row.polls,
        not_modified_ratio=row.polls_not_modified / row.polls if row.polls else None,
    )


def list_feeds(db: Database) -> list[FeedInfo]:
    with db.session() as session:
        return [feed_info(row) for row in feed_store.list_feeds(session)]


@dataclass(frozen=True, slots=True)
class FoundFeed:
    """The feed at (or announced by) a URL the user gave."""

    url: str
    title: str | None
    others: list[str] = field(default_factory=list)  # further feeds the page announces


@dataclass(frozen=True, slots=True)
class AddedFeed:
    feed: FeedInfo
    added: bool  # False: the feed was in the list already
    others: list[str]


async def find_feed_at(fetcher: Fetcher, url: str) -> FoundFeed:
    """The feed at `url`, or, when `url` is a web page, the first working feed the page
    announces. Raises CommandError saying why nothing was found."""
    try:
        result = await fetcher.fetch_feed(url)
    except FetchError as exc:
        said = str(exc) if url in str(exc) else f"{url}: {exc}"  # it names the URL mostly
        raise CommandError(f"cannot fetch {said}") from exc
    try:
        parsed = parse_feed(result.body, url, content_type=result.content_type)
        return FoundFeed(url, parsed.title or None)
    except FeedError as exc:
        not_a_feed = str(exc)
    candidates = discover_feeds(result.body, result.final_url)
    if not candidates:
        raise CommandError(f"{not_a_feed}; and the page announces no feed (<link rel=alternate>)")
    problems: list[str] = []
    for candidate in candidates:
        try:
            title = await _feed_title(fetcher, candidate)
        except (FetchError, FeedError) as exc:
            problems.append(str(exc))
            continue
        return FoundFeed(candidate, title, [c for c in candidates if c != candidate])
    raise CommandError(
        f"{url} announces {len(candidates)} feed(s) and none works: " + "; ".join(problems)
    )


async def _feed_title(fetcher: Fetcher, url: str) -> str | None:
    result = await fetcher.fetch_feed(url)
    return parse_feed(result.body, url, content_type=result.content_type).title or None


async def add_feed(
    db: Database,
    settings: Settings,
    url: str,
    name: str | None = None,
    *,
    fetcher: Fetcher | None = None,
) -> AddedFeed:
    """Add the feed at `url` (autodiscovered when `url` is a page) as a feed of source
    "cli". Fetches with the config's fetch settings, so allow_private_networks applies;
    `fetcher` (not yet entered) replaces that, e.g. to inject a resolver."""
    with db.session() as session:
        known = feed_store.find_feed(session, url)
        if known is not None:
            return AddedFeed(feed_info(known), added=False, others=[])
    async with fetcher or Fetcher(fetch_settings(settings)) as client:
        found = await find_feed_at(client, url)
    with db.session() as session:
        row = feed_store.add_feed(session, found.url, name or found.title)
        added = row is not None
        row = row or feed_store.find_feed(session, found.url)
        assert row is not None
        return AddedFeed(feed_info(row), added=added, others=found.others)


def _feed_or_fail(session: Session, ref: str) -> FeedRow:
    row = feed_store.find_feed(session, ref)
    if row is None:
        raise CommandError(f"no feed with id or URL {ref!r} (see `news-monitor feeds list`)")
    return row


def remove_feed(db: Database, ref: str, config_source: str = "the config") -> FeedInfo:
    """Delete a feed added with the CLI. A config feed is refused: the next start (or any
    command) would sync it back, so the user is told to edit the config or pause it."""
    with db.session() as session:
        row = _feed_or_fail(session, ref)
        if row.source == "config":
            raise CommandError(
                f"feed {row.id} ({row.url}) comes from {config_source}: it would come back at "
                "the next start. Remove it from [[feeds]] there, or stop polling it with "
                f"`news-monitor feeds pause {row.id}`"
            )
        info = feed_info(row)
        session.delete(row)
        return info


def set_feed_paused(db: Database, ref: str, paused: bool) -> FeedInfo:
    with db.session() as session:
        row = _feed_or_fail(session, ref)
        feed_store.set_paused(session, row, paused, PAUSED_BY_USER if paused else None)
        return feed_info(row)


@dataclass(frozen=True, slots=True)
class ImportReport:
    added: list[str]
    skipped: list[str]  # in the list already


def import_opml(db: Database, data: bytes) -> ImportReport:
    """Add each feed of an OPML document not in the list yet (source "cli")."""
    try:
        feeds = parse_opml(data)
    except ValueError as exc:
        raise CommandError(f"not an OPML feed list: {exc}") from exc
    added: list[str] = []
    skipped: list[str] = []
    with db.session() as session:
        for feed in feeds:
            row = feed_store.add_feed(session, feed.url, feed.title)
            (added if row is not None else skipped).append(feed.url)
    return ImportReport(added, skipped)


def export_opml(db: Database) -> bytes:
    """Every feed in the list (paused ones too) as an OPML 2.0 document."""
    with db.session() as session:
        feeds = [OpmlFeed(url=r.url, title=r.name) for r in feed_store.list_feeds(session)]
    return write_opml(feeds, "news-monitor feeds")


# ---- alerts ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeliveryInfo:
    channel: str
    status: str  # pending, sent or failed
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None
    sent_at: datetime | None


@dataclass(frozen=True, slots=True)
class AlertInfo:
    id: str
    created_at: datetime
    topic: str
    kind: str
    summary: str
    deliveries: list[DeliveryInfo]


@dataclass(frozen=True, slots=True)
class AlertDetail:
    alert: AlertInfo
    payload: dict[str, Any]


def _delivery_info(row: DeliveryRow) -> DeliveryInfo:
    waiting = row.status == outbox.PENDING
    return DeliveryInfo(
        channel=row.channel,
        status=row.status,
        attempts=row.attempts,
        last_error=row.last_error,
        next_attempt_at=row.next_attempt_at if waiting else None,
        sent_at=row.sent_at,
    )


def _alert_info(row: AlertRow, deliveries: Sequence[DeliveryRow]) -> AlertInfo:
    return AlertInfo(
        id=row.id,
        created_at=row.created_at,
        topic=row.topic,
        kind=row.kind,
        summary=row.summary,
        deliveries=[_delivery_info(d) for d in deliveries],
    )


def list_alerts(
    db: Database, since: timedelta | None = None, topic: str | None = None, limit: int = 200
) -> list[AlertInfo]:
    """The newest alerts first, each with its deliveries."""
    start = utcnow() - since if since is not None else None
    with db.session() as session:
        rows = alert_store.list_alerts(session, since=start, topic=topic, limit=limit)
        deliveries = alert_store.deliveries_of(session, [r.id for r in rows])
        return [_alert_info(r, deliveries[r.id]) for r in rows]


def show_alert(db: Database, ref: str) -> AlertDetail:
    """One alert by id (or an unambiguous start of it): its payload and deliveries."""
    with db.session() as session:
        rows = alert_store.find_alert(session, ref)
        if not rows:
            raise CommandError(f"no alert with id {ref!r} (see `news-monitor alerts list`)")
        if len(rows) > 1:
            ids = ", ".join(r.id for r in rows)
            raise CommandError(f"{ref!r} starts several alert ids ({ids}); give more of it")
        row = rows[0]
        deliveries = alert_store.deliveries_of(session, [row.id])[row.id]
        payload = alert_store.alert_payload(session, row.id) or {}
        return AlertDetail(_alert_info(row, deliveries), payload)


def has_channel(settings: Settings, name: str) -> bool:
    return any(c.name == name for c in settings.channels)


async def test_channel(db: Database, settings: Settings, name: str) -> tuple[bool, str]:
    """Send a test alert straight through one channel: (delivered, why)."""
    return await Dispatcher(db, settings).send_test(name)


# ---- stories ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One statement of a story, as a fact-checker reads it."""

    time: datetime  # the article's publication time, else when it was fetched
    kind: str
    party: str
    speaker: str | None
    quote: str | None
    text: str
    article_title: str
    article_url: str
    outlet: str
    alert_id: str | None


@dataclass(frozen=True, slots=True)
class StoryTimeline:
    id: str
    topic: str
    proposition: str
    created_at: datetime
    updated_at: datetime
    entries: list[TimelineEntry]


def list_stories(db: Database, topic: str | None = None, limit: int = 100) -> list[StoryTimeline]:
    """The most recently active stories, each with its claims and denials in time order."""
    with db.session() as session:
        stories = story_store.list_stories(session, topic=topic, limit=limit)
        timelines = story_store.story_timelines(session, [s.id for s in stories])
        return [
            StoryTimeline(
                id=s.id,
                topic=s.topic,
                proposition=s.proposition,
                created_at=s.created_at,
                updated_at=s.updated_at,
                entries=[_timeline_entry(st, a) for st, a in timelines[s.id]],
            )
            for s in stories
        ]


def _timeline_entry(statement: StatementRow, article: ArticleRow) -> TimelineEntry:
    return TimelineEntry(
        time=article.published_at or article.fetched_at,
        kind=statement.kind,
        party=statement.party,
        speaker=statement.speaker,
        quote=statement.quote,
        text=statement.text,
        article_title=article.title,
        article_url=article.url,
        outlet=article.outlet,
        alert_id=statement.alert_id,
    )


# ---- replay ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReplayFinding:
    """What replay found in one article."""

    article_id: int
    title: str
    url: str
    topics: list[str]  # the replayed topics it matches
    statements: list[tuple[str, str, str]]  # (topic, kind, party)
    alerts: list[Alert]  # raised now (only with alert=True)


@dataclass
class ReplayReport:
    articles: int = 0
    dry_run: bool = False
    findings: list[ReplayFinding] = field(default_factory=list)

    @property
    def matched(self) -> int:
        return sum(1 for f in self.findings if f.topics)

    @property
    def statements(self) -> int:
        return sum(len(f.statements) for f in self.findings)

    @property
    def alerts(self) -> list[Alert]:
        return [a for f in self.findings for a in f.alerts]


Progress = Callable[[int, int], None]


def unknown_topics(settings: Settings, topics: Collection[str]) -> list[str]:
    known = {t.name for t in settings.topics}
    return [t for t in topics if t not in known]


def replay(
    db: Database,
    settings: Settings,
    since: timedelta,
    *,
    topics: Collection[str] | None = None,
    alert: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ReplayReport:
    """Re-match and re-detect the articles fetched in the last `since` against the config's
    topics (or just `topics`): earlier matches and statements of those topics are dropped
    first, then found again. Alerts are raised only with `alert`, and an alert key raised
    once is never raised again. Each article is one transaction; with `dry_run` all of them
    share one that is rolled back, so nothing is written."""
    replayed = set(topics) if topics is not None else {t.name for t in settings.topics}
    work = _Replay(Detection(settings), replayed, alert, progress)
    if not dry_run:
        return work.run(db.session, utcnow() - since, ReplayReport())
    with db.rehearsal() as session:
        return work.run(lambda: nullcontext(session), utcnow() - since, ReplayReport(dry_run=True))


@dataclass(frozen=True, slots=True)
class _Replay:
    detection: Detection
    topics: set[str]
    alert: bool
    progress: Progress | None

    def run(
        self,
        transaction: Callable[[], AbstractContextManager[Session]],
        start: datetime,
        report: ReplayReport,
    ) -> ReplayReport:
        with transaction() as session:
            ids = article_store.replay_candidates(session, start)
        for done, article_id in enumerate(ids, 1):
            with transaction() as session:
                finding = _replay_article(
                    session, self.detection, article_id, self.topics, self.alert
                )
            if finding is not None:
                report.findings.append(finding)
            report.articles += 1
            if self.progress is not None:
                self.progress(done, len(ids))
        return report


def _replay_article(
    session: Session, detection: Detection, article_id: int, topics: set[str], alert: bool
) -> ReplayFinding | None:
    article = article_store.load_article(session, article_id)
    if article is None:
        return None  # deleted since the list was read
    article_store.clear_detections(session, article_id, topics)
    raised = detection.process(session, article, alert=alert, topics=topics)
    alert_store.relink_statements(session, article_id)
    matched = [t for t in article_store.matched_topics(session, article_id) if t in topics]
    statements = [
        (s.topic, s.kind, s.party)
        for s in story_store.statements_of_article(session, article_id)
        if s.topic in topics
    ]
    return ReplayFinding(article_id, article.title, article.url, matched, statements, raised)


# ---- database --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DbStats:
    backend: str
    url: str  # password hidden
    revision: str | None
    head_revision: str | None
    size_bytes: int | None  # SQLite only
    rows: dict[str, int]
    outbox: outbox.DeliveryCounts


def db_stats(db: Database) -> DbStats:
    url = make_url(db.url)
    with db.session() as session:
        revision = stats_store.schema_revision(session)
        rows = stats_store.row_counts(session)
        counts = outbox.delivery_counts(session)
    return DbStats(
        backend=url.get_backend_name(),
        url=url.render_as_string(hide_password=True),
        revision=revision,
        head_revision=head_revision(),
        size_bytes=stats_store.sqlite_size(url.database) if db.is_sqlite else None,
        rows=rows,
        outbox=counts,
    )
