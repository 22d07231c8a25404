"""Recognise the claims and denials an article reports as its news.

An article's news is in its headline and lead, so only those are read: the headline
decides the kind when it carries a cue, else the first lead sentence with one does. Body
paragraphs restate the claim being denied or quote old denials as background; reading them
would turn every follow-up into a fresh alert.

A cue counts only in its grammatical context (DETECTION-NOTES.md): "deny" must not take
"bail" or "entry"; "reject" and "dismiss" must take a report, claim or rumour; a cue under a
modal or a negation ("may deny", "did not deny") or in the past ("had denied", "earlier this
week") is dropped; traps ("declined to comment", "refused to confirm or deny") veto the
headline. Opinion, analysis and review pieces report nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import islice

from monitor.models import Kind, Match, Statement
from monitor.pipeline import text as textmod
from monitor.pipeline.lexicon import DEFAULT_LEXICON, Lexicon
from monitor.pipeline.parties import (
    GENERIC_ORGS,
    MEDIA_KEY,
    METONYM_KEYS,
    ORG_WORDS,
    ROLE_WORDS,
    Party,
    Roles,
    learn_roles,
    media_party,
    party_key,
    resolve,
)
from monitor.pipeline.query import words_of
from monitor.pipeline.stories import tiered_keywords

_LEAD_SENTENCES = 2
_QUOTE = re.compile(r"\"([^\"]{2,300})\"|(?<![A-Za-z])'([^']{2,200}?)'(?![A-Za-z])")
_SAY_VERB = re.compile(
    r"\b(?:says?|said|saying|insists?|insisted|tells?|told|adds?|added|calls?|called|"
    r"describes?|described|labels?|labell?ed|stated?|writes?|wrote|"
    # saying again: "The energy ministry has repeated in a written answer that ..."
    r"repeated|reiterated|restated|reaffirmed)\b",
    re.I,
)
_CLAUSE_BREAK = re.compile(
    r"[,;:\"(]|\s[—–]\s|\s-\s|\b(?:that|after|before|when|while|because|who|which|as)\b"
    # "has since contacted us": an adverb, not a clause
    r"|(?<!\bhas )(?<!\bhave )(?<!\bhad )\bsince\b",
    re.I,
)
_TRAILING_FILLER = re.compile(
    r"(?:\s+(?:on|late|early|this|last|in|a|an|statement|firmly|flatly|strongly|swiftly|"
    r"quickly|publicly|formally|officially|again|also|now|has|have|had|later|then|"
    r"(?:mon|tues|wednes|thurs|fri|satur|sun)day|today|yesterday|morning|afternoon|"
    r"evening|night|week|['‘’\"“”]?(?-i:[a-z]{3,}ly)['‘’\"“”]?))+\s*$",
    re.I,
)
# A wire dateline before the lead: "WASHINGTON (Reuters) - ", "KYIV, Ukraine (AP) — ",
# "(Enterprise Wire) - ", "LONDON — ". Not news: its words are the same on every story.
_DATELINE = re.compile(
    r"^(?:[A-ZÀ-ÖØ-Þ][A-ZÀ-ÖØ-Þ .'/-]+(?:,\s*[A-Z][a-z]+\.?(?:\s+\d{1,2}|\s+[A-Z][a-z]+)*){0,2}"
    r"\s*(?:\([^)]{1,60}\)\s*)?|\([^)]{1,60}\)\s*)[—–-]+\s*"
)
_WIRE_PREFIX = re.compile(
    r"^(?:Soccer|Football|Tennis|Golf|Cricket|Rugby|Athletics|Motor racing|Update \d+|"
    r"Corrected|Factbox|Breakingviews|Exclusive)\s*-\s*",
    re.I,
)
# A headline's closing attribution names who speaks: "Outbreak confirmed: ..., says agency".
_TRAILING_ATTRIBUTION = re.compile(
    r",\s*(?:(?:says?|said)\s+(?P<who>[\w'. -]{2,60}?)"
    r"|(?P<whom>[\w'. -]{2,60}?)\s+(?:says?|said|insists?|insisted|claims?|warns?|admits?|"
    r"confirms?|stresses|maintains))\s*$",
    re.I,
)
# A cue-less headline that attributes its assertion: "Kessaria says envoy has left",
# "Reactor shut after leak, campaigners say", "Pruitt doubles down: 'They are ...'".
_HEADLINE_SAYS = re.compile(
    r"^(?P<who>(?:[\w'.-]+\s+){0,5}?[\w'.-]+)\s+(?:says?|tells?|warns?)\s+(?P<what>\S.*)$", re.I
)
_TRAILING_SAYS = re.compile(
    r"^(?P<what>.+?),\s*(?P<who>(?:[\w'.-]+\s+){0,4}?[\w'.-]+)\s+(?:says?|said|warns?|tells?\s.*)$",
    re.I,
)
_SPEAKER_THEN_QUOTE = re.compile(
    r"^(?P<who>[A-Z][\w'.-]*(?:\s+[A-Z][\w'.-]*){0,3})\s+[a-z][^:]{0,60}:\s*['\"]"
)
_NOTICE_TOPIC = re.compile(
    r"\b(?:cookies?|privacy (?:settings|policy)|newsletters?|subscri(?:be|ption)|sign up|"
    r"javascript|ad ?blocker|terms of (?:service|use))\b",
    re.I,
)
_READER = re.compile(r"\b(?:you|your|our partners|we use)\b", re.I)
_LEADING_NAME = re.compile(
    r"^(?P<who>[A-Z][\w'.-]*(?:\s+[\w'.-]+){0,5}?\s*[A-Z][\w'.-]*|[A-Z][\w'.-]*)\s+"
    r"(?:is|are|was|were|has|have|had|will|[a-z]+ed)\b"
)
# The named actor a headline opens with: "Agrarians", "Rapid Velén", "Malindra's Valmonte"
_ACTOR = r"[A-Z][\w'.-]*(?:\s+[A-Z][\w'.-]*){0,4}"
# A headline's capitalised subject and its present-tense verb: "Zahran Airways Board affirms"
_LEADING_SUBJECT_VERB = re.compile(rf"^(?P<who>{_ACTOR})\s+[a-z]+(?:s|ed)\b(?![:'])")
_SPEAKER_NOUNS = frozenset(ROLE_WORDS) | ORG_WORDS | GENERIC_ORGS
# A sports desk's section label: "Darts: Doyle ends Kovac's run" is a result, and the
# label is no speaker.
_SPORT_SECTION = re.compile(
    r"^(?:darts|football|soccer|cricket|rugby(?: union| league)?|tennis|golf|athletics|boxing|"
    r"snooker|cycling|racing|horse racing|motor ?sport|motor racing|f1|formula one|hockey|"
    r"ice hockey|basketball|baseball|swimming|netball|squash|badminton|bowls|pool)\s*:",
    re.I,
)
_HEADLINE_LABEL = re.compile(
    r"^(?:report|exclusive|breaking|update|watch|video|live|just in|correction|"
    r"clarification|fact check|explainer|analysis)$",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Cue:
    """A cue found in a sentence, with what decides its party."""

    kind: Kind
    start: int
    end: int
    text: str
    media: bool = False  # an outlet's own report or anonymous sources
    verb: bool = False  # the party is the subject in front of it
    weak: bool = False  # a headline's bare negation: yields to an explicit claim verb
    quoted: bool = False  # inside quotation marks: the quoted words, not the reporter's verb


@dataclass(frozen=True, slots=True)
class Finding:
    """The statement one sentence carries, before its party is resolved."""

    kind: Kind
    cue: Cue
    sentence: str
    subject: str  # the phrase naming the party ("" when none was found)
    quote: str | None
    in_title: bool
    tentative: bool = False  # see Statement.tentative


@dataclass(frozen=True)
class _Patterns:
    deny_verb: re.Pattern[str]
    object_verb: re.Pattern[str]
    report_object: re.Pattern[str]
    non_denial_object: re.Pattern[str]
    refusal_object: re.Pattern[str]
    denial_phrase: re.Pattern[str]
    headline_denial: re.Pattern[str]
    media_claim: re.Pattern[str]
    principal_claim: re.Pattern[str]
    own_sourcing: re.Pattern[str]
    trap: re.Pattern[str]
    modal: re.Pattern[str]
    background: re.Pattern[str]
    opinion: re.Pattern[str]
    recap: re.Pattern[str]
    soft_news: re.Pattern[str]


def _alternation(fragments: tuple[str, ...]) -> str:
    return "|".join(f"(?:{f})" for f in fragments)


@lru_cache(maxsize=8)
def _patterns(lexicon: Lexicon) -> _Patterns:
    def words(fragments: tuple[str, ...]) -> re.Pattern[str]:
        return re.compile(rf"(?<![\w-])(?:{_alternation(fragments)})(?![\w-])", re.I)

    return _Patterns(
        deny_verb=words(lexicon.deny_verbs),
        object_verb=words(lexicon.object_verbs),
        report_object=re.compile(
            # not through a that-clause: "contradicting the statement that reports were wrong"
            rf"^\W*(?:(?!that\b)[\w.'$£€-]+\s+){{0,5}}?(?:{_alternation(lexicon.report_objects)})\b",
            re.I,
        ),
        non_denial_object=re.compile(
            rf"^\s*(?:{_alternation(lexicon.non_denial_objects)})\b", re.I
        ),
        # up to five words ("state Senate candidate Garrett Pruitt a") before what is refused,
        # none of them a report or a that-clause
        refusal_object=re.compile(
            rf"^\s*(?:(?!(?:that|reports?|claims?|rumou?rs?|allegations?)\b)[\w'.-]+\s+){{0,5}}?"
            rf"(?:a |an |the )?(?:{_alternation(lexicon.refusal_objects)})\b",
            re.I,
        ),
        denial_phrase=words(lexicon.denial_phrases),
        headline_denial=re.compile(
            rf"(?<![\w-])(?:{_alternation(lexicon.headline_denials)})(?![\w-])", re.I
        ),
        media_claim=re.compile(
            rf"(?<![\w-])(?:{_alternation(lexicon.media_claim_cues)})(?![\w-])", re.I
        ),
        principal_claim=words(lexicon.principal_claim_cues),
        own_sourcing=words(lexicon.own_sourcing),
        trap=words(lexicon.traps),
        modal=re.compile(rf"\b(?:{_alternation(lexicon.modals)})\s+(?:\w+\s+)?$", re.I),
        background=re.compile(rf"\b(?:{_alternation(lexicon.background)})\b", re.I),
        opinion=re.compile(rf"^\W*(?:{_alternation(lexicon.opinion_prefixes)})\b\s*[:|-]?", re.I),
        recap=re.compile(_alternation(lexicon.recaps), re.I),
        soft_news=words(lexicon.soft_news),
    )


def normalise(text: str) -> str:
    """Straight quotes and apostrophes, same length, so offsets survive."""
    text = text.translate({0x201C: '"', 0x201D: '"', 0x201E: '"', 0x00AB: '"', 0x00BB: '"'})
    text = re.sub(r"(?<=\w)[’‘](?=\w)", "'", text)
    return text.translate({0x2018: "'", 0x2019: "'", 0x2032: "'"})


# --------------------------------------------------------------------------- cues


def _spans(pattern: re.Pattern[str], sentence: str) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(sentence)]


def _inside(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s <= start and end <= e or s <= start < e for s, e in spans)


def _is_hedged(sentence: str, start: int, pats: _Patterns, negators: bool) -> bool:
    """A modal, a negation or the past in front of the cue ("may deny", "had denied")."""
    before = sentence[max(0, start - 30) : start]
    m = pats.modal.search(before)
    if m and (negators or not re.search(r"\b(?:not|never)\b|n't", m.group(0))):
        return True
    return bool(re.search(r"\bhad\s+(?:\w+ly\s+)?$", before, re.I))


def _in_background(sentence: str, start: int, end: int, pats: _Patterns) -> bool:
    """A past-time marker in the cue's own clause ("two days after it called ...")."""
    # back to the clause's start, however long the object between ("three days after calling
    # a report that he planned to fire Whitfield 'FAKE NEWS'")
    left = max(sentence.rfind(",", 0, start), sentence.rfind(";", 0, start), start - 140)
    right = [i for i in (sentence.find(",", end), sentence.find(";", end)) if i != -1]
    window = sentence[max(0, left) : min([*right, end + 40])]
    return bool(pats.background.search(window))


