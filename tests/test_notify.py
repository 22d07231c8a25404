"""sd_notify: a real datagram socket plays systemd's side and receives the messages."""

from __future__ import annotations

import os
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.service.notify import Notifier


@pytest.fixture
def systemd_socket(tmp_path: Path) -> Iterator[tuple[socket.socket, str]]:
    """A bound SOCK_DGRAM socket standing in for systemd, and its NOTIFY_SOCKET value."""
    path = str(tmp_path / "notify")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(path)
        sock.settimeout(2)
        yield sock, path


def _received(sock: socket.socket) -> str:
    return sock.recv(4096).decode()


def test_ready_stopping_status_watchdog_arrive_exactly(
    systemd_socket: tuple[socket.socket, str],
) -> None:
    sock, path = systemd_socket
    notifier = Notifier({"NOTIFY_SOCKET": path})

    assert notifier.enabled
    assert notifier.ready()
    assert _received(sock) == "READY=1"
    assert notifier.status("polling 12 feeds")
    assert _received(sock) == "STATUS=polling 12 feeds"
    assert notifier.watchdog()
    assert _received(sock) == "WATCHDOG=1"
    assert notifier.stopping()
    assert _received(sock) == "STOPPING=1"


def test_reloading_carries_the_monotonic_clock(systemd_socket: tuple[socket.socket, str]) -> None:
    sock, path = systemd_socket
    low = _monotonic_usec()
    assert Notifier({"NOTIFY_SOCKET": path}).reloading()
    high = _monotonic_usec()

    lines = _received(sock).split("\n")
    assert lines[0] == "RELOADING=1"
    key, _, value = lines[1].partition("=")
    assert key == "MONOTONIC_USEC"
    assert low <= int(value) <= high


def _monotonic_usec() -> int:
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000


def test_status_newlines_cannot_forge_another_message(
    systemd_socket: tuple[socket.socket, str],
) -> None:
    sock, path = systemd_socket
    Notifier({"NOTIFY_SOCKET": path}).status("line one\nREADY=1")
    assert _received(sock) == "STATUS=line one READY=1"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="abstract sockets are Linux")
def test_abstract_socket_address() -> None:
    name = f"news-monitor-test-{os.getpid()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        sock.settimeout(2)
        assert Notifier({"NOTIFY_SOCKET": "@" + name}).ready()
        assert _received(sock) == "READY=1"


def test_without_notify_socket_everything_is_a_no_op() -> None:
    notifier = Notifier({})
    assert not notifier.enabled
    assert notifier.ready() is False
    assert notifier.watchdog() is False
    assert notifier.watchdog_interval() is None


def test_a_vanished_socket_is_logged_not_raised(tmp_path: Path) -> None:
    notifier = Notifier({"NOTIFY_SOCKET": str(tmp_path / "gone")})
    assert notifier.ready() is False


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"WATCHDOG_USEC": "60000000"}, 30.0),
        ({"WATCHDOG_USEC": "60000000", "WATCHDOG_PID": str(os.getpid())}, 30.0),
        ({"WATCHDOG_USEC": "60000000", "WATCHDOG_PID": str(os.getpid() + 1)}, None),
        ({"WATCHDOG_USEC": "0"}, None),
        ({"WATCHDOG_USEC": "soon"}, None),
        ({}, None),
    ],
)
def test_watchdog_interval_is_half_the_timeout_for_this_process(
    env: dict[str, str], expected: float | None
) -> None:
    assert Notifier(env).watchdog_interval() == expected


def test_reads_os_environ_by_default(
    monkeypatch: pytest.MonkeyPatch, systemd_socket: tuple[socket.socket, str]
) -> None:
    sock, path = systemd_socket
    monkeypatch.setenv("NOTIFY_SOCKET", path)
    monkeypatch.setenv("WATCHDOG_USEC", "10000000")
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    notifier = Notifier()
    assert notifier.watchdog_interval() == 5.0
    notifier.ready()
    assert _received(sock) == "READY=1"
