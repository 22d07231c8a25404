"""The real daemon as systemd runs it: READY/STOPPING, alerts, reload, health, SIGTERM."""

from __future__ import annotations

import json
import signal
import socket
from pathlib import Path

import httpx
import pytest

from tests.daemon_support import (
    denial_story,
    free_port,
    group_members,
    news_site,
    start_daemon,
    stop,
    wait_for,
    write_config,
)
from tests.localserver import LocalServer

pytestmark = pytest.mark.timeout(120)


class NotifySocket:
    """systemd's side of sd_notify: a datagram socket collecting messages."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        self.sock.settimeout(0.05)
        self.messages: list[str] = []

    def drain(self) -> list[str]:
        while True:
            try:
                self.messages.append(self.sock.recv(4096).decode())
            except (TimeoutError, BlockingIOError):
                return self.messages

    def saw(self, text: str) -> bool:
        return any(text in m for m in self.drain())


def test_daemon_lifecycle(tmp_path: Path) -> None:
    with LocalServer() as server:
        site, hook = news_site(server, denial_story(1, "Brackenfield Motors"))
        port = free_port()
        config = write_config(
            tmp_path / "monitor.toml",
            feed_url=site.feed_url,
            hook_url=hook.url,
            topics={"brackenfield": '"Brackenfield Motors" AND plant'},
            db=tmp_path / "m.db",
            extra=f'http = "127.0.0.1:{port}"',
        )
        notify = NotifySocket(tmp_path / "notify.sock")
        log = tmp_path / "daemon.log"
        proc = start_daemon(
            config, {"NOTIFY_SOCKET": str(notify.path), "WATCHDOG_USEC": "2000000"}, log
        )
        try:
            wait_for(lambda: notify.saw("READY=1"), 60, "READY=1")
            wait_for(lambda: len(hook.accepted) == 1, 30, "the first alert")
            body = json.loads(hook.accepted[0].body)
            assert body["kind"] == "denial" and body["topic"] == "brackenfield"
            wait_for(lambda: notify.saw("WATCHDOG=1"), 10, "a watchdog ping")

            health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
            summary = health.json()
            assert health.status_code == 200 and summary["database_ok"] is True
            assert summary["scheduler_running"] is True and summary["feeds"] == 1
            assert summary["last_successful_poll"] is not None
            metrics = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
            assert 'news_monitor_alerts_raised_total{kind="denial"} 1.0' in metrics
            assert 'news_monitor_feeds{state="active"} 1.0' in metrics

            # a valid reload adds a topic: the next article is matched against it
            write_config(
                config,
                feed_url=site.feed_url,
                hook_url=hook.url,
                db=tmp_path / "m.db",
                topics={
                    "brackenfield": '"Brackenfield Motors" AND plant',
                    "ostrava": '"Ostrava Steel" AND plant',
                },
                extra=f'http = "127.0.0.1:{port}"',
            )
            proc.send_signal(signal.SIGHUP)
            wait_for(lambda: "config reloaded" in log.read_text(), 20, "the reload")
            assert notify.saw("RELOADING=1")
            site.publish(denial_story(2, "Ostrava Steel"))
            wait_for(lambda: len(hook.accepted) == 2, 30, "an alert for the new topic")
            assert json.loads(hook.accepted[1].body)["topic"] == "ostrava"

            # an invalid config is refused and the running one kept
            config.write_text('[monitor]\npoll_interval = "never"\n')
            proc.send_signal(signal.SIGHUP)
            wait_for(lambda: "reload refused" in log.read_text(), 20, "the refusal")
            assert "monitor.poll_interval" in log.read_text()
            assert proc.poll() is None
            site.publish(denial_story(3, "Brackenfield Motors Group"))
            assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200
        finally:
            code = stop(proc)
        assert code == 0
        assert notify.saw("STOPPING=1")
        # TERM to the whole group (as a supervisor may send it) leaves no process behind
        # (checked at once: the daemon reaps its workers before it exits)
        assert group_members(proc.pid) == []
        # secrets never reach the log
        assert "hook-secret-value" not in log.read_text()
