"""Match an article against every topic at once, percolator style (as Lucene's Monitor).

All topics are compiled together into shared indexes of their distinct terms (after
`query.fold_text`): one Aho-Corasick automaton of every word and prefix, run once over each
folded field; a phrase is looked for only where its least shared word occurs. Each topic is
reduced to what any matching article must contain (as Luwak does): required clauses, each
satisfied by any of its terms -- for ``"Port Calder" AND (mayor OR resign*) NOT football``
the clauses {"Port Calder"} and {mayor, resign*}. A topic is indexed under the terms of its
rarest clause; the topics so triggered by an article are checked against their other
clauses with one C-level set test each. Only passing topics with a NOT or a NEAR have their
query evaluated: for the others passing is matching. So the cost per article grows with
the terms it contains, not with the number of topics. Topics that can match with none of
their terms present (``NOT x``, ``a OR NOT b``) are evaluated for every article: they cost
per article what a triggered topic costs, where others cost nothing unless triggered.

Folding keeps the text's length, so a position in the folded text is a position in the
original: hits point into the original title or text. A hit's sentence is not split while
matching (pysbd costs more than all the rest): `hit_sentence` finds it when it is shown or
stored, splitting only the hit's paragraph. Title and text are one document for
AND/OR/NOT, but a phrase or a NEAR never spans from the title into the text (the harness's
reference reads title and text as one run of words).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from itertools import chain
from operator import itemgetter
from typing import Literal

import ahocorasick

from monitor.models import Match, TermHit
from monitor.pipeline import text as textspans
from monitor.pipeline.query import (
    And,
    Leaf,
    Near,
    Not,
    Or,
    Query,
    Term,
    compile_query,
    fold_text,
    parse_query,
    positive_terms,
    terms,
)

FieldName = Literal["title", "text"]
_value = itemgetter(1)  # of an automaton's (end, value) match
Span = tuple[int, int]  # start, end in the field's original text
_WORD = re.compile(r"[^ ]+")
# Up to this many phrases to confirm in a field, a regex search each is cheaper than
# joining the field's words once for the phrase automaton.
_FEW_PHRASES = 8


@dataclass(frozen=True, slots=True)
class _Pattern:
    """A distinct searchable term: folded words, the last one a prefix or not. Topics that
    write the same term differently ("Putin", "putin", a one-word phrase) share it."""

    words: tuple[str, ...]
    prefix: bool

    def regex(self) -> re.Pattern[str]:
        """Occurrences in a folded field (where words are separated by spaces), each with
        the space before it: a literal start lets the regex engine scan fast."""
        body = " +".join(re.escape(w) for w in self.words)
        return re.compile(f" {body}" + ("[^ ]*" if self.prefix else "(?= )"))

    @property
    def can_overlap(self) -> bool:
        """Whether two occurrences can overlap ("a b a" in "a b a b a"): a single whole word
        cannot, a phrase can when it begins as it ends (a prefix phrase: assume it can)."""
        words = self.words
        if len(words) == 1:
            return False
        return self.prefix or any(
            words[i:] == words[: len(words) - i] for i in range(1, len(words))
        )


class _Field:
    """One field of an article, folded, with the patterns present in it."""

    def __init__(self, name: FieldName, original: str) -> None:
        self.name = name
        self.original = original
        self.folded = " " + fold_text(original) + " "  # offsets shifted by one
        self.present: set[int] = set()  # pattern ids

    def spans(self, regex: re.Pattern[str], overlapping: bool) -> list[Span]:
        """Every occurrence, overlapping ones too ("a a" twice in "a a a"), as the reference
        counts them for NEAR. folded[i + 1] is original[i], and a match starts at the space
        before its first word."""
        if not overlapping:
            return [(m.start(), m.end() - 1) for m in regex.finditer(self.folded)]
        found = []
        match = regex.search(self.folded)
        while match:
            found.append((match.start(), match.end() - 1))
            match = regex.search(self.folded, match.start() + 1)
        return found

    def word_spans(self, key: str) -> list[Span]:
        """Every occurrence of one word, the automaton's key for it (" word ", or " pre" for
        a prefix), by plain string search: several times faster than its regex, and the
        same spans. Occurrences of one word never overlap, but a word's key shares its
        closing space with the next word's opening one, so each search starts one on."""
        folded, found, prefix = self.folded, [], not key.endswith(" ")
        at = folded.find(key)
        while at >= 0:
            # a prefix runs to the end of its word; the folded field ends with a space
            end = folded.find(" ", at + len(key)) if prefix else at + len(key) - 1
            found.append((at, end - 1))
            at = folded.find(key, at + 1)
        return found

    @cached_property
    def word_starts(self) -> list[int]:
        return [m.start() for m in _WORD.finditer(self.folded)]

    def word_index(self, start: int) -> int:
        """Which word of the field begins at `start` (an offset into the original)."""
        return bisect_left(self.word_starts, start + 1)