def _denial_cues(
    sentence: str, pats: _Patterns, traps: list[tuple[int, int]], headline: bool
) -> list[Cue]:
    cues = _phrase_cues(sentence, pats, traps, headline)
    for m in pats.deny_verb.finditer(sentence):
        rest = sentence[m.end() :]
        if _inside(*m.span(), traps) or pats.refusal_object.match(rest):
            continue
        if _withheld(sentence, m, pats):
            continue
        if _is_hedged(sentence, m.start(), pats, negators=True):
            continue
        cues.append(Cue("denial", *m.span(), m.group(0), verb=True))
    for m in pats.object_verb.finditer(sentence):
        rest = sentence[m.end() :]
        if _inside(*m.span(), traps) or pats.non_denial_object.match(rest):
            continue
        if not pats.report_object.match(rest) or _is_hedged(sentence, m.start(), pats, True):
            continue
        cues.append(Cue("denial", *m.span(), m.group(0), verb=True))
    return cues


_PASSIVE = re.compile(r"\b(?:was|were|been|being|is|are|gets?|got)\s+$", re.I)
_DENIED_BY = re.compile(r"^\s+(?P<what>(?:[\w'.-]+\s+){1,4}?)by\s", re.I)


def _withheld(sentence: str, verb: re.Match[str], pats: _Patterns) -> bool:
    """The refusal sense of "deny": something withheld from the subject, not a report
    denied. "Kross was denied a record" (passive with an object, not "was denied by the
    palace") and "Kross denied world record by headwind" (a thing, then its agent)."""
    rest = sentence[verb.end() :]
    if _PASSIVE.search(sentence[: verb.start()]):
        return not re.match(r"\s+by\b", rest, re.I)
    withheld = _DENIED_BY.match(rest)
    if not withheld or not verb.group(0).lower().endswith("ied"):
        return False
    return not pats.report_object.match(withheld.group("what")) and not re.match(
        r"\s*that\b", withheld.group("what"), re.I
    )


def _phrase_cues(
    sentence: str, pats: _Patterns, traps: list[tuple[int, int]], headline: bool
) -> list[Cue]:
    """Set phrases ("pure fiction") and, in a headline, flat negations ("No, ...")."""
    if headline and sentence.rstrip().endswith("?"):
        return []  # "Real or hoax?" asks; it does not deny
    found = [(m, False) for m in pats.denial_phrase.finditer(sentence)]
    if headline:
        found += [(m, True) for m in pats.headline_denial.finditer(sentence)]
    named = _named_quotes(sentence)
    return [
        Cue("denial", *m.span(), m.group(0), weak=weak)
        for m, weak in found
        if not _inside(*m.span(), traps)
        and not _inside(*m.span(), named)
        and not _is_hedged(sentence, m.start(), pats, negators=False)
    ]


