"""Classify the real headlines of the Emergent training split and print P/R/F1.

    python benchmarks/emergent.py [CSV]

Each headline is classified alone (as the title, no body) with `detect.classify`; the
label column maps Emergent's for/observing to claim and against to denial. Published
reference points on the same data: a keyword lexicon reached denial P 0.89 R 0.36; the
Emergent stance classifier denial F1 0.757 (with the claim text as extra input).
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from monitor.pipeline.detect import classify

DEFAULT_CSV = Path(__file__).resolve().parents[2] / "shared" / "data" / "emergent-train.csv"


def scores(pairs: Sequence[tuple[str, str | None]], kind: str) -> tuple[float, float, float]:
    """Precision, recall and F1 of one kind over (gold, predicted) pairs."""
    tp = sum(1 for gold, got in pairs if gold == kind and got == kind)
    said = sum(1 for _, got in pairs if got == kind)
    real = sum(1 for gold, _ in pairs if gold == kind)
    p = tp / said if said else 0.0
    r = tp / real if real else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else DEFAULT_CSV
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    pairs = [(row["label"], classify("", title=row["text"])[0]) for row in rows]
    print(f"{len(pairs)} headlines; gold {dict(Counter(g for g, _ in pairs))}")
    print(f"predicted {dict(Counter(str(p) for _, p in pairs))}")
    for kind in ("denial", "claim"):
        p, r, f = scores(pairs, kind)
        print(f"{kind:6}  precision={p:.3f} recall={r:.3f} f1={f:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
