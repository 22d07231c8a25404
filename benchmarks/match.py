"""How fast the matcher runs with 10, 1,000 and 10,000 topics: prints MB/s for each, in two
settings, and with topics that are evaluated for every article.

Target (one core): at least 20 MB/s with 10,000 realistic topics, and the 10,000-topic rate
within 3x of the 10-topic rate.

realistic
    What a monitor's topics look like: each watches one entity -- a person (``"Erik
    Halvorsen"`` or a surname), an organisation (``"Norvane Energy"``) or a place -- alone,
    with an alias, qualified by a few news words (``(resign* OR "step down")``), with an
    exclusion (``NOT football``) or NEAR another entity. Entities are made-up names (a
    monitor's topics mostly concern no given article) except for `--entity-share` of them
    (0.5% by default: 50 of 10,000), taken from the names the scenario's texts mention, so
    some topics match. Qualifiers and exclusions come from a fixed list of about 80 words
    common in news, so they do occur in the texts.
stress
    The old generator: any term is drawn with `--text-share` (30%) from the texts' own
    vocabulary (content words of 4+ letters, word pairs, prefixes), the rest made-up names.
    Most articles then match several topics.

The articles are matched one by one, repeated until the input is a few MB; times are CPU
seconds of this process, the fastest of `--passes` passes (the machine is shared). Matching
splits no sentences (a hit's sentence is found when shown or stored); the first pass, which
compiles each phrase's regex as it is first needed, is timed and printed separately.

    python benchmarks/match.py [--setting both] [--megabytes 2] [--passes 3]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time
from collections import Counter
from pathlib import Path

from monitor.pipeline.match import Matcher
from monitor.pipeline.query import fold_text

_DEFAULT_SCENARIO = (
    Path(__file__).resolve().parents[2] / "shared/newsroom/scenarios/dev/scenario.json"
)


def _listed(text: str) -> list[str]:
    """The terms of a space-separated list, "quoted phrases" kept whole."""
    return re.findall(r'"[^"]*"|\S+', text)


_SYLLABLES = _listed("ka lo ri ven tas mor bel dun ish al or en ath vik son berg ley ton mar cor")
_QUALIFIERS = _listed(
    """resign* "step down" breach hack* leak* layoff* "job cuts" recall* lawsuit
    sued court trial verdict merger acquisition takeover bid* transfer* deal* talks summit
    meeting call sanction* strike* protest* arrest* charge* fraud investigat* probe scandal
    denied deny denies claim* report* rumour* allegation* election vote poll* campaign
    budget tax* subsid* tariff* price* rate* inflation outbreak* recall* crash* collaps* fire
    flood* storm* attack* ceasefire peace war troops minister mayor president chief ceo
    spokes* statement interview confirm* announc* launch* contract* stadium injur* ban*
    fine* fined"""
)
_EXCLUSIONS = _listed(
    """football sport* opinion review* horoscope fantasy obituar* recipe* quiz
    "fantasy league" crossword weather"""
)
_STOPWORDS = set(
    _listed(
        """the and that with from this have were been said will would their there which about
    after into over more than they them when what also other some could while where"""
    )
)

Article = tuple[str, str]  # title, text


def load_articles(path: Path) -> list[Article]:
    scenario = json.loads(path.read_text(encoding="utf-8"))
    return [(a["title"], "\n\n".join(a["body"])) for a in scenario["articles"]]


def text_names(articles: list[Article]) -> list[str]:
    """Capitalised words and runs of them that are not sentence starts: names the texts
    mention ("Putin", "Norvane Energy", "Port Calder")."""
    text = " ".join(f"{title}. {body}" for title, body in articles)
    found = Counter(re.findall(r"(?<=[a-z,] )([A-Z][a-z]{2,}(?: [A-Z][a-z]+)*)", text))
    return sorted(name for name, count in found.items() if count >= 2)


class RealisticTopics:
    """Entity-centred topics, as described in the module docstring."""

    def __init__(self, articles: list[Article], entity_share: float, seed: int) -> None:
        self.rng = random.Random(seed)
        self.entity_share = entity_share
        self.names = text_names(articles)

    def made_up(self) -> str:
        return "".join(self.rng.choices(_SYLLABLES, k=self.rng.randint(2, 3))).capitalize()

    def entity(self) -> str:
        if self.rng.random() < self.entity_share:
            name = self.rng.choice(self.names)
            return f'"{name}"' if " " in name else name
        roll = self.rng.random()
        if roll < 0.4:  # a person
            return f'"{self.made_up()} {self.made_up()}"'
        if roll < 0.6:  # a surname, a place
            return self.made_up()
        kind = self.rng.choice(["Energy", "Bank", "Systems", "Pharma", "Rovers", "Group"])
        return f'"{self.made_up()} {kind}"'

    def qualifiers(self) -> str:
        return " OR ".join(self.rng.sample(_QUALIFIERS, self.rng.randint(1, 4)))

    def query(self) -> str:
        roll, entity = self.rng.random(), self.entity()
        if roll < 0.15:
            return entity
        if roll < 0.3:
            return f"({entity} OR {self.entity()})"
        if roll < 0.7:
            return f"{entity} AND ({self.qualifiers()})"
        if roll < 0.85:
            return f"{entity} AND ({self.qualifiers()}) NOT {self.rng.choice(_EXCLUSIONS)}"
        if roll < 0.95:
            return f"{entity} NEAR/{self.rng.randint(3, 10)} {self.entity()}"
        return f"{entity} AND {self.entity()}"


class StressTopics:
    """Random queries whose terms come largely from the texts themselves."""

    def __init__(self, articles: list[Article], text_share: float, seed: int) -> None:
        self.rng = random.Random(seed)
        self.text_share = text_share
        raw = " ".join(f"{title} {text}" for title, text in articles).split()
        self.text_words = [w for w in raw if len(fold_text(w).strip()) >= 4]
        content = {fold_text(w).strip() for w in self.text_words} - _STOPWORDS
        self.content = sorted(w for w in content if " " not in w)

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


def negative_only(rng: random.Random) -> str:
    """A topic that holds with none of its terms present, evaluated for every article."""
    first, second = rng.sample(_EXCLUSIONS, 2)
    return f"NOT {first}" if rng.random() < 0.5 else f"{first} OR NOT {second}"


def run(matcher: Matcher, articles: list[Article]) -> tuple[float, int]:
    """CPU seconds (this process only: the machine may be shared) and topics matched."""
    started = time.process_time()
    matched = sum(len(matcher.match(title, text)) for title, text in articles)
    return time.process_time() - started, matched


def measure(
    label: str, topics: dict[str, str], articles: list[Article], repeats: int, passes: int
) -> float:
    """Prints one line for `topics` and returns MB/s over the repeated articles."""
    corpus = articles * repeats
    megabytes = sum(len(title) + len(text) for title, text in corpus) / 1e6
    started = time.process_time()
    matcher = Matcher.compile(topics)
    compile_seconds = time.process_time() - started
    cold, _ = run(matcher, articles)  # first pass: regexes compiled as first needed
    # The fastest of a few passes: other work on a shared machine only ever slows one down.
    seconds, matched = min(run(matcher, corpus) for _ in range(passes))
    rate = megabytes / seconds
    print(
        f"{label:>22}: compile {compile_seconds:6.2f} s, {rate:6.1f} MB/s "
        f"({matched / len(corpus):.2f} topics matched per article; "
        f"first pass {megabytes / repeats / cold:.1f} MB/s)"
    )
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenario", type=Path, default=_DEFAULT_SCENARIO)
    parser.add_argument("--megabytes", type=float, default=2.0)
    parser.add_argument("--passes", type=int, default=3, help="timed passes; the fastest counts")
    parser.add_argument("--setting", choices=["realistic", "stress", "both"], default="both")
    parser.add_argument("--entity-share", type=float, default=0.005)
    parser.add_argument("--text-share", type=float, default=0.3)
    parser.add_argument("--negative", type=int, default=10, help="negative-only topics added")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    articles = load_articles(args.scenario)
    size = sum(len(title) + len(text) for title, text in articles)
    repeats = max(1, round(args.megabytes * 1e6 / size))
    print(f"{len(articles)} articles, {size / 1e3:.0f} kB, x{repeats} per run, one core")
    settings = ["realistic", "stress"] if args.setting == "both" else [args.setting]
    for setting in settings:
        if setting == "realistic":
            maker: RealisticTopics | StressTopics = RealisticTopics(
                articles, args.entity_share, args.seed
            )
            print(f"realistic: entity topics, {args.entity_share:.1%} about names in the texts")
        else:
            maker = StressTopics(articles, args.text_share, args.seed)
            print(f"stress: {args.text_share:.0%} of terms from the texts, the rest made up")
        rates: dict[int, float] = {}
        topics: dict[str, str] = {}
        for count in (10, 1_000, 10_000):
            topics = {f"topic-{i}": maker.query() for i in range(count)}
            rates[count] = measure(f"{count:,} topics", topics, articles, repeats, args.passes)
        print(f"{'10,000 / 10 topics':>22}: speed ratio {rates[10_000] / rates[10]:.2f}")
        rng = random.Random(args.seed)
        topics.update({f"negative-{i}": negative_only(rng) for i in range(args.negative)})
        measure(f"+{args.negative} negative-only", topics, articles, repeats, args.passes)


if __name__ == "__main__":
    main()
