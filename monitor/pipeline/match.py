"""Match an article against every topic at once, percolator style (as Lucene's Monitor).

All topics are compiled together into one Aho-Corasick automaton over folded words
(`query.fold_text`): a whole word is the key " word ", a prefix " pre", and a phrase is
anchored on its first word and checked where that word occurs. One pass of the automaton
over each field of the article finds every term of every topic; only topics with a positive
term present have their boolean query evaluated. The cost per article grows with the terms
it contains, not with the number of topics.

Folding keeps the text's length, so positions in the folded text are positions in the
original: hits point into the original title or text. Title and text are one document for
AND/OR/NOT, but a phrase or a NEAR never spans from the title into the text.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import ahocorasick

from monitor.models import Match, TermHit
from monitor.pipeline import text as textspans
from monitor.pipeline.query import (
    Leaf,
    Near,
    Query,
    Term,
    compile_query,
    fold_text,
    parse_query,
    positive_terms,
    terms,
)

FieldName = Literal["title", "text"]
Span = tuple[int, int]  # start, end in the field's original text


@dataclass(frozen=True, slots=True)
class _Pattern:
    """A distinct searchable term: folded words, the last one a prefix or not. Topics that
    write the same term differently ("Putin", "putin", a one-word phrase) share it."""

    words: tuple[str, ...]
    prefix: bool

    @property
    def key(self) -> str:
        """The automaton key: a single word or prefix; a phrase's first word."""
        if len(self.words) == 1:
            return " " + self.words[0] + ("" if self.prefix else " ")
        return " " + self.words[0] + " "

    def phrase_regex(self) -> re.Pattern[str]:
        """Matches the whole phrase where its first word starts, any separators between."""
        body = " +".join(re.escape(w) for w in self.words)
        return re.compile(body if self.prefix else body + "(?= )")


class _Field:
    """One field of an article: its folded text and where each pattern occurs in it."""

    def __init__(self, name: FieldName, original: str) -> None:
        self.name = name
        self.original = original
        self.folded = " " + fold_text(original) + " "
        self.starts: dict[int, list[int]] = {}  # pattern id -> start offsets in `original`

    def span(self, start: int, pattern: _Pattern, phrase: re.Pattern[str] | None) -> Span:
        """Where the occurrence of `pattern` starting at `start` ends."""
        if phrase is not None:
            found = phrase.match(self.folded, start + 1)
            assert found is not None  # only verified starts are recorded
            end = found.end() - 1
        else:
            end = start + len(pattern.words[0])
        if pattern.prefix:  # the word goes on past the prefix
            end = self.folded.find(" ", end + 1) - 1
        return start, end

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
    """An article being matched: its two fields and which patterns they hold."""

    def __init__(self, fields: tuple[_Field, ...], patterns: _Patterns) -> None:
        self.fields = fields
        self.patterns = patterns
        self.present: set[int] = set().union(*(f.starts for f in fields))
        self.sentences = {f.name: _Sentences(f.name, f.original) for f in fields}
        self.spans_cache: dict[tuple[FieldName, int], list[Span]] = {}

    def spans(self, field: _Field, pattern_id: int) -> list[Span]:
        key = (field.name, pattern_id)
        if key not in self.spans_cache:
            pattern, phrase = self.patterns.of(pattern_id)
            starts = field.starts.get(pattern_id, ())
            self.spans_cache[key] = [field.span(s, pattern, phrase) for s in starts]
        return self.spans_cache[key]

    def near(self, left: int, right: int, distance: int) -> bool:
        """Whether the two patterns occur, apart, in either order, in the same field, with at
        most `distance` words between them."""
        for field in self.fields:
            if left not in field.starts or right not in field.starts:
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
    """Every distinct term of every topic, with the automaton that finds them."""

    def __init__(self) -> None:
        self.ids: dict[_Pattern, int] = {}
        self.patterns: list[_Pattern] = []
        self.phrases: list[re.Pattern[str] | None] = []
        self.anchored: dict[int, list[int]] = {}  # first-word pattern id -> phrase pattern ids
        self.automaton: ahocorasick.Automaton | None = None

    def id_of(self, term: Term) -> int:
        pattern = _Pattern(term.words, term.kind == "prefix")
        if pattern not in self.ids:
            self._add(pattern)
        return self.ids[pattern]

    def of(self, pattern_id: int) -> tuple[_Pattern, re.Pattern[str] | None]:
        return self.patterns[pattern_id], self.phrases[pattern_id]

    def _add(self, pattern: _Pattern) -> None:
        pattern_id = len(self.patterns)
        self.ids[pattern] = pattern_id
        self.patterns.append(pattern)
        if len(pattern.words) == 1:
            self.phrases.append(None)
            return
        self.phrases.append(pattern.phrase_regex())
        # The phrase's first word is searched as a word of its own; the phrase is checked
        # only where that word occurs.
        anchor = self.id_of(Term("word", pattern.words[0]))
        self.anchored.setdefault(anchor, []).append(pattern_id)

    def build(self) -> None:
        if not self.patterns:
            return
        automaton = ahocorasick.Automaton()
        for pattern_id, pattern in enumerate(self.patterns):
            if self.phrases[pattern_id] is None:
                key = pattern.key
                automaton.add_word(key, (pattern_id, len(key) - 1))
        automaton.make_automaton()
        self.automaton = automaton

    def scan(self, name: FieldName, original: str) -> _Field:
        """The field with every occurrence of every pattern found."""
        field = _Field(name, original)
        if self.automaton is None:
            return field
        starts = field.starts
        for end, (pattern_id, length) in self.automaton.iter(field.folded):
            # end - length is the key's leading space in `folded`, so the word's offset in
            # the original (folded has one extra space in front).
            start = end - length
            if pattern_id in starts:
                starts[pattern_id].append(start)
            else:
                starts[pattern_id] = [start]
        self._check_phrases(field)
        return field

    def _check_phrases(self, field: _Field) -> None:
        for anchor in [a for a in field.starts if a in self.anchored]:
            for phrase_id in self.anchored[anchor]:
                phrase = self.phrases[phrase_id]
                assert phrase is not None
                found = [s for s in field.starts[anchor] if phrase.match(field.folded, s + 1)]
                if found:
                    field.starts[phrase_id] = found