# A quote used as a name for something said before: "walks back 'FUD' post", "Flockly's
# 'lol no' problem". The words quoted are the topic of the sentence, not its denial.
_QUOTE_AS_NOUN = re.compile(
    r"^\s*(?:post|posts|tweet|tweets|remark|remarks|comment|comments|line|message|problem|"
    r"moment|gaffe|quip|jibe|retort|response|denial|denials|claim|claims|statement|video|"
    r"clip|meme|defence|defense|strategy|playbook|era|saga)\b",
    re.I,
)


def _named_quotes(sentence: str) -> list[tuple[int, int]]:
    return [
        (start, end)
        for start, end, _words in _quotes(sentence)
        if _QUOTE_AS_NOUN.match(sentence[end:])
    ]


def _claim_cues(sentence: str, pats: _Patterns, traps: list[tuple[int, int]]) -> list[Cue]:
    cues: list[Cue] = []
    stripped = sentence.rstrip(" .!?\"'")
    for m in pats.media_claim.finditer(stripped):
        if not _inside(*m.span(), traps):
            cues.append(Cue("claim", *m.span(), m.group(0), media=True))
    for m in pats.principal_claim.finditer(sentence):
        if _inside(*m.span(), traps) or _is_hedged(sentence, m.start(), pats, negators=True):
            continue
        cues.append(Cue("claim", *m.span(), m.group(0), verb=True))
    return cues


def find_cues(
    sentence: str, lexicon: Lexicon = DEFAULT_LEXICON, *, headline: bool = False
) -> tuple[list[Cue], bool]:
    """The live cues of a sentence in order, and whether it holds a trap (a trap pattern,
    or a denial hedged or in the past)."""
    cues, has_trap, hedged = _sentence_cues(sentence, _patterns(lexicon), headline)
    return cues, has_trap or hedged


def _sentence_cues(sentence: str, pats: _Patterns, headline: bool) -> tuple[list[Cue], bool, bool]:
    """The live cues in order, whether a trap pattern holds, and whether a denial verb
    is hedged or in the past."""
    traps = _spans(pats.trap, sentence)
    cues = _denial_cues(sentence, pats, traps, headline) + _claim_cues(sentence, pats, traps)
    quotes = [(start, end) for start, end, _ in _quotes(sentence)]
    past = {c.start for c in cues if _in_background(sentence, c.start, c.end, pats)}
    live = [replace(c, quoted=_inside(c.start, c.end, quotes)) for c in cues if c.start not in past]
    # a hedged denial ("may deny", "had denied") makes the sentence about it, not one. A
    # denial told as what came before the news ("defects, days after dismissing reports of
    # the move") does not: the news is the rest of the sentence, or its headline.
    verbs = [*pats.deny_verb.finditer(sentence)] + [
        m
        for m in pats.object_verb.finditer(sentence)
        if pats.report_object.match(sentence[m.end() :])
    ]
    hedged = any(
        not any(c.start == m.start() for c in live) and m.start() not in past
        for m in verbs
        if not _refuses(m, sentence, pats) and not _inside(*m.span(), traps)
    )
    return sorted(live, key=lambda c: c.start), bool(traps), hedged


def _refuses(verb: re.Match[str], sentence: str, pats: _Patterns) -> bool:
    """Whether a denial verb takes a thing granted or refused, not a report."""
    rest = sentence[verb.end() :]
    if pats.deny_verb.fullmatch(verb.group(0)):
        return bool(pats.refusal_object.match(rest))
    return bool(pats.non_denial_object.match(rest))


_PLAN_CUE = re.compile(r"(?:plans? to|(?:is|are) going to|(?:says?|said) (?:he|she|it|they))", re.I)


def _pick(cues: list[Cue]) -> Cue | None:
    """Denial wins over claim: a denial sentence names the claim it denies. A verb beats a
    set phrase: its subject is the party ("'Pure fiction': Kremlin denies ...")."""
    denials = [c for c in cues if c.kind == "denial" and not c.weak]
    verbs = [c for c in denials if c.verb]
    claims = [c for c in cues if c.kind == "claim"]
    if any(c.media for c in claims):
        # "X plans to ..., the Herald reported": the report carries the plan; the plan is
        # not X's own statement (an admission or confirmation still is)
        claims = [c for c in claims if c.media or not _PLAN_CUE.match(c.text)]
    ranked = verbs or denials or sorted(claims, key=lambda c: c.quoted) or cues
    return ranked[0] if ranked else None


# --------------------------------------------------------------------------- parties


def _quotes(sentence: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group(1) or m.group(2)) for m in _QUOTE.finditer(sentence)]


def _subject_before(sentence: str, end: int) -> str:
    """The noun phrase in front of a verb: the clause's subject. In "the minister, Lucia
    Ferrante, told" the clause is empty and the name is the appositive before it."""
    # a short aside is no clause: "Sen. Maren Harlow (D-Kan.) on Thursday called"
    clauses = _CLAUSE_BREAK.split(_ASIDE.sub("", sentence[:end]))
    clause = _TRAILING_FILLER.sub("", clauses[-1]).strip()
    # "Lattica says it has found no evidence", "Lattica has since contacted us to say it
    # has": the subject of the saying is the party, not the saying
    clause = _TRAILING_FILLER.sub("", _SAYS_TAIL.sub("", clause)).strip()
    if re.match(r"(?:saying|adding|insisting|claiming|arguing|noting|telling)\b", clause, re.I):
        # "X has postponed the tour, saying her doctors have told her to rest": the
        # participle's subject is the sentence's
        opening = _LEADING_NAME.match(sentence)
        return opening.group("who") if opening else clause
    if re.match(r"\d", clause) and not re.search(r"[A-Z]", clause):
        # "a big one: 64 pages alleging": a measure is no speaker; the sentence's subject is
        opening = _LEADING_NAME.match(sentence)
        return opening.group("who") if opening else ""
    # "Elena Voss has published what she says": the verb sits in a relative clause whose
    # pronoun is the named subject in front
    relative = re.search(r"\bwhat (?:she|he|they|it)$", clause)
    leading = _LEADING_NAME.match(clause) if relative else None
    if leading:
        return leading.group("who")
    if not clause and len(clauses) >= 2 and sentence[:end].rstrip().endswith(","):
        named = clauses[-2].strip()
        if re.fullmatch(r"(?:[A-Z][\w'.-]*\s*){1,4}", named):
            return named
    relative_clause = _RELATIVE_SUBJECT.match(sentence[:end]) if not clause else None
    if relative_clause:
        # "The German gases group Halberg, which employs 1,900 people, has hit back"
        return relative_clause.group("who")
    if not clause and len(clauses) >= 2 and sentence[:end].rstrip().endswith('"'):
        # a verb opening a quote ("... to say it has "found no evidence"): who speaks it
        # stands before the quote
        return _subject_before(sentence, sentence[:end].rstrip().rfind('"'))
    return clause


