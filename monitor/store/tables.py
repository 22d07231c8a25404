"""SQLModel tables: the schema of the monitor's database.

Changing a table means adding an Alembic migration under store/migrations/versions; the tables
here and the migrations must agree (a test compares them). Every timestamp is timezone-aware
UTC (`UtcDateTime`), on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Index, Text, TypeDecorator, UniqueConstraint
from sqlmodel import Column, Field, SQLModel

from monitor.models import utcnow


class UtcDateTime(TypeDecorator[datetime]):
    """Stores aware UTC datetimes; SQLite hands back naive ones, so re-attach UTC on the way out."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use timezone-aware UTC")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _ts(nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UtcDateTime(), nullable=nullable, index=index))


def _now_ts() -> Any:
    return Field(default_factory=utcnow, sa_column=Column(UtcDateTime(), nullable=False))


def _text() -> Any:
    return Field(default="", sa_column=Column(Text, nullable=False))


class FeedRow(SQLModel, table=True):
    __tablename__ = "feeds"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(unique=True, max_length=2048)
    name: str | None = None
    source: str = Field(default="config", max_length=16)  # "config" or "cli": who added it
    interval_seconds: float | None = None  # None: the config's poll_interval
    paused: bool = False
    paused_reason: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    next_poll_at: datetime | None = _ts(index=True)
    consecutive_failures: int = 0
    first_failure_at: datetime | None = _ts()
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    last_error_kind: str | None = None
    last_error_at: datetime | None = _ts()
    last_success_at: datetime | None = _ts()
    last_polled_at: datetime | None = _ts()
    polls: int = 0
    polls_not_modified: int = 0
    created_at: datetime = _now_ts()


class ArticleRow(SQLModel, table=True):
    __tablename__ = "articles"
    __table_args__ = (Index("ix_articles_feed_guid", "feed_id", "guid"),)

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(unique=True, max_length=2048)  # canonical URL
    entry_url: str | None = Field(default=None, index=True, max_length=2048)  # the feed's link
    feed_id: int | None = Field(default=None, foreign_key="feeds.id", ondelete="SET NULL")
    feed_url: str = Field(default="", max_length=2048)
    guid: str | None = Field(default=None, max_length=2048)
    title: str = _text()
    author: str | None = None
    published_at: datetime | None = _ts(index=True)
    fetched_at: datetime = _now_ts()
    text: str = _text()
    language: str | None = Field(default=None, max_length=16)
    content_hash: str = Field(default="", max_length=64, index=True)
    text_source: str = Field(default="page", max_length=8)  # "page" or "feed"
    outlet: str = Field(default="", max_length=512)
    processed: bool = Field(default=False, index=True)  # matched and detected


class MatchRow(SQLModel, table=True):
    __tablename__ = "matches"
    __table_args__ = (UniqueConstraint("article_id", "topic"),)

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="articles.id", index=True, ondelete="CASCADE")
    topic: str = Field(index=True, max_length=256)
    terms: str = _text()  # JSON: [{"term", "field", "start", "end", "sentence"}]
    created_at: datetime = _now_ts()


class StoryRow(SQLModel, table=True):
    __tablename__ = "stories"

    id: str = Field(primary_key=True, max_length=64)
    topic: str = Field(index=True, max_length=256)
    proposition: str = _text()
    keywords: str = _text()  # JSON list
    created_at: datetime = _now_ts()
    updated_at: datetime = _now_ts()


class StatementRow(SQLModel, table=True):
    __tablename__ = "statements"

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="articles.id", index=True, ondelete="CASCADE")
    topic: str = Field(index=True, max_length=256)
    story_id: str = Field(foreign_key="stories.id", index=True)
    kind: str = Field(max_length=8)
    party: str = Field(default="", max_length=512)
    party_key: str = Field(default="", max_length=256)
    speaker: str | None = None
    quote: str | None = Field(default=None, sa_column=Column(Text))
    proposition: str = _text()
    cue: str = Field(default="", max_length=256)
    text: str = _text()
    in_title: bool = False
    alert_id: str | None = Field(default=None, max_length=64)  # the alert it raised, if any
    created_at: datetime = _now_ts()


class AlertRow(SQLModel, table=True):
    __tablename__ = "alerts"
    # one alert per (topic, story, kind, party): novelty is a database guarantee
    __table_args__ = (UniqueConstraint("topic", "story_id", "kind", "party_key"),)

    id: str = Field(primary_key=True, max_length=64)
    topic: str = Field(index=True, max_length=256)
    story_id: str = Field(max_length=64)
    kind: str = Field(max_length=8)
    party_key: str = Field(max_length=256)
    summary: str = _text()
    payload: str = _text()  # JSON body of INTERFACE.md
    article_id: int | None = Field(default=None, foreign_key="articles.id", ondelete="SET NULL")
    created_at: datetime = _now_ts()


class DeliveryRow(SQLModel, table=True):
    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("alert_id", "channel"),
        Index("ix_deliveries_due", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    alert_id: str = Field(foreign_key="alerts.id", index=True, ondelete="CASCADE")
    channel: str = Field(max_length=256)
    status: str = Field(default="pending", max_length=16)  # pending, sent, failed, digest
    attempts: int = 0
    next_attempt_at: datetime = _now_ts()
    lease_until: datetime | None = _ts()
    lease_owner: str | None = Field(default=None, max_length=256)  # "host:pid" of the sender
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = _now_ts()
    sent_at: datetime | None = _ts()
