"""The topic query language: syntax, printing, errors and meaning (monitor.pipeline.query)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.errors import QueryError
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
    positive_terms,
    words_of,
)


def w(text: str) -> Term:
    return Term("word", text)


def ph(text: str) -> Term:
    return Term("phrase", text)


def pre(text: str) -> Term:
    return Term("prefix", text)


# --- syntax -------------------------------------------------------------------------------

PARSES = [
    ("Putin", w("Putin")),
    ("Putin AND Trump", And((w("Putin"), w("Trump")))),
    ("Putin Trump", And((w("Putin"), w("Trump")))),  # implicit AND
    ("Putin OR Trump", Or((w("Putin"), w("Trump")))),
    ('"Prime Minister"', ph("Prime Minister")),
    ("hack*", pre("hack")),
    ('"tax break"*', Term("phrase_prefix", "tax break")),
    ('"prime min*"', ph("prime min*")),  # a star inside quotes is punctuation
    ("ha*ck", w("ha*ck")),  # and inside a word too, as in the reference
    ("hack**", pre("hack")),
    ("NOT x", Not(w("x"))),
    ("a OR NOT b", Or((w("a"), Not(w("b"))))),
    ("-Putin -Trump", And((Not(w("Putin")), Not(w("Trump"))))),
    ("-word*", Not(pre("word"))),
    ('-"tax break"*', Not(Term("phrase_prefix", "tax break"))),
    ("--a", Not(w("a"))),
    ("-AND", Not(ph("AND"))),  # the word "and", printed back quoted
    ("NOT NOT a", Not(Not(w("a")))),
    ("a NOT b", And((w("a"), Not(w("b"))))),
    ("a AND NOT b", And((w("a"), Not(w("b"))))),
    ("a -b", And((w("a"), Not(w("b"))))),
    ('a -"b c"', And((w("a"), Not(ph("b c"))))),
    ("a -(b OR c)", And((w("a"), Not(Or((w("b"), w("c"))))))),
    # AND binds tighter than OR, implicit or explicit
    ("a b OR c", Or((And((w("a"), w("b"))), w("c")))),
    ("a OR b AND c", Or((w("a"), And((w("b"), w("c")))))),
    ("(a OR b) c", And((Or((w("a"), w("b"))), w("c")))),
    # NOT binds tighter than AND
    ("x NOT a OR b c", Or((And((w("x"), Not(w("a")))), And((w("b"), w("c")))))),
    # NEAR binds tighter than NOT, AND and OR
    ("NOT a NEAR/3 b", Not(Near(w("a"), w("b"), 3))),
    ("x -a NEAR/3 b", And((w("x"), Not(Near(w("a"), w("b"), 3))))),
    ("(a) NEAR/3 (b*)", Near(w("a"), pre("b"), 3)),
    ("a NEAR/3 b c", And((Near(w("a"), w("b"), 3), w("c")))),
    ("x OR a NEAR/0 b", Or((w("x"), Near(w("a"), w("b"), 0)))),
    ('"a b" NEAR/5 c*', Near(ph("a b"), pre("c"), 5)),
    # lowercase operators are words, as in Talkwalker and Meltwater
    ("a and b", And((w("a"), w("and"), w("b")))),
    ("a or b", And((w("a"), w("or"), w("b")))),
    ("a not b", And((w("a"), w("not"), w("b")))),
    ('"AND" a', And((ph("AND"), w("a")))),
    # NEAR without a number is a word, as in the reference
    ("a NEAR b", And((w("a"), w("NEAR"), w("b")))),
    ("a NEAR/x b", And((w("a"), w("NEAR/x"), w("b")))),
    ("U.S. don't", And((w("U.S."), w("don't")))),
    # hyphens inside a word do not negate
    ("Putin-Trump", w("Putin-Trump")),
    ("a AND(b)", And((w("a"), w("b")))),
    (
        '(Halvorsen OR "Prime Minister Halvorsen") AND summit NOT football',
        And(
            (
                Or((w("Halvorsen"), ph("Prime Minister Halvorsen"))),
                w("summit"),
                Not(w("football")),
            )
        ),
    ),
]


@pytest.mark.parametrize(("text", "tree"), PARSES)
def test_parse(text: str, tree: Query) -> None:
    assert parse_query(text) == tree


@pytest.mark.parametrize(("text", "tree"), PARSES)
def test_canonical_form_parses_back(text: str, tree: Query) -> None:
    assert parse_query(str(parse_query(text))) == tree


def test_canonical_form() -> None:
    query = parse_query('"Ashbury Rovers" (transfer* OR bid) -fantasy')
    assert str(query) == '"Ashbury Rovers" AND (transfer* OR bid) AND NOT fantasy'
    assert str(parse_query("NOT (a NEAR/2 b) c")) == "NOT a NEAR/2 b AND c"
    assert str(parse_query('-"tax break"* OR b')) == 'NOT "tax break"* OR b'


ERRORS = [
    ("", "empty query", 1),
    ("   ", "empty query", 1),
    ("Putin AND", "expected a term after AND", 7),
    ("Putin OR OR Trump", "expected a term after OR", 7),
    ("AND Putin", "expected a term before AND", 1),
    ("(OR a)", "expected a term before OR", 2),
    ("a NOT", "expected a term after NOT", 3),
    ("a - b", "expected a term after -", 3),
    ("(Putin AND Trump", "unbalanced parenthesis", 1),
    ("Putin AND Trump)", "unbalanced parenthesis", 16),
    ("(a OR (b AND c)", "unbalanced parenthesis", 1),
    ("()", "empty parentheses", 1),
    ('Putin "Trump', "unterminated quote", 7),
    ('a ""', "empty phrase: put words between the quotes", 3),
    ("a NEAR/2", "expected a term after NEAR/2", 3),
    ("a NEAR/2 b NEAR/3 c", "NEAR cannot be chained: join two NEARs with AND", 12),
    ("(a OR b) NEAR/2 c", "NEAR takes a word, phrase or prefix on each side", 10),
    ("a NEAR/2 -b", "expected a term after NEAR/2", 3),
    ("-a NEAR/2 (b OR c)", "NEAR takes a word, phrase or prefix on each side", 4),
    ("&&", "'&&' has no letter or digit to search for", 1),
    ("a -*", "'*' has no letter or digit to search for", 4),
    ("*", "'*' has no letter or digit to search for", 1),
    ('"tax"**', "'*' has no letter or digit to search for", 7),
]


@pytest.mark.parametrize(("text", "message", "column"), ERRORS)
def test_errors_name_what_and_where(text: str, message: str, column: int) -> None:
    with pytest.raises(QueryError) as caught:
        parse_query(text)
    assert (caught.value.message, caught.value.column) == (message, column)
    assert str(caught.value) == f"{message} at column {column}"


def test_negation_inside_a_required_group_is_allowed() -> None:
    query = parse_query("x AND (a OR NOT b)")
    assert positive_terms(query) == (w("x"), w("a"))


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    with pytest.raises(QueryError, match="too deeply nested"):
        parse_query("(" * 500 + "a" + ")" * 500)


# --- folding --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Zelenskyy ZELENSKYY Zelénskyy", ("zelenskyy",) * 3),
        ("Trump's Trump’s", ("trump", "s") * 2),
        ("Putin-Trump", ("putin", "trump")),
        ("foo_bar", ("foo_bar",)),
        ("ΣΊΣΥΦΟΣ", ("σισυφοσ",)),
        ("don't", ("don", "t")),
        ("U.S. troops", ("u", "s", "troops")),
        ("Søren Ærø Straße", ("soren", "aro", "strase")),
        ("Kyiv—Moscow…", ("kyiv", "moscow")),
        ("Москва", ("москва",)),
    ],
)
def test_words_are_folded(text: str, words: tuple[str, ...]) -> None:
    assert words_of(text) == words


@given(st.text())
def test_folding_keeps_length(text: str) -> None:
    assert len(fold_text(text)) == len(text)


# --- meaning ----------------------------------------------------------------------------------


def holds_in(query: Query, words: set[str]) -> bool:
    """Presence by single words only (phrases: all words present), for boolean tests."""

    def holds(leaf: Term | Near) -> bool:
        if isinstance(leaf, Near):
            return holds(leaf.left) and holds(leaf.right)
        return all(word in words for word in leaf.words)

    return evaluate(query, holds)


@pytest.mark.parametrize(
    ("query", "words", "expected"),
    [
        ("a AND b", {"a", "b"}, True),
        ("a AND b", {"a"}, False),
        ("a OR b", {"b"}, True),
        ("a OR b", set(), False),
        ("a NOT b", {"a"}, True),
        ("a NOT b", {"a", "b"}, False),
        ("a b OR c", {"c"}, True),
        ("a b OR c", {"a"}, False),
        ("a (b OR c)", {"a", "c"}, True),
        ("a (b OR c)", {"c"}, False),
        ("x AND (a OR NOT b)", {"x"}, True),
        ("x AND (a OR NOT b)", {"x", "b"}, False),
    ],
)
def test_boolean_meaning(query: str, words: set[str], expected: bool) -> None:
    assert holds_in(parse_query(query), words) is expected


# --- properties -------------------------------------------------------------------------------

_WORD = st.text("abcdefghijkémnoprstuvwyz", min_size=1, max_size=6)
_TERMS = st.one_of(
    _WORD.map(w),
    _WORD.map(pre),
    st.lists(_WORD, min_size=1, max_size=3).map(lambda words: ph(" ".join(words))),
    st.lists(_WORD, min_size=1, max_size=3).map(
        lambda words: Term("phrase_prefix", " ".join(words))
    ),
)


def _trees(children: st.SearchStrategy[Query]) -> st.SearchStrategy[Query]:
    return st.one_of(
        st.lists(children, min_size=2, max_size=3).map(lambda c: And(tuple(c))),
        st.lists(children, min_size=2, max_size=3).map(lambda c: Or(tuple(c))),
        children.map(Not),
    )


_NEARS = st.builds(Near, _TERMS, _TERMS, st.integers(0, 9))
QUERIES = st.recursive(st.one_of(_TERMS, _NEARS), _trees, max_leaves=8)


@given(QUERIES)
def test_canonical_form_round_trips(query: Query) -> None:
    assert parse_query(str(query)) == query


@given(QUERIES, st.sets(st.sampled_from("abcdefgh")))
def test_a_not_b_never_holds_when_b_is_present(query: Query, words: set[str]) -> None:
    excluded = w("b")
    assert not holds_in(And((query, Not(excluded))), words | {"b"})


@given(QUERIES, st.one_of(_TERMS, _NEARS), st.sets(st.sampled_from("abcdefgh")))
def test_adding_an_or_branch_never_loses_a_match(
    query: Query, branch: Query, words: set[str]
) -> None:
    if holds_in(query, words):
        assert holds_in(Or((query, branch)), words)


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
def test_any_text_gives_a_query_or_a_query_error(text: str) -> None:
    try:
        query = parse_query(text)
    except QueryError as error:
        assert 1 <= error.column <= len(text) + 1
    else:
        assert parse_query(str(query)) == query


@given(st.text(alphabet='ab ()"-*NOTRAD/3', max_size=30))
def test_operator_soup_gives_a_query_or_a_query_error(text: str) -> None:
    try:
        query = parse_query(text)
    except QueryError as error:
        assert 1 <= error.column <= len(text) + 1
    else:
        assert parse_query(str(query)) == query
