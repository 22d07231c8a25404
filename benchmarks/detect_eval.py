"""Score detection and story grouping offline over newsroom scenarios.

    python benchmarks/detect_eval.py SCENARIO_DIR... [-v]

Simulates the pipeline without feeds or a database: articles in step order (title and body
paragraphs), each topic whose query matches (monitor.pipeline.match.Matcher), detect(),
story assignment with the stories kept in memory, a party the story already knows keeping its
key (parties.same_party), novelty on (topic, story, kind, party),
then scores every simulated alert as the newsroom harness does (FORMAT.md "What counts"):
hits, misses, duplicates, false alarms, precision, recall, F1.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from monitor.detection import join_story
from monitor.errors import MonitorError
from monitor.models import Statement
from monitor.pipeline.detect import detect
from monitor.pipeline.match import Matcher
from monitor.pipeline.parties import Party, same_party
from monitor.pipeline.stories import StoryRef

Key = tuple[str, str, str, str]  # topic, kind, story, party (from the labels)


@dataclass
class SimAlert:
    article: str
    topic: str
    statement: Statement
    story_id: str
    outcome: str = ""
    key: Key | None = None
    reason: str = ""


@dataclass
class Report:
    name: str
    keys: int = 0
    hits: list[SimAlert] = field(default_factory=list)
    duplicates: list[SimAlert] = field(default_factory=list)
    false_alarms: list[SimAlert] = field(default_factory=list)
    tolerated: list[SimAlert] = field(default_factory=list)
    misses: list[tuple[Key, list[str]]] = field(default_factory=list)
    late: list[SimAlert] = field(default_factory=list)  # hit after its key's first step

    @property
    def precision(self) -> float:
        said = len(self.hits) + len(self.duplicates) + len(self.false_alarms)
        return len(self.hits) / said if said else 1.0

    @property
    def recall(self) -> float:
        return len(self.hits) / self.keys if self.keys else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def load(path: Path) -> dict[str, Any]:
    file = path / "scenario.json" if path.is_dir() else path
    data: dict[str, Any] = json.loads(file.read_text(encoding="utf-8"))
    return data


def _ordered(articles: list[dict[str, Any]], reverse: bool = False) -> list[dict[str, Any]]:
    """Step order; within a step by publication time, or against it with `reverse` (the
    monitor takes a step's feeds in whatever order they answer)."""
    indexed = list(enumerate(articles))
    sign = -1 if reverse else 1
    indexed.sort(
        key=lambda ia: (ia[1]["step"], sign * _epoch(ia[1].get("published", "")), sign * ia[0])
    )
    return [a for _, a in indexed]


def _epoch(published: str) -> float:
    try:
        return datetime.fromisoformat(published.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return 0.0


def expected_keys(sc: dict[str, Any]) -> dict[Key, list[str]]:
    watched = {t["name"]: set(t.get("kinds", ["claim", "denial"])) for t in sc["topics"]}
    keys: dict[Key, list[str]] = {}
    for art in _ordered(sc["articles"]):
        for topic, label in art.get("labels", {}).items():
            for kind, party in label.get("kinds", {}).items():
                if kind in watched[topic]:
                    keys.setdefault((topic, kind, label["story"], party), []).append(art["id"])
    return keys


def simulate(sc: dict[str, Any], reverse: bool = False) -> list[SimAlert]:
    """The alerts the pipeline would raise, in order."""
    matcher = Matcher.compile({t["name"]: t["query"] for t in sc["topics"]})
    outlets = {o["slug"]: o["name"] for o in sc["outlets"]}
    stories: dict[str, list[StoryRef]] = {}
    seen: set[tuple[str, str, str, str]] = set()
    parties: dict[str, list[Party]] = {}  # story id -> parties of its statements
    alerts: list[SimAlert] = []
    for art in _ordered(sc["articles"], reverse):
        text = "\n\n".join(art["body"])
        for match in matcher.match(art["title"], text):
            found = detect(art["title"], text, outlet=outlets[art["outlet"]], match=match)
            for statement in found:
                story = join_story(stories.setdefault(match.topic, []), match.topic, statement)
                if story is None:
                    continue  # as Detection: a tentative statement founds no story
                statement = with_known_party(statement, parties.setdefault(story.id, []))
                novelty = (match.topic, story.id, statement.kind, statement.party_key)
                if novelty in seen:
                    continue
                seen.add(novelty)
                alerts.append(SimAlert(art["id"], match.topic, statement, story.id))
    return alerts


def with_known_party(statement: Statement, known: list[Party]) -> Statement:
    """As Detection.process: a party the story already knows under another key keeps that
    key; `known` grows by the statement's party."""
    party = Party(statement.party, statement.party_key, statement.speaker)
    alias = same_party(party, known)
    # the store keeps the statement under the key it was given, so later ones compare to it
    known.append(Party(party.display, alias or party.key, party.speaker))
    return replace(statement, party_key=alias) if alias else statement


def score(sc: dict[str, Any], alerts: list[SimAlert]) -> Report:
    report = Report(sc.get("name", "?"))
    expected = expected_keys(sc)
    report.keys = len(expected)
    by_id = {a["id"]: a for a in sc["articles"]}
    first_step = {key: min(by_id[i]["step"] for i in ids) for key, ids in expected.items()}
    hit: set[Key] = set()
    tolerated_seen: set[Key] = set()
    for al in alerts:
        label = by_id[al.article].get("labels", {}).get(al.topic)
        kind = al.statement.kind
        if label is None or (kind not in label["kinds"] and kind not in label.get("tolerated", {})):
            al.outcome, al.reason = "false_alarm", "no such kind in the label"
            report.false_alarms.append(al)
            continue
        party = label["kinds"].get(kind) or label["tolerated"][kind]
        al.key = (al.topic, kind, label["story"], party)
        if al.key in expected:
            bucket, done = (report.duplicates, True) if al.key in hit else (report.hits, False)
            al.outcome = "duplicate" if done else "hit"
            if not done and by_id[al.article]["step"] > first_step[al.key]:
                report.late.append(al)
            hit.add(al.key)
        else:
            done = al.key in tolerated_seen
            bucket = report.duplicates if done else report.tolerated
            al.outcome = "duplicate" if done else "tolerated"
            tolerated_seen.add(al.key)
        bucket.append(al)
    report.misses = [(k, ids) for k, ids in expected.items() if k not in hit]
    return report


def evaluate(path: Path, reverse: bool = False) -> Report:
    sc = load(path)
    return score(sc, simulate(sc, reverse))


def _describe(al: SimAlert) -> str:
    st = al.statement
    return (
        f"  {al.article:8} {al.topic:20} {st.kind:6} party={st.party_key:16} "
        f"story={al.story_id[:9]} key={al.key} | {st.text[:90]}"
    )


def print_report(report: Report, verbose: bool) -> None:
    print(f"== {report.name}")
    print(
        f"keys={report.keys} hits={len(report.hits)} misses={len(report.misses)} "
        f"duplicates={len(report.duplicates)} false_alarms={len(report.false_alarms)} "
        f"tolerated={len(report.tolerated)} late={len(report.late)} "
        f"precision={report.precision:.3f} "
        f"recall={report.recall:.3f} f1={report.f1:.3f}"
    )
    for key, ids in report.misses:
        print(f"  MISS {'/'.join(key)} (articles {', '.join(ids)})")
    shown = (("DUP", report.duplicates), ("FALSE", report.false_alarms), ("LATE", report.late))
    for label, alerts in shown:
        for al in alerts:
            print(f"  {label}" + _describe(al))
    if verbose:
        for label, alerts in (("HIT", report.hits), ("TOL", report.tolerated)):
            for al in alerts:
                print(f"  {label}" + _describe(al))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="+", type=Path)
    parser.add_argument("-v", "--verbose", action="store_true", help="list hits too")
    parser.add_argument(
        "-r", "--reverse", action="store_true", help="take each step's articles newest first"
    )
    args = parser.parse_args(argv)
    status = 0
    for path in args.scenarios:
        try:
            print_report(evaluate(path, args.reverse), args.verbose)
        except MonitorError as exc:  # a scenario whose query the matcher refuses
            print(f"== {path}: cannot evaluate: {exc}")
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
