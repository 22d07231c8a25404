"""Our query language against the scenario harness's reference (newsroomlib/query.py).

Held-out scenarios are written against the reference, so every query it accepts must parse
here, and match the same articles. The reference reads an article as one run of ``\\w+``
words (title, newline, text); we keep title and text apart for phrases and NEAR, so texts
here are compared with a filler of words no query can find between title and text, which
keeps a phrase or a NEAR from spanning the two in the reference too.
"""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.errors import QueryError
from monitor.pipeline.match import Matcher
from monitor.pipeline.query import parse_query

_SHARED = Path(__file__).resolve().parents[2] / "shared"
_NEWSROOM = _SHARED / "newsroom"
if not (_NEWSROOM / "newsroomlib" / "query.py").is_file():
    pytest.skip(
        f"the harness's reference query language is not at {_NEWSROOM} (shared/ sits beside "
        "the repository in the workplace and in CI)",
        allow_module_level=True,
    )
sys.path.insert(0, str(_NEWSROOM))
from newsroomlib import query as reference  # noqa: E402

_SCENARIOS = sorted(
    [
        *(_NEWSROOM / "scenarios").glob("*/scenario.json"),
        *(Path(__file__).resolve().parent / "scenarios").glob("*/scenario.json"),
    ]
)
# Twelve words of letters no generated query word starts with: more than any NEAR distance.
_FILLER = " ".join(["xfill"] * 12)


def reference_accepts(query: str) -> bool:
    try:
        reference.parse(query)
    except reference.QueryError:
        return False
    return True


def reference_matches(query: str, title: str, text: str) -> bool:
    tokens = reference.tokenize_text(f"{title}\n{_FILLER}\n{text}")
    return bool(reference.matches(reference.parse(query), tokens))


def ours_matches(query: str, title: str, text: str) -> bool:
    return bool(Matcher.compile({"t": query}).match(title, text))


# --- the scenarios' own topics -----------------------------------------------------------------


def _scenario(path: Path) -> dict[str, Any]:
    scenario: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return scenario


def test_there_are_scenarios_to_check() -> None:
    assert any(path.parent.name == "dev" for path in _SCENARIOS)


@pytest.mark.parametrize("path", _SCENARIOS, ids=lambda p: p.parent.name)
def test_every_scenario_topic_parses_and_matches_as_the_reference(path: Path) -> None:
    scenario = _scenario(path)
    for topic in scenario["topics"]:
        query = topic["query"]
        assert parse_query(query) == parse_query(str(parse_query(query)))
        for article in scenario["articles"]:
            title, text = article["title"], "\n\n".join(article["body"])
            expected = reference_matches(query, title, text)
            assert ours_matches(query, title, text) is expected, (topic["name"], article["id"])


# --- generated queries -------------------------------------------------------------------------

# Query words as users write them: case, accents, inner punctuation. None starts with "x".
_WRITTEN = [
    "putin",
    "Putin",
    "TRUMP",
    "trump",
    "tax",
    "break",
    "breaks",
    "Zelénskyy",
    "zelenskyy",
    "U.S.",
    "Putin-Trump",
    "don't",
    "Trump's",
    "tax_break",
    "a",
    "s",
]
_WORD = st.sampled_from(_WRITTEN)
_PREFIX = _WORD.flatmap(lambda w: st.integers(1, len(w)).map(lambda k: w[:k] + "*"))
_PHRASE = st.lists(_WORD, min_size=1, max_size=3).map(lambda ws: '"' + " ".join(ws) + '"')
_PHRASE_PREFIX = st.tuples(_PHRASE, _PREFIX).map(
    lambda pair: pair[0][:-1] + " " + pair[1][:-1] + '"*'
)
_TERM = st.one_of(_WORD, _PREFIX, _PHRASE, _PHRASE_PREFIX)
_NEGATED = st.one_of(_WORD, _PREFIX).map(lambda t: "-" + t)
_NEAR = st.builds(lambda a, n, b: f"{a} NEAR/{n} {b}", _TERM, st.integers(0, 6), _TERM)


