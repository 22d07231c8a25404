"""Matching articles against many topics at once (monitor.pipeline.match)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.errors import QueryError
from monitor.models import Match
from monitor.pipeline import text as textspans
from monitor.pipeline.match import Matcher, hit_sentence, hit_sentences
from monitor.pipeline.query import (
    And,
    Near,
    Not,
    Or,
    Query,
    Term,
    evaluate,
    fold_text,
    parse_query,
)


def matches(query: str, text: str, title: str = "") -> bool:
    return [m.topic for m in Matcher.compile({"t": query}).match(title, text)] == ["t"]


MEANING = [
    # whole words, case, accents, possessives, hyphens
    ("Putin AND Trump", "Putin called Trump on Monday.", True),
    ("U.S.", "U.S. troops", True),
    ("U.S.", "us troops", False),
    ("don't", "I don't know", True),
    ('"Trump\'s aides"', "Trump’s aides", True),
    ('"Trump\'s aides"', "Trump aides", False),  # an apostrophe separates words, as \w+ runs
    ("foo_bar", "foo_bar", True),
    ("foo_bar", "foo bar", False),
    ("Putin AND Trump", "Putin called the trumpet player.", False),
    ("trump*", "Putin called the trumpet player.", True),
    ("Trump", "TRUMP's aides", True),
    ("Trump", "Trump’s aides", True),
    ("Putin", "Putins gathered", False),
    ("Zelenskyy", "Zelénskyy spoke", True),
    ("Zelénskyy", "ZELENSKYY spoke", True),
    ("Putin AND Trump", "the Putin-Trump call", True),
    ('"Putin Trump"', "the Putin-Trump call", True),
    ('"Trump Putin"', "the Putin-Trump call", False),
    # phrases: consecutive words, punctuation between them ignored
    ('"Prime Minister Halvorsen"', "Prime Minister Halvorsen said", True),
    ('"Prime Minister Halvorsen"', "Prime Minister, Halvorsen said", True),
    ('"Prime Minister Halvorsen"', "Prime Minister Erik Halvorsen said", False),
    ('"Prime Minister Halvorsen"', "prime  minister\nhalvorsen", True),
    ('"Port Calder"', "Port Calder's mayor", True),
    ('"prime min*"', "the prime ministers met", False),  # quotes are exact: * is punctuation
    # NOT and -
    ("summit NOT football", "a summit on trade", True),
    ("summit NOT football", "a summit on football", False),
    ("summit -football", "a summit on football", False),
    ('summit -"football club"', "a summit on football", True),
    ('summit -"football club"', "a summit of the football club", False),
    # NEAR/n: at most n words between, either order, same field
    ("Putin NEAR/2 Trump", "Putin and Trump", True),
    ("Putin NEAR/2 Trump", "Trump and Putin", True),
    ("Putin NEAR/2 Trump", "Putin spoke to Trump", False),
    ("Putin NEAR/3 Trump", "Putin spoke to Trump", True),
    ("Putin NEAR/1 Trump", "Putin-Trump", True),
    ("Putin NEAR/0 Trump", "Putin-Trump", False),
    ('"Norvane Energy" NEAR/3 hack*', "hackers hit Norvane Energy", True),
    ('"Norvane Energy" NEAR/1 hack*', "hackers hit Norvane Energy", False),
    ('hack* NEAR/2 "Norvane Energy"', "Norvane Energy hackers", True),  # first words count
    ('"Norvane Energy" NEAR/1 Energy', "Norvane Energy", True),  # overlapping counts
    ("Putin NEAR/5 Putin", "Putin spoke", True),  # as in the reference: the same occurrence
    ("NOT Putin NEAR/3 Trump", "Putin spoke to Trump", False),
    ("NOT Putin NEAR/3 Trump", "Putin spoke. Later, much later, Trump", True),
    # phrase prefix: the last word of the phrase is a prefix
    ('"tax break"*', "new tax breaks", True),
    ('"tax break"*', "tax relief breaks", False),
    ('"tax break"*', "taxi breaks", False),
    # negative-only queries match articles without the term
    ("NOT football", "a summit", True),
    ("NOT football", "football summit", False),
    ("summit OR NOT football", "football summit", True),
    ("summit OR NOT football", "football final", False),
    ("-fantas*", "fantastic", False),
    ("-fantas*", "a fanta", True),
    # the example topics
    (
        '(Halvorsen OR "Prime Minister Halvorsen") AND summit NOT football',
        "Halvorsen at the summit",
        True,
    ),
    (
        '(Halvorsen OR "Prime Minister Halvorsen") AND summit NOT football',
        "Halvorsen at the football summit",
        False,
    ),
    (
        '(Halvorsen OR "Prime Minister Halvorsen") AND summit NOT football',
        "Halvorsen in Oslo",
        False,
    ),
    (
        '"Norvane Energy" AND (breach OR hack* OR leak*)',
        "Norvane Energy confirms a data breach",
        True,
    ),
    ('"Norvane Energy" AND (breach OR hack* OR leak*)', "Norvane Energy was hacked", True),
    ('"Norvane Energy" AND (breach OR hack* OR leak*)', "Norvane said Energy leaks", False),
    ('"Norvane Energy" AND (breach OR hack* OR leak*)', "Norvane Energy results", False),
    ('"Ashbury Rovers" AND (transfer* OR bid) NOT fantasy', "Ashbury Rovers lodge a bid", True),
    ('"Ashbury Rovers" AND (transfer* OR bid) NOT fantasy', "Ashbury Rovers transfers news", True),
    (
        '"Ashbury Rovers" AND (transfer* OR bid) NOT fantasy',
        "Ashbury Rovers fantasy transfer tips",
        False,
    ),
    ('"Ashbury Rovers" AND (transfer* OR bid) NOT fantasy', "Ashbury and Rovers bid", False),
]


@pytest.mark.parametrize(("query", "text", "expected"), MEANING)
def test_meaning(query: str, text: str, expected: bool) -> None:
    assert matches(query, text) is expected


def test_title_and_text_are_one_document_for_and() -> None:
    assert matches("Putin AND Trump", "Trump spoke.", title="Putin")


def test_near_and_phrases_never_span_title_into_text() -> None:
    assert not matches("Putin NEAR/1 Trump", "Trump spoke.", title="Putin")
    assert not matches('"Putin Trump"', "Trump spoke.", title="Putin")
    assert matches("Putin NEAR/1 Trump", "", title="Putin, Trump")


def test_hits_point_into_the_original_text_with_their_sentence() -> None:
    title = "Zelénskyy meets Trump"
    text = (
        "The talks began early. Trump’s envoy met ZELÉNSKYY in Kyiv.\n\n"
        "Later, officials said the Prime  Minister, Halvorsen, would attend."
    )
    matcher = Matcher.compile(
        {"z": 'Zelenskyy AND "Trump"', "pm": '"prime minister halvorsen" OR Oslo'}
    )
    found = {m.topic: m for m in matcher.match(title, text)}
    assert set(found) == {"z", "pm"}
    fields = {"title": title, "text": text}
    z = [
        (h.term, h.field, fields[h.field][h.start : h.end], hit_sentence(h, title, text))
        for h in found["z"].hits
    ]
    assert z == [
        ("Zelenskyy", "title", "Zelénskyy", title),
        ('"Trump"', "title", "Trump", title),
        ('"Trump"', "text", "Trump", "Trump’s envoy met ZELÉNSKYY in Kyiv."),
        ("Zelenskyy", "text", "ZELÉNSKYY", "Trump’s envoy met ZELÉNSKYY in Kyiv."),
    ]
    (pm,) = found["pm"].hits
    assert text[pm.start : pm.end] == "Prime  Minister, Halvorsen"
    assert hit_sentences(found["pm"], title, text) == [
        "Later, officials said the Prime  Minister, Halvorsen, would attend."
    ]


def test_matching_splits_no_sentences(monkeypatch: pytest.MonkeyPatch) -> None:
    # pysbd is the slowest step there is: only showing or storing a hit asks for its sentence
    def refuse() -> None:
        raise AssertionError("sentences split while matching")

    monkeypatch.setattr(textspans, "_segmenter", refuse)
    textspans._split_paragraph.cache_clear()  # so splitting the paragraphs asks pysbd
    text = "Mr. Trump met Putin.\n\nTrump left. The summit ended."
    (match,) = Matcher.compile({"t": "Putin AND trump*"}).match("Putin talks", text)
    assert match.terms == ("Putin", "trump*")
    with pytest.raises(AssertionError):
        hit_sentences(match, "Putin talks", text)
    monkeypatch.undo()
    assert hit_sentences(match, "Putin talks", text) == [
        "Putin talks",
        "Mr. Trump met Putin.",
        "Mr. Trump met Putin.",
        "Trump left.",
    ]


def test_prefix_hits_cover_the_whole_word() -> None:
    text = "Hackers leaked files."
    (match,) = Matcher.compile({"t": "hack* AND leak*"}).match("", text)
    assert [text[h.start : h.end] for h in match.hits] == ["Hackers", "leaked"]
    assert match.terms == ("hack*", "leak*")


@pytest.mark.parametrize(
    ("query", "text", "found"),
    [
        ("a", "a a, A.", [(0, 1), (2, 3), (5, 6)]),  # neighbours share the space between
        ("ab*", "abab ab, cab abc", [(0, 4), (5, 7), (13, 16)]),
        ("ab*", "ab", [(0, 2)]),  # a prefix that is the whole word, ending the field
        ("port", "Port-Calder passport port", [(0, 4), (21, 25)]),
    ],
)
def test_word_hits_are_every_whole_word_occurrence(
    query: str, text: str, found: list[tuple[int, int]]
) -> None:
    (match,) = Matcher.compile({"t": query}).match("", text)
    assert [(h.start, h.end) for h in match.hits] == found


def test_negated_terms_give_no_hits() -> None:
    (match,) = Matcher.compile({"t": "summit NOT (football OR rugby)"}).match("", "A summit.")
    assert [h.term for h in match.hits] == ["summit"]


def test_compile_takes_parsed_queries_and_lists_topics() -> None:
    matcher = Matcher.compile({"b": parse_query("b*"), "a": "a"})
    assert matcher.topics == ("b", "a")
    assert matcher.query("b") == Term("prefix", "b")
    assert [m.topic for m in matcher.match("", "bee and a")] == ["b", "a"]


def test_compile_raises_query_error_for_a_bad_query() -> None:
    with pytest.raises(QueryError, match="unbalanced parenthesis at column 1"):
        Matcher.compile({"good": "a", "bad": "(a OR b"})
    with pytest.raises(QueryError, match="expected a term after NEAR/2 at column 3"):
        Matcher.compile({"bad": "a NEAR/2"})


def test_negative_only_topics_are_evaluated_for_every_article() -> None:
    matcher = Matcher.compile(
        {"pos": "a", "neg": Not(Term("word", "a")), "either": "b OR NOT c", "n": "NOT NOT d"}
    )
    assert matcher.always_evaluated == ("neg", "either")
    assert [m.topic for m in matcher.match("", "nothing here")] == ["neg", "either"]
    assert [m.topic for m in matcher.match("", "a c")] == ["pos"]
    pos, either = matcher.match("", "a b c")
    assert (pos.topic, either.topic) == ("pos", "either")
    assert [h.term for h in either.hits] == ["b"]
    assert matcher.match("", "nothing here")[0].hits == ()
    assert [m.topic for m in matcher.match("", "d")] == ["neg", "either", "n"]


def test_no_topics_match_nothing() -> None:
    assert Matcher.compile({}).match("Putin", "Trump") == []


def test_a_topic_is_found_through_any_positive_term() -> None:
    # triggers are chosen per AND; every OR branch must still be able to trigger
    matcher = Matcher.compile({"t": '("Port Calder" OR Whitlock) AND (mayor OR resign*)'})
    assert [m.topic for m in matcher.match("", "Whitlock to resign")] == ["t"]
    assert [m.topic for m in matcher.match("", "Port Calder mayor")] == ["t"]
    assert matcher.match("", "Port Calder harbour") == []


# --- properties: the matcher agrees with a naive evaluation -----------------------------------

VOCABULARY = ["putin", "Trump", "trumpet", "calder", "port", "zelénskyy", "a", "bid", "bids"]
SEPARATORS = [" ", " ", ", ", "-", "\n\n", "’s ", ". "]


def naive_matches(query: Query, title: str, text: str) -> bool:
    """The query over each field's folded word list, by brute force."""
    fields = [fold_text(title).split(), fold_text(text).split()]

    def spans(term: Term, words: list[str]) -> list[tuple[int, int]]:
        size = len(term.words)
        found = []
        for i in range(len(words) - size + 1):
            window = words[i : i + size]
            head, last = window[:-1], window[-1]
            exact = head == list(term.words[:-1])
            wanted = term.words[-1]
            if exact and (last.startswith(wanted) if term.prefix else last == wanted):
                found.append((i, i + size))
        return found

    def near(leaf: Near, words: list[str]) -> bool:
        return any(
            abs(a[0] - b[0]) <= leaf.distance
            for a in spans(leaf.left, words)
            for b in spans(leaf.right, words)
        )

    def holds(leaf: Term | Near) -> bool:
        if isinstance(leaf, Near):
            return any(near(leaf, words) for words in fields)
        return any(spans(leaf, words) for words in fields)

    return evaluate(query, holds)


