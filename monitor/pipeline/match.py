"""Match an article against every topic at once, percolator style (as Lucene's Monitor).

All topics are compiled together into shared indexes of their distinct terms (after
`query.fold_text`): a dict of whole words, an Aho-Corasick automaton of prefixes, and
phrases anchored on their longest word. Matching an article folds each field once, takes its
set of words, and looks up what is present with set operations. Each topic is indexed only
under the terms it cannot match without (as Luwak does): for ``A AND (B OR C)`` the rarer
side, for an OR every branch. Only topics so triggered have their query evaluated, so the
cost per article grows with the terms it contains, not with the number of topics.

Folding keeps the text's length, so a position in the folded text is a position in the
original: hits point into the original title or text. Title and text are one document for
AND/OR/NOT, but a phrase or a NEAR never spans from the title into the text.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Mapping
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
    matches_nothing_present,
    parse_query,
    positive_terms,
    terms,
)

FieldName = Literal["title", "text"]
_value = itemgetter(1)  # of an automaton's (end, value) match
Span = tuple[int, int]  # start, end in the field's original text


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


class _Field:
    """One field of an article, folded, with the patterns present in it."""

    def __init__(self, name: FieldName, original: str) -> None:
        self.name = name
        self.original = original
        self.folded = " " + fold_text(original) + " "  # offsets shifted by one
        self.present: set[int] = set()  # pattern ids

    def spans(self, regex: re.Pattern[str]) -> list[Span]:
        # folded[i + 1] is original[i]; a match starts at the space before its first word
        return [(m.start(), m.end() - 1) for m in regex.finditer(self.folded)]

    def words_between(self, first: Span, second: Span) -> int:
        return len(self.folded[first[1] + 1 : second[0] + 1].split())


class _Sentences:
    """The sentence around a hit, split only for paragraphs that have hits (pysbd is slow)."""

    def __init__(self, name: FieldName, original: str) -> None:
        self.name = name
        self.original = original
        self.cache: dict[Span, str] = {}

    @cached_property
    def paragraphs(self) -> list[textspans.Span]:
        return textspans.paragraphs(self.original)

    @cached_property
    def paragraph_starts(self) -> list[int]:
        return [p.start for p in self.paragraphs]

    def at(self, span: Span) -> str:
        if self.name == "title":  # a title is one sentence
            return self.original.strip()
        if span not in self.cache:
            self.cache[span] = self._find(span)
        return self.cache[span]

    def _find(self, span: Span) -> str:
        index = bisect_right(self.paragraph_starts, span[0]) - 1
        if index >= 0 and span[0] <= self.paragraphs[index].end:
            para = self.paragraphs[index]
            return textspans.sentence_at(para.text, span[0] - para.start, span[1] - para.start)
        return textspans.sentence_at(self.original, *span)


class _Article:
    """An article being matched: its fields and which patterns they hold."""

    def __init__(self, fields: tuple[_Field, ...], patterns: _Patterns) -> None:
        self.fields = fields
        self.patterns = patterns
        self.present: set[int] = set().union(*(f.present for f in fields))
        self.sentences = {f.name: _Sentences(f.name, f.original) for f in fields}
        self.spans_cache: dict[tuple[FieldName, int], list[Span]] = {}

    def spans(self, field: _Field, pattern_id: int) -> list[Span]:
        key = (field.name, pattern_id)
        if key not in self.spans_cache:
            found = pattern_id in field.present
            spans = field.spans(self.patterns.regex(pattern_id)) if found else []
            self.spans_cache[key] = spans
        return self.spans_cache[key]

    def near(self, left: int, right: int, distance: int) -> bool:
        """Whether the two patterns occur, apart, in either order, in the same field, with at
        most `distance` words between them."""
        for field in self.fields:
            if left not in field.present or right not in field.present:
                continue
            for a in self.spans(field, left):
                for b in self.spans(field, right):
                    first, second = (a, b) if a[0] <= b[0] else (b, a)
                    apart = first[1] <= second[0]
                    if apart and field.words_between(first, second) <= distance:
                        return True
        return False

    def hits(self, pattern_id: int, written: str) -> list[TermHit]:
        return [
            TermHit(written, field.name, start, end, self.sentences[field.name].at((start, end)))
            for field in self.fields
            for start, end in self.spans(field, pattern_id)
        ]


class _Patterns:
    """Every distinct term of every topic, in one automaton run over an article's words."""

    def __init__(self) -> None:
        self.ids: dict[_Pattern, int] = {}
        self.patterns: list[_Pattern] = []
        # " word " for a word, " pre" for a prefix, " two words " for a phrase: run over the
        # field's words joined by single spaces, the spaces make keys match whole words.
        self.automaton: ahocorasick.Automaton | None = None
        self.regexes: dict[int, re.Pattern[str]] = {}

    def id_of(self, term: Term) -> int:
        pattern = _Pattern(term.words, term.kind == "prefix")
        if pattern not in self.ids:
            self.ids[pattern] = len(self.patterns)
            self.patterns.append(pattern)
        return self.ids[pattern]

    def regex(self, pattern_id: int) -> re.Pattern[str]:
        if pattern_id not in self.regexes:
            self.regexes[pattern_id] = self.patterns[pattern_id].regex()
        return self.regexes[pattern_id]

    def build(self) -> None:
        automaton = ahocorasick.Automaton()
        for pattern_id, pattern in enumerate(self.patterns):
            key = " " + " ".join(pattern.words) + ("" if pattern.prefix else " ")
            automaton.add_word(key, pattern_id)
        if len(automaton):
            automaton.make_automaton()
            self.automaton = automaton

    def scan(self, name: FieldName, original: str) -> _Field:
        """The field with every pattern present in it found."""
        field = _Field(name, original)
        if self.automaton is not None:
            # Words joined by single spaces, so a phrase matches whatever separated its
            # words; where it occurs is found later in `folded`, and only for hits.
            words = " " + " ".join(field.folded.split()) + " "
            field.present.update(map(_value, self.automaton.iter(words)))
        return field


