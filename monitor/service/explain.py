"""`news-monitor explain URL|FILE`: what the pipeline sees in one article and why it does or
does not alert.

It runs the real detection step (monitor/detection.py) against the real database in a
transaction that is rolled back: what it reports is what polling would do with the article
now, and it records nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from sqlmodel import Session

from monitor.config import Settings
from monitor.detection import Detection, story_refs
from monitor.models import Article, Match, utcnow
from monitor.pipeline.extract import PageText, extract_page
from monitor.pipeline.fetch import Fetcher
from monitor.pipeline.match import hit_sentence
from monitor.refresh import fetch_settings
from monitor.service.app import open_database
from monitor.store import articles as article_store
from monitor.store import stories as story_store
from monitor.store.tables import StatementRow


async def explain(settings: Settings, target: str, title: str | None = None) -> list[str]:
    page, url = await _load(settings, target)
    if page is None:
        return [f"{target}: no article text could be extracted"]
    article = Article(
        url=url,
        feed_url="",
        title=title or page.title or "",
        text=page.text,
        text_source="page",
        outlet="",
    )
    return list(_report(settings, article))


async def _load(settings: Settings, target: str) -> tuple[PageText | None, str]:
    path = Path(target)
    if not target.startswith(("http://", "https://")) and path.exists():
        return extract_page(path.read_bytes(), path.resolve().as_uri()), path.resolve().as_uri()
    async with Fetcher(fetch_settings(settings)) as fetcher:
        result = await fetcher.fetch_page(target)
    return extract_page(result.body, result.final_url), result.final_url


def _report(settings: Settings, article: Article) -> Iterator[str]:
    yield f"article: {article.title!r} ({article.url})"
    yield f"text: {len(article.text)} characters; begins: {article.text[:160]!r}"
    detection = Detection(settings)
    knowledge = detection.knowledge
    matches = knowledge.matcher.match(article.title, article.text)
    matched = {m.topic for m in matches}
    for name, topic in knowledge.topics.items():
        if name not in matched:
            yield f"topic {name}: no match for {topic.query!r}"
    db = open_database(settings, sync=False)
    try:
        with db.rehearsal() as session:
            yield from _rehearse(session, detection, article, matches)
    finally:
        db.close()


def _rehearse(
    session: Session, detection: Detection, article: Article, matches: list[Match]
) -> Iterator[str]:
    """Store and detect the article as polling would, and say what happened."""
    now = utcnow()
    before = {m.topic: {s.id for s in story_refs(session, m.topic, now)} for m in matches}
    stored = article_store.save_article(session, article, None, None)
    if stored is None:  # already stored: rehearse it under another name, as if new
        yield "(this article is stored already: shown as it would be processed now)"
        article = replace(article, url=f"{article.url}#explain")
        stored = article_store.save_article(session, article, None, None)
    assert stored is not None
    article = replace(article, id=stored)
    raised = {a.id for a in detection.process(session, article)}
    statements = story_store.statements_of_article(session, stored)
    for match in matches:
        yield f"topic {match.topic}: matched on {', '.join(match.terms)}"
        for hit in match.hits[:6]:
            sentence = hit_sentence(hit, article.title, article.text)
            yield f"  {hit.term!r} in {hit.field} at {hit.start}-{hit.end}: {sentence!r}"
        mine = [s for s in statements if s.topic == match.topic]
        if not mine:
            yield "  no claim or denial reported as news: no alert"
        for row in mine:
            yield from _statement_lines(
                row,
                row.story_id in before[match.topic],
                raised,
                detection.knowledge.topics[match.topic].kinds,
            )


def _statement_lines(
    row: StatementRow, joins: bool, raised: set[str], kinds: tuple[str, ...]
) -> Iterator[str]:
    yield f"  {row.kind}: {row.text!r}"
    yield (
        f"    cue {row.cue!r}; party {row.party!r} (key {row.party_key!r}); "
        f"speaker {row.speaker!r}; quote {row.quote!r}"
    )
    yield f"    proposition: {row.proposition!r}"
    yield f"    story: {'joins' if joins else 'starts a new story'} {row.story_id}"
    if row.kind not in kinds:
        yield f"    the topic does not watch {row.kind}s: no alert"
    elif row.alert_id in raised:
        yield f"    new: would raise alert {row.alert_id}"
    else:
        yield (f"    not new: this story already has a {row.kind} from {row.party_key!r}: no alert")
