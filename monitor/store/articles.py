"""Articles: stored once per canonical URL, with their matches.

An entry is known when its canonical link, or its guid within the same feed, is stored
already: that is the check that keeps a syndicated or re-tagged article from being fetched
and processed twice.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, and_, delete, func, or_
from sqlmodel import Session, col, select

from monitor.models import Article, Match
from monitor.store.tables import ArticleRow, MatchRow, StatementRow


def is_known(session: Session, *, url: str | None, guid: str | None, feed_id: int | None) -> bool:
    conditions: list[ColumnElement[bool]] = []
    if url:
        conditions += [col(ArticleRow.url) == url, col(ArticleRow.entry_url) == url]
    if guid and feed_id is not None:
        conditions.append(and_(col(ArticleRow.guid) == guid, col(ArticleRow.feed_id) == feed_id))
    if not conditions:
        return False
    query = select(ArticleRow.id).where(or_(*conditions)).limit(1)
    return session.exec(query).first() is not None


def known_entries(
    session: Session, feed_id: int, urls: Sequence[str], guids: Sequence[str]
) -> tuple[set[str], set[str]]:
    """Of these canonical URLs and guids, the ones already stored (one query each)."""
    known_urls: set[str] = set()
    known_guids: set[str] = set()
    for chunk in _chunks(list(urls), 400):
        rows = session.exec(
            select(ArticleRow.url, ArticleRow.entry_url).where(
                or_(col(ArticleRow.url).in_(chunk), col(ArticleRow.entry_url).in_(chunk))
            )
        )
        for url, entry_url in rows:
            known_urls.update(u for u in (url, entry_url) if u)
    for chunk in _chunks(list(guids), 400):
        rows2 = session.exec(
            select(ArticleRow.guid).where(
                and_(col(ArticleRow.feed_id) == feed_id, col(ArticleRow.guid).in_(chunk))
            )
        )
        known_guids.update(g for g in rows2 if g)
    return known_urls, known_guids


def _chunks(items: list[str], size: int) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def save_article(
    session: Session, article: Article, feed_id: int | None, entry_url: str | None
) -> int | None:
    """Insert the article; None when its canonical URL is stored already."""
    if session.exec(select(ArticleRow.id).where(ArticleRow.url == article.url)).first():
        return None
    row = ArticleRow(
        url=article.url,
        entry_url=entry_url,
        feed_id=feed_id,
        feed_url=article.feed_url,
        guid=article.guid,
        title=article.title,
        author=article.author,
        published_at=article.published_at,
        fetched_at=article.fetched_at,
        text=article.text,
        language=article.language,
        content_hash=article.content_hash,
        text_source=article.text_source,
        outlet=article.outlet,
    )
    session.add(row)
    session.flush()
    return row.id


def save_match(
    session: Session, article_id: int, match: Match, sentences: Sequence[str] | None = None
) -> None:
    """Record which terms matched where: each hit's offsets, and the sentence it falls in.
    The store splits no text: `sentences` (one per hit, in order) come from the caller
    (`pipeline.match.hit_sentences`); without them a hit's sentence is stored as null."""
    said: Sequence[str | None] = [None] * len(match.hits) if sentences is None else sentences
    hits = [hit._asdict() | {"sentence": s} for hit, s in zip(match.hits, said, strict=True)]
    terms = json.dumps(hits, ensure_ascii=False)
    session.add(MatchRow(article_id=article_id, topic=match.topic, terms=terms))


def mark_processed(session: Session, article_id: int) -> None:
    row = session.get(ArticleRow, article_id)
    if row is not None:
        row.processed = True


def to_article(row: ArticleRow) -> Article:
    return Article(
        id=row.id,
        url=row.url,
        feed_url=row.feed_url,
        title=row.title,
        text=row.text,
        text_source="feed" if row.text_source == "feed" else "page",
        guid=row.guid,
        author=row.author,
        published_at=row.published_at,
        fetched_at=row.fetched_at,
        language=row.language,
        outlet=row.outlet,
    )


def unprocessed(session: Session, limit: int = 200) -> list[Article]:
    """Articles stored but not yet detected, oldest publication first (then by URL): a
    story's claim is detected before the denial that answers it, and the same articles
    give the same alerts whichever feed's fetch finished first."""
    query = (
        select(ArticleRow)
        .where(ArticleRow.processed == False)  # noqa: E712
        .order_by(
            col(ArticleRow.published_at).is_(None),
            col(ArticleRow.published_at),
            col(ArticleRow.url),
        )
        .limit(limit)
    )
    return [to_article(r) for r in session.exec(query)]


def articles_since(session: Session, since: object, limit: int = 100_000) -> list[Article]:
    query = (
        select(ArticleRow)
        .where(col(ArticleRow.fetched_at) >= since)
        .order_by(col(ArticleRow.fetched_at))
        .limit(limit)
    )
    return [to_article(r) for r in session.exec(query)]


# ---- replay: re-match and re-detect stored articles ------------------------------------


def replay_candidates(session: Session, since: datetime) -> list[int]:
    """Ids of the articles fetched since `since`, oldest publication first (so a story's
    claim is replayed before the denial that answers it, as polling records them)."""
    published = func.coalesce(col(ArticleRow.published_at), col(ArticleRow.fetched_at))
    query = (
        select(ArticleRow.id)
        .where(col(ArticleRow.fetched_at) >= since)
        .order_by(published, col(ArticleRow.id))
    )
    return [i for i in session.exec(query) if i is not None]


def load_article(session: Session, article_id: int) -> Article | None:
    row = session.get(ArticleRow, article_id)
    return None if row is None else to_article(row)


def clear_detections(session: Session, article_id: int, topics: Collection[str]) -> None:
    """Drop the article's matches and statements for `topics`, before they are detected
    again (a match is unique per article and topic). Alerts stay: novelty is kept."""
    if not topics:
        return
    for table in (MatchRow, StatementRow):
        session.exec(
            delete(table)
            .where(col(table.article_id) == article_id)
            .where(col(table.topic).in_(list(topics)))
        )


def matched_topics(session: Session, article_id: int) -> list[str]:
    query = select(MatchRow.topic).where(MatchRow.article_id == article_id).order_by(MatchRow.topic)
    return list(session.exec(query))