class _Article:
    """An article with candidate topics: where patterns occur, NEAR, and hits. Built only
    when some topic needs evaluating, and everything in it computed on demand."""

    def __init__(self, fields: tuple[_Field, ...], patterns: _Patterns) -> None:
        self.fields = fields
        self.patterns = patterns
        self.spans_cache: dict[tuple[FieldName, int], list[Span]] = {}
        self.hits_cache: dict[tuple[int, str], tuple[TermHit, ...]] = {}

    def spans(self, field: _Field, pattern_id: int) -> list[Span]:
        key = (field.name, pattern_id)
        spans = self.spans_cache.get(key)
        if spans is None:
            spans = []
            if pattern_id in field.present:
                spans = self.patterns.spans(field, pattern_id)
            self.spans_cache[key] = spans
        return spans

    def near(self, left: int, right: int, distance: int) -> bool:
        """Whether the two patterns occur in the same field with their first words at most
        `distance` words apart, in either order (overlapping occurrences count, as in the
        reference: ``a NEAR/0 a`` is just ``a``)."""
        for field in self.fields:
            if left not in field.present or right not in field.present:
                continue
            starts = [field.word_index(s) for s, _ in self.spans(field, right)]
            for start, _ in self.spans(field, left):
                index = field.word_index(start)
                if any(abs(index - other) <= distance for other in starts):
                    return True
        return False

    def hits(self, pattern_id: int, written: str) -> tuple[TermHit, ...]:
        """The hits of a pattern as written in a topic; topics sharing a term share them."""
        key = (pattern_id, written)
        hits = self.hits_cache.get(key)
        if hits is None:
            hits = self.hits_cache[key] = tuple(
                TermHit(written, field.name, start, end)
                for field in self.fields
                if pattern_id in field.present
                for start, end in self.spans(field, pattern_id)
            )
        return hits