_RELATIVE_SUBJECT = re.compile(
    r"^(?P<who>[^,]{2,80}),\s+(?:which|who)\b(?:[^,]|(?<=\d),(?=\d))*,"
    r"\s*(?:(?:has|have|had|also|now|on \w+)\s+){0,3}$"
)
_ASIDE = re.compile(r"\s*\([^()]{1,25}\)")
_SAYS_TAIL = re.compile(
    r"\s+(?:(?:has|have|had)\s+)?(?:since\s+|now\s+|later\s+|also\s+)?"
    r"(?:(?:contacted|told|emailed|called|messaged|written to|wrote to)\s+(?:us|me)"
    r"(?:\s+to(?:\s+say)?)?|"
    r"says?|said|insists?|insisted|maintains?|maintained|claims?|claimed)"
    r"(?:\s+that)?(?:\s+(?:it|he|she|they|we))?$",
    re.I,
)


_EXCLAMATION = re.compile(
    r"^(?:it|it's|this|that|that's|here|here's|there|there's|we|i|you|they|he|she|done|official|"
    r"confirmed|breaking|watch|listen|revealed)\b",
    re.I,
)


def _headline_speaker(sentence: str) -> str | None:
    """'Council president Pryce: ...' -> 'Council president Pryce'."""
    head, sep, _rest = sentence.partition(":")
    head = head.strip()
    # "Ivy Calloway's rep on engagement report: '...'": who speaks, then what about
    head = re.split(r"\s+on\s+", head, maxsplit=1)[0] if _rest.strip()[:1] in "'\"" else head
    if not sep or not head or head.startswith(("'", '"')) or len(head.split()) > 5:
        return None
    if _HEADLINE_LABEL.match(head) or _SAY_VERB.search(head) or _SPORT_SECTION.match(sentence):
        return None
    if _EXCLAMATION.match(head):
        return None  # "It's done: the Ironclads have traded Tillery"
    words = head.replace("'s", "").split()
    # "Weather service: ..." names a body; "Outbreak confirmed: ..." does not
    if not all(w[:1].isupper() or w.lower() in _SPEAKER_NOUNS for w in words[1:]):
        return None
    if not words[0][:1].isupper():
        return None  # "Outbreak confirmed: ..." is not a speaker's name
    return head


def _colon_subject(sentence: str, cue: Cue) -> str | None:
    """Who speaks a headline's cue when a label or a speaker stands before its colon."""
    label = _RATING_LABEL.match(sentence)
    if label and cue.start < label.end():
        return ""  # "Mostly False: Voss says ...": the checker's verdict, the outlet's own
    colon = _headline_speaker(sentence)
    if colon and cue.start > sentence.find(":"):
        # a verb with its own named subject after the colon speaks for itself:
        # "PALACE U-TURN: Sofia DID go, Royal Household admits"
        # a quoted verb's subject stands before its quote: "Ashworth's lawyer: Castlebridge
        # star 'strenuously denies' allegations"
        opening = _opening_quote(sentence, cue) if cue.quoted else None
        end = opening if opening is not None else cue.start
        own = _subject_before(sentence, end) if cue.verb else ""
        # ... when it is a name, not an epithet ("Castlebridge star" is who the speaker
        # before the colon speaks for)
        named = (
            bool(own) and sentence.find(":") < sentence.find(own) and own.split()[-1][:1].isupper()
        )
        return own if named else colon
    return None


def _subject(sentence: str, cue: Cue, in_title: bool) -> str:
    if cue.media:
        return ""
    if in_title and (before_colon := _colon_subject(sentence, cue)) is not None:
        return before_colon
    attributed = _TRAILING_ATTRIBUTION.search(sentence) if in_title else None
    who = (attributed.group("who") or attributed.group("whom")) if attributed else ""
    if attributed and attributed.start() > cue.start and _names_someone(who):
        return who  # "..., says agency"; not "..., says Šťastná keeps PM's confidence"
    by_agent = _BY_AGENT.match(sentence[cue.end :])
    if cue.verb and by_agent and _is_agent(by_agent.group(1)):
        return by_agent.group(1)  # "... Confirmed by Health Agency", "ruled out by the PM"
    if cue.verb:
        opening = _opening_quote(sentence, cue) if cue.quoted else None
        end = opening if opening is not None else cue.start
        subject = _subject_before(sentence, end) or _main_subject(sentence, cue)
        if subject:
            return subject
    quoted_first = _QUOTE_THEN_SPEAKER.match(sentence) if in_title and cue.quoted else None
    if quoted_first and cue.end <= quoted_first.end("quote"):
        return quoted_first.group("who")  # "'Categorically false': researcher defends ..."
    if _SAYS_NO.match(cue.text):
        return _subject_before(sentence, cue.start)  # "Agrarian leader Hůlka says no deal"
    verb = _VERB_BEFORE_PHRASE.search(sentence[: cue.start])
    if verb and not cue.verb:
        return _subject_before(sentence, verb.start())  # "Health regulator finds no sign ..."
    spoken = _speaker_of_quote(sentence, cue)
    # a set phrase under the sentence's named subject: "Drummond moves to put to bed ...",
    # "Italian carmaker Vetrano Automobili has no plans to close ..., the company said"
    leading = _LEADING_SUBJECT_VERB.match(sentence) if in_title else None
    leading = leading or _LEADING_NAME.match(sentence)
    subject_name = leading.group("who") if leading and leading.end() <= cue.start else ""
    if spoken and not (subject_name and _GENERIC_SPEAKER.fullmatch(spoken)):
        return spoken
    return subject_name or spoken


_BY_AGENT = re.compile(r"\s+by\s+(?:the\s+)?([\w'.-]+(?:\s+[\w'.-]+){0,4})")


def _is_agent(words: str) -> bool:
    """A name ("Health Agency") or a role ("prime minister"), not "by a wide margin"."""
    if words[:1].isupper():
        return True
    return words.split()[-1].lower().rstrip(".,") in _SPEAKER_NOUNS


def _names_someone(phrase: str) -> bool:
    """Whether a headline's trailing "says X" names a speaker rather than opening a clause
    whose verb follows ("says Stastna keeps PM's confidence")."""
    return not any(
        w.islower() and len(w) > 3 and w.endswith("s") and w not in _SPEAKER_NOUNS
        for w in phrase.split()[1:]
    )


# A fact check's rating opening its headline
_RATING_LABEL = re.compile(
    r"^\s*(?:(?:mostly|half|partly|largely|totally|completely|mainly) )?(?:false|misleading|"
    r"fake|wrong|untrue|incorrect|inaccurate|unproven|unsupported|pants on fire|"
    r"(?:missing|lacks|needs) context|four pinocchios|three pinocchios)\s*[:!—–-]",
    re.I,
)


# "the company said": a speaker named only by what it is
_GENERIC_SPEAKER = re.compile(
    r"(?:the |a |an )?(?:\w+ )?(?:company|firm|group|club|ministry|"
    r"government|agency|bank|carmaker|maker|spokes\w+|statement|source|official|person)",
    re.I,
)


_SAYS_NO = re.compile(r"says?\s+no\b", re.I)
_VERB_BEFORE_PHRASE = re.compile(
    r"\b(?:finds|found|sees|saw|says|said|insists|insisted|calls|called|brands|branded)\s+$", re.I
)


def _opening_quote(sentence: str, cue: Cue) -> int | None:
    """Where the quote holding a verb cue opens, when words stand before it: "Central bank
    'categorically refutes' reports" has its subject before the quote, not inside it."""
    for start, end, _words in _quotes(sentence):
        if start <= cue.start < end and sentence[:start].strip():
            return start
    return None


# A quote-first headline names its speaker after the colon, before the first verb.
_QUOTE_THEN_SPEAKER = re.compile(
    r"^(?P<quote>['\"][^'\"]{2,120}['\"])\s*:\s*(?P<who>(?:[\w'.-]+\s+){0,4}?[\w'.-]+?)\s+[a-z]+s\b"
)


