"""How fast the matcher runs with 10, 1,000 and 10,000 topics: prints MB/s for each.

Topics are random but shaped like real ones (``"Port Calder" AND (mayor OR resign*) NOT
football``, ``Putin NEAR/5 Trump``): words, phrases and prefixes drawn partly from the dev
scenario's own article texts (so topics do match) and partly from made-up names (as most of
a real monitor's topics do not concern any one article). The articles are matched one by
one, repeated until the input is a few MB.

    python benchmarks/match.py [--scenario PATH] [--megabytes 4] [--text-share 0.3]

Sentence splitting (pysbd) runs only for matched topics and is cached per paragraph; as
the articles repeat, the timed passes run with that cache warm. The cold first pass is
timed and printed separately.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

from monitor.pipeline.match import Matcher
from monitor.pipeline.query import fold_text

_DEFAULT_SCENARIO = (
    Path(__file__).resolve().parents[2] / "shared/newsroom/scenarios/dev/scenario.json"
)
_STOPWORDS = set(
    [
        "the",
        "and",
        "that",
        "with",
        "from",
        "this",
        "have",
        "were",
        "been",
        "said",
        "will",
        "would",
        "their",
        "there",
        "which",
        "about",
        "after",
        "into",
        "over",
        "more",
        "than",
        "they",
        "them",
        "when",
        "what",
        "also",
        "other",
        "some",
        "could",
        "while",
        "where",
    ]
)
_SYLLABLES = [
    "ka",
    "lo",
    "ri",
    "ven",
    "tas",
    "mor",
    "bel",
    "dun",
    "ish",
    "al",
    "or",
    "en",
    "ath",
    "vik",
    "son",
    "berg",
    "ley",
    "ton",
    "mar",
    "cor",
]

Article = tuple[str, str]  # title, text


def load_articles(path: Path) -> list[Article]:
    scenario = json.loads(path.read_text(encoding="utf-8"))
    return [(a["title"], "\n\n".join(a["body"])) for a in scenario["articles"]]


class TopicMaker:
    """Random realistic queries over a vocabulary of text words and made-up names."""

    def __init__(self, articles: list[Article], text_share: float, seed: int) -> None:
        self.rng = random.Random(seed)
        self.text_share = text_share
        raw = " ".join(f"{title} {text}" for title, text in articles).split()
        self.text_words = [w for w in raw if len(fold_text(w).strip()) >= 4]
        self.content = sorted({fold_text(w).strip() for w in self.text_words} - _STOPWORDS)
        self.content = [w for w in self.content if " " not in w]

    def name(self) -> str:
        return "".join(self.rng.choices(_SYLLABLES, k=self.rng.randint(2, 3))).capitalize()

    def word(self) -> str:
        if self.rng.random() < self.text_share:
            return self.rng.choice(self.content)
        return self.name()

    def phrase(self) -> str:
        if self.rng.random() < self.text_share:  # two words that follow each other in a text
            start = self.rng.randrange(len(self.text_words) - 1)
            return f'"{fold_text(" ".join(self.text_words[start : start + 2])).strip()}"'
        return f'"{self.name()} {self.name()}"'

    def term(self) -> str:
        roll = self.rng.random()
        if roll < 0.2:
            return self.phrase()
        if roll < 0.35:
            word = self.word()
            return word[: max(4, len(word) - 2)] + "*"
        return self.word()

    def query(self) -> str:
        shape = self.rng.randrange(5)
        t = self.term
        if shape == 0:
            return f"{t()} AND {t()}"
        if shape == 1:
            return f"{t()} AND ({t()} OR {t()} OR {t()})"
        if shape == 2:
            return f"({t()} OR {t()}) AND {t()} NOT {t()}"
        if shape == 3:
            return f"{t()} NEAR/{self.rng.randint(1, 8)} {t()}"
        return f"{t()} AND ({t()} OR {t()}) NOT ({t()} OR {t()})"


def run(matcher: Matcher, articles: list[Article]) -> tuple[float, int]:
    """CPU seconds (this process only: the machine may be shared) and topics matched."""
    started = time.process_time()
    matched = sum(len(matcher.match(title, text)) for title, text in articles)
    return time.process_time() - started, matched


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenario", type=Path, default=_DEFAULT_SCENARIO)
    parser.add_argument("--megabytes", type=float, default=4.0)
    parser.add_argument("--text-share", type=float, default=0.3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    articles = load_articles(args.scenario)
    size = sum(len(title) + len(text) for title, text in articles)
    repeats = max(1, round(args.megabytes * 1e6 / size))
    corpus = articles * repeats
    megabytes = size * repeats / 1e6
    maker = TopicMaker(articles, args.text_share, args.seed)
    print(f"{len(articles)} articles, {size / 1e3:.0f} kB, x{repeats} = {megabytes:.1f} MB")
    print(f"terms from the texts: {args.text_share:.0%}, the rest made-up names")

    rates: dict[int, float] = {}
    for count in (10, 1_000, 10_000):
        topics = {f"topic-{i}": maker.query() for i in range(count)}
        started = time.perf_counter()
        matcher = Matcher.compile(topics)
        compile_seconds = time.perf_counter() - started
        cold, _ = run(matcher, articles)  # first pass: sentences split for the first time
        seconds, matched = run(matcher, corpus)
        rates[count] = megabytes / seconds
        print(
            f"{count:>6} topics: compile {compile_seconds * 1e3:7.1f} ms, "
            f"{rates[count]:6.1f} MB/s ({matched / len(corpus):.1f} topics matched per "
            f"article; first pass {size / 1e6 / cold:.1f} MB/s)"
        )
    print(f"10,000 / 10 topics speed ratio: {rates[10_000] / rates[10]:.2f}")


if __name__ == "__main__":
    main()