_WORDS = st.sampled_from(VOCABULARY)
_TERMS = st.one_of(
    _WORDS.map(lambda x: Term("word", x)),
    _WORDS.map(lambda x: Term("prefix", x[:3])),
    st.lists(_WORDS, min_size=2, max_size=3).map(lambda ws: Term("phrase", " ".join(ws))),
    st.lists(_WORDS, min_size=2, max_size=3).map(
        lambda ws: Term("phrase_prefix", " ".join(ws)[:-1])
    ),
)
_LEAVES = st.one_of(_TERMS, st.builds(Near, _TERMS, _TERMS, st.integers(0, 3)))
QUERIES = st.recursive(
    _LEAVES,
    lambda children: st.one_of(
        st.lists(children, min_size=2, max_size=3).map(lambda c: And(tuple(c))),
        st.lists(children, min_size=2, max_size=3).map(lambda c: Or(tuple(c))),
        children.map(Not),
    ),
    max_leaves=6,
)
TEXTS = st.lists(st.tuples(_WORDS, st.sampled_from(SEPARATORS)), max_size=12).map(
    lambda pairs: "".join(word + sep for word, sep in pairs)
)


@settings(max_examples=300, deadline=None)
@given(QUERIES, TEXTS, TEXTS)
def test_matcher_agrees_with_naive_evaluation(query: Query, title: str, text: str) -> None:
    found = Matcher.compile({"t": query}).match(title, text)
    assert bool(found) is naive_matches(query, title, text)


