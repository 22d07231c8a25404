"""The detection step: for one stored article, match the topics, detect the statements,
group them into stories, and record the new alerts in the outbox, in the caller's
transaction. Used by polling for new articles and by `replay` for stored ones.

Novelty is decided here: an alert is new when its (topic, story, kind, party) has none yet,
which the store also enforces with a unique constraint.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from loguru import logger
from sqlmodel import Session

from monitor import metrics
from monitor.config import Settings, TopicSettings
from monitor.models import Alert, Article, Match, Statement, utcnow
from monitor.pipeline.alerts import make_alert
from monitor.pipeline.detect import detect
from monitor.pipeline.lexicon import DEFAULT_LEXICON, Lexicon
from monitor.pipeline.match import Matcher, hit_sentences
from monitor.pipeline.parties import Party, same_party
from monitor.pipeline.stories import StoryRef, assign_story, grow_story, new_story
from monitor.store import articles as article_store
from monitor.store import stories as story_store
from monitor.store.alerts import record_alert

STORY_WINDOW = timedelta(days=30)  # a statement can join a story touched this recently


@dataclass(frozen=True, slots=True)
class Knowledge:
    """Topics, matcher and lexicon of one config generation: swapped whole on reload."""

    topics: dict[str, TopicSettings]
    channels: dict[str, list[str]]
    matcher: Matcher
    lexicon: Lexicon

    @classmethod
    def of(cls, settings: Settings) -> Knowledge:
        lexicon = DEFAULT_LEXICON.extended(
            denial_cues=settings.detection.denial_cues, claim_cues=settings.detection.claim_cues
        )
        return cls(
            topics={t.name: t for t in settings.topics},
            channels={t.name: settings.channels_for(t) for t in settings.topics},
            matcher=Matcher.compile({t.name: t.query for t in settings.topics}),
            lexicon=lexicon,
        )


class Detection:
    """Matching and detection of stored articles, for the current config generation.
    Used by polling for new articles and by `replay` for stored ones."""

    def __init__(self, settings: Settings) -> None:
        self.knowledge = Knowledge.of(settings)

    def reconfigure(self, settings: Settings) -> None:
        self.knowledge = Knowledge.of(settings)

    def process(
        self,
        session: Session,
        article: Article,
        *,
        alert: bool = True,
        topics: Collection[str] | None = None,
    ) -> list[Alert]:
        """Match, detect and record one stored article; returns the alerts it raised.
        `alert=False` records statements and stories but raises nothing (replay)."""
        assert article.id is not None
        raised: list[Alert] = []
        for match in self.knowledge.matcher.match(article.title, article.text):
            if topics is None or match.topic in topics:
                raised += self._topic(session, article, match, alert)
        for item in raised:
            logger.info("alert {} {}: {}: {}", item.id, item.kind, item.topic, item.summary)
        return raised

    def _topic(self, session: Session, article: Article, match: Match, alert: bool) -> list[Alert]:
        assert article.id is not None
        knowledge, now = self.knowledge, utcnow()
        metrics.MATCHES.labels(topic=match.topic).inc()
        article_store.save_match(
            session, article.id, match, hit_sentences(match, article.title, article.text)
        )
        topic = knowledge.topics[match.topic]
        statements = detect(
            article.title,
            article.text,
            outlet=article.outlet,
            match=match,
            lexicon=knowledge.lexicon,
        )
        stories = story_refs(session, topic.name, now)
        raised = []
        for statement in statements:
            story = join_story(stories, topic.name, statement)
            if story is None:
                continue  # a tentative statement that answers no story: an event, not news
            metrics.STATEMENTS.labels(kind=statement.kind).inc()
            story_store.save_story(
                session, story.id, topic.name, statement.proposition, story.keywords, now
            )
            statement = _with_known_party(session, story.id, statement)
            new = None
            if alert and statement.kind in topic.kinds:
                new = self._raise(session, topic, story.id, statement, article, now)
            if new is not None:
                raised.append(new)
            story_store.save_statement(
                session, article.id, topic.name, story.id, statement, new.id if new else None, now
            )
        return raised

    def _raise(
        self,
        session: Session,
        topic: TopicSettings,
        story_id: str,
        statement: Statement,
        article: Article,
        now: datetime,
    ) -> Alert | None:
        """The alert, when its (topic, story, kind, party) has none yet."""
        candidate = make_alert(topic.name, story_id, statement, article, now)
        channels = self.knowledge.channels[topic.name]
        if not record_alert(session, candidate, statement.party_key, channels, article.id, now):
            return None
        metrics.ALERTS.labels(kind=candidate.kind).inc()
        return candidate


def join_story(stories: list[StoryRef], topic: str, statement: Statement) -> StoryRef | None:
    """The story the statement joins (grown by it) or founds; `stories` is kept current.
    None for a tentative statement that joins no story: it founds none."""
    found = assign_story(statement, stories)
    if found is None and statement.tentative:
        return None
    if found is None:
        story = new_story(topic, statement)
        stories.append(story)
    else:
        story = grow_story(found, statement)
        stories[stories.index(found)] = story
    return story


def _with_known_party(session: Session, story_id: str, statement: Statement) -> Statement:
    """A party the story already knows under another key ("Harriet Osei" after "County Clerk
    Osei", "the energy ministry" after "Energy Minister Ferrante") keeps that key, so one
    body named three ways alerts once."""
    known = [
        Party(row.party, row.party_key, row.speaker)
        for row, _ in story_store.timeline(session, story_id)
    ]
    party = Party(statement.party, statement.party_key, statement.speaker)
    alias = same_party(party, known)
    return replace(statement, party_key=alias) if alias else statement


def story_refs(session: Session, topic: str, now: datetime) -> list[StoryRef]:
    rows = story_store.recent_stories(session, topic, now - STORY_WINDOW)
    return [StoryRef(id=r.id, topic=r.topic, keywords=story_store.story_keywords(r)) for r in rows]
