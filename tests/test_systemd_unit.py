"""The shipped systemd unit: the keys the daemon relies on, and its hardening score."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

SYSTEMD = Path(__file__).resolve().parent.parent / "systemd"
UNIT = SYSTEMD / "news-monitor.service"
MAX_EXPOSURE = 2.0

Unit = dict[str, dict[str, list[str]]]


def parse_unit(text: str) -> Unit:
    """Sections -> key -> every value given (systemd keys may repeat, e.g. SystemCallFilter)."""
    unit: Unit = {}
    section: dict[str, list[str]] | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = unit.setdefault(line[1:-1], {})
            continue
        key, sep, value = line.partition("=")
        assert sep and section is not None, f"line {number} is not KEY=VALUE: {raw!r}"
        section.setdefault(key.strip(), []).append(value.strip())
    return unit


@pytest.fixture(scope="module")
def service() -> dict[str, list[str]]:
    return parse_unit(UNIT.read_text())["Service"]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("Type", "notify"),
        ("NotifyAccess", "main"),
        ("WatchdogSec", "60"),
        (
            "ExecStart",
            "/usr/local/bin/news-monitor -c /etc/news-monitor/monitor.toml run --log-json",
        ),
        ("ExecReload", "/bin/kill -HUP $MAINPID"),
        ("DynamicUser", "yes"),
        ("StateDirectory", "news-monitor"),
        ("ConfigurationDirectory", "news-monitor"),
        ("EnvironmentFile", "-/etc/news-monitor/env"),
        ("Restart", "on-failure"),
        ("RestartSec", "5"),
        ("TimeoutStopSec", "30"),
        ("UMask", "0077"),
        ("NoNewPrivileges", "yes"),
        ("ProtectSystem", "strict"),
        ("ProtectHome", "yes"),
        ("PrivateTmp", "yes"),
        ("PrivateDevices", "yes"),
        ("CapabilityBoundingSet", ""),
        ("MemoryDenyWriteExecute", "yes"),
        ("SystemCallArchitectures", "native"),
    ],
)
def test_service_sets(service: dict[str, list[str]], key: str, value: str) -> None:
    assert service.get(key) == [value]


def test_address_families_allow_the_web_and_the_forkserver_socket(
    service: dict[str, list[str]],
) -> None:
    # AF_UNIX carries sd_notify and the multiprocessing forkserver; INET/INET6 the feeds.
    assert set(service["RestrictAddressFamilies"][0].split()) == {"AF_INET", "AF_INET6", "AF_UNIX"}


def test_the_web_is_not_blocked(service: dict[str, list[str]]) -> None:
    assert "IPAddressDeny" not in service
    assert "PrivateNetwork" not in service


def test_system_calls_start_from_the_service_allow_list(service: dict[str, list[str]]) -> None:
    assert service["SystemCallFilter"][0] == "@system-service"


def test_unit_is_wanted_by_multi_user_and_waits_for_the_network() -> None:
    unit = parse_unit(UNIT.read_text())
    assert unit["Install"]["WantedBy"] == ["multi-user.target"]
    assert unit["Unit"]["After"] == ["network-online.target"]
    assert unit["Unit"]["Wants"] == ["network-online.target"]


def test_env_example_names_the_secrets_and_sets_none() -> None:
    lines = (SYSTEMD / "env.example").read_text().splitlines()
    assert all(not line.strip() or line.startswith("#") for line in lines)
    text = "\n".join(lines)
    assert "#SMTP_PASSWORD=" in text
    assert "#WEBHOOK_SECRET=" in text


def exposure(output: str) -> float:
    """The number in systemd-analyze's "Overall exposure level for X: 1.2 OK" line."""
    found = re.search(r"Overall exposure level for \S+: (\d+(?:\.\d+)?)", output)
    if found is None:
        raise ValueError(f"no overall exposure level in:\n{output[-500:]}")
    return float(found.group(1))


def test_exposure_parses_systemd_analyze_output() -> None:
    line = "→ Overall exposure level for news-monitor.service: 1.2 OK 🙂"
    assert exposure(line) == 1.2
    with pytest.raises(ValueError, match="no overall exposure"):
        exposure("Failed to load unit")


@pytest.mark.skipif(
    shutil.which("systemd-analyze") is None,
    reason="systemd-analyze is not installed (Debian/Ubuntu: apt-get install systemd)",
)
def test_systemd_analyze_rates_the_unit_exposure_at_most_2() -> None:
    # --offline=true needs systemd >= 250; the output goes to stdout, the table included.
    result = subprocess.run(
        ["systemd-analyze", "security", "--offline=true", "--no-pager", str(UNIT)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    score = exposure(result.stdout + result.stderr)
    assert score <= MAX_EXPOSURE, result.stdout


def test_exec_lines_are_commands_the_cli_accepts(service: dict[str, list[str]]) -> None:
    import shlex

    from monitor.cli import build_parser

    (exec_start,) = service["ExecStart"]
    program, *args = shlex.split(exec_start)
    assert program.endswith("/news-monitor")
    parsed = build_parser().parse_args(args)  # argparse exits on anything it rejects
    assert parsed.command == "run" and parsed.log_json is True
    assert parsed.config == "/etc/news-monitor/monitor.toml"