# ---------------------------------------------------------------------------------------------
# Which terms a topic is indexed under.


def _rarity(term: Term) -> tuple[int, int]:
    """A guess at how rare a term is in news text, without a corpus: phrases over names
    (written capitalised) over other words over prefixes, then longer over shorter."""
    if len(term.words) > 1:
        kind = 3
    elif term.kind == "prefix":
        kind = 0
    else:
        kind = 2 if term.text[:1].isupper() else 1
    return kind, sum(map(len, term.words))


def _triggers(query: Query) -> frozenset[Term]:
    """Terms at least one of which every article matching `query` contains; `query` must not
    match an article with none of its terms (`matches_nothing_present` is False)."""
    if isinstance(query, Term):
        return frozenset((query,))
    if isinstance(query, Near):  # both are needed: the rarer one suffices
        return frozenset((max(query.left, query.right, key=_rarity),))
    if isinstance(query, Or):
        return frozenset().union(*(_triggers(child) for child in query.children))
    if isinstance(query, And):
        needed = [c for c in query.children if not matches_nothing_present(c)]
        return max((_triggers(c) for c in needed), key=lambda s: min(map(_rarity, s)))
    assert isinstance(query, Not)
    # A double negation: any positive term will do (the query holds with none absent).
    return frozenset(positive_terms(query))


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
    """The query compiled to one Python function. Candidate topics are evaluated for every
    article, and one generated function is several times faster than a tree of closures.
    The source holds only integers and operators (no text from the query). A query nested
    too deep for Python's compiler falls back to closures (`query.compile_query`)."""
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
    triggers: frozenset[int]  # pattern ids


class Matcher:
    """Every topic's query compiled together; `match` tells which topics an article matches."""

    def __init__(self, topics: list[_Topic], patterns: _Patterns) -> None:
        self._topics = topics
        self._patterns = patterns
        triggered: dict[int, list[int]] = {}  # pattern id -> indexes of topics it triggers
        for index, topic in enumerate(topics):
            for pattern_id in topic.triggers:
                triggered.setdefault(pattern_id, []).append(index)
        self._triggered = {pattern_id: tuple(found) for pattern_id, found in triggered.items()}
        self._triggering = frozenset(self._triggered)

    @classmethod
    def compile(cls, topics: Mapping[str, str | Query]) -> Matcher:
        """Compile topic name -> query (text or parsed). Raises QueryError for a bad query
        (or a parsed query that only excludes); the caller names the topic."""
        patterns = _Patterns()
        compiled = []
        for name, query in topics.items():
            # A parsed query is printed and parsed again: it gets the parser's checks.
            tree = parse_query(query if isinstance(query, str) else str(query))
            holds = _predicate(tree, patterns)
            for term, _negated in terms(tree):  # negated terms are searched too
                patterns.id_of(term)
            positives = tuple((patterns.id_of(t), str(t)) for t in positive_terms(tree))
            triggers = frozenset(patterns.id_of(t) for t in _triggers(tree))
            compiled.append(_Topic(name, tree, holds, positives, triggers))
        patterns.build()
        return cls(compiled, patterns)

    @property
    def topics(self) -> tuple[str, ...]:
        return tuple(topic.name for topic in self._topics)

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
        article = _Article(fields, self._patterns)
        triggering = article.present & self._triggering
        candidates = set(chain.from_iterable(map(self._triggered.__getitem__, triggering)))
        present, near, topics = article.present, article.near, self._topics
        return [
            self._match_of(topics[index], article)
            for index in sorted(candidates)
            if topics[index].holds(present, near)
        ]

    def _match_of(self, topic: _Topic, article: _Article) -> Match:
        hits = [
            hit
            for pattern_id, written in topic.positives
            if pattern_id in article.present
            for hit in article.hits(pattern_id, written)
        ]
        hits.sort(key=lambda h: (h.field != "title", h.start, h.end, h.term))
        return Match(topic.name, tuple(hits))
