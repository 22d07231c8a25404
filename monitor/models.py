"""Plain typed objects the pipeline stages pass along.

feed bytes -> Entry -> Article -> Match -> Statement -> Alert

Every timestamp is timezone-aware UTC. These objects carry no database or network handles:
the store turns them into rows, the stages turn them into each other.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, NamedTuple

Kind = Literal["claim", "denial"]
KINDS: tuple[Kind, ...] = ("claim", "denial")
TextSource = Literal["page", "feed"]


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(dt: datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z, as the webhook payload wants it."""
    if dt is None:
        return None
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class Entry:
    """One item of a parsed feed, before its page is fetched."""

    feed_url: str
    guid: str | None
    link: str | None
    title: str
    author: str | None = None
    published_at: datetime | None = None
    summary: str = ""  # plain text
    content: str = ""  # plain text of the full content when the feed carries it

    @property
    def identity(self) -> str:
        """Stable identity within a feed: the guid, else the link, else title+content
        (as miniflux does), hashed so it fits an index."""
        basis = self.guid or self.link or f"{self.title}\n{self.content or self.summary}"
        return hashlib.sha256(basis.encode("utf-8", "replace")).hexdigest()


@dataclass(frozen=True, slots=True)
class Article:
    """An entry with its text: from the page when it could be fetched, else from the feed."""

    url: str  # canonical URL, tracking parameters dropped
    feed_url: str
    title: str
    text: str
    text_source: TextSource
    guid: str | None = None
    author: str | None = None
    published_at: datetime | None = None
    fetched_at: datetime = field(default_factory=utcnow)
    language: str | None = None
    outlet: str = ""  # the feed's name, used as the party of the outlet's own reports
    id: int | None = None  # set once stored

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(f"{self.title}\n{self.text}".encode()).hexdigest()


class TermHit(NamedTuple):
    """One occurrence of a query term in an article. Its sentence is not kept: splitting
    sentences is slow and matching needs only the terms, so it is found when shown
    (`monitor.pipeline.match.hit_sentence`). A named tuple, not a dataclass: the matcher
    makes thousands a second, and tuples are built twice as fast (benchmarks/match.py)."""

    term: str  # the term as written in the query (word, "phrase", prefix*)
    field: Literal["title", "text"]
    start: int  # character offsets into that field
    end: int


@dataclass(frozen=True, slots=True)
class Match:
    """A topic whose query matched an article, with the hits that made it match."""

    topic: str
    hits: tuple[TermHit, ...]

    @property
    def terms(self) -> tuple[str, ...]:
        return tuple(sorted({h.term for h in self.hits}))


@dataclass(frozen=True, slots=True)
class Statement:
    """A claim or denial an article reports as news about a topic."""

    kind: Kind
    text: str  # the sentence that carries it
    cue: str  # the words that decided the kind ("denies", "pure fiction", "sources say")
    proposition: str  # what is claimed or denied
    party: str  # who makes it, as shown ("Kremlin", "The Daily Vanguard")
    party_key: str  # normalised party used for novelty ("kremlin", "media")
    speaker: str | None = None  # the person, when named ("Dmitry Peskov")
    quote: str | None = None  # quoted words ("pure fiction")
    in_title: bool = False
    # content words and names of the proposition: what stories are grouped by
    keywords: frozenset[str] = frozenset()
    # a cue-less headline's action ("Agrarians approve coalition deal"), or a thing ruled
    # out with no report named ("rules out renationalising"): a statement only when it
    # answers a story already out; it never founds one
    tentative: bool = False

    def as_payload(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "speaker": self.speaker,
            "party": self.party,
            "quote": self.quote,
        }


@dataclass(frozen=True, slots=True)
class Alert:
    """A new claim or denial in a story of a topic, as delivered (INTERFACE.md)."""

    id: str
    kind: Kind
    topic: str
    story_id: str
    summary: str
    statement: Statement
    article_url: str
    article_title: str
    feed_url: str
    published_at: datetime | None
    detected_at: datetime
    test: bool = False  # a test alert sent by `alerts test CHANNEL`

    def payload(self) -> dict[str, Any]:
        """The webhook body of INTERFACE.md."""
        body: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind,
            "topic": self.topic,
            "story_id": self.story_id,
            "summary": self.summary,
            "statement": self.statement.as_payload(),
            "article": {
                "url": self.article_url,
                "title": self.article_title,
                "feed_url": self.feed_url,
                "published_at": iso(self.published_at),
            },
            "detected_at": iso(self.detected_at),
        }
        if self.test:
            body["test"] = True
        return body


def alert_id(topic: str, story_id: str, kind: str, party_key: str) -> str:
    """Deterministic: the same (topic, story, kind, party) always gives the same id, so a
    retried transaction or a replay cannot mint a second alert for it."""
    basis = "\x1f".join((topic, story_id, kind, party_key))
    return "al_" + hashlib.sha256(basis.encode()).hexdigest()[:24]