class _Patterns:
    """Every distinct term of every topic, found with one automaton run over a field.

    The automaton's keys are " word " for a word and " pre" for a prefix: run over the folded
    field, where words are separated by spaces, the spaces make them match whole words. A
    phrase has its longest word (likely its rarest) as a key, and is confirmed with its
    regex only in fields where that word occurs, so the field needs no normalising first.
    """

    def __init__(self) -> None:
        self.ids: dict[_Pattern, int] = {}
        self.patterns: list[_Pattern] = []
        self.automaton: ahocorasick.Automaton | None = None
        self.regexes: dict[int, re.Pattern[str]] = {}
        self.direct: list[tuple[int, ...]] = []  # key id -> patterns found with it
        self.anchored: list[tuple[int, ...]] = []  # key id -> phrases to confirm
        self.anchors: frozenset[int] = frozenset()  # key ids that anchor some phrase
        self.phrases: ahocorasick.Automaton | None = None  # over words joined by spaces
        self.overlapping: list[bool] = []  # pattern id -> whether occurrences can overlap
        self.word_keys: list[str | None] = []  # pattern id -> its key, for a single word

    def id_of(self, term: Term) -> int:
        pattern = _Pattern(term.words, term.prefix)
        if pattern not in self.ids:
            self.ids[pattern] = len(self.patterns)
            self.patterns.append(pattern)
        return self.ids[pattern]

    def spans(self, field: _Field, pattern_id: int) -> list[Span]:
        """Where the pattern occurs in the field: a word by string search, a phrase (whose
        words may be apart by several spaces) by its regex."""
        key = self.word_keys[pattern_id]
        if key is not None:
            return field.word_spans(key)
        return field.spans(self.regex(pattern_id), self.overlapping[pattern_id])

    def regex(self, pattern_id: int) -> re.Pattern[str]:
        if pattern_id not in self.regexes:
            self.regexes[pattern_id] = self.patterns[pattern_id].regex()
        return self.regexes[pattern_id]

    def build(self) -> None:
        self.overlapping = [pattern.can_overlap for pattern in self.patterns]
        direct: dict[str, list[int]] = {}
        anchored: dict[str, list[int]] = {}
        # How many phrases each word is in: "Energy" in a hundred company names would make
        # a poor anchor, confirming a hundred phrases in every article about energy.
        shared = Counter(chain.from_iterable(set(p.words) for p in self.patterns))
        self.word_keys = [None] * len(self.patterns)
        for pattern_id, pattern in enumerate(self.patterns):
            if len(pattern.words) == 1:
                key = f" {pattern.words[0]}" + ("" if pattern.prefix else " ")
                direct.setdefault(key, []).append(pattern_id)
                self.word_keys[pattern_id] = key
            else:
                whole = pattern.words[:-1] if pattern.prefix else pattern.words
                anchor = min(whole, key=lambda w: (w in _COMMON, shared[w], -len(w)))
                anchored.setdefault(f" {anchor} ", []).append(pattern_id)
        phrases = ahocorasick.Automaton()  # " two words " (" two wo" for a prefix)
        for pattern_id, pattern in enumerate(self.patterns):
            if len(pattern.words) > 1:
                key = " " + " ".join(pattern.words) + ("" if pattern.prefix else " ")
                phrases.add_word(key, pattern_id)
        if len(phrases):
            phrases.make_automaton()
            self.phrases = phrases
        keys = list(dict.fromkeys([*direct, *anchored]))
        self.direct = [tuple(direct.get(key, ())) for key in keys]
        self.anchored = [tuple(anchored.get(key, ())) for key in keys]
        self.anchors = frozenset(i for i, found in enumerate(self.anchored) if found)
        automaton = ahocorasick.Automaton()
        for key_id, key in enumerate(keys):
            automaton.add_word(key, key_id)
        if keys:
            automaton.make_automaton()
            self.automaton = automaton

    def scan(self, name: FieldName, original: str) -> _Field:
        """The field with every pattern present in it found."""
        field = _Field(name, original)
        if self.automaton is None:
            return field
        found = set(map(_value, self.automaton.iter(field.folded)))
        field.present = set(chain.from_iterable(map(self.direct.__getitem__, found)))
        anchors = found & self.anchors
        if anchors:
            phrases = set(chain.from_iterable(map(self.anchored.__getitem__, anchors)))
            field.present.update(self._confirmed(phrases, field.folded))
        return field

    def _confirmed(self, phrases: set[int], folded: str) -> Iterable[int]:
        """The phrases that occur in the field: a regex search each, or when there are
        many, every phrase at once with a second automaton over the field's words joined by
        single spaces."""
        if len(phrases) <= _FEW_PHRASES or self.phrases is None:
            return [p for p in phrases if self.regex(p).search(folded)]
        words = " " + " ".join(folded.split()) + " "
        return map(_value, self.phrases.iter(words))


# ---------------------------------------------------------------------------------------------
# What a matching article must contain.

# Words too common in news to pick a topic out: never chosen to index a topic when the
# topic has anything rarer.
_COMMON_WORDS = """a about after all also an and are as at be been but by can could for from had has
    have he her his how i if in into is it its last more new no not of on one or our out over
    people said say says she so than that the their them there they this to told two up us
    was we were what when which who will with would year years you"""
_COMMON = frozenset(_COMMON_WORDS.split())

Clause = frozenset[Term]  # satisfied by any of its terms


def _rarity(term: Term) -> tuple[int, int]:
    """A guess at how rare a term is in news text, without a corpus: phrases over names
    (written capitalised) over other words over prefixes over very common words, then
    longer over shorter."""
    if len(term.words) > 1:
        kind = 4
    elif term.words[0] in _COMMON:
        kind = 0
    elif term.prefix:
        kind = 1
    else:
        kind = 3 if term.text[:1].isupper() else 2
    return kind, sum(map(len, term.words))


def _clause_rarity(clause: Clause) -> tuple[int, int]:
    return min(map(_rarity, clause))  # an OR is as common as its most common term


