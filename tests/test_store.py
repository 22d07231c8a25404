"""The store against SQLite and PostgreSQL: schema, feeds, articles, alerts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel, select

from monitor.models import Alert, Article, Statement, alert_id
from monitor.store import articles as article_store
from monitor.store import feeds as feed_store
from monitor.store.alerts import record_alert
from monitor.store.db import Database, current_revision, default_database_url, head_revision
from monitor.store.tables import DeliveryRow, FeedRow

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def test_migrations_match_the_tables(database: Database) -> None:
    assert current_revision(database.engine) == head_revision()
    with database.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diffs == []


def test_migrate_is_idempotent(database: Database) -> None:
    database.migrate()
    assert current_revision(database.engine) == head_revision()


def test_default_database_prefers_systemd_state_directory() -> None:
    url = default_database_url({"STATE_DIRECTORY": "/var/lib/news-monitor:/other"})
    assert url == "sqlite:////var/lib/news-monitor/monitor.db"
    url = default_database_url({"HOME": "/home/u"})
    assert url == "sqlite:////home/u/.local/state/news-monitor/monitor.db"


def _configured(*urls: str) -> list[feed_store.ConfiguredFeed]:
    return [feed_store.ConfiguredFeed(url=u, name=None, interval=None, enabled=True) for u in urls]


def test_sync_adds_updates_and_removes_config_feeds(database: Database) -> None:
    with database.session() as s:
        feed_store.sync_feeds(s, _configured("http://a/rss", "http://b/rss"))
        feed_store.add_feed(s, "http://cli/rss")
    with database.session() as s:
        feed_store.sync_feeds(s, _configured("http://b/rss"))
    with database.session() as s:
        urls = sorted(r.url for r in feed_store.list_feeds(s))
    assert urls == ["http://b/rss", "http://cli/rss"]  # the CLI's feed is not the config's to drop


def test_due_feeds_and_success_schedule(database: Database) -> None:
    with database.session() as s:
        feed_store.sync_feeds(s, _configured("http://a/rss", "http://b/rss"))
    with database.session() as s:
        due = feed_store.due_feeds(s, NOW)
        assert len(due) == 2
        feed_store.record_success(
            s,
            due[0].id,
            now=NOW,
            status=200,
            etag='"v1"',
            last_modified=None,
            next_poll_at=NOW + timedelta(minutes=5),
        )
    with database.session() as s:
        due = feed_store.due_feeds(s, NOW + timedelta(minutes=1))
        assert [f.url for f in due] == ["http://b/rss"]
        later = feed_store.due_feeds(s, NOW + timedelta(minutes=6))
        assert {f.etag for f in later} == {'"v1"', None}


def test_a_feed_failing_long_enough_is_paused(database: Database) -> None:
    with database.session() as s:
        feed_store.sync_feeds(s, _configured("http://a/rss"))
    with database.session() as s:
        feed = feed_store.due_feeds(s, NOW)[0]
        paused = feed_store.record_failure(
            s,
            feed.id,
            now=NOW,
            kind="timeout",
            message="slow",
            next_poll_at=NOW,
            pause_after=timedelta(days=3),
        )
        assert not paused
        paused = feed_store.record_failure(
            s,
            feed.id,
            now=NOW + timedelta(days=3),
            kind="timeout",
            message="slow",
            next_poll_at=NOW,
            pause_after=timedelta(days=3),
        )
        assert paused
    with database.session() as s:
        row = s.exec(select(FeedRow)).one()
        assert row.paused and row.consecutive_failures == 2 and row.last_error_kind == "timeout"
        assert row.first_failure_at == NOW  # timezone-aware on both backends
        assert feed_store.due_feeds(s, NOW + timedelta(days=4)) == []


def _article(url: str, **kw: object) -> Article:
    return Article(
        url=url,
        feed_url="http://a/rss",
        title="T",
        text="body",
        text_source="page",
        published_at=NOW,
        **kw,
    )  # type: ignore[arg-type]


def test_an_article_is_stored_once(database: Database) -> None:
    with database.session() as s:
        feed_store.sync_feeds(s, _configured("http://a/rss"))
        feed_id = feed_store.list_feeds(s)[0].id
        assert (
            article_store.save_article(
                s, _article("http://x/1", guid="g1"), feed_id, "http://x/1?from=rss"
            )
            is not None
        )
        assert article_store.save_article(s, _article("http://x/1"), feed_id, None) is None
    with database.session() as s:
        urls, guids = article_store.known_entries(
            s, feed_id, ["http://x/1?from=rss", "http://x/2"], ["g1", "g2"]
        )
        assert urls == {"http://x/1", "http://x/1?from=rss"} and guids == {"g1"}
        assert article_store.is_known(s, url=None, guid="g1", feed_id=feed_id)
        stored = article_store.unprocessed(s)
        assert stored[0].published_at == NOW


def _alert(topic: str = "putin-trump", party: str = "kremlin") -> Alert:
    st = Statement(
        kind="denial",
        text="The Kremlin denied it.",
        cue="denied",
        proposition="a call",
        party="Kremlin",
        party_key=party,
    )
    return Alert(
        id=alert_id(topic, "s1", "denial", party),
        kind="denial",
        topic=topic,
        story_id="s1",
        summary="Kremlin denies: a call",
        statement=st,
        article_url="http://x/1",
        article_title="T",
        feed_url="http://a/rss",
        published_at=NOW,
        detected_at=NOW,
    )


def test_an_alert_is_unique_per_topic_story_kind_party(database: Database) -> None:
    with database.session() as s:
        assert record_alert(s, _alert(), "kremlin", ["hook", "mail"], None, NOW)
        assert not record_alert(s, _alert(), "kremlin", ["hook", "mail"], None, NOW)
        assert record_alert(
            s, _alert(party="trump-campaign"), "trump-campaign", ["hook"], None, NOW
        )
    with database.session() as s:
        rows = list(s.exec(select(DeliveryRow)))
    assert sorted((r.channel, r.status) for r in rows) == [
        ("hook", "pending"),
        ("hook", "pending"),
        ("mail", "pending"),
    ]