def _combined(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.builds(lambda a, op, b: f"{a}{op}{b}", children, st.sampled_from(_JOINERS), children),
        children.map(lambda e: f"NOT {e}"),
        children.map(lambda e: f"({e})"),
    )


_JOINERS = [" AND ", " OR ", " ", " NOT ", " AND NOT ", " OR NOT "]
QUERIES = st.recursive(st.one_of(_TERM, _NEGATED, _NEAR), _combined, max_leaves=6)

# Texts: the same words in running prose, with the separators news text has.
_TEXT_WORDS = st.sampled_from(
    ["Putin", "Trump", "TRUMP", "tax", "breaks", "break", "ZELÉNSKYY", "Zelenskyy", "a", "s"]
    + ["U.S.", "Putin-Trump", "don't", "Trump's", "Trump’s", "tax_break", "taxi", "other"]
)
_SEPARATORS = st.sampled_from([" ", " ", " ", ", ", "-", ". ", "\n\n", " (", ") ", "—"])
TEXTS = st.lists(st.tuples(_TEXT_WORDS, _SEPARATORS), max_size=14).map(
    lambda pairs: "".join(word + sep for word, sep in pairs)
)


@settings(max_examples=400, deadline=None)
@given(QUERIES, TEXTS, TEXTS)
def test_generated_queries_parse_and_match_as_the_reference(
    query: str, title: str, text: str
) -> None:
    if not reference_accepts(query):
        return
    parse_query(query)  # raises when we refuse what the reference accepts
    assert ours_matches(query, title, text) is reference_matches(query, title, text)


# Token soup: anything the reference accepts, however odd, we accept and read the same.
_SOUP_TOKENS = [
    "putin",
    "Trump*",
    "a*b",
    "*",
    "**",
    '"tax break"',
    '"tax break"*',
    '"tax"**',
    '""',
    '"',
    "AND",
    "OR",
    "NOT",
    "and",
    "NEAR/2",
    "NEAR/0",
    "NEAR",
    "NEAR/x",
    "NEAR/",
    "(",
    ")",
    "-",
    "-a",
    "-a*",
    "--a",
    "-AND",
    "-NEAR/3",
    "U.S.",
    "Putin-Trump",
    "&&",
]
SOUPS = st.lists(st.tuples(st.sampled_from(_SOUP_TOKENS), st.sampled_from([" ", "", "  "])))


@settings(max_examples=600, deadline=None)
@given(SOUPS.map(lambda pairs: "".join(token + gap for token, gap in pairs)), TEXTS)
def test_whatever_the_reference_accepts_we_accept(query: str, text: str) -> None:
    if not reference_accepts(query):
        with contextlib.suppress(QueryError):  # refusing is allowed, with a QueryError
            parse_query(query)
        return
    parse_query(query)
    assert ours_matches(query, "", text) is reference_matches(query, "", text)


_NEAR_WORDS = st.sampled_from(["Putin", "Trump", "tax", "breaks", "a", "Trump's", "U.S."])
_NEAR_TEXTS = st.lists(st.tuples(_NEAR_WORDS, _SEPARATORS), max_size=10).map(
    lambda pairs: "".join(word + sep for word, sep in pairs)
)
_NEAR_TERMS = st.sampled_from(["putin", "trump", "tax", "break*", '"tax breaks"', "U.S.", "a*"])


@settings(max_examples=300, deadline=None)
@given(_NEAR_TERMS, st.integers(0, 4), _NEAR_TERMS, _NEAR_TEXTS)
def test_near_counts_words_as_the_reference(left: str, n: int, right: str, text: str) -> None:
    query = f"{left} NEAR/{n} {right}"
    assert ours_matches(query, "", text) is reference_matches(query, "", text)