@settings(max_examples=60, deadline=None)
@given(st.lists(QUERIES, min_size=1, max_size=12), st.lists(st.tuples(TEXTS, TEXTS), max_size=4))
def test_many_topics_at_once_equal_each_alone(
    queries: list[Query], articles: list[tuple[str, str]]
) -> None:
    topics = {f"t{i}": q for i, q in enumerate(queries)}
    together = Matcher.compile(topics)
    alone = {name: Matcher.compile({name: q}) for name, q in topics.items()}
    for title, text in articles:
        expected: list[Match] = [m for name in topics for m in alone[name].match(title, text)]
        assert together.match(title, text) == expected


@settings(max_examples=100, deadline=None)
@given(QUERIES, TEXTS)
def test_hits_are_the_terms_folded_in_the_original(query: Query, text: str) -> None:
    for match in Matcher.compile({"t": query}).match("", text):
        for hit in match.hits:
            written = parse_query(hit.term)
            assert isinstance(written, Term)
            found = fold_text(text[hit.start : hit.end]).split()
            expected = list(written.words)
            if written.prefix:
                assert found[-1].startswith(expected[-1])
                found, expected = found[:-1], expected[:-1]
            assert found == expected
            # a phrase may run on past its sentence's end (words are read as one run): its
            # sentence is the one it begins in
            assert text[hit.start : hit.end].split()[0] in hit_sentence(hit, "", text)


