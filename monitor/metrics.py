"""The daemon's Prometheus metrics: one private registry and the counters the stages bump.

The registry is ``REGISTRY`` and not prometheus-client's global default, so tests and two
daemons started in one process never collide on metric names. ``render()`` gives the body
and content type for the ``/metrics`` endpoint (see ``monitor.service.health``).

Who sets what:

- the fetch step: ``POLLS`` (result "200", "304" or an error kind such as "timeout",
  "http_404", "too_large", "refused", "parse") and ``LAST_SUCCESSFUL_POLL``;
- extraction: ``ARTICLES`` (source "page" or "feed") and ``EXTRACTION_SECONDS``;
- matching and detection: ``MATCHES`` (per topic), ``STATEMENTS`` (per kind),
  ``ALERTS`` (per kind);
- the dispatcher: ``DELIVERIES`` (per channel, result "sent", "failed" or "retry") and
  ``OUTBOX_BACKLOG``;
- the daemon: ``FEEDS`` (state "active", "paused", "failing").

``SECONDS_SINCE_LAST_POLL`` is computed at scrape time from ``LAST_SUCCESSFUL_POLL`` so an
alerting rule can fire on a stalled daemon without doing arithmetic in PromQL.
"""

from __future__ import annotations

import math
import time

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

REGISTRY = CollectorRegistry()

POLLS = Counter(
    "news_monitor_polls",
    "Feed polls by result: HTTP 200, 304, or an error kind",
    ["result"],
    registry=REGISTRY,
)
ARTICLES = Counter(
    "news_monitor_articles_extracted",
    "Articles whose text was extracted, by source (page or feed)",
    ["source"],
    registry=REGISTRY,
)
EXTRACTION_SECONDS = Histogram(
    "news_monitor_extraction_seconds",
    "Time spent extracting one article's text",
    # Extraction of a normal page takes tens of milliseconds; the tail is pathological HTML.
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
    registry=REGISTRY,
)
MATCHES = Counter(
    "news_monitor_matches",
    "Articles matched to a topic",
    ["topic"],
    registry=REGISTRY,
)
STATEMENTS = Counter(
    "news_monitor_statements",
    "Statements detected in matched articles, by kind",
    ["kind"],
    registry=REGISTRY,
)
ALERTS = Counter(
    "news_monitor_alerts_raised",
    "Alerts written to the outbox, by kind",
    ["kind"],
    registry=REGISTRY,
)
DELIVERIES = Counter(
    "news_monitor_deliveries",
    "Alert delivery attempts by channel and result (sent, failed, retry)",
    ["channel", "result"],
    registry=REGISTRY,
)
OUTBOX_BACKLOG = Gauge(
    "news_monitor_outbox_backlog",
    "Alerts waiting in the outbox to be delivered",
    registry=REGISTRY,
)
LAST_SUCCESSFUL_POLL = Gauge(
    "news_monitor_last_successful_poll_timestamp_seconds",
    "Unix time of the last feed poll that answered 200 or 304",
    registry=REGISTRY,
)
SECONDS_SINCE_LAST_POLL = Gauge(
    "news_monitor_seconds_since_last_successful_poll",
    "Seconds since the last successful feed poll (NaN before the first one)",
    registry=REGISTRY,
)
FEEDS = Gauge(
    "news_monitor_feeds",
    "Feeds by state (active, paused, failing)",
    ["state"],
    registry=REGISTRY,
)


def _seconds_since_last_poll() -> float:
    """Age of the last successful poll; NaN until one happened (0 would look healthy)."""
    # collect() is the public way to read a gauge back (REGISTRY.get_sample_value would walk
    # every collector, this one included, and recurse).
    last = next(iter(LAST_SUCCESSFUL_POLL.collect())).samples[0].value
    if last <= 0:
        return math.nan
    return max(0.0, time.time() - last)


SECONDS_SINCE_LAST_POLL.set_function(_seconds_since_last_poll)


def render() -> tuple[bytes, str]:
    """The text exposition of every metric and its HTTP content type."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
