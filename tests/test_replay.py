"""`news-monitor replay`: stored articles matched and detected again after a topic change,
alerts only with --alert and never twice, --dry-run writing nothing, --topic, progress."""

from __future__ import annotations

import io
import sys
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from monitor.cli import main
from monitor.config import load_config
from monitor.detection import Detection
from monitor.models import Article, utcnow
from monitor.service.app import open_database
from monitor.store.db import Database
from monitor.store.stats import row_counts
from monitor.store.tables import AlertRow, MatchRow, StatementRow
from tests.test_manage_cli import (
    CLAIM,
    DENIAL,
    UNRELATED,
    Run,
    article,
    cli_runner,
    store_articles,
    write_config,
)

pytestmark = pytest.mark.timeout(60)

TOPIC_A = """
[[topics]]
name = "putin-trump"
query = 'Putin AND Trump'

[[channels]]
name = "log"
type = "log"
"""
TOPIC_B = (
    TOPIC_A
    + """
[[topics]]
name = "ceasefire"
query = 'ceasefire'
"""
)
PUTIN_TRUMP = article(
    4,
    "Kremlin denies Putin-Trump phone call",
    "Kremlin spokesman Dmitry Peskov denied reports that Putin and Trump spoke by phone, "
    'calling them "pure fiction".',
)
# a ceasefire claim fetched before the replay window
OLD = replace(
    article(
        5,
        "Report: ceasefire deal reached in Kherson",
        "A ceasefire deal has been reached for the Kherson region, according to sources "
        "familiar with the talks, Reuters reported.",
    ),
    fetched_at=utcnow() - timedelta(days=10),
)


def polled_under(config: Path, *articles: Article) -> None:
    """Store and process the articles as polling did under `config`, alerts included."""
    settings = load_config(config)
    db = open_database(settings)  # migrated, the config's feeds synced, as polling has them
    try:
        detection = Detection(settings)
        ids = store_articles(db, *articles)
        with db.session() as session:
            for article_id, item in zip(ids, articles, strict=True):
                detection.process(session, replace(item, id=article_id))
    finally:
        db.close()


def snapshot(db_url: str) -> dict[str, Any]:
    """What replay may change: row counts, matches, statements (with their alerts)."""
    db = Database(db_url)
    try:
        with db.session() as session:
            matches = sorted((m.article_id, m.topic) for m in session.exec(select(MatchRow)))
            statements = sorted(
                (s.article_id, s.topic, s.kind, s.alert_id or "")
                for s in session.exec(select(StatementRow))
            )
            alerts = sorted(a.id for a in session.exec(select(AlertRow)))
            return {
                "rows": row_counts(session),
                "matches": matches,
                "statements": statements,
                "alerts": alerts,
            }
    finally:
        db.close()


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    return cli_runner(capsys)


@pytest.fixture
def setup(tmp_path: Path, db_url: str) -> tuple[Path, str]:
    """Articles polled under config A (one topic); returns config B (a topic added)."""
    config_a = write_config(tmp_path, database_url=db_url, extra=TOPIC_A, name="a.toml")
    polled_under(config_a, CLAIM, DENIAL, UNRELATED, PUTIN_TRUMP, OLD)
    return write_config(tmp_path, database_url=db_url, extra=TOPIC_B, name="b.toml"), db_url


