"""Text helpers shared by the matching and detection stages: paragraphs and sentences.

Sentence splitting uses pysbd (rule-based, handles "Mr.", "U.S.", quotes) rather than a
hand-written regex. pysbd is slow (~0.2 MB/s), so callers split only what they need: a
paragraph around a hit, or the lead of a matched article, never every article in full.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import pysbd

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n|\n")


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    text: str


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False, char_span=True)


def paragraphs(text: str) -> list[Span]:
    """Non-empty paragraphs (split on line breaks) with their offsets in `text`."""
    spans: list[Span] = []
    pos = 0
    for m in [*_PARAGRAPH_BREAK.finditer(text), None]:
        end = m.start() if m else len(text)
        chunk = text[pos:end]
        if chunk.strip():
            lead = len(chunk) - len(chunk.lstrip())
            spans.append(Span(pos + lead, pos + len(chunk.rstrip()), chunk.strip()))
        if m:
            pos = m.end()
    return spans


@lru_cache(maxsize=4096)
def _split_paragraph(paragraph: str) -> tuple[tuple[int, int], ...]:
    out = []
    for s in _segmenter().segment(paragraph):
        raw = paragraph[s.start : s.end]
        lead = len(raw) - len(raw.lstrip())
        stripped = raw.strip()
        if stripped:
            out.append((s.start + lead, s.start + lead + len(stripped)))
    return tuple(out) or ((0, len(paragraph)),)


def sentences(text: str) -> list[Span]:
    """Every sentence of `text` with offsets, paragraph by paragraph."""
    out: list[Span] = []
    for para in paragraphs(text):
        for start, end in _split_paragraph(para.text):
            out.append(Span(para.start + start, para.start + end, para.text[start:end]))
    return out


def sentence_at(text: str, start: int, end: int | None = None) -> str:
    """The sentence holding text[start:end], splitting only its paragraph."""
    end = start if end is None else end
    for para in paragraphs(text):
        if para.start <= start <= para.end:
            for s, e in _split_paragraph(para.text):
                if para.start + s <= start < para.start + max(e, s + 1):
                    return para.text[s:e]
            return para.text
    return text[max(0, start - 200) : end + 200].strip()


def strip_accents(text: str) -> str:
    """Text without its diacritics, case kept: "Ondráček" -> "Ondracek". Parties and story
    words compare this way, so outlets that drop accents name the same things. (The matcher
    folds with `query.fold_text`, which also folds case and keeps offsets.)"""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))