@settings(max_examples=200, deadline=None)
@given(st.builds(Near, _TERMS, _TERMS, st.integers(0, 3)), TEXTS)
def test_near_agrees_with_naive_evaluation(near: Near, text: str) -> None:
    found = Matcher.compile({"t": near}).match("", text)
    assert bool(found) is naive_matches(near, "", text)


PARAGRAPHS = st.lists(
    st.lists(st.tuples(_WORDS, st.sampled_from([" ", ". ", ", ", "? "])), min_size=1, max_size=8),
    max_size=4,
).map(lambda paras: "\n\n".join("".join(w + s for w, s in para) for para in paras))


@settings(max_examples=100, deadline=None)
@given(PARAGRAPHS)
def test_a_hit_sentence_is_the_sentence_of_the_text_holding_it(text: str) -> None:
    sentences = textspans.sentences(text)
    for match in Matcher.compile({"t": "putin OR trump* OR bid"}).match("", text):
        for hit in match.hits:
            (holding,) = [s for s in sentences if s.start <= hit.start < s.end]
            assert hit_sentence(hit, "", text) == holding.text
            assert hit.end <= holding.end


def test_many_phrases_on_one_word_are_confirmed_as_few_are() -> None:
    # past a few phrases to confirm in a field, a second automaton finds them all at once
    places = ["Calder", "Talbot", "Moresby", "Louis", "Said", "Arthur", "Elizabeth", "Vila"]
    topics = {place: f'"Port {place}" OR "{place} Port"*' for place in places}
    text = "Port Calder and Port Talbot, Port, Moresby. Arthur Ports; Vila-Port; Louis port"
    together = Matcher.compile(topics)
    alone = [m for name in topics for m in Matcher.compile({name: topics[name]}).match("", text)]
    found = together.match("", text)
    assert [m.topic for m in found] == ["Calder", "Talbot", "Moresby", "Louis", "Arthur", "Vila"]
    assert found == alone