def test_replay_after_a_topic_is_added_alerts_only_when_asked_and_never_twice(
    setup: tuple[Path, str], run: Run
) -> None:
    config, db_url = setup
    before = snapshot(db_url)
    assert before["alerts"] and len(before["alerts"]) == 1
    assert {t for _, t in before["matches"]} == {"putin-trump"}

    found = run(config, "replay", "--since", "7d", "--json")
    assert found.code == 0, found.err
    report = found.json()
    assert report["articles"] == 4  # OLD is outside the window
    by_url = {f["url"]: f for f in report["findings"]}
    assert set(by_url) == {CLAIM.url, DENIAL.url, PUTIN_TRUMP.url}
    assert by_url[DENIAL.url]["topics"] == ["ceasefire"]
    assert {s["kind"] for s in by_url[DENIAL.url]["statements"]} == {"denial"}
    assert report["alerts"] == []
    after = snapshot(db_url)
    assert after["alerts"] == before["alerts"]  # no --alert: no alert rows
    assert set(after["matches"]) >= set(before["matches"])
    assert (2, "ceasefire") in after["matches"]
    # stories and statements are recorded, just without alerts
    assert (2, "ceasefire", "denial", "") in after["statements"]
    assert after["rows"]["stories"] > before["rows"]["stories"]
    # the putin-trump statement replayed still points at the alert it raised when polled
    assert [s for s in after["statements"] if s[1] == "putin-trump"] == [
        s for s in before["statements"] if s[1] == "putin-trump"
    ]

    alerted = run(config, "replay", "--since", "7d", "--alert", "--json").json()
    new_alerts = {a["topic"] for a in alerted["alerts"]}
    assert new_alerts == {"ceasefire"}
    with_alerts = snapshot(db_url)
    assert len(with_alerts["alerts"]) == 1 + len(alerted["alerts"])
    assert with_alerts["rows"]["deliveries"] == len(with_alerts["alerts"])

    again = run(config, "replay", "--since", "7d", "--alert", "--json").json()
    assert again["alerts"] == []
    assert snapshot(db_url) == with_alerts  # same matches, statements, alerts, deliveries


def test_replay_dry_run_writes_nothing_and_prints_what_it_found(
    setup: tuple[Path, str], run: Run
) -> None:
    config, db_url = setup
    before = snapshot(db_url)
    result = run(config, "replay", "--since", "7d", "--dry-run", "--alert")
    assert result.code == 0, result.err
    assert snapshot(db_url) == before
    assert f"ceasefire: {DENIAL.title} <{DENIAL.url}>" in result.out
    assert "  denial by Kremlin (ceasefire)" in result.out
    assert "  alert al_" in result.out  # what --alert would raise
    assert result.err.splitlines()[-1].startswith("dry run, nothing written: 4 articles replayed")


def test_replay_of_one_topic_leaves_the_others_alone(setup: tuple[Path, str], run: Run) -> None:
    config, db_url = setup
    db = Database(db_url)
    try:
        with db.session() as session:
            kept = {s.id for s in session.exec(select(StatementRow)) if s.topic == "putin-trump"}
    finally:
        db.close()
    result = run(config, "replay", "--since", "7d", "--topic", "ceasefire", "--json")
    report = result.json()
    assert {t for f in report["findings"] for t in f["topics"]} == {"ceasefire"}
    db = Database(db_url)
    try:
        with db.session() as session:
            statements = list(session.exec(select(StatementRow)))
    finally:
        db.close()
    # the putin-trump statement was not dropped and found again: same row
    assert kept and {s.id for s in statements if s.topic == "putin-trump"} == kept


def test_replay_of_an_unknown_topic_is_a_usage_error(setup: tuple[Path, str], run: Run) -> None:
    config, _ = setup
    result = run(config, "replay", "--since", "7d", "--topic", "nope")
    assert result.code == 2
    assert "no topic named nope (topics: putin-trump, ceasefire)" in result.err
    assert run(config, "replay").code == 2  # --since is required


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_replay_progress_is_a_counter_on_a_terminal_and_one_line_otherwise(
    setup: tuple[Path, str], monkeypatch: pytest.MonkeyPatch, run: Run
) -> None:
    config, _ = setup
    plain = run(config, "replay", "--since", "7d")
    assert "\r" not in plain.err
    assert plain.err.splitlines()[-1] == (
        "4 articles replayed, 3 matched, 3 statements, 0 alerts raised"
    )
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["-c", str(config), "replay", "--since", "7d"]) == 0
    shown = terminal.getvalue()
    assert "\rreplaying articles: 1/4" in shown and "\rreplaying articles: 4/4\n" in shown
    assert shown.rstrip().endswith("0 alerts raised")
