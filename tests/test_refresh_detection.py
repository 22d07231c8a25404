"""Detection.process against a real database: a party named two ways in one story alerts once."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlmodel import Session, select

from monitor.config import load_config
from monitor.detection import Detection
from monitor.models import Alert, Article, utcnow
from monitor.pipeline.detect import detect
from monitor.store import articles as article_store
from monitor.store.db import Database

pytestmark = pytest.mark.timeout(60)


def _article(n: int, title: str, text: str) -> Article:
    return Article(
        url=f"https://news.example/{n}",
        feed_url="https://news.example/rss",
        title=title,
        text=text,
        text_source="page",
        published_at=utcnow(),
        outlet="Example News",
    )


FIRST = _article(
    1,
    "County Clerk Harriet Osei denies ballots were dumped in creek",
    "County Clerk Harriet Osei on Tuesday denied that any ballots had been dumped in the "
    "creek, saying the papers were old sample ballots.",
)
SECOND = _article(
    2,
    "Harriet Osei denies creek ballots were dumped",
    "Harriet Osei said on Wednesday that no ballots had been dumped in the creek and that "
    "the papers were sample ballots.",
)


def _detection(tmp_path: Path, topic: str, query: str) -> Detection:
    """Detection for one topic, from a real config file."""
    config = tmp_path / "monitor.toml"
    config.write_text(
        f'[monitor]\ndatabase_url = "sqlite:///{tmp_path / "unused.db"}"\n\n'
        f"[[topics]]\nname = \"{topic}\"\nquery = '{query}'\n",
        encoding="utf-8",
    )
    return Detection(load_config(config))


def _process(session: Session, detection: Detection, *articles: Article) -> list[Alert]:
    """Store each article and detect in it, in order, as refresh does; the alerts raised."""
    raised: list[Alert] = []
    for item in articles:
        article_id = article_store.save_article(session, item, None, item.url)
        raised += detection.process(session, replace(item, id=article_id))
    return raised


def test_one_clerk_named_two_ways_alerts_once(database: Database, tmp_path: Path) -> None:
    detection = _detection(tmp_path, "ballots", "ballots AND creek")
    # detect alone gives the two articles different party keys
    keys = {detect(a.title, a.text, outlet=a.outlet)[0].party_key for a in (FIRST, SECOND)}
    assert len(keys) == 2
    with database.session() as session:
        raised = _process(session, detection, FIRST, SECOND)
    assert [a.kind for a in raised] == ["denial"]
    assert raised[0].article_url == FIRST.url


def test_a_cue_less_deed_alerts_only_when_it_settles_a_story(
    database: Database, tmp_path: Path
) -> None:
    """'Rapid Velen part company with Varkonyi' confirms the sacking story already out; a
    cue-less deed on its own ('unveil new kit') is an event: no statement, no alert."""
    from monitor.store.tables import StatementRow

    detection = _detection(tmp_path, "coach", '"Rapid Velen" AND (Varkonyi OR kit)')
    scoop = _article(
        11,
        "Rapid Velen to sack coach Varkonyi after cup exit",
        "Rapid Velen will sack coach Tibor Varkonyi this week after the cup exit, with the"
        " board unhappy at a run of five games without a win.",
    )
    deed = _article(
        12,
        "Rapid Velen part company with coach Varkonyi after cup exit",
        "Rapid Velen have parted company with coach Tibor Varkonyi after five games without a"
        " win, the club said in a short statement on its website.",
    )
    event = _article(
        13,
        "Rapid Velen unveil new kit for next season",
        "Rapid Velen showed off a green and white kit at a launch in the city centre on a sunny"
        " afternoon, with players and fans at the old market square.",
    )
    with database.session() as session:
        raised = _process(session, detection, scoop, event, deed)
        kinds = [(a.article_url, a.kind) for a in raised]
        stored = {row.article_id for row in session.exec(select(StatementRow))}
    assert kinds == [(scoop.url, "claim"), (deed.url, "claim")]
    assert len(stored) == 2  # the kit launch left no statement
