"""The store against SQLite and PostgreSQL: schema, feeds, articles, alerts."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

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


_KILL_MID_MIGRATION = """
import os, signal, sys
from sqlalchemy import event
from monitor.store.db import make_engine, migrate

engine = make_engine(sys.argv[1])
created = 0

@event.listens_for(engine, "after_cursor_execute")
def _die_after_three_tables(conn, cursor, statement, *args):
    global created
    if statement.lstrip().upper().startswith("CREATE TABLE"):
        created += 1
        if created == 3:
            os.kill(os.getpid(), signal.SIGKILL)

migrate(engine)
"""


def test_a_first_start_killed_mid_migration_leaves_a_database_the_next_start_migrates(
    tmp_path: Path,
) -> None:
    """SQLite's driver runs DDL outside any transaction unless told otherwise: a daemon killed
    during its first migration (a systemd start timeout, the OOM killer) must not leave half
    a schema that every later start fails on ('table feeds already exists')."""
    url = f"sqlite:///{tmp_path / 'monitor.db'}"
    killed = subprocess.run([sys.executable, "-c", _KILL_MID_MIGRATION, url], timeout=120)
    assert killed.returncode == -signal.SIGKILL  # it died mid-migration, as meant
    database = Database(url)
    try:
        database.migrate()
        assert current_revision(database.engine) == head_revision()
        with database.engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), SQLModel.metadata) == []
    finally:
        database.close()


def test_an_upgrade_keeps_the_data_and_copies_the_file_aside_first(tmp_path: Path) -> None:
    """An install on an older schema is migrated in place at start, its rows kept, after a
    copy of the file is made beside it."""
    from alembic import command

    from monitor.store import db as store_db

    path = tmp_path / "monitor.db"
    engine = store_db.make_engine(f"sqlite:///{path}")
    cfg = store_db._alembic_config()
    with store_db._migration_connection(engine) as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")  # the first release's schema
        for sql in (
            "INSERT INTO feeds (url, source, paused, consecutive_failures, polls,"
            " polls_not_modified, created_at) VALUES ('http://127.0.0.1:9/rss', 'config', 0, 0,"
            " 3, 1, '2026-01-01 00:00:00')",
            "INSERT INTO stories (id, topic, proposition, keywords, created_at, updated_at)"
            " VALUES ('s1', 't', 'p', '[]', '2026-01-01', '2026-01-01')",
            "INSERT INTO alerts (id, topic, story_id, kind, party_key, summary, payload,"
            " created_at) VALUES ('a1', 't', 's1', 'denial', 'k', 's', '{}', '2026-01-01')",
            "INSERT INTO deliveries (alert_id, channel, status, attempts, next_attempt_at,"
            " created_at) VALUES ('a1', 'hook', 'pending', 2, '2026-01-01', '2026-01-01')",
        ):
            conn.exec_driver_sql(sql)
        conn.commit()
    assert current_revision(engine) == "0001"
    store_db.migrate(engine)
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        urls = [row[0] for row in conn.exec_driver_sql("SELECT url FROM feeds")]
        deliveries = list(conn.exec_driver_sql("SELECT alert_id, attempts FROM deliveries"))
        assert "lease_owner" in {
            c[1] for c in conn.exec_driver_sql("PRAGMA table_info(deliveries)")
        }
    assert urls == ["http://127.0.0.1:9/rss"]
    assert [tuple(d) for d in deliveries] == [("a1", 2)]  # kept through the table's copy
    backups = list(tmp_path.glob("monitor.db.*.bak"))
    assert len(backups) == 1
    with sqlite3.connect(backups[0]) as old:
        assert old.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0001"
    engine.dispose()