Predicate = Callable[[_Article], bool]


def _leaf_test(patterns: _Patterns) -> Callable[[Leaf], Predicate]:
    def test(leaf: Leaf) -> Predicate:
        if isinstance(leaf, Near):
            left, right = patterns.id_of(leaf.left), patterns.id_of(leaf.right)
            distance = leaf.distance
            return lambda article: article.near(left, right, distance)
        pattern_id = patterns.id_of(leaf)
        return lambda article: pattern_id in article.present

    return test


@dataclass(frozen=True, slots=True)
class _Topic:
    name: str
    query: Query
    holds: Predicate
    positives: tuple[tuple[int, str], ...]  # (pattern id, term as written)


class Matcher:
    """Every topic's query compiled together; `match` tells which topics an article matches."""

    def __init__(self, topics: list[_Topic], patterns: _Patterns) -> None:
        self._topics = topics
        self._patterns = patterns
        # pattern id -> indexes of the topics it can make true (it is positive in them)
        triggers: dict[int, list[int]] = {}
        for index, topic in enumerate(topics):
            for pattern_id, _ in topic.positives:
                triggers.setdefault(pattern_id, []).append(index)
        self._triggers = {pattern_id: tuple(found) for pattern_id, found in triggers.items()}

    @classmethod
    def compile(cls, topics: Mapping[str, str | Query]) -> Matcher:
        """Compile topic name -> query (text or parsed). Raises QueryError for a bad query
        text; the caller names the topic."""
        patterns = _Patterns()
        compiled = []
        for name, query in topics.items():
            tree = parse_query(query) if isinstance(query, str) else query
            holds = compile_query(tree, _leaf_test(patterns))
            for term, _negated in terms(tree):  # negated terms are searched too
                patterns.id_of(term)
            positives = tuple((patterns.id_of(t), str(t)) for t in positive_terms(tree))
            compiled.append(_Topic(name, tree, holds, positives))
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
        the hits of its positive terms."""
        fields = (self._patterns.scan("title", title), self._patterns.scan("text", text))
        article = _Article(fields, self._patterns)
        candidates: set[int] = set()
        for pattern_id in article.present:
            candidates.update(self._triggers.get(pattern_id, ()))
        return [
            self._match_of(self._topics[index], article)
            for index in sorted(candidates)
            if self._topics[index].holds(article)
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
