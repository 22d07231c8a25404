"""Stories (one proposition within a topic) and the statements that joined them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from monitor.models import Statement
from monitor.store.tables import ArticleRow, StatementRow, StoryRow


def recent_stories(session: Session, topic: str, since: datetime) -> list[StoryRow]:
    query = (
        select(StoryRow)
        .where(StoryRow.topic == topic)
        .where(col(StoryRow.updated_at) >= since)
        .order_by(col(StoryRow.created_at))
    )
    return list(session.exec(query))


def story_keywords(row: StoryRow) -> frozenset[str]:
    return frozenset(json.loads(row.keywords or "[]"))


def save_story(
    session: Session,
    story_id: str,
    topic: str,
    proposition: str,
    keywords: Iterable[str],
    now: datetime,
) -> None:
    """Create the story, or store the vocabulary it has grown to."""
    row = session.get(StoryRow, story_id)
    if row is None:
        session.add(
            StoryRow(
                id=story_id,
                topic=topic,
                proposition=proposition,
                keywords=json.dumps(sorted(set(keywords))),
                created_at=now,
                updated_at=now,
            )
        )
        session.flush()
        return
    row.keywords = json.dumps(sorted(set(keywords)))
    row.updated_at = now


def save_statement(
    session: Session,
    article_id: int,
    topic: str,
    story_id: str,
    statement: Statement,
    alert_id: str | None,
    now: datetime,
) -> None:
    session.add(
        StatementRow(
            article_id=article_id,
            topic=topic,
            story_id=story_id,
            kind=statement.kind,
            party=statement.party,
            party_key=statement.party_key,
            speaker=statement.speaker,
            quote=statement.quote,
            proposition=statement.proposition,
            cue=statement.cue,
            text=statement.text,
            in_title=statement.in_title,
            alert_id=alert_id,
            created_at=now,
        )
    )


def list_stories(session: Session, topic: str | None = None, limit: int = 100) -> list[StoryRow]:
    query = select(StoryRow).order_by(col(StoryRow.updated_at).desc()).limit(limit)
    if topic is not None:
        query = query.where(StoryRow.topic == topic)
    return list(session.exec(query))


def timeline(session: Session, story_id: str) -> list[tuple[StatementRow, ArticleRow]]:
    """The story's statements in time order, each with its article."""
    query = (
        select(StatementRow, ArticleRow)
        .where(StatementRow.story_id == story_id)
        .where(StatementRow.article_id == ArticleRow.id)
        .order_by(col(ArticleRow.published_at), col(StatementRow.id))
    )
    return [(s, a) for s, a in session.exec(query)]


def story_timelines(
    session: Session, story_ids: Sequence[str]
) -> dict[str, list[tuple[StatementRow, ArticleRow]]]:
    """Each story's statements with their articles, in publication order (the fetch time
    stands in for an article without a date), one query for all the stories."""
    found: dict[str, list[tuple[StatementRow, ArticleRow]]] = {s: [] for s in story_ids}
    if not story_ids:
        return found
    published = func.coalesce(col(ArticleRow.published_at), col(ArticleRow.fetched_at))
    query = (
        select(StatementRow, ArticleRow)
        .where(col(StatementRow.story_id).in_(list(story_ids)))
        .where(StatementRow.article_id == ArticleRow.id)
        .order_by(published, col(StatementRow.id))
    )
    for statement, article in session.exec(query).all():
        found[statement.story_id].append((statement, article))
    return found


def statements_of_article(session: Session, article_id: int) -> list[StatementRow]:
    query = (
        select(StatementRow)
        .where(StatementRow.article_id == article_id)
        .order_by(col(StatementRow.id))
    )
    return list(session.exec(query))
