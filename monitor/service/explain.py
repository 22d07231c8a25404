"""`news-monitor explain URL|FILE`: what the pipeline sees in one article and why it does or
does not alert. Read-only: it records nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

from sqlmodel import Session

from monitor.config import Settings
from monitor.models import Article, Statement, alert_id, utcnow
from monitor.pipeline.detect import detect
from monitor.pipeline.extract import PageText, extract_page
from monitor.pipeline.fetch import Fetcher
from monitor.pipeline.lexicon import DEFAULT_LEXICON
from monitor.pipeline.match import Matcher, hit_sentence
from monitor.pipeline.stories import StoryRef, assign_story, new_story_id
from monitor.refresh import fetch_settings
from monitor.service.app import open_database
from monitor.store import stories as story_store
from monitor.store.alerts import alert_payload

STORY_WINDOW = timedelta(days=30)


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
    topics = {t.name: t for t in settings.topics}
    matches = Matcher.compile({t.name: t.query for t in settings.topics}).match(
        article.title, article.text
    )
    matched = {m.topic for m in matches}
    for name in topics:
        if name not in matched:
            yield f"topic {name}: no match for {topics[name].query!r}"
    lexicon = DEFAULT_LEXICON.extended(
        denial_cues=settings.detection.denial_cues, claim_cues=settings.detection.claim_cues
    )
    db = open_database(settings, sync=False)
    try:
        for match in matches:
            yield f"topic {match.topic}: matched on {', '.join(match.terms)}"
            for hit in match.hits[:6]:
                sentence = hit_sentence(hit, article.title, article.text)
                yield f"  {hit.term!r} in {hit.field} at {hit.start}-{hit.end}: {sentence!r}"
            statements = detect(
                article.title,
                article.text,
                outlet=article.outlet or "the outlet",
                match=match,
                lexicon=lexicon,
            )
            if not statements:
                yield "  no claim or denial reported as news: no alert"
            with db.session() as session:
                rows = story_store.recent_stories(session, match.topic, utcnow() - STORY_WINDOW)
                refs = [
                    StoryRef(id=r.id, topic=r.topic, keywords=story_store.story_keywords(r))
                    for r in rows
                ]
                for statement in statements:
                    yield from _statement_lines(
                        session, topics[match.topic].kinds, match.topic, statement, refs
                    )
    finally:
        db.close()


def _statement_lines(
    session: Session, kinds: tuple[str, ...], topic: str, statement: Statement, refs: list[StoryRef]
) -> Iterator[str]:
    yield f"  {statement.kind}: {statement.text!r}"
    yield (
        f"    cue {statement.cue!r}; party {statement.party!r} (key {statement.party_key!r}); "
        f"speaker {statement.speaker!r}; quote {statement.quote!r}"
    )
    yield f"    proposition: {statement.proposition!r}"
    story = assign_story(statement, refs)
    story_id = story.id if story else new_story_id(topic, statement)
    yield f"    story: {'joins ' + story.id if story else 'starts a new story ' + story_id}"
    if statement.kind not in kinds:
        yield f"    the topic does not watch {statement.kind}s: no alert"
        return
    existing = alert_payload(
        session,
        alert_id(
            topic,
            story_id,
            statement.kind,
            statement.party_key,
        ),
    )
    if existing:
        yield f"    not new: alert {existing['id']} already raised ({existing['summary']})"
    else:
        yield "    new: would raise an alert"