def _main_subject(sentence: str, cue: Cue) -> str:
    """The sentence's named subject for a participle cue hanging off it: "Lumo is replacing
    chargers after admitting a fault" -> "Lumo"; "Owner Victor Hale fired the coach,
    confirming the move" -> "Owner Victor Hale"."""
    before = sentence[: cue.start]
    if not re.search(r"(?:\b(?:after|before|while|since|by)|,)\s+$", before, re.I):
        return ""
    named = _LEADING_NAME.match(sentence)
    if named is None and before.rstrip().endswith(","):
        named = _LEADING_SUBJECT_VERB.match(sentence)  # "X affirms ..., denies ..."
    return named.group("who") if named and named.group("who")[-1:].isalnum() else ""


def _speaker_of_quote(sentence: str, cue: Cue) -> str:
    """The subject of the nearest say-verb: before the cue, else after its quote."""
    before = [m for m in _SAY_VERB.finditer(sentence) if m.end() <= cue.start]
    for m in before:  # the first say-verb is the main clause's
        subject = _subject_before(sentence, m.start())
        if subject:
            return subject
    after = _SAY_VERB.search(sentence, cue.end)
    if after:
        tail = sentence[after.end() :]
        named = re.match(r"\s+([A-Z][\w'.-]*(?:\s+[A-Z][\w'.-]*)*)", tail)
        if named:
            return named.group(1)
        subject = _subject_before(sentence, after.start())
        if subject:
            return subject
    return ""


def _quote_for(sentence: str, cue: Cue) -> str | None:
    quotes = _quotes(sentence)
    for start, end, words in quotes:
        if start <= cue.start < end:
            return words.strip(" ,.")
    return quotes[0][2].strip(" ,.") if quotes and cue.kind == "denial" else None


# --------------------------------------------------------------------------- article


def _finding(sentence: str, lexicon: Lexicon, in_title: bool) -> tuple[Finding | None, bool]:
    prefix = _WIRE_PREFIX if in_title else _DATELINE
    sentence = prefix.sub("", sentence)
    cues, has_trap, hedged = _sentence_cues(sentence, _patterns(lexicon), in_title)
    trapped = has_trap or hedged
    if trapped:
        # "refuses to rule out ...: 'I don't deal in hypotheticals'": beside a trap a bare
        # negation is the evasion's wording, not a denial
        cues = [c for c in cues if not c.weak]
    if has_trap:
        # a sentence built around a refusal to confirm reports no claim ("the office refused
        # to confirm or deny that ..."); an old denial beside a claim does not count here
        cues = [c for c in cues if c.kind == "denial"]
    cue = _pick(cues)
    if cue is None:
        return None, trapped
    subject = _subject(sentence, cue, in_title)
    # ruling something out denies a report only when one is out: on its own it is a
    # decision ("Transport secretary rules out renationalising Northway"), so it answers a
    # story already reported unless it names the reports itself
    ruled_out = (
        cue.kind == "denial"
        and cue.text.lower().startswith("rul")
        and not re.search(r"\b(?:reports?|rumou?rs?|speculation|claims?|talk)\b", sentence, re.I)
    )
    finding = Finding(
        cue.kind, cue, sentence, subject, _quote_for(sentence, cue), in_title, ruled_out
    )
    return finding, trapped


def _news_paragraphs(text: str) -> Iterator[str]:
    """The paragraphs that are neither a one-line heading nor a notice to the reader an
    extractor let through (a cookie banner before the story)."""
    for para in textmod.paragraphs(text):
        if len(para.text.split()) >= 8 and not _is_notice(para.text):
            yield para.text


def _first_paragraph(text: str) -> str:
    return next(_news_paragraphs(text), "")


def _lead(text: str) -> list[str]:
    """The first sentences of the first news paragraph."""
    sentences = [s.text for s in textmod.sentences(_first_paragraph(text))][:_LEAD_SENTENCES]
    return [_DATELINE.sub("", sentences[0]), *sentences[1:]] if sentences else []


def _is_notice(paragraph: str) -> bool:
    """A site's notice speaks to the reader about the site: cookies, privacy, newsletters."""
    return bool(_NOTICE_TOPIC.search(paragraph) and _READER.search(paragraph))


def _about_topic(sentence: str, text: str, match: Match | None, in_title: bool) -> bool:
    """A sentence counts for a topic when it holds one of the hits' terms."""
    if match is None:
        return True
    if in_title:
        return any(h.field == "title" for h in match.hits) or _mentions(sentence, match)
    return _mentions(sentence, match)


def _mentions(sentence: str, match: Match) -> bool:
    low = sentence.lower()
    return any(_term_in(term, low) for term in match.terms)


@lru_cache(maxsize=4096)
def _term_words(term: str) -> tuple[tuple[str, ...], bool]:
    """A query term as written (word, "phrase", prefix*, "phrase"*) as the matcher sees it."""
    return words_of(term.rstrip("*")), term.endswith("*")


def _term_in(term: str, sentence: str) -> bool:
    """Whether the sentence holds the term, folded and tokenised exactly as the matcher does
    (case, accents, punctuation between a phrase's words)."""
    words, prefix = _term_words(term)
    if not words:
        return False
    tokens = words_of(sentence)
    head, last = list(words[:-1]), words[-1]
    for i in range(len(tokens) - len(words) + 1):
        end = tokens[i + len(words) - 1]
        if list(tokens[i : i + len(head)]) == head and (
            end == last or (prefix and end.startswith(last))
        ):
            return True
    return False


def _is_opinion(title: str, lexicon: Lexicon) -> bool:
    """Opinion, analysis and recaps: they argue about or retell statements, never news."""
    pats = _patterns(lexicon)
    title = normalise(title)
    return bool(pats.opinion.match(title) or pats.recap.search(title))


def _headline_satisfies(title: str, match: Match | None) -> bool:
    """A cue-less headline is the outlet's claim only when it names the whole topic."""
    if match is None:
        return True
    low = title.lower()
    return len({t for t in match.terms if _term_in(t, low)}) >= min(2, len(match.terms))


def _is_results(title: str, lexicon: Lexicon) -> bool:
    """Results, reviews and listings: no contested proposition in a cue-less headline."""
    return bool(_patterns(lexicon).soft_news.search(title) or _SPORT_SECTION.match(title))


def _plain_claim(title: str, match: Match | None, lexicon: Lexicon) -> Finding | None:
    if _is_results(title, lexicon) or not _headline_satisfies(title, match):
        return None
    if title.rstrip().endswith("?"):
        return None
    cue = Cue("claim", 0, 0, "", media=True)
    return Finding("claim", cue, title, "", None, True)


_TRAILING_DASH = re.compile(r"\s[–—-]\s*(?P<who>[A-Za-z][\w'. ]{1,40}?)\s*$")


def _attributed_claim(title: str, text: str = "") -> Finding | None:
    """A cue-less headline that names who asserts it is that party's claim."""
    if title.rstrip().endswith("?"):
        return None
    speaker = _headline_speaker(title)
    said = title.partition(":")[2]
    if speaker and (not _says_something(said) or _QUESTION_WORD.match(said)):
        speaker = None  # "The Dispatch: Flockly's 'lol no' problem" is a column's label
    if speaker and text and not _speaks_in(speaker, text):
        speaker = None  # "Tideborn: Saltglass expansion delayed": a game's name, a label
    m = _SPEAKER_THEN_QUOTE.match(title)
    who = speaker or (m.group("who") if m else None)
    dash = _TRAILING_DASH.search(title) if who is None else None
    if dash and _is_agent(dash.group("who")):
        # wire style: "Kwon to visit Malindra - presidential office"; not "... - a week
        # after denying it"
        who = dash.group("who")
    if who is None:
        says = _TRAILING_SAYS.match(title) or _HEADLINE_SAYS.match(title)
        if says is None or not says.group("who")[:1].strip():
            return None
        who = says.group("who")
    cue = Cue("claim", 0, 0, "says", verb=True)
    return Finding("claim", cue, title, who, None, True)


