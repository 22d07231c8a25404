"""From a new statement to the alert record of INTERFACE.md (pure)."""

from __future__ import annotations

from datetime import datetime

from monitor.models import Alert, Article, Statement, alert_id

_MAX_SUMMARY = 200


def summarize(statement: Statement) -> str:
    """One line a person reads in a subject: who, what kind, about what, in their words."""
    verb = "denies" if statement.kind == "denial" else "claims"
    about = statement.proposition.strip().rstrip(".") or statement.text.strip().rstrip(".")
    line = f"{statement.party} {verb}: {about}"
    if statement.quote and statement.quote.lower() not in line.lower():
        line += f" ('{statement.quote.strip()}')"
    line = " ".join(line.split())
    return line if len(line) <= _MAX_SUMMARY else line[: _MAX_SUMMARY - 1].rstrip() + "…"


def make_alert(
    topic: str, story_id: str, statement: Statement, article: Article, now: datetime
) -> Alert:
    return Alert(
        id=alert_id(topic, story_id, statement.kind, statement.party_key),
        kind=statement.kind,
        topic=topic,
        story_id=story_id,
        summary=summarize(statement),
        statement=statement,
        article_url=article.url,
        article_title=article.title,
        feed_url=article.feed_url,
        published_at=article.published_at,
        detected_at=now,
    )
