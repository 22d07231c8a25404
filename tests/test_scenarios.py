"""Scenarios of our own (tests/scenarios, newsroom format) and the shared dev scenario, run
through the real monitor by the newsroom harness: news served on loopback, `news-monitor
once` per step, webhooks and emails received and scored.

Each scenario's expected outcome is in tests/scenarios/expected.json: the exact set of keys
that must be hit (every labelled key but the listed known misses), and the most duplicates
and which false alarms are tolerated as known gaps. A detector change that fixes a gap
fails here too, until the file is updated: the file is the record of what the monitor does.
Skipped where the harness (shared/newsroom, beside the repository) is absent.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SHARED

HERE = Path(__file__).parent / "scenarios"
HARNESS = SHARED / "newsroom" / "newsroom.py"
EXPECTED = json.loads((HERE / "expected.json").read_text())
SCENARIOS = {p.parent.name: p.parent for p in HERE.glob("*/scenario.json")}
SCENARIOS["dev"] = SHARED / "newsroom" / "scenarios" / "dev"

pytestmark = pytest.mark.skipif(
    not HARNESS.exists(),
    reason=f"the newsroom harness is not at {HARNESS} (shared/ sits beside the repository)",
)


def test_every_scenario_has_an_expected_outcome() -> None:
    assert set(EXPECTED) == set(SCENARIOS)


@pytest.mark.timeout(600)
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenario(name: str, tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    run = subprocess.run(
        [
            sys.executable,
            str(HARNESS),
            "run",
            str(SCENARIOS[name]),
            "--cmd",
            f"{sys.executable} -m monitor",
            "--workdir",
            str(tmp_path / "work"),
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=580,
    )
    assert out.exists(), run.stdout[-3000:] + run.stderr[-3000:]
    result = json.loads(out.read_text())
    assert result["failed_steps"] == [], run.stdout[-3000:]
    expected = EXPECTED[name]
    hit = {h["key_str"] for h in result["hits"]}
    missed = {m["key_str"] for m in result["misses"]}
    assert missed == set(expected["misses"]), "missed keys changed"
    assert len(hit) == result["score"]["overall"]["keys"] - len(missed)
    assert len(result["duplicates"]) <= expected["max_duplicates"], [
        d["key_str"] for d in result["duplicates"]
    ]
    false_alarms = {f["article_id"] for f in result["false_alarms"]}
    assert false_alarms <= set(expected["false_alarms"]), false_alarms
    # delivery is exact whatever the detector does: every alert signed, each with its email
    assert result["webhook"]["violation_count"] == 0
    assert result["webhook"]["redeliveries"] == 0
    email = result["email"]
    if email["enabled"]:  # the harness checks email when aiosmtpd is importable
        assert not email["alerts_without_email"] and not email["emails_without_alert"]
        assert email["violations"] == []
