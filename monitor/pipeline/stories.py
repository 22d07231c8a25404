"""Group statements into stories: one story per proposition of a topic.

A statement's keywords are the content words of its proposition and the lead around it,
lightly stemmed, with stopwords, cue words, the party's name and the topic's own query
terms removed: every story of "Putin AND Trump" names Putin and Trump, so those words
cannot tell a phone call from a meeting.

A statement joins the existing story of its topic that covers the largest weighted share of
its keywords. A keyword found in several candidate stories weighs 1/n: words common to the
whole topic count little, words that name the proposition ("phone", "ransom") count fully.
How much sharing is enough depends on what the statement does:
- an answer (a denial, a confirmation, an admission) or a statement whose own words are
  all the topic's ("I am not resigning" on a topic about resigning) is about a proposition
  already out: ANSWER_THRESHOLD;
- a statement by a party that already spoke in the story likewise: ANSWER_THRESHOLD;
- a fresh report needs JOIN_THRESHOLD and one of its own headline words among the story's
  own words or its parties' names: sharing only the topic's words and the lead's background
  ("customers", "billing systems"), "paid hackers a ransom" is a new proposition next to
  "customer data stolen".
A story also remembers its parties' names (PARTY_MARK), so "Whitlock hits back at Pryce"
joins the story where Pryce spoke.

Why 0.15: a follow-up that names the same proposition in other words ("secret phone calls",
"no such call took place") shares two to four of its ten to twenty keywords with the story
(0.2 to 0.4), while a different proposition of the same topic shares only incidental words
(under 0.15 in the scenarios measured by benchmarks/detect_eval.py).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from monitor.models import Statement
from monitor.pipeline.text import strip_accents

JOIN_THRESHOLD = 0.15
# A denial or a confirmation answers a proposition already reported: it joins the best
# story on far less shared wording than a fresh report needs to.
ANSWER_THRESHOLD = 0.05
# A tentative statement (a cue-less headline's action) joins only a story it plainly
# continues; below this it is an event of its own, and no alert
TENTATIVE_THRESHOLD = 0.3
MEDIA_PARTY = "media"
_ANSWER_CUE = re.compile(r"confirm|admit|acknowledg|conced", re.I)
_MAX_STORY_KEYWORDS = 200  # a story's vocabulary grows with its statements; cap it

_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "then",
        "than",
        "that",
        "this",
        "these",
        "those",
        "there",
        "their",
        "them",
        "they",
        "he",
        "she",
        "it",
        "its",
        "his",
        "her",
        "him",
        "we",
        "our",
        "us",
        "you",
        "your",
        "i",
        "me",
        "my",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "from",
        "by",
        "with",
        "about",
        "as",
        "into",
        "onto",
        "over",
        "after",
        "before",
        "since",
        "during",
        "while",
        "when",
        "where",
        "who",
        "whom",
        "whose",
        "which",
        "what",
        "why",
        "how",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "am",
        "has",
        "have",
        "had",
        "having",
        "do",
        "does",
        "did",
        "done",
        "not",
        "no",
        "nor",
        "never",
        "so",
        "too",
        "very",
        "can",
        "could",
        "may",
        "might",
        "must",
        "shall",
        "should",
        "will",
        "would",
        "just",
        "also",
        "only",
        "even",
        "still",
        "yet",
        "again",
        "ever",
        "all",
        "any",
        "some",
        "each",
        "every",
        "both",
        "either",
        "neither",
        "more",
        "most",
        "much",
        "many",
        "such",
        "own",
        "same",
        "other",
        "another",
        "here",
        "up",
        "down",
        "out",
        "off",
        "new",
        "says",
        "say",
        "said",
        "saying",
        "tell",
        "tells",
        "told",
        "according",
        "report",
        "reports",
        "reported",
        "reporting",
        "claim",
        "claims",
        "claimed",
        "deny",
        "denies",
        "denied",
        "denial",
        "reject",
        "rejects",
        "rejected",
        "dismiss",
        "dismisses",
        "dismissed",
        "source",
        "sources",
        "people",
        "person",
        "familiar",
        "insider",
        "insiders",
        "official",
        "officials",
        "statement",
        "statements",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "confirm",
        "confirms",
        "confirmed",
        "admit",
        "admits",
        "admitted",
        "story",
        "stories",
        "rumor",
        "rumors",
        "rumour",
        "rumours",
        "allegation",
        "allegations",
        "false",
        "untrue",
        "fiction",
        "fabricated",
        "nonsense",
        "baseless",
        "categorically",
        "newspaper",
        "exclusive",
        # time words date a proposition, they never tell two apart
        "january",
        "february",
        "march",
        "april",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "spring",
        "summer",
        "autumn",
        "winter",
        "tonight",
        "tomorrow",
        "morning",
        "afternoon",
        "evening",
        "night",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "week",
        "weeks",
        "month",
        "months",
        "year",
        "years",
        "today",
        "yesterday",
        "day",
        "days",
        "time",
        "earlier",
        "later",
        "last",
        "first",
        "second",
        "mr",
        "mrs",
        "ms",
        "dr",
        "former",
        "amid",
        "between",
        "against",
        "per",
        "via",
        "despite",
        "without",
        "within",
        "whether",
        "cit",
        "citing",
        "reportedly",
        "understand",
        "understands",
        "accept",
        "one",
        "two",
        "three",
        "four",
        "five",
        "hit",
        "back",
    ]
)
_IRREGULAR = {
    "spoke": "speak",
    "spoken": "speak",
    "talked": "talk",
    "met": "meet",
    "meeting": "meet",
    "meetings": "meet",
    "took": "take",
    "taken": "take",
    "paid": "pay",
    "stole": "steal",
    "stolen": "steal",
    "quitting": "quit",
    "resigning": "resign",
    "resignation": "resign",
    "calls": "call",
    "phoned": "phone",
    "telephone": "phone",
    "conversations": "conversation",
    "hackers": "hack",
    "hacked": "hack",
    "hacker": "hack",
}
# Common news paraphrases folded to one word (general vocabulary, not a scenario's):
# "step down", "quit" and "resign" name the same proposition.
_SYNONYMS = {
    "quit": "resign",
    "resignation": "resign",
    "step": "resign",
    "conversation": "call",
    "phone": "call",
    "speak": "call",
    "talk": "call",
    "summit": "meet",
    "cyberattack": "breach",
    "hack": "breach",
    "steal": "breach",
    "intrusion": "breach",
    "payment": "pay",
    "offer": "bid",
    "sale": "sell",
    "transfer": "sell",
}
LEAD_MARK = "~"  # a word only found in the lead, not in the statement's own sentence
TERM_MARK = "#"  # one of the topic's own words (shared by its stories)
PARTY_MARK = "@"  # a word of the name of a party that spoke in the story
LEAD_WEIGHT = 0.25
TERM_WEIGHT = 0.25
_WORD = re.compile(r"[a-z0-9][a-z0-9'£$€.-]*[a-z0-9]|[a-z0-9]")


@dataclass(frozen=True, slots=True)
class StoryRef:
    """A story as the grouping needs it: its id, topic and vocabulary."""

    id: str
    topic: str
    keywords: frozenset[str]
    title: str = ""  # the first statement's proposition, for people reading alerts
    statements: int = 1


def stem(word: str) -> str:
    """Light, predictable stemming: plurals and -ing/-ed endings, a few irregular verbs."""
    word = re.sub(r"'s$|'$", "", word.lower())
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    for suffix, repl, min_len in (("ies", "y", 5), ("ing", "", 6), ("ed", "", 5), ("es", "", 6)):
        if word.endswith(suffix) and len(word) >= min_len:
            return word[: -len(suffix)] + repl
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def _excluded(exclude: Iterable[str]) -> tuple[set[str], tuple[str, ...]]:
    """Words and word prefixes (from "hack*" query terms) never to count as keywords."""
    words: set[str] = set()
    prefixes: list[str] = []
    for item in exclude:
        for raw in re.split(r"[\s\"-]+", item.lower()):
            if raw.endswith("*") and len(raw) > 2:
                prefixes.append(raw[:-1])
            elif raw:
                words.add(stem(raw))
                words.add(re.sub(r"'s$", "", raw))
    return words, tuple(prefixes)


def keywords_of(text: str, exclude: Iterable[str] = ()) -> frozenset[str]:
    """Normalised content words of a text, minus stopwords, cue words and `exclude`."""
    words, prefixes = _excluded(exclude)
    out: set[str] = set()
    # accents off: "Žilno" and "Zilno" are one word, not "ilno"
    for raw in _WORD.findall(strip_accents(text.lower().replace("’", "'"))):
        for part in raw.split("-") if not raw[0].isdigit() else [raw]:
            word = stem(part.strip(".'"))
            if len(word) < 3 or word in _STOPWORDS or part in _STOPWORDS:
                continue
            if word in words or part in words or part.startswith(prefixes):
                continue
            out.add(_SYNONYMS.get(word, word))
    return frozenset(out)


def tiered_keywords(
    sentence: str, lead: str, exclude: Iterable[str] = (), topic_words: Iterable[str] = ()
) -> frozenset[str]:
    """The statement's own words, the lead's extra words marked LEAD_MARK, the topic's
    words marked TERM_MARK: marks set their weight in `similarity`."""
    own = keywords_of(sentence, exclude)
    extra = keywords_of(lead, exclude) - own
    topic = keywords_of(" ".join(topic_words))
    marked = {TERM_MARK + w if w in topic else w for w in own}
    marked |= {TERM_MARK + w if w in topic else LEAD_MARK + w for w in extra}
    return frozenset(marked)


def bare(word: str) -> str:
    return word.lstrip(LEAD_MARK + TERM_MARK + PARTY_MARK)


def _tier(word: str) -> float:
    if word.startswith(TERM_MARK):
        return TERM_WEIGHT
    return LEAD_WEIGHT if word.startswith(LEAD_MARK) else 1.0


def story_keywords(statement: Statement, exclude: Iterable[str] = ()) -> frozenset[str]:
    """What a statement's story is compared by: its keywords (set by detect), else the
    content words of its proposition; topic terms in `exclude` removed either way."""
    base = statement.keywords or keywords_of(statement.proposition)
    if not exclude:
        return base
    return frozenset(keywords_of(" ".join(sorted(base)), exclude))


def party_marks(statement: Statement) -> frozenset[str]:
    """The party's name words, marked: a later statement that names this party ("Whitlock
    hits back at Pryce") is answering it, so it belongs to this story. A statement never
    counts its own party among its keywords, so the marks only ever meet other parties."""
    if statement.party_key == MEDIA_PARTY:
        return frozenset()
    names = f"{statement.party} {statement.speaker or ''}"
    return frozenset(PARTY_MARK + w for w in keywords_of(names) if not w[:1].isdigit())


def _weights(candidates: Sequence[StoryRef]) -> dict[str, float]:
    counts: dict[str, int] = {}
    for story in candidates:
        for word in {bare(w) for w in story.keywords}:
            counts[word] = counts.get(word, 0) + 1
    return {word: 1.0 / n for word, n in counts.items()}


def similarity(keywords: frozenset[str], story: StoryRef, weights: dict[str, float]) -> float:
    """The weighted share of the statement's keywords that the story holds."""
    if not keywords:
        return 0.0
    held: dict[str, float] = {}
    for word in story.keywords:
        held[bare(word)] = max(held.get(bare(word), 0.0), _tier(word))
    # a statement's own words count against the story's words, never against its own marks
    total = shared = 0.0
    for word in keywords:
        df_weight = weights.get(bare(word), 1.0)
        total += _tier(word) * df_weight
        # a word counts as shared at the lower of its two weights: the statement's own
        # word found only in the story's background is weak evidence
        shared += min(_tier(word), held.get(bare(word), 0.0)) * df_weight
    return shared / total if total else 0.0


