"""`news-monitor once`: poll every enabled feed now, process, deliver, report, exit."""

from __future__ import annotations

from dataclasses import dataclass

from loguru import logger

from monitor.config import Settings
from monitor.deliver.dispatch import Dispatcher, DispatchReport
from monitor.pipeline.extract import Extractor
from monitor.pipeline.fetch import Fetcher
from monitor.refresh import CycleReport, Refresher, fetch_settings
from monitor.service.app import open_database
from monitor.store import feeds as feed_store


@dataclass(frozen=True, slots=True)
class OnceReport:
    cycle: CycleReport
    delivery: DispatchReport


async def run_once(settings: Settings) -> OnceReport:
    db = open_database(settings)
    try:
        with Extractor() as extractor:
            async with Fetcher(fetch_settings(settings)) as fetcher:
                refresher = Refresher(db, settings, fetcher, extractor, defer_detection=True)
                leftovers = await refresher.process_leftovers()
                feeds = await db.transact(feed_store.active_feeds)
                cycle = await refresher.poll(feeds)
                cycle.alerts[:0] = leftovers
                cycle.alerts += await refresher.process_leftovers()
        logger.info(cycle.line())
        delivery = await Dispatcher(db, settings).run_once()
        return OnceReport(cycle, delivery)
    finally:
        db.close()
