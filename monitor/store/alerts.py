"""Alerts and their outbox rows: written in the transaction that records the statement.

An alert's id is derived from (topic, story, kind, party), and the table has a unique
constraint on them, so novelty holds even when two processes race or a transaction is retried.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from monitor.models import Alert, utcnow
from monitor.store.tables import AlertRow, DeliveryRow, StatementRow


def record_alert(
    session: Session,
    alert: Alert,
    party_key: str,
    channels: Sequence[str],
    article_id: int | None = None,
    now: datetime | None = None,
) -> bool:
    """Insert the alert and one pending delivery per channel. False (and nothing written)
    when its (topic, story, kind, party) already has an alert."""
    if session.get(AlertRow, alert.id) is not None:
        return False
    now = now or utcnow()
    row = AlertRow(
        id=alert.id,
        topic=alert.topic,
        story_id=alert.story_id,
        kind=alert.kind,
        party_key=party_key,
        summary=alert.summary,
        payload=json.dumps(alert.payload(), ensure_ascii=False),
        article_id=article_id,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return False  # another writer recorded the same key first
    for channel in channels:
        session.add(
            DeliveryRow(alert_id=alert.id, channel=channel, next_attempt_at=now, created_at=now)
        )
    return True


def alert_payload(session: Session, alert_id: str) -> dict[str, Any] | None:
    row = session.get(AlertRow, alert_id)
    return None if row is None else json.loads(row.payload)


def list_alerts(
    session: Session, since: datetime | None = None, topic: str | None = None, limit: int = 200
) -> list[AlertRow]:
    query = select(AlertRow).order_by(col(AlertRow.created_at).desc()).limit(limit)
    if since is not None:
        query = query.where(col(AlertRow.created_at) >= since)
    if topic is not None:
        query = query.where(AlertRow.topic == topic)
    return list(session.exec(query))


# ---- for `alerts list|show` and replay -------------------------------------------------


def find_alert(session: Session, ref: str) -> list[AlertRow]:
    """The alert whose id is `ref`, else every alert whose id starts with it (so a user
    may type the short id `alerts list` prints)."""
    row = session.get(AlertRow, ref)
    if row is not None:
        return [row]
    if not ref:
        return []
    query = select(AlertRow).where(col(AlertRow.id).startswith(ref, autoescape=True)).limit(10)
    return list(session.exec(query))


def deliveries_of(session: Session, alert_ids: Sequence[str]) -> dict[str, list[DeliveryRow]]:
    """Each alert's deliveries, by channel name."""
    found: dict[str, list[DeliveryRow]] = {alert_id: [] for alert_id in alert_ids}
    if not alert_ids:
        return found
    query = (
        select(DeliveryRow)
        .where(col(DeliveryRow.alert_id).in_(list(alert_ids)))
        .order_by(col(DeliveryRow.channel))
    )
    for row in session.exec(query):
        found[row.alert_id].append(row)
    return found


def relink_statements(session: Session, article_id: int) -> None:
    """Point the article's statements back at the alerts this article raised before.
    A replayed statement finds its alert already recorded (novelty), so detection leaves
    its `alert_id` empty; the alert's own key and article say which one it was."""
    query = (
        select(StatementRow, AlertRow)
        .where(StatementRow.article_id == article_id)
        .where(col(StatementRow.alert_id).is_(None))
        .where(AlertRow.article_id == article_id)
        .where(AlertRow.topic == StatementRow.topic)
        .where(AlertRow.story_id == StatementRow.story_id)
        .where(AlertRow.kind == StatementRow.kind)
        .where(AlertRow.party_key == StatementRow.party_key)
    )
    for statement, alert in session.exec(query).all():
        statement.alert_id = alert.id
        session.add(statement)