def _clauses(query: Query, negated: bool = False) -> list[Clause]:
    """Clauses every article matching `query` (or its negation) satisfies; none when it
    can match with no term present."""
    if isinstance(query, Not):
        return _clauses(query.child, not negated)
    if isinstance(query, Term | Near):
        if negated:  # an absence requires nothing
            return []
        return [frozenset((query,))] if isinstance(query, Term) else _near_clauses(query)
    children = [_clauses(child, negated) for child in query.children]
    if isinstance(query, And) != negated:  # all of them (NOT (a OR b) is NOT a AND NOT b)
        return list(dict.fromkeys(chain.from_iterable(children)))
    if not all(children):  # any of them, and one needs nothing
        return []
    return [frozenset().union(*(max(c, key=_clause_rarity) for c in children))]


def _near_clauses(near: Near) -> list[Clause]:
    return [frozenset((near.left,)), frozenset((near.right,))]


def _is_exact(query: Query) -> bool:
    """Whether the clauses of `query` say exactly when it holds: ANDs of ORs of terms."""
    if isinstance(query, Term):
        return True
    if isinstance(query, And):
        return all(map(_is_exact, query.children))
    if isinstance(query, Or):
        return all(
            isinstance(c, Term) or (isinstance(c, Or) and _is_exact(c)) for c in query.children
        )
    return False


# ---------------------------------------------------------------------------------------------

NearTest = Callable[[int, int, int], bool]  # left pattern id, right pattern id, distance
Predicate = Callable[[set[int], NearTest], bool]  # pattern ids present, NEAR test
_Probe = tuple[set[int], NearTest]


def _leaf_test(patterns: _Patterns) -> Callable[[Leaf], Callable[[_Probe], bool]]:
    def test(leaf: Leaf) -> Callable[[_Probe], bool]:
        if isinstance(leaf, Near):
            left, right = patterns.id_of(leaf.left), patterns.id_of(leaf.right)
            distance = leaf.distance
            return lambda probe: probe[1](left, right, distance)
        pattern_id = patterns.id_of(leaf)
        return lambda probe: pattern_id in probe[0]

    return test


def _source(query: Query, patterns: _Patterns) -> str:
    """The query as a Python expression over `p` (the pattern ids present) and `n` (NEAR)."""
    if isinstance(query, Term):
        return f"({patterns.id_of(query)} in p)"
    if isinstance(query, Near):
        left, right = patterns.id_of(query.left), patterns.id_of(query.right)
        return f"n({left}, {right}, {query.distance})"
    if isinstance(query, Not):
        return f"(not {_source(query.child, patterns)})"
    joiner = " and " if isinstance(query, And) else " or "
    return "(" + joiner.join(_source(c, patterns) for c in query.children) + ")"


def _predicate(query: Query, patterns: _Patterns) -> Predicate:
    """The query compiled to one Python function: one generated function is several times
    faster than a tree of closures. The source holds only integers and operators (no text
    from the query). A query nested too deep for Python's compiler falls back to closures
    (`query.compile_query`)."""
    try:
        source = f"lambda p, n: bool({_source(query, patterns)})"
        test: Predicate = eval(compile(source, "<topic>", "eval"), {"__builtins__": {"bool": bool}})
    except (SyntaxError, RecursionError, MemoryError):
        closures = compile_query(query, _leaf_test(patterns))
        return lambda present, near: closures((present, near))
    return test


@dataclass(frozen=True, slots=True)
class _Topic:
    name: str
    query: Query
    holds: Predicate
    positives: tuple[tuple[int, str], ...]  # (pattern id, term as written)
    clauses: tuple[frozenset[int], ...]  # pattern ids; the rarest clause first
    exact: bool  # matching is having every clause satisfied: `holds` need not run


def _compile_topic(name: str, query: str | Query, patterns: _Patterns) -> _Topic:
    # A parsed query is printed and parsed again: it gets the parser's checks.
    tree = parse_query(query if isinstance(query, str) else str(query))
    for term, _negated in terms(tree):  # negated terms are searched too
        patterns.id_of(term)
    positives = tuple((patterns.id_of(t), str(t)) for t in positive_terms(tree))
    ranked = sorted(_clauses(tree), key=_clause_rarity, reverse=True)
    clauses = tuple(dict.fromkeys(frozenset(map(patterns.id_of, c)) for c in ranked))
    return _Topic(name, tree, _predicate(tree, patterns), positives, clauses, _is_exact(tree))


