"""Secrets never appear in logs, errors or check-config output: a full run is grepped."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.daemon_support import NewsSite, denial_story, free_port
from tests.localserver import LocalServer, Response

SECRETS = {
    "HOOK_SECRET": "hmac-key-5f2a9c",
    "SMTP_PASSWORD": "smtp-pass-7d41e0",
    "HOOK_TOKEN": "tok3n-in-the-url-88b1",
}


def _config(path: Path, feed_url: str, hook_base: str, smtp_port: int, extra: str = "") -> Path:
    path.write_text(f"""
[monitor]
database_url = "sqlite:///{path.parent / "m.db"}"
allow_private_networks = true
{extra}

[[feeds]]
url = "{feed_url}"

[[topics]]
name = "brackenfield"
query = '"Brackenfield Motors"'

[[channels]]
name = "hook"
type = "webhook"
url = "{hook_base}/hook?token=${{HOOK_TOKEN}}"
secret = "${{HOOK_SECRET}}"

[[channels]]
name = "mail"
type = "email"
host = "127.0.0.1"
port = {smtp_port}
starttls = false
username = "monitor"
password = "${{SMTP_PASSWORD}}"
sender = "monitor@example.org"
recipients = ["desk@example.org"]
""")
    return path


def _run(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args[:-1], "-c", str(config), args[-1]],
        env={**os.environ, **SECRETS},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _assert_clean(text: str) -> None:
    for name, value in SECRETS.items():
        assert value not in text, f"{name} leaked"


@pytest.mark.timeout(150)
def test_a_full_run_with_failing_channels_leaks_no_secret(tmp_path: Path) -> None:
    with LocalServer() as server:
        site = NewsSite(server)
        server.route("/feed.xml", handler=site.feed)
        site.publish(denial_story(1, "Brackenfield Motors"))
        # the webhook fails (its URL, with its token, is what an error would show) and
        # nothing listens on the SMTP port
        server.route("/hook", handler=lambda _r: Response(500, b"no"))
        config = _config(tmp_path / "monitor.toml", site.feed_url, server.url(""), free_port())
        human = _run(config, "once")
        as_json = _run(config, "--log-json", "once")
        listing = _run(config, "alerts")  # usage error path
        shown = _run(config, "check-config")
    assert human.returncode == 0, human.stderr
    assert "could not deliver" in human.stderr or "webhook" in human.stderr
    for result in (human, as_json, listing, shown):
        _assert_clean(result.stdout + result.stderr)


def test_check_config_errors_do_not_echo_secrets(tmp_path: Path) -> None:
    config = _config(
        tmp_path / "monitor.toml",
        "http://127.0.0.1:9/feed.xml",
        "ftp://hooks.example.org",
        2525,
        extra="bogus_key = 1",
    )
    result = _run(config, "check-config")
    assert result.returncode == 2
    assert "channels[0].url" in result.stderr and "monitor.bogus_key" in result.stderr
    _assert_clean(result.stdout + result.stderr)
