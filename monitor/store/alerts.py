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
from monitor.store.tables import AlertRow, DeliveryRow


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
