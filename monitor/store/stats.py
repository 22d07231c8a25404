"""What the database holds, for `news-monitor db stats`: schema revision, rows per table and
the size of an SQLite database on disk."""

from __future__ import annotations

from pathlib import Path

from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select
from sqlmodel import Session

from monitor.store.tables import FeedRow

# The tables in the order a reader follows the data: feeds -> articles -> ... -> deliveries.
TABLES = ("feeds", "articles", "matches", "stories", "statements", "alerts", "deliveries")


def row_counts(session: Session) -> dict[str, int]:
    """Rows in each of the monitor's tables."""
    counts: dict[str, int] = {}
    for name in TABLES:
        table = FeedRow.metadata.tables[name]  # every table shares one metadata
        counts[name] = int(session.execute(select(func.count()).select_from(table)).scalar_one())
    return counts


def schema_revision(session: Session) -> str | None:
    """The Alembic revision the database is at (None: never migrated)."""
    return MigrationContext.configure(session.connection()).get_current_revision()


def sqlite_size(database: str | None) -> int | None:
    """Bytes on disk of an SQLite database with its write-ahead log and shared-memory file
    (the WAL can hold much of the data until a checkpoint). None for an in-memory one."""
    if not database or database == ":memory:":
        return None
    files = [Path(database), Path(f"{database}-wal"), Path(f"{database}-shm")]
    return sum(f.stat().st_size for f in files if f.exists())