def _speaks_in(speaker: str, text: str) -> bool:
    """Whether the article has the headline's speaker say something ("Voss wrote on X",
    "said Sen. Dale Voss"); a name it only ever acts on or describes speaks nowhere."""
    words = [re.sub(r"['’]s$", "", w).lower() for w in speaker.split()]
    if any(w in _SPEAKER_NOUNS for w in words) or party_key(speaker) in METONYM_KEYS:
        return True  # "Weather service: ...", "Kremlin: ...": a body by what it is
    last = re.escape(words[-1])
    said = r"(?:said|says|told|tells|wrote|writes|posted|added|insisted|stated|announced|"
    said += r"confirmed|denied|according to)"
    near = (
        rf"\b{last}(?:['’]s)?\b(?:\s+[\w.,'()-]+){{0,6}}?\s+{said}\b"
        rf"|\b{said}\s+(?:[\w.'-]+\s+){{0,4}}{last}\b"
    )
    # a name the article never repeats tells nothing either way
    return re.search(near, text, re.I) is not None or not re.search(rf"\b{last}\b", text, re.I)


# "Marathon Sunday: what's closed, how to get around": a guide, not a speaker's words
_QUESTION_WORD = re.compile(r"\s*(?:what|how|where|when|why|who|which)\b", re.I)
_FINITE_VERB = re.compile(
    r"\b(?:is|are|was|were|will|would|has|have|had|can|could|must|should|may|might|do|does|"
    r"did|[a-z]{3,}ed|[a-z]{2,}[^s's]s)\b"
)


def _says_something(rest: str) -> bool:
    """Whether the words after a headline's colon assert something: a quote, or a clause
    with a verb, not a noun phrase."""
    named = _named_quotes(rest)
    if any((start, end) not in named for start, end, _words in _quotes(rest)):
        return True
    return bool(_FINITE_VERB.search(rest))


def _leading_finding(
    title: str, lead: list[str], text: str, match: Match | None, lexicon: Lexicon, body: bool
) -> tuple[Finding | None, list[Finding]]:
    head, trapped = (None, False)
    if _about_topic(title, text, match, in_title=True):
        head, trapped = _finding(title, lexicon, in_title=True)
    if trapped and head is None:
        return None, []  # "declines to comment", "refuses to confirm or deny"
    support = [
        f
        for s in lead
        if _about_topic(s, text, match, in_title=False) or head is not None
        for f in [_finding(s, lexicon, in_title=False)[0]]
        if f is not None
    ]
    if head is not None:
        return head, support
    if _is_results(title, lexicon):
        # a match report or a bout: the lead's quotes and results are not the news, but a
        # lead that denies a report is ("Promoter: title fight 'is 100 per cent on'")
        denials = [f for f in support if f.kind == "denial"]
        return (denials[0], denials[1:]) if denials else (None, [])
    attributed = _attributed_claim(title, text)
    if attributed is not None and not _about_topic(title, text, match, True):
        # "Pruitt doubles down: '...'": about the topic when the lead names the speaker in a
        # sentence about it
        named = [s for s in lead[:1] if attributed.subject.split()[-1] in s]
        if not any(_about_topic(s, text, match, in_title=False) for s in named):
            attributed = None
    if body and lead:
        first_lead, lead_trapped = _finding(lead[0], lexicon, in_title=False)
        if lead_trapped and first_lead is None:
            return None, []
        if support:
            return support[0], support[1:]
        return attributed or _flat_headline(title, text, match, lexicon), []
    return attributed or _plain_claim(title, match, lexicon), []


_SCOOP_PARAGRAPHS = 3
_HEADLINE_ACTOR = re.compile(rf"^(?P<who>{_ACTOR})\s+[a-z]")
# ... with what it is between: "Nigerian senator Akinlade joins", "Kenyan police rescue"
_DESCRIBED_ACTOR = re.compile(
    rf"^(?P<who>{_ACTOR}\s+(?P<nouns>(?:[a-z][\w-]*\s+){{1,2}}){_ACTOR}"
    rf"|{_ACTOR}\s+(?P<body>[a-z][\w-]*))\s+[a-z]"
)


def _headline_actor(title: str) -> str | None:
    """Who a flat headline says acted: its capitalised opening, with the nouns that say
    what it is ("Nigerian senator Akinlade", "Kenyan police")."""
    described = _DESCRIBED_ACTOR.match(title)
    if described:
        nouns = (described["nouns"] or described["body"] or "").split()
        if all(w in _SPEAKER_NOUNS or _DESCRIPTOR.fullmatch(w) for w in nouns):
            return described["who"]
    actor = _HEADLINE_ACTOR.match(title)
    if actor and _EXCLAMATION.match(actor["who"]) and ":" in title:
        # "It's done: the Ironclads have traded Tillery": who acted is after the colon
        after = re.sub(r"^(?:the|a|an)\s+", "", title.split(":", 1)[1].strip(), flags=re.I)
        actor = _HEADLINE_ACTOR.match(after)
    return actor["who"] if actor and not _EXCLAMATION.fullmatch(actor["who"]) else None


# Nouns that say what a named actor is, beside the role and organisation words
_DESCRIPTOR = re.compile(
    r"(?:actress|actor|singer|star|rapper|model|influencer|investor|activist|hacker|"
    r"lawmaker|legislator|businessman|businesswoman|tycoon|billionaire|mogul|player|striker|"
    r"midfielder|defender|goalkeeper|batter|bowler|all-rounder|boxer|fighter|driver|rider|"
    r"author|writer|director|producer|presenter|host|anchor|journalist|blogger|youtuber|"
    r"streamer|scientist|researcher|doctor|surgeon|lawyer|attorney|judge|general|commander|"
    r"rebels?|militants?|forces|troops|police|army|military|navy|airforce|"
    r"\w+(?:maker|builder|miner|lender|insurer|giant|firm|group|company|carrier|operator))"
)
# ... followed by a finite verb of its own: "CATA chief proposes eliminating routes to close
# a gap" is a deed, its infinitive a purpose, not a future
_ACTOR_VERB = re.compile(
    rf"^{_ACTOR}(?:\s+[a-z]+){{0,2}}?\s+(?!is\b|was\b|has\b)[a-z]{{3,}}(?:s|ed)\b(?!\s+to\b)"
)
# A flat headline that tells what will happen is a report of something not yet done, so
# contestable: "Zahran fund to take 40% stake", "Port to shut for 48 hours", "Rapid Velén
# are going to sack Várkonyi". One about what happened ("breaks ground", "fines Halvard",
# "sails to No. 1") is an event, not a claim.
_FUTURE = re.compile(
    r"\b(?:(?:is|are) (?:set|poised|preparing|going|expected|due|about) to|(?:prepares|readies|"
    r"weighs|mulls|plans|will)\b|in (?:advanced |secret |exclusive )?talks\b|"
    # "X to take ...", not "rejects bid to host", "vote to close": a noun's infinitive
    r"(?<!\bbid )(?<!\bbids )(?<!\bplan )(?<!\bplans )(?<!\bvote )(?<!\bmove )(?<!\boffer )"
    r"(?<!\bright )(?<!\battempt )(?<!\bdecision )(?<!\bcall )(?<!\bcalls )"
    r"to (?:take|buy|sell|close|shut|open|cut|axe|scrap|quit|resign|step down|leave|join|sign|"
    r"sack|fire|replace|cancel|delay|launch|relocate|move|raise|hike|hold|host|visit|meet|split|"
    r"divorce|marry|wed|retire|withdraw|pull out|exit|merge|acquire|ban|begin|start|end|face|"
    r"lose|return|strike|seek|appoint|name|call|build|invest|drop|halt|suspend|release|recall|"
    r"lay off|shed|slash|tighten|rename|reshuffle|stand down|enlist|walk out|sell off)\b)",
    re.I,
)