class _Index:
    """Each topic under the patterns of its rarest clause, with the rest of its clauses."""

    def __init__(self, topics: list[_Topic]) -> None:
        by_trigger: dict[int, list[int]] = {}  # pattern id -> topics it may trigger
        always: list[int] = []
        for index, topic in enumerate(topics):
            if not topic.clauses:
                always.append(index)
            for pattern_id in topic.clauses[0] if topic.clauses else ():
                by_trigger.setdefault(pattern_id, []).append(index)
        self.by_trigger = {pattern_id: tuple(found) for pattern_id, found in by_trigger.items()}
        self.triggering = frozenset(self.by_trigger)
        self.rest = [topic.clauses[1:] for topic in topics]
        self.always = tuple(always)

    def passing(self, present: set[int]) -> list[int]:
        """Topics with every clause satisfied by the patterns present, and those always
        evaluated, in compile order. Only topics whose rarest clause is satisfied cost
        anything, and each of those one C-level pass over its other clauses."""
        triggered = present & self.triggering
        if not triggered:
            return list(self.always)
        candidates = set(chain.from_iterable(map(self.by_trigger.__getitem__, triggered)))
        rest, disjoint = self.rest, present.isdisjoint
        passed = [index for index in candidates if not any(map(disjoint, rest[index]))]
        passed.extend(self.always)
        passed.sort()
        return passed


class Matcher:
    """Every topic's query compiled together; `match` tells which topics an article matches."""

    def __init__(self, topics: list[_Topic], patterns: _Patterns) -> None:
        self._topics = topics
        self._patterns = patterns
        self._index = _Index(topics)

    @classmethod
    def compile(cls, topics: Mapping[str, str | Query]) -> Matcher:
        """Compile topic name -> query (text or parsed). Raises QueryError for a bad query;
        the caller names the topic."""
        patterns = _Patterns()
        compiled = [_compile_topic(name, query, patterns) for name, query in topics.items()]
        patterns.build()
        return cls(compiled, patterns)

    @property
    def topics(self) -> tuple[str, ...]:
        return tuple(topic.name for topic in self._topics)

    @property
    def always_evaluated(self) -> tuple[str, ...]:
        """Topics that can match with none of their terms present, evaluated for every
        article (``NOT x``, ``a OR NOT b``)."""
        return tuple(self._topics[index].name for index in self._index.always)

    def query(self, topic: str) -> Query:
        """The parsed query of `topic` (KeyError if there is no such topic)."""
        for candidate in self._topics:
            if candidate.name == topic:
                return candidate.query
        raise KeyError(topic)

    def match(self, title: str, text: str) -> list[Match]:
        """Every topic whose query is true over title and text, in compile order, each with
        the hits of its positive terms present."""
        fields = (self._patterns.scan("title", title), self._patterns.scan("text", text))
        present = fields[0].present | fields[1].present
        passed = self._index.passing(present)
        if not passed:
            return []
        article = _Article(fields, self._patterns)
        topics, near = self._topics, article.near
        return [
            self._match_of(topic, present, article)
            for topic in map(topics.__getitem__, passed)
            if topic.exact or topic.holds(present, near)
        ]

    def _match_of(self, topic: _Topic, present: set[int], article: _Article) -> Match:
        found = [
            article.hits(pattern_id, written)
            for pattern_id, written in topic.positives
            if pattern_id in present
        ]
        if len(found) == 1:  # one term's hits are in order already
            return Match(topic.name, found[0])
        return Match(topic.name, tuple(sorted(chain.from_iterable(found), key=_hit_order)))


def _hit_order(hit: TermHit) -> tuple[bool, int, int, str]:
    return hit.field != "title", hit.start, hit.end, hit.term


def hit_sentence(hit: TermHit, title: str, text: str) -> str:
    """The sentence `hit` falls in, in the article of that title and text (those it was
    matched in). A title is one sentence; in the text only the hit's paragraph is split."""
    if hit.field == "title":
        return title.strip()
    return textspans.sentence_at(text, hit.start, hit.end)


def hit_sentences(match: Match, title: str, text: str) -> list[str]:
    """The sentence of each of the match's hits, in order."""
    return [hit_sentence(hit, title, text) for hit in match.hits]
