"""`news-monitor run`: the daemon.

A scheduler tick (APScheduler, every second) asks the store for the batch of feeds that are
due and starts a poll task for each one not already in flight, so one slow feed never holds up
the others. A second job runs the outbox dispatcher, and is also woken right after new alerts.
SIGTERM/SIGINT stop it within seconds: in-flight polls are cancelled, and since every article
is written in one transaction, nothing is left half-written. SIGHUP re-reads the config.
"""

from __future__ import annotations

import asyncio
import signal
import time
from datetime import UTC, datetime
from pathlib import Path

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from loguru import logger
from sqlmodel import Session

from monitor import __version__, metrics
from monitor.config import Settings, load_config
from monitor.deliver.dispatch import Dispatcher
from monitor.errors import ConfigError, StoreError
from monitor.logs import register_secrets
from monitor.pipeline.extract import Extractor
from monitor.pipeline.fetch import Fetcher
from monitor.refresh import Refresher, configured_feeds, fetch_settings
from monitor.service.app import open_database, secrets_of
from monitor.service.health import HealthReport, HealthServer, summarize
from monitor.service.notify import Notifier
from monitor.store import feeds as feed_store
from monitor.store import outbox
from monitor.store.db import Database

TICK_SECONDS = 1.0
DISPATCH_SECONDS = 1.0  # a retry due now goes out within a second
STOP_GRACE_SECONDS = 8.0
GAUGE_SECONDS = 15.0