def _flat_headline(title: str, text: str, match: Match | None, lexicon: Lexicon) -> Finding | None:
    """A cue-less headline over a cue-less lead, about the topic:
    - the outlet's own claim when its first paragraphs give its own sourcing ("according to
      documents seen by The Gulf Herald"): a scoop written as fact;
    - the outlet's own claim when it tells what will happen, unless an actor's own verb
      comes first;
    - else, when it tells what a named actor did ("Rapid Velén part company with Várkonyi"),
      tentatively the actor's claim: detection keeps it only when it joins a story already
      reported, which it confirms or settles; on its own it is news of an event;
    - else nothing: ordinary news."""
    claim = _plain_claim(title, match, lexicon)
    if claim is None:
        return None
    if _own_sourcing(text, lexicon):
        return claim
    if not _ACTOR_VERB.match(title) and _FUTURE.search(title):
        return claim
    actor = _headline_actor(title)
    if actor is None:
        return None
    cue = Cue("claim", 0, 0, "headline", verb=True)
    # a deed told as what follows a denial ("Commission proposes vape ban, a week after
    # denying it") answers a story by its own account: no need to find one first
    answers = _AFTER_DENYING.search(f"{title} {_first_paragraph(text)}") is not None
    return Finding("claim", cue, title, actor, None, True, tentative=not answers)


_AFTER_DENYING = re.compile(
    r"\b(?:after|despite|since)\s+(?:(?:publicly|earlier|initially|repeatedly|its|his|her|"
    r"their|the|an?)\s+){0,2}(?:denying|dismissing|rejecting|rubbishing|denials?)\b"
    r"|\b(?:after|since)\s+(?:he|she|it|they|we)\s+(?:had\s+)?(?:publicly\s+)?"
    r"(?:denied|dismissed|rejected|rubbished)\b",
    re.I,
)


def _own_sourcing(text: str, lexicon: Lexicon) -> bool:
    """Whether the first paragraphs give the outlet's own sourcing, live (not hedged, not
    in the past)."""
    pats = _patterns(lexicon)
    paragraphs = list(islice(_news_paragraphs(text), _SCOOP_PARAGRAPHS))
    return any(
        not _is_hedged(paragraph, m.start(), pats, negators=True)
        and not _in_background(paragraph, m.start(), m.end(), pats)
        for paragraph in paragraphs
        for m in pats.own_sourcing.finditer(paragraph)
    )


# "An official source at the Zahran Investment Council refutes ...": an unnamed official
# denying for a body speaks for it (a claim from such a source stays the outlet's).
_SOURCE_AT = re.compile(
    r"^(?:an?\s+|the\s+)?(?:[\w-]+\s+){0,2}?sources?\s+(?:at|in|within|inside|from)\s+(?:the\s+)?",
    re.I,
)


def _party(finding: Finding, support: list[Finding], roles: Roles, outlet: str) -> Party:
    if finding.cue.media and finding.kind == "claim":
        return media_party(outlet)
    subject = finding.subject
    if finding.kind == "denial":
        subject = _SOURCE_AT.sub("", subject)
    party = resolve(subject, roles, outlet) if subject else None
    narrower = next(
        (o.subject for o in support if o.kind == finding.kind and _narrows(party, o.subject)), None
    )
    found = resolve(narrower, roles, outlet) if narrower else None
    if found and (found.speaker or not _is_generic(party)):
        # "Ireland rejects ...": the lead's "Ireland's Department of Justice"; "Government
        # rules out ...": the lead's minister who says so
        party = found
    for other in support:
        if party is not None and party.speaker:
            break
        if other.kind != finding.kind or other.cue.media or not other.subject:
            continue
        found = resolve(other.subject, roles, outlet)
        if found is None:
            continue
        if party is None:
            party = found
        elif found.key == party.key and found.speaker:
            party = Party(party.display, party.key, found.speaker)
    if party is None and subject and finding.kind == "claim" and finding.cue.verb:
        return Party(subject, party_key(subject))  # "... - presidential office"
    if party is None and finding.kind == "denial" and finding.in_title:
        return media_party(outlet)  # a reporter's debunk: "X is a hoax"
    return party or media_party(outlet)


def _is_generic(party: Party | None) -> bool:
    return party is not None and party.display.lower().removeprefix("the ") in GENERIC_ORGS


def _narrows(party: Party | None, subject: str) -> bool:
    """Whether the lead's subject names, within the headline's party, the body that speaks
    ("Ireland" -> "Ireland's Department of Justice", a bare "Government" -> its minister),
    not one person for another."""
    if party is None or party.key == MEDIA_KEY or not subject:
        return False
    if _is_generic(party):
        return True  # "Government rules out ...": the lead's energy minister speaks for it
    return re.match(rf"(?:the\s+)?{re.escape(party.display)}['’]s\s+[A-Z]", subject) is not None


def _proposition(finding: Finding, party: Party) -> str:
    sentence = finding.sentence
    cue = finding.cue
    if cue.verb and cue.end < len(sentence):
        rest = sentence[cue.end :].strip(" :,'\"")
        if len(rest.split()) >= 2:
            return rest
    text = sentence[: cue.start] + sentence[cue.end :]
    if party.display and party.key != MEDIA_KEY:
        text = text.replace(finding.subject, "") if finding.subject else text
    return re.sub(r"\s+", " ", text).strip(" :,-—'\"")


def _statement(
    finding: Finding,
    support: list[Finding],
    lead: list[str],
    roles: Roles,
    outlet: str,
    match: Match | None,
) -> Statement:
    party = _party(finding, support, roles, outlet)
    quote = finding.quote
    if quote is None:
        quote = next((f.quote for f in support if f.kind == finding.kind and f.quote), None)
    proposition = _proposition(finding, party)
    names, words = _topic_names(match, roles)
    # the cue's own words say how, not what: "scotches", "hoses down" name no proposition
    cue_words = finding.cue.text.split() if finding.cue.text else []
    exclude = [*names, party.display, party.speaker or "", *ROLE_WORDS, *cue_words]
    return Statement(
        kind=finding.kind,
        text=finding.sentence,
        cue=finding.cue.text or "headline",
        proposition=proposition,
        party=party.display,
        party_key=party.key,
        speaker=party.speaker,
        quote=quote,
        in_title=finding.in_title,
        tentative=finding.tentative,
        keywords=tiered_keywords(finding.sentence, " ".join(lead[:1]), exclude, words),
    )


