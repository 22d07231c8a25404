"""The topic query language: parse a topic's query, print it back, and evaluate it.

A topic is what a user watches, written as in Google Alerts, Talkwalker or Meltwater::

    (Halvorsen OR "Prime Minister Halvorsen") AND summit NOT football
    "Norvane Energy" AND (breach OR hack* OR leak*)
    Putin NEAR/5 Trump

Syntax
    word            a whole word: ``Trump`` does not match "trumpet"
    "exact phrase"  consecutive words; punctuation and line breaks between them are ignored
    word*           any word starting with ``word``
    "a phrase"*     the phrase with its last word a prefix: ``"tax break"*`` finds "tax breaks"
    A AND B, A B    both (adjacent terms are joined by an implicit AND)
    A OR B          either
    NOT A, -A       not; ``A NOT B`` means ``A AND NOT B``; ``-word*``, ``-"phrase"`` and
                    ``-(group)`` work; a query may be only negative (``NOT x``, ``a OR NOT b``)
    A NEAR/n B      both, in either order, starting at most n words apart (NEAR/1: next to
                    each other); each side is a word, a phrase or a prefix
    ( )             grouping

Precedence, tightest first: NEAR, NOT, AND (explicit or implicit), OR. So ``NOT a NEAR/3 b``
is ``NOT (a NEAR/3 b)`` and ``a NOT b OR c`` is ``(a AND NOT b) OR c``.

This is the language of the scenario harness's reference (newsroomlib/query.py): every query
it accepts parses here with the same meaning on word tokens. Only uppercase ``AND OR NOT``
and ``NEAR/<digits>`` are operators, as in Talkwalker and Meltwater: ``and``, ``near``,
``NEAR`` and ``NEAR/x`` are ordinary words. Quote an operator to search for it: ``"AND"``.
A ``*`` inside a word is punctuation (``ha*ck`` is the phrase "ha ck"), as is a ``*`` inside
quotes. Beyond the reference, ``-"phrase"`` and ``-(group)`` are accepted.

Words are compared after folding (see `fold_text`), as the reference does with ``\\w+`` runs
of case-folded, accent-stripped text: Zelénskyy = ZELENSKYY; every character that is not a
letter, digit or underscore separates words, so ``Trump's`` is the phrase "trump s" (and
``Trump`` finds "Trump's"), ``U.S.`` is "u s" and ``Putin-Trump`` is "putin trump".
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal, TypeVar

from monitor.errors import QueryError

# ---------------------------------------------------------------------------------------------
# Folding: shared by queries and articles so both sides agree on what a word is.

# Runs of non-ASCII characters, folded one character at a time (cached).
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
# ASCII letters lowercased, digits and "_" kept (the reference's \w), everything else a
# space. bytes.translate runs in C at several hundred MB/s.
_ASCII_FOLD = bytes(
    c + 32 if 65 <= c <= 90 else c if 48 <= c <= 57 or 97 <= c <= 122 or c == 95 else 32
    for c in range(256)
)
# Letters NFKD does not decompose, mapped to one ASCII letter so folding keeps lengths (the
# reference keeps them as they are: "Søren" matches "Soren" here, not there).
_LETTERS = str.maketrans("øđðłħıŧæœþ", "oddlhitaot")


@lru_cache(maxsize=8192)
def _fold_char(char: str) -> str:
    """One character folded to exactly one: a case-folded, unaccented letter or digit, an
    underscore, or a space. Keeping the length is what lets offsets into the folded text
    point into the original article."""
    decomposed = unicodedata.normalize("NFKD", char.casefold())
    base = "".join(c for c in decomposed if not unicodedata.combining(c))[:1].lower()
    base = base.translate(_LETTERS)
    return base if base.isalnum() or base == "_" else " "


def _fold_run(match: re.Match[str]) -> str:
    return "".join(map(_fold_char, match.group()))


class _FoldedUnicode(dict[int, str]):
    """str.translate table for text that keeps letters beyond ASCII once folded: those are
    folded already and stay; ASCII goes through `_ASCII_FOLD`."""

    def __missing__(self, code: int) -> str:
        folded = chr(_ASCII_FOLD[code]) if code < 128 else chr(code)
        self[code] = folded
        return folded


_FOLDED_UNICODE = _FoldedUnicode()


class _BeyondAscii(Exception):
    """A run of text folds to letters beyond ASCII (Cyrillic, Greek...)."""


def _fold_unencodable(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: each run of non-ASCII characters folded, when it folds to ASCII.
    The encoder finds the runs in C, several times faster than a regex does."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    folded = "".join(map(_fold_char, error.object[error.start : error.end]))
    if not folded.isascii():
        raise _BeyondAscii
    return folded, error.end


codecs.register_error("news-monitor-fold", _fold_unencodable)


def fold_text(text: str) -> str:
    """`text` with every word folded and everything between words a space, same length as
    `text`, so ``fold_text(t)[i:j]`` is the folded form of ``t[i:j]``.

    Words are runs of letters, digits and underscores (``\\w+``); anything else separates
    them. Text should be NFC (as feeds and extractors give it): a separately coded accent
    splits its word, and letters that fold to two (ß -> ss, ligatures) keep only the first.
    """
    try:
        raw = text.encode("ascii", "news-monitor-fold")
    except _BeyondAscii:
        return _NON_ASCII.sub(_fold_run, text).translate(_FOLDED_UNICODE)
    return raw.translate(_ASCII_FOLD).decode("ascii")


def words_of(text: str) -> tuple[str, ...]:
    """The folded words of `text`, as the matcher compares them."""
    return tuple(fold_text(text).split())


# ---------------------------------------------------------------------------------------------
# The query tree: small frozen nodes; str() prints a canonical form that parses back equal.

TermKind = Literal["word", "phrase", "prefix", "phrase_prefix"]


@dataclass(frozen=True, slots=True)
class Term:
    """A word, an "exact phrase", a prefix* or a "phrase prefix"*, with `text` as written
    (no quotes or star). A word with punctuation inside (``Putin-Trump``) is a phrase."""

    kind: TermKind
    text: str
    words: tuple[str, ...] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "words", words_of(self.text))

    @property
    def prefix(self) -> bool:
        """Whether the last word matches any word it starts."""
        return self.kind in ("prefix", "phrase_prefix")

    def __str__(self) -> str:
        quoted = f'"{self.text}"' if self.kind in ("phrase", "phrase_prefix") else self.text
        return quoted + "*" if self.prefix else quoted


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Query, ...]

    def __str__(self) -> str:
        return " AND ".join(_wrapped(c, (And, Or)) for c in self.children)


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Query, ...]

    def __str__(self) -> str:
        return " OR ".join(_wrapped(c, (Or,)) for c in self.children)


@dataclass(frozen=True, slots=True)
class Not:
    child: Query

    def __str__(self) -> str:
        return "NOT " + _wrapped(self.child, (And, Or))


@dataclass(frozen=True, slots=True)
class Near:
    """Both terms, either order, their first words at most `distance` words apart."""

    left: Term
    right: Term
    distance: int

    def __str__(self) -> str:
        return f"{self.left} NEAR/{self.distance} {self.right}"


Query = Term | And | Or | Not | Near
Leaf = Term | Near


def _wrapped(node: Query, needs_parens: tuple[type, ...]) -> str:
    return f"({node})" if isinstance(node, needs_parens) else str(node)


# ---------------------------------------------------------------------------------------------
# Meaning.

D = TypeVar("D")


def compile_query(query: Query, leaf: Callable[[Leaf], Callable[[D], bool]]) -> Callable[[D], bool]:
    """A predicate over documents of type D, built from `leaf`, which turns each term or
    NEAR into a test."""
    if isinstance(query, Term | Near):
        return leaf(query)
    if isinstance(query, Not):
        inner = compile_query(query.child, leaf)
        return lambda doc: not inner(doc)
    parts = tuple(compile_query(child, leaf) for child in query.children)
    # Plain loops: several times faster than all()/any() over a generator.
    if isinstance(query, And):

        def every(doc: D) -> bool:
            for part in parts:  # noqa: SIM110 (faster than all() over a generator)
                if not part(doc):
                    return False
            return True

        return every

    def some(doc: D) -> bool:
        for part in parts:  # noqa: SIM110 (faster than any() over a generator)
            if part(doc):
                return True
        return False

    return some


def evaluate(query: Query, holds: Callable[[Leaf], bool]) -> bool:
    """Whether `query` is true when each term or NEAR is true as `holds` says."""

    def leaf(node: Leaf) -> Callable[[None], bool]:
        return lambda _nothing: holds(node)

    return compile_query(query, leaf)(None)


def leaves(query: Query, negated: bool = False) -> Iterator[tuple[Leaf, bool]]:
    """Every term and NEAR with its polarity: True when under an odd number of NOTs."""
    if isinstance(query, Term | Near):
        yield query, negated
    elif isinstance(query, Not):
        yield from leaves(query.child, not negated)
    else:
        for child in query.children:
            yield from leaves(child, negated)


def terms(query: Query, negated: bool = False) -> Iterator[tuple[Term, bool]]:
    """Every term with its polarity (True: negated), NEAR operands included."""
    for node, neg in leaves(query, negated):
        if isinstance(node, Near):
            yield node.left, neg
            yield node.right, neg
        else:
            yield node, neg


def positive_terms(query: Query) -> tuple[Term, ...]:
    """The terms whose presence can make the query true, each once, in query order."""
    return tuple(dict.fromkeys(t for t, negated in terms(query) if not negated))


def matches_nothing_present(query: Query) -> bool:
    """True when the query holds for an article containing none of its terms (``NOT x``,
    ``a OR NOT b``). Such a query can match nearly anything: a matcher that only looks at
    topics with a term present must evaluate it for every article."""
    return evaluate(query, lambda _leaf: False)


# ---------------------------------------------------------------------------------------------
# Lexing: as the reference, a bare token runs to whitespace, a parenthesis or a quote.

_OPERATORS = {"AND", "OR", "NOT"}
_NEAR = re.compile(r"NEAR/(\d+)")
_BARE = re.compile(r'[^\s()"]+')
_MAX_DEPTH = 100  # nested groups and NOTs; deeper would exhaust Python's stack


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # WORD PHRASE PREFIX PHRASE_PREFIX AND OR NOT MINUS NEAR ( ) END
    text: str
    column: int  # 1-based
    distance: int = 0


def _lex(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        char = text[pos]
        if char.isspace():
            pos += 1
        elif char in "()":
            tokens.append(_Token(char, char, pos + 1))
            pos += 1
        elif char == '"':
            pos = _lex_phrase(text, pos, tokens)
        else:
            match = _BARE.match(text, pos)
            assert match is not None  # any other character starts a bare token
            pos = match.end()
            if match.group() == "-" and not text.startswith(('"', "("), pos):
                raise QueryError("expected a term after -", pos)
            tokens.extend(_bare_tokens(match.group(), pos + 1 - len(match.group())))
    tokens.append(_Token("END", "", len(text) + 1))
    return tokens


def _lex_phrase(text: str, pos: int, tokens: list[_Token]) -> int:
    end = text.find('"', pos + 1)
    if end < 0:
        raise QueryError("unterminated quote", pos + 1)
    phrase = text[pos + 1 : end]
    if not words_of(phrase):
        raise QueryError("empty phrase: put words between the quotes", pos + 1)
    if text.startswith("*", end + 1):  # "tax break"*: the last word is a prefix
        tokens.append(_Token("PHRASE_PREFIX", phrase, pos + 1))
        return end + 2
    tokens.append(_Token("PHRASE", phrase, pos + 1))
    return end + 1


def _bare_tokens(word: str, column: int) -> list[_Token]:
    """The tokens of a bare run: an operator, or a term with perhaps a leading minus."""
    if word in _OPERATORS:
        return [_Token(word, word, column)]
    near = _NEAR.fullmatch(word)
    if near:
        return [_Token("NEAR", word, column, int(near.group(1)))]
    if word == "-":  # right before a quote or a parenthesis (see _lex)
        return [_Token("MINUS", "-", column)]
    if word.startswith("-"):
        # "-AND" is the word "and", not the operator: lex it as a phrase so that it prints
        # back as NOT "AND". Further minuses are punctuation ("--a" is NOT a, as there).
        body = word.lstrip("-")
        term = _term_token(body, column + len(word) - len(body))
        if body in _OPERATORS or _NEAR.fullmatch(body):
            term = _Token("PHRASE", body, term.column)
        return [_Token("MINUS", "-", column), term]
    return [_term_token(word, column)]


def _term_token(word: str, column: int) -> _Token:
    kind = "WORD"
    if word.endswith("*"):
        kind, word = "PREFIX", word.rstrip("*")
    if not words_of(word):
        raise QueryError(f"{word or '*'!r} has no letter or digit to search for", column)
    return _Token(kind, word, column)


# ---------------------------------------------------------------------------------------------
# Parsing: recursive descent, one method a precedence level.

_TERM_KINDS: dict[str, TermKind] = {
    "WORD": "word",
    "PHRASE": "phrase",
    "PREFIX": "prefix",
    "PHRASE_PREFIX": "phrase_prefix",
}
_STARTS_OPERAND = {*_TERM_KINDS, "NOT", "MINUS", "("}


class _Parser:
    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.depth = 0

    @property
    def peek(self) -> _Token:
        return self.tokens[self.pos]

    def take(self) -> _Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def parse(self) -> Query:
        if self.peek.kind == "END":
            raise QueryError("empty query", 1)
        query = self.parse_or()
        token = self.peek
        if token.kind == ")":
            raise QueryError("unbalanced parenthesis", token.column)
        assert token.kind == "END", token  # any other token continues an operand
        return query

    def parse_or(self) -> Query:
        children = [self.parse_and()]
        while self.peek.kind == "OR":
            self.take()
            children.append(self.parse_and())
        return children[0] if len(children) == 1 else Or(tuple(children))

    def parse_and(self) -> Query:
        children = [self.parse_unary()]
        while self.peek.kind == "AND" or self.peek.kind in _STARTS_OPERAND:
            if self.peek.kind == "AND":
                self.take()
            children.append(self.parse_unary())
        return children[0] if len(children) == 1 else And(tuple(children))

    def parse_unary(self) -> Query:
        if self.peek.kind not in ("NOT", "MINUS"):
            return self.parse_near()
        operator = self.take()
        self.enter(operator)
        child = self.parse_unary()
        self.depth -= 1
        return Not(child)

    def parse_near(self) -> Query:
        left = self.parse_primary()
        if self.peek.kind != "NEAR":
            return left
        near = self.take()
        right = self.parse_primary()
        if not isinstance(left, Term) or not isinstance(right, Term):
            raise QueryError("NEAR takes a word, phrase or prefix on each side", near.column)
        if self.peek.kind == "NEAR":
            raise QueryError("NEAR cannot be chained: join two NEARs with AND", self.peek.column)
        return Near(left, right, near.distance)

    def parse_primary(self) -> Query:
        token = self.peek
        if token.kind in _TERM_KINDS:
            self.take()
            return Term(_TERM_KINDS[token.kind], token.text)
        if token.kind == "(":
            return self.parse_group()
        raise self.missing_term(token)

    def parse_group(self) -> Query:
        opening = self.take()
        if self.peek.kind == ")":
            raise QueryError("empty parentheses", opening.column)
        self.enter(opening)
        inner = self.parse_or()
        self.depth -= 1
        if self.peek.kind != ")":
            raise QueryError("unbalanced parenthesis", opening.column)
        self.take()
        return inner

    def enter(self, token: _Token) -> None:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise QueryError(f"too deeply nested (more than {_MAX_DEPTH} levels)", token.column)

    def missing_term(self, token: _Token) -> QueryError:
        """The error for `token` standing where a term should be."""
        before = self.tokens[self.pos - 1] if self.pos else None
        if before is not None and before.kind in ("AND", "OR", "NOT", "MINUS", "NEAR"):
            return QueryError(f"expected a term after {before.text}", before.column)
        if token.kind == ")":
            return QueryError("unbalanced parenthesis", token.column)
        return QueryError(f"expected a term before {token.text}", token.column)


def parse_query(text: str) -> Query:
    """The query tree of `text`, or QueryError with a 1-based column and what was wrong."""
    return _Parser(_lex(text)).parse()
