"""The metrics module: names other modules and dashboards rely on, and scrape-time values."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator

import prometheus_client
import pytest
from prometheus_client.parser import text_string_to_metric_families

from monitor import metrics


def _sample(name: str, **labels: str) -> float:
    value = metrics.REGISTRY.get_sample_value(name, labels)
    return 0.0 if value is None else value


@pytest.fixture
def last_poll() -> Iterator[None]:
    """Put the last-successful-poll gauge back as it was: it is process-wide state."""
    before = _sample("news_monitor_last_successful_poll_timestamp_seconds")
    yield
    metrics.LAST_SUCCESSFUL_POLL.set(before)


def test_families_and_types_are_the_agreed_ones() -> None:
    body, _ = metrics.render()
    families = {f.name: f.type for f in text_string_to_metric_families(body.decode())}
    # prometheus-client adds a *_created timestamp next to counters and histograms.
    families = {name: kind for name, kind in families.items() if not name.endswith("_created")}

    assert families == {
        "news_monitor_polls": "counter",
        "news_monitor_articles_extracted": "counter",
        "news_monitor_extraction_seconds": "histogram",
        "news_monitor_matches": "counter",
        "news_monitor_statements": "counter",
        "news_monitor_alerts_raised": "counter",
        "news_monitor_deliveries": "counter",
        "news_monitor_outbox_backlog": "gauge",
        "news_monitor_last_successful_poll_timestamp_seconds": "gauge",
        "news_monitor_seconds_since_last_successful_poll": "gauge",
        "news_monitor_feeds": "gauge",
    }


def test_metrics_live_in_their_own_registry_not_the_global_one() -> None:
    assert metrics.REGISTRY is not prometheus_client.REGISTRY
    global_text = prometheus_client.generate_latest(prometheus_client.REGISTRY).decode()
    assert "news_monitor_" not in global_text


def test_counters_render_with_total_and_their_labels() -> None:
    before = _sample("news_monitor_polls_total", result="http_404")
    metrics.POLLS.labels(result="http_404").inc()
    metrics.DELIVERIES.labels(channel="desk-mail", result="retry").inc(2)

    body, content_type = metrics.render()

    assert _sample("news_monitor_polls_total", result="http_404") == before + 1
    assert content_type.startswith("text/plain; version=")
    assert b'news_monitor_polls_total{result="http_404"}' in body
    assert b'news_monitor_deliveries_total{channel="desk-mail",result="retry"}' in body


def test_extraction_histogram_counts_observations() -> None:
    before = _sample("news_monitor_extraction_seconds_count")
    with metrics.EXTRACTION_SECONDS.time():
        pass
    metrics.EXTRACTION_SECONDS.observe(0.2)
    assert _sample("news_monitor_extraction_seconds_count") == before + 2
    assert _sample("news_monitor_extraction_seconds_bucket", le="0.25") >= 2


def test_gauges_are_set_by_their_owners() -> None:
    metrics.OUTBOX_BACKLOG.set(7)
    metrics.FEEDS.labels(state="failing").set(2)
    assert _sample("news_monitor_outbox_backlog") == 7
    assert _sample("news_monitor_feeds", state="failing") == 2


@pytest.mark.usefixtures("last_poll")
def test_seconds_since_last_poll_is_nan_before_the_first_poll() -> None:
    metrics.LAST_SUCCESSFUL_POLL.set(0)
    assert math.isnan(_sample("news_monitor_seconds_since_last_successful_poll"))


@pytest.mark.usefixtures("last_poll")
def test_seconds_since_last_poll_is_computed_at_scrape_time() -> None:
    metrics.LAST_SUCCESSFUL_POLL.set(time.time() - 100)
    age = _sample("news_monitor_seconds_since_last_successful_poll")
    assert 100 <= age < 110


@pytest.mark.usefixtures("last_poll")
def test_a_poll_in_the_future_does_not_give_a_negative_age() -> None:
    metrics.LAST_SUCCESSFUL_POLL.set(time.time() + 3600)  # a clock stepped backwards
    assert _sample("news_monitor_seconds_since_last_successful_poll") == 0