def assign_story(
    statement: Statement,
    candidates: Sequence[StoryRef],
    *,
    threshold: float = JOIN_THRESHOLD,
) -> StoryRef | None:
    """The best existing story (candidates: the statement's topic's stories) for the
    statement's proposition, or None: start a new one."""
    keywords = story_keywords(statement)
    if not candidates or not keywords:
        return None
    weights = _weights(candidates)
    scored = [(similarity(keywords, story, weights), i) for i, story in enumerate(candidates)]
    best, index = max(scored)
    if statement.tentative:
        # a cue-less headline's action settles a story only when plainly about it
        strong = best >= TENTATIVE_THRESHOLD and shares_core(keywords, candidates[index])
        return candidates[index] if strong else None
    # an answer (denial, confirmation), or a statement whose own words are all the
    # topic's ("I am not resigning" on a topic about resigning), is about a proposition
    # already out: it joins the best story on little shared wording
    if answers(statement) or not _own_words(keywords) or spoke_in(statement, candidates[index]):
        return candidates[index] if best >= min(threshold, ANSWER_THRESHOLD) else None
    # a fresh report joins only a story that holds one of its own words: sharing nothing
    # but the topic's words and the lead's background ("customers", "systems") it reports
    # a new proposition of the topic ("paid a ransom" after "data stolen")
    if best < threshold:
        return None
    # a report whose own words are all but one the topic's or the lead's ("Taesan president
    # to visit Malindra next month") is judged by those: on strong similarity it joins
    few_own = len(_own_words(keywords)) <= 1 and best >= TENTATIVE_THRESHOLD
    if not few_own and not shares_core(keywords, candidates[index]):
        return None
    return candidates[index]


