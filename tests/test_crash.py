"""Crash safety: the real daemon SIGKILLed at random moments, again and again, loses no alert,
stores no article twice and leaves a sound database."""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.daemon_support import (
    denial_story,
    news_site,
    start_daemon,
    stop,
    wait_for,
    write_config,
)
from tests.localserver import LocalServer

COMPANIES = [
    "Brackenfield Motors",
    "Ostrava Steel",
    "Quillon Foods",
    "Marrowgate Textiles",
    "Velder Glassworks",
    "Tamsin Paper",
    "Corvale Chemicals",
    "Hesketh Ceramics",
    "Pellam Batteries",
    "Ruddock Plastics",
    "Sable Ridge Mining",
    "Ulverston Brewing",
]
KILLS = 20


def _topics() -> dict[str, str]:
    return {f"c{i}": f'"{name}"' for i, name in enumerate(COMPANIES)}


def _keys(bodies: list[bytes]) -> list[tuple[str, str, str]]:
    out = []
    for body in bodies:
        payload = json.loads(body)
        out.append((payload["topic"], payload["kind"], payload["article"]["url"]))
    return out


def _baseline(tmp_path: Path) -> Counter[tuple[str, str, str]]:
    """The alerts an uninterrupted run raises for the same news."""
    with LocalServer() as server:
        site, hook = news_site(server, *(denial_story(i, name) for i, name in enumerate(COMPANIES)))
        config = write_config(
            tmp_path / "base.toml",
            feed_url=site.feed_url,
            hook_url=hook.url,
            topics=_topics(),
            db=tmp_path / "base.db",
        )
        env = {"TEST_HOOK_SECRET": "x", "PATH": ""}
        subprocess.run(
            [sys.executable, "-m", "monitor", "-c", str(config), "once"],
            check=True,
            env={**__import__("os").environ, **env},
            capture_output=True,
            timeout=120,
        )
        keys = _keys([r.body for r in hook.accepted])
        # paths differ between the two servers' ports: compare by path
        return Counter((t, k, u.split("/", 3)[3]) for t, k, u in keys)


@pytest.mark.timeout(420)
def test_sigkill_at_random_moments_loses_nothing(tmp_path: Path) -> None:
    expected = _baseline(tmp_path)
    assert sum(expected.values()) >= len(COMPANIES)  # every company's denial, at least
    rng = random.Random(20261126)
    with LocalServer() as server:
        site, hook = news_site(server)
        hook.fail_first = 3
        db = tmp_path / "crash.db"
        config = write_config(
            tmp_path / "crash.toml",
            feed_url=site.feed_url,
            hook_url=hook.url,
            topics=_topics(),
            db=db,
        )
        log = tmp_path / "daemon.log"
        pending = [denial_story(i, name) for i, name in enumerate(COMPANIES)]
        proc = start_daemon(config, log=log)
        for _ in range(KILLS):
            if pending and rng.random() < 0.7:
                site.publish(pending.pop(0))
            time.sleep(rng.uniform(0.3, 3.0))
            stop(proc, signal.SIGKILL)
            proc = start_daemon(config, log=log)
        stop(proc, signal.SIGKILL)
        last_log = tmp_path / "last.log"
        proc = start_daemon(config, log=last_log)
        for story in pending:
            site.publish(story)
        try:
            wanted = sum(expected.values())
            wait_for(
                lambda: len({json.loads(r.body)["id"] for r in hook.accepted}) >= wanted,
                120,
                f"{wanted} distinct alerts",
            )
            # the last start is up (its signal handlers in place) before it is asked to stop
            wait_for(
                lambda: " running: " in last_log.read_text(),
                60,
                "the last start to be running",
            )
            time.sleep(1.5)  # let any stray duplicate arrive before counting
        finally:
            assert stop(proc) == 0, "the last start failed:\n" + last_log.read_text()[-3000:]

    received = Counter(
        (t, k, u.split("/", 3)[3]) for t, k, u in _keys([r.body for r in hook.accepted])
    )
    assert set(received) == set(expected), "alerts lost or invented by the crashes"
    by_id: dict[str, set[str]] = {}
    for request in hook.accepted + hook.refused:
        body_id = json.loads(request.body)["id"]
        assert request.headers["idempotency-key"] == body_id
        by_id.setdefault(body_id, set()).add(request.body.decode())
    # a redelivery after a crash repeats the same alert, byte for byte
    assert all(len(bodies) == 1 for bodies in by_id.values())
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        urls = [row[0] for row in conn.execute("SELECT url FROM articles")]
        assert len(urls) == len(set(urls)) == len(COMPANIES)
        unsent = conn.execute("SELECT count(*) FROM deliveries WHERE status != 'sent'").fetchone()
        assert unsent[0] == 0