def _topic_names(match: Match | None, roles: Roles) -> tuple[list[str], list[str]]:
    """The topic's query terms split in two. Names ("Putin", and the full names holding
    them, "Vladimir Putin") are shared by every story of the topic: excluded. Common
    words ("resign*", "breach") may name the proposition: kept, at a low weight."""
    if match is None:
        return [], []
    names: list[str] = []
    words: list[str] = []
    for term in match.terms:
        bare = term.strip('"*')
        full = roles.names.get(bare.split()[0].lower()) if bare else None
        if full or bare[:1].isupper():
            names += [term, full or ""]
        else:
            words.append(term.rstrip("*"))
    return names, words


def detect(
    title: str,
    text: str,
    *,
    outlet: str,
    match: Match | None = None,
    lexicon: Lexicon = DEFAULT_LEXICON,
) -> list[Statement]:
    """The statements an article reports as its news, most salient first. With `match`,
    only statements about the topic count (a sentence holding a topic term, or the
    headline of an article whose headline matches)."""
    title, text = normalise(title.strip()), normalise(text)
    if not title and not text.strip():
        return []
    cased = _sentence_case(title, text)
    found = _detect(cased, text, outlet, match, lexicon)
    # a headline statement is shown as the outlet wrote it
    return [replace(s, text=title) if s.in_title and s.text == cased else s for s in found]


def _detect(
    title: str, text: str, outlet: str, match: Match | None, lexicon: Lexicon
) -> list[Statement]:
    correction = _correction(title, text, lexicon)
    if correction is not None:
        return [_statement(correction, [], [], learn_roles(title, text), outlet, match)]
    opinion = _is_opinion(title, lexicon)
    lead = _lead(text)
    finding, support = (
        (None, [])
        if opinion
        else _leading_finding(title, lead, text, match, lexicon, body=bool(lead))
    )
    if finding is None or finding.kind == "claim":
        # a fact check that asks ("Did gummies put 40 children in hospital?") answers in
        # its verdict; a check that says "false" in its headline is read as usual
        verdict = _verdict(title, text)
        finding, support = (verdict, []) if verdict else (finding, support)
    if finding is None:
        return []
    roles = learn_roles(title, text)
    return [_statement(finding, support, lead, roles, outlet, match)]


_WORD = re.compile(r"[A-Za-z][\w'-]*")


def _sentence_case(title: str, text: str) -> str:
    """A title-case headline ("Sprint Champion Hits Back at Doping Story") in the case its
    own article writes each word: who is named and who is described is told by capitals
    ("Sprint champion hits back at doping story"). A word the body only ever writes in
    lowercase is lowered; a name, or a word the body also capitalises mid-sentence
    ("Calloway Point Capital"), keeps its capital. Sentence-case headlines are left alone."""
    long = [w for w in _WORD.findall(title) if len(w) >= 4]
    if len(long) < 3 or sum(w[0].isupper() for w in long) < 0.8 * len(long) or not text:
        return title
    lower = {_stem(w) for w in re.findall(r"(?<![\w'-])[a-z][\w-]*", text)}
    named = set(re.findall(r"(?<=[a-z,;] )[A-Z][\w'-]*", text))

    def case(m: re.Match[str]) -> str:
        word = m.group(0)
        low = word.lower()
        if m.start() == 0 or word.isupper():
            return word
        if low in _HEADLINE_VERBS or low in ROLE_WORDS:
            return low  # "Mayor Denies", "Owner Confirms": a role and a verb, never a name
        if word in named:
            return word
        # "Insists" over a body that says "insisted": the same word
        return low if _stem(low) in lower else word

    return _WORD.sub(case, title)


_HEADLINE_VERBS = frozenset(
    [
        "says",
        "said",
        "denies",
        "denied",
        "rejects",
        "rejected",
        "dismisses",
        "dismissed",
        "confirms",
        "confirmed",
        "admits",
        "admitted",
        "insists",
        "insisted",
        "refutes",
        "refuted",
        "rebuts",
        "debunks",
        "disputes",
        "slams",
        "calls",
        "claims",
        "hits",
        "shoots",
        "brushes",
        "pours",
        "rubbishes",
        "quashes",
        "scotches",
        "laughs",
        "plays",
        "knocks",
        "waves",
        "bats",
        "is",
        "are",
        "was",
        "were",
        "will",
        "has",
        "have",
        "had",
        "to",
        "plans",
        "weighs",
        "considers",
        "announces",
        "agrees",
        "seeks",
        "not",
        "no",
    ]
)


def _stem(word: str) -> str:
    return re.sub(r"(?:ing|ed|es|s|e)$", "", word) or word


# An outlet's correction: a headline "Correction: ..." with no cue of its own, or a notice
# opening the body ("Update, March 14: This story has been corrected to remove ...").
_CORRECTION_HEADLINE = re.compile(r"^\s*(?:correction|clarification|retraction)\s*[:|–—-]", re.I)
_NOTICE_OPENING = re.compile(
    r"^\s*(?:update|updated|correction|clarification|editor'?s note)\b[^:]{0,60}:", re.I
)


# A fact check's verdict: "Verdict: False.", "Rating: Missing context.", "We rate this claim
# Mostly false." Any rating but a true one disputes the claim checked: the outlet's denial.
_VERDICT = re.compile(
    r"(?:^|\n)\s*(?:the |our )?(?:verdict|ruling|rating|bottom line|conclusion)\s*[:—–-]\s*"
    r"(?P<rating>[^.\n]{1,60})|\bwe rate (?:this|the|his|her|their|that) (?:claim|statement)"
    r" (?P<rated>[^.\n]{1,40})",
    re.I,
)
_TRUE_RATING = re.compile(r"^\W*(?:true|correct|accurate|mostly (?:true|correct|accurate))\b", re.I)


def _verdict(title: str, text: str) -> Finding | None:
    """A fact check rating the claim it checks anything but true denies it."""
    m = _VERDICT.search(text)
    if m is None:
        return None
    checks = title.rstrip().endswith("?") or re.match(r"\W*fact[ -]?check", title, re.I)
    if not (checks or m.group("rated")):
        return None  # a review's "Rating: 4/5" rates a show, not a claim
    rating = (m.group("rating") or m.group("rated") or "").strip()
    if not rating or _TRUE_RATING.match(rating):
        return None
    cue = Cue("denial", 0, 0, f"verdict: {rating}"[:60])
    return Finding("denial", cue, title, "", None, True)


def _correction(title: str, text: str, lexicon: Lexicon) -> Finding | None:
    """The outlet's own correction of its report: a denial by the media."""
    cue = Cue("denial", 0, 0, "correction")
    if _CORRECTION_HEADLINE.match(title):
        found, _trapped = _finding(title, lexicon, in_title=True)
        if found is None or found.kind == "claim":
            return Finding("denial", cue, title, "", None, True)
        return None  # a cue of its own ("Correction: paper retracts ...") decides as usual
    paragraphs = textmod.paragraphs(text)
    first = paragraphs[0].text if paragraphs else ""
    if _NOTICE_OPENING.match(first):
        notice = [c for c in find_cues(first, lexicon)[0] if c.kind == "denial"]
        if notice:
            return Finding("denial", notice[0], first, "", None, False)
    return None


def classify(
    text: str, title: str | None = None, lexicon: Lexicon = DEFAULT_LEXICON
) -> tuple[Kind | None, list[Statement]]:
    """For `news-monitor classify`: the kind of the leading statement (None when the text
    reports neither) and the statements. Without a title, the first sentence is one."""
    if title is None:
        parts = textmod.sentences(normalise(text))
        if not parts:
            return None, []
        title, text = parts[0].text, text[parts[0].end :]
    statements = detect(title, text, outlet="", lexicon=lexicon)
    return (statements[0].kind if statements else None), statements
