"""Engine set-up (SQLite pragmas, PostgreSQL), the default database location, migrations.

SQLite is the embedded default: WAL so readers never wait for the writer, a busy timeout so
a second process (a CLI command beside the daemon) waits instead of failing, and
foreign keys on. PostgreSQL goes through the same code with `postgresql+psycopg://...`.
Schema changes are Alembic migrations, run at start; an existing SQLite file is copied
aside before a migration touches it.
"""

from __future__ import annotations

import asyncio
import functools
import os
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from loguru import logger
from sqlalchemy import Connection, Engine, create_engine, event, make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlmodel import Session

from monitor.errors import StoreError

MIGRATIONS = Path(__file__).with_name("migrations")
T = TypeVar("T")


def default_database_url(env: Mapping[str, str] | None = None) -> str:
    """SQLite in $STATE_DIRECTORY (systemd's StateDirectory=), else the XDG state dir."""
    env = os.environ if env is None else env
    if env.get("STATE_DIRECTORY"):
        state = Path(env["STATE_DIRECTORY"].split(":")[0])
    else:
        base = env.get("XDG_STATE_HOME") or str(Path(env.get("HOME", "~")) / ".local" / "state")
        state = Path(base).expanduser() / "news-monitor"
    return f"sqlite:///{state / 'monitor.db'}"


def make_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except Exception as exc:  # SQLAlchemy raises ArgumentError and ValueError alike
        raise StoreError(f"database_url {url!r} is not a database URL: {exc}") from None
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, parsed.database)
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


def _sqlite_engine(url: str, database: str | None) -> Engine:
    if database and database != ":memory:":
        try:
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"cannot create the database directory for {database}: {exc}"
            ) from None
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    return engine


def _alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str | None:
    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision; a no-op when it is there already."""
    try:
        current = current_revision(engine)
        if current == head_revision():
            return
        if current is not None and engine.url.get_backend_name() == "sqlite":
            _backup_sqlite(engine.url.database)
        cfg = _alembic_config()
        with _migration_connection(engine) as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            conn.commit()
        logger.info("database schema at revision {}", head_revision())
    except OperationalError as exc:
        raise _store_error(exc, "cannot migrate the database: ") from exc
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot migrate the database: {exc}") from exc


@contextmanager
def _migration_connection(engine: Engine) -> Iterator[Connection]:
    """A connection whose whole migration is one transaction, DDL included.

    Python's sqlite3 opens a transaction only before INSERT/UPDATE/DELETE and runs CREATE
    TABLE in autocommit, so a process killed mid-migration would leave half a schema that
    every later start fails on. Here the driver's own transaction handling is switched off
    and the transaction begun explicitly (the pysqlite recipe in SQLAlchemy's docs), IMMEDIATE
    so two processes starting at once migrate one after the other. The connection is
    discarded afterwards rather than returned to the pool with the driver's setting changed.
    """
    with engine.connect() as conn:
        if engine.url.get_backend_name() != "sqlite":
            yield conn  # PostgreSQL's DDL is transactional: SQLAlchemy's autobegin covers it
            return
        conn.connection.dbapi_connection.isolation_level = None  # type: ignore[union-attr]
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            yield conn
        finally:
            conn.invalidate()  # closes the driver connection; uncommitted work rolls back


def _backup_sqlite(database: str | None) -> None:
    if not database or database == ":memory:":
        return
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = f"{database}.{stamp}.bak"
    with sqlite3.connect(database) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    logger.info("copied the database to {} before migrating it", target)


class Database:
    """The engine plus the one writer.

    Store functions are synchronous and take a `Session`; async code runs them through
    `await db.run(fn, ...)`, which uses a single worker thread. That thread is the only
    writer in the process, so SQLite never sees two writers from us, and the event loop
    never blocks on the disk.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store")

    @property
    def is_sqlite(self) -> bool:
        return self.engine.url.get_backend_name() == "sqlite"

    def migrate(self) -> None:
        migrate(self.engine)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: committed when the block ends, rolled back on any error."""
        try:
            with Session(self.engine, expire_on_commit=False) as session, session.begin():
                yield session
        except OperationalError as exc:
            raise _store_error(exc) from exc

    @contextmanager
    def rehearsal(self) -> Iterator[Session]:
        """A transaction that is always rolled back: for dry runs and `explain`, which do
        the real work and keep none of it."""
        try:
            with Session(self.engine, expire_on_commit=False) as session:
                session.begin()
                try:
                    yield session
                finally:
                    session.rollback()
        except OperationalError as exc:
            raise _store_error(exc) from exc

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._writer, functools.partial(fn, *args))

    async def transact(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run `fn(session, *args, **kwargs)` in one transaction on the writer thread."""

        def work() -> T:
            with self.session() as session:
                return fn(session, *args, **kwargs)

        return await self.run(work)

    def close(self) -> None:
        self._writer.shutdown(wait=True)
        self.engine.dispose()


def _store_error(exc: OperationalError, context: str = "") -> StoreError:
    """Say what is wrong in the user's terms, and whether waiting can help (`fatal`)."""
    message = str(exc.orig) if exc.orig is not None else str(exc)
    lowered = message.lower()
    if "readonly" in lowered or "read-only" in lowered:
        return StoreError(f"{context}the database is read-only: {message}", fatal=True)
    if "full" in lowered or "disk i/o" in lowered or "no space" in lowered:
        return StoreError(f"{context}the database's disk is full or failing: {message}", fatal=True)
    if "unable to open database file" in lowered:
        return StoreError(
            f"{context}cannot open the database file: does its directory exist, and is it "
            f"writable (not a read-only filesystem)? ({message})",
            fatal=True,
        )
    return StoreError(f"{context}database error: {message}")