class Daemon:
    def __init__(self, config_path: Path, settings: Settings) -> None:
        self.config_path = config_path
        self.settings = settings
        self.notifier = Notifier()
        self._stop = asyncio.Event()
        self._deliver_now = asyncio.Event()
        self._in_flight: dict[int, asyncio.Task[None]] = {}
        self._fatal: BaseException | None = None
        self._last_tick: datetime | None = None
        self._db_down_since: float | None = None
        self._db_warned_at: float | None = None

    async def run(self) -> int:
        db = open_database(self.settings)
        try:
            with Extractor() as extractor:
                async with Fetcher(fetch_settings(self.settings)) as fetcher:
                    return await self._serve(db, fetcher, extractor)
        finally:
            db.close()

    async def _serve(self, db: Database, fetcher: Fetcher, extractor: Extractor) -> int:
        self.db = db
        self.refresher = Refresher(db, self.settings, fetcher, extractor)
        self.dispatcher = Dispatcher(db, self.settings)
        await self.refresher.process_leftovers()
        scheduler = AsyncIOScheduler(timezone=UTC)
        scheduler.add_job(
            self._tick,
            "interval",
            seconds=TICK_SECONDS,
            id="tick",
            max_instances=1,
            coalesce=True,
            next_run_time=datetime.now(UTC),
        )
        scheduler.add_job(
            self._dispatch_loop_once,
            "interval",
            seconds=DISPATCH_SECONDS,
            id="dispatch",
            max_instances=1,
            coalesce=True,
        )
        scheduler.add_job(
            self._gauges,
            "interval",
            seconds=GAUGE_SECONDS,
            id="gauges",
            max_instances=1,
            coalesce=True,
            next_run_time=datetime.now(UTC),
        )
        watchdog = self.notifier.watchdog_interval()
        if watchdog:
            scheduler.add_job(self._watchdog, "interval", seconds=watchdog, id="watchdog")
        health = await self._start_health()
        self._install_signals()
        scheduler.start()
        dispatcher_task = asyncio.create_task(self._dispatch_on_demand())
        self.notifier.ready()
        self.notifier.status(f"watching {len(self.settings.feeds)} configured feeds")
        logger.info(
            "news-monitor {} running: {} topics, {} channels",
            __version__,
            len(self.settings.topics),
            len(self.settings.channels),
        )
        await self._stop.wait()
        self.notifier.stopping()
        logger.info("stopping")
        scheduler.shutdown(wait=False)
        dispatcher_task.cancel()
        await self._cancel_in_flight()
        if health is not None:
            await health.stop()
        if self._fatal is not None:
            logger.error("stopped: {}", self._fatal)
            return 1
        return 0

    # ---- jobs ----------------------------------------------------------------------------

    async def _tick(self) -> None:
        now = datetime.now(UTC)
        self._last_tick = now
        try:
            due = await self.db.transact(feed_store.due_feeds, now)
        except StoreError as exc:
            self._store_trouble(exc)
            return
        if self._db_down_since is not None:
            logger.info(
                "database reachable again after {:.0f}s", time.monotonic() - self._db_down_since
            )
            self._db_down_since = self._db_warned_at = None
        for feed in due:
            if feed.id not in self._in_flight:
                task = asyncio.create_task(self._poll(feed))
                self._in_flight[feed.id] = task

    async def _poll(self, feed: feed_store.FeedState) -> None:
        try:
            report = await self.refresher.poll([feed])
            if report.alerts:
                self._deliver_now.set()
        except StoreError as exc:
            self._store_trouble(exc)
        finally:
            self._in_flight.pop(feed.id, None)

    async def _dispatch_on_demand(self) -> None:
        while True:
            await self._deliver_now.wait()
            self._deliver_now.clear()
            await self._dispatch_loop_once()

    async def _dispatch_loop_once(self) -> None:
        try:
            await self.dispatcher.run_once()
        except StoreError as exc:
            self._store_trouble(exc)
        except Exception:  # a delivery bug must not stop polling; the outbox keeps the alert
            logger.exception("dispatcher failed; the deliveries stay in the outbox")

    async def _gauges(self) -> None:
        """The metrics that are states, not events: read from the store now and then."""
        try:
            metrics.OUTBOX_BACKLOG.set(await self.db.transact(outbox.backlog))
            for state, count in (await self.db.transact(feed_store.state_counts)).items():
                metrics.FEEDS.labels(state=state).set(count)
        except StoreError as exc:
            self._store_trouble(exc)

    async def _watchdog(self) -> None:
        if (await self.health()).ok:
            self.notifier.watchdog()

    def _store_trouble(self, exc: StoreError) -> None:
        if exc.fatal:
            self._fatal = exc
            self._stop.set()
            return
        # one line when the outage starts, then one a minute: not one per failed query
        now = time.monotonic()
        self._db_down_since = self._db_down_since or now
        if self._db_warned_at is None or now - self._db_warned_at >= 60:
            self._db_warned_at = now
            logger.warning("database unavailable, will retry: {}", exc)

    async def _cancel_in_flight(self) -> None:
        tasks = list(self._in_flight.values())
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=STOP_GRACE_SECONDS)

    # ---- health, signals, reload ---------------------------------------------------------

    async def health(self) -> HealthReport:
        """Healthy while the scheduler ticks and the database answers (what a restart fixes);
        the rest of the summary is for the operator."""
        ticking = self._last_tick is not None and (
            (datetime.now(UTC) - self._last_tick).total_seconds() < 30
        )
        try:
            feeds, last_success, backlog = await self.db.transact(_health_facts)
            db_ok = True
        except StoreError:
            feeds, last_success, backlog, db_ok = 0, None, 0, False
        report = summarize(
            scheduler_running=ticking,
            database_ok=db_ok,
            feeds=feeds,
            last_successful_poll=last_success,
            outbox_backlog=backlog,
        )
        report.details["feeds_in_flight"] = len(self._in_flight)
        return report

    async def _start_health(self) -> HealthServer | None:
        if not self.settings.monitor.http:
            return None
        server = HealthServer(self.settings.monitor.http, self.health)
        await server.start()
        logger.info("health and metrics on http://{}/", self.settings.monitor.http)
        return server

    def _install_signals(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self._stop.set)
        loop.add_signal_handler(signal.SIGHUP, lambda: asyncio.ensure_future(self.reload()))

    async def reload(self) -> bool:
        """Re-read the config; keep the running one when the new one is invalid."""
        self.notifier.reloading()
        try:
            settings = load_config(self.config_path)
        except ConfigError as exc:
            for problem in exc.problems:
                logger.error("reload refused: {}", problem)
            self.notifier.ready()
            return False
        register_secrets(secrets_of(settings))
        await self.db.transact(feed_store.sync_feeds, configured_feeds(settings))
        self.refresher.reconfigure(settings)
        self.dispatcher.reconfigure(settings)
        if settings.monitor != self.settings.monitor:
            logger.warning("[monitor] settings changed; they take effect at the next restart")
        self.settings = settings
        logger.info(
            "config reloaded: {} feeds, {} topics, {} channels",
            len(settings.feeds),
            len(settings.topics),
            len(settings.channels),
        )
        self.notifier.ready()
        return True


def _health_facts(session: Session) -> tuple[int, datetime | None, int]:
    counts = feed_store.state_counts(session)
    return (
        counts["active"] + counts["failing"],
        feed_store.last_success(session),
        outbox.backlog(session),
    )
