"""Tell systemd how the daemon is doing: the sd_notify protocol, without a dependency.

The protocol is one datagram of ``KEY=VALUE`` lines sent to the Unix socket named by
``$NOTIFY_SOCKET`` (a path, or an abstract socket when it starts with "@"). Under
``Type=notify`` systemd waits for ``READY=1`` before it calls the service started, and with
``WatchdogSec=`` it restarts the service when ``WATCHDOG=1`` stops arriving.

Outside systemd (``NOTIFY_SOCKET`` unset) every method is a no-op, so the daemon calls them
unconditionally. A failed send is logged and swallowed: telling systemd is never worth
crashing the daemon over, and systemd's own watchdog catches a daemon that is really stuck.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Mapping

from loguru import logger


class Notifier:
    """Sends status messages to systemd's notify socket, if there is one."""

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        env = os.environ if env is None else env
        self._address = _socket_address(env.get("NOTIFY_SOCKET", ""))
        self._watchdog_interval = _watchdog_interval(env)

    @property
    def enabled(self) -> bool:
        """True when running under systemd with a notify socket."""
        return self._address is not None

    def ready(self) -> bool:
        """Start-up is finished: systemd considers the service started."""
        return self.notify("READY=1")

    def stopping(self) -> bool:
        """Shutdown has begun."""
        return self.notify("STOPPING=1")

    def reloading(self) -> bool:
        """A reload (SIGHUP) has begun; send `ready()` when it is done.

        MONOTONIC_USEC lets systemd >= 253 match this message to the reload it asked for
        under ``Type=notify-reload``; older systemd and plain ``Type=notify`` ignore it.
        """
        usec = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
        return self.notify("RELOADING=1", f"MONOTONIC_USEC={usec}")

    def status(self, text: str) -> bool:
        """A one-line status shown by ``systemctl status``."""
        # A newline would start a new KEY=VALUE line and could forge another message.
        return self.notify("STATUS=" + " ".join(text.splitlines()))

    def watchdog(self) -> bool:
        """Keep-alive: the daemon is still making progress."""
        return self.notify("WATCHDOG=1")

    def watchdog_interval(self) -> float | None:
        """Seconds between `watchdog()` calls, or None when systemd wants none.

        Half of ``$WATCHDOG_USEC``, as sd_watchdog_enabled(3) recommends, so one late tick
        does not get the daemon killed.
        """
        return self._watchdog_interval

    def notify(self, *lines: str) -> bool:
        """Send one message; True when it was sent, False when disabled or it failed."""
        if self._address is None:
            return False
        message = "\n".join(lines).encode()
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
                sock.connect(self._address)
                sock.sendall(message)
        except OSError as exc:
            logger.warning("could not notify systemd ({}): {}", lines[0], exc)
            return False
        return True


def _socket_address(value: str) -> str | None:
    """The address to connect to: a filesystem path, or "\\0name" for an abstract socket."""
    if value.startswith("@"):
        return "\0" + value[1:]
    if value.startswith("/"):
        return value
    # Empty means not under systemd; anything else is not an address systemd hands out.
    return None


def _watchdog_interval(env: Mapping[str, str]) -> float | None:
    """Half the watchdog timeout, when the watchdog is meant for this process."""
    try:
        usec = int(env.get("WATCHDOG_USEC", ""))
    except ValueError:
        return None
    if usec <= 0:
        return None
    pid = env.get("WATCHDOG_PID")
    # WATCHDOG_PID names the process the watchdog is for; a child that inherited the
    # environment (a worker process) must not keep the parent alive on its behalf.
    if pid is not None and pid.strip() != str(os.getpid()):
        return None
    return usec / 2 / 1_000_000