def spoke_in(statement: Statement, story: StoryRef) -> bool:
    """Whether the statement's party already spoke in the story: a party that goes on about
    its topic ("will cut 1,200 jobs" after denying 4,000) is mostly answering itself, so it
    joins on little shared wording, as an answer does."""
    marks = party_marks(statement)
    return bool(marks) and marks <= story.keywords


def _own_words(keywords: frozenset[str]) -> set[str]:
    return {w for w in keywords if _tier(w) == 1.0}


def shares_core(keywords: frozenset[str], story: StoryRef) -> bool:
    """Whether a word of the statement's own sentence is a word of the story's own
    sentences or a name of one of its parties (not merely its lead or topic words)."""
    own = _own_words(keywords)
    held = {bare(w) for w in story.keywords if _tier(w) == 1.0}
    return bool(own & held)


def answers(statement: Statement) -> bool:
    """A denial, or a confirmation or admission: it answers a proposition already out."""
    return statement.kind == "denial" or bool(_ANSWER_CUE.match(statement.cue))


def new_story_id(topic: str, statement: Statement) -> str:
    """Deterministic, so a replay of the same statement founds the same story."""
    basis = "\x1f".join((topic, statement.proposition, statement.text))
    return "st_" + hashlib.sha256(basis.encode()).hexdigest()[:16]


def new_story(topic: str, statement: Statement) -> StoryRef:
    """A story founded by its first statement."""
    return StoryRef(
        id=new_story_id(topic, statement),
        topic=topic,
        keywords=story_keywords(statement) | party_marks(statement),
        title=statement.proposition,
    )


def grow_story(story: StoryRef, statement: Statement) -> StoryRef:
    """The story after a statement joined it: its vocabulary takes the statement's words,
    so later rewrites can match any wording seen so far."""
    keywords = story.keywords | story_keywords(statement) | party_marks(statement)
    if len(keywords) > _MAX_STORY_KEYWORDS:
        keywords = story.keywords
    return replace(story, keywords=keywords, statements=story.statements + 1)
