"""Load: the real daemon polling 2,000 feeds on loopback, a tenth of them broken (malformed,
500s, HTML, gzip bombs, redirect loops, oversized, slow drips that never finish, servers that
never answer). Reports whether every healthy feed was polled within its interval.

Feeds are spread over 40 loopback hosts (127.0.0.2 ... 127.0.0.41; Linux routes all of
127.0.0.0/8 to loopback), so per-host limits act as they do on the real web.

    .venv/bin/python benchmarks/load.py --feeds 2000 --interval 120
"""

from __future__ import annotations

import argparse
import gzip
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.localserver import LocalServer, Request, Response  # noqa: E402

HOSTS = 40
BROKEN_KINDS = [
    "malformed",
    "status500",
    "html",
    "gzip-bomb",
    "redirect-loop",
    "huge",
    "slow-drip",
    "no-answer",
    "empty",
    "binary",
]


def rss(i: int, server: LocalServer) -> bytes:
    items = "".join(
        f"<item><title>Council notice {i}-{j}</title><guid>n{i}-{j}</guid>"
        f"<description>Bin collection moves to Tuesday in ward {j}.</description></item>"
        for j in range(3)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {i}</title>'
        f"{items}</channel></rss>"
    ).encode()


def drip(stop: threading.Event) -> Iterator[bytes]:
    yield b'<?xml version="1.0"?><rss version="2.0"><channel>'
    while not stop.is_set():
        time.sleep(1)
        yield b" "


def broken(kind: str, server: LocalServer, path: str, stop: threading.Event) -> Response:
    xml = {"Content-Type": "application/rss+xml"}
    if kind == "malformed":
        return Response(200, b'<?xml version="1.0"?><rss><channel><item><title>cut', xml)
    if kind == "status500":
        return Response(500, b"oops")
    if kind == "html":
        return Response(200, b"<html><body>Not a feed</body></html>", {"Content-Type": "text/html"})
    if kind == "gzip-bomb":
        bomb = gzip.compress(b" " * (64 * 1024 * 1024), compresslevel=9)
        return Response(200, bomb, {**xml, "Content-Encoding": "gzip"})
    if kind == "redirect-loop":
        return Response(302, b"", {"Location": path})
    if kind == "huge":
        return Response(200, b"<rss>" + b" " * (12 * 1024 * 1024), xml)
    if kind == "slow-drip":
        return Response(200, drip(stop), xml)
    if kind == "no-answer":
        stop.wait(600)
        return Response(200, b"")
    if kind == "empty":
        return Response(200, b"", xml)
    return Response(200, os.urandom(4096), xml)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=2000)
    parser.add_argument("--interval", type=int, default=120, help="seconds")
    args = parser.parse_args()
    stop = threading.Event()
    servers = [LocalServer(f"127.0.0.{h + 2}").__enter__() for h in range(HOSTS)]
    polled: dict[str, float] = {}
    lock = threading.Lock()
    urls, healthy = [], set()
    for i in range(args.feeds):
        server = servers[i % HOSTS]
        path = f"/feed/{i}.xml"
        kind = BROKEN_KINDS[(i // 10) % len(BROKEN_KINDS)] if i % 10 == 9 else None
        url = server.url(path)

        def handler(
            req: Request,
            i: int = i,
            kind: str | None = kind,
            server: LocalServer = server,
            url: str = url,
            path: str = path,
        ) -> Response:
            with lock:
                polled.setdefault(url, time.monotonic())
            return (
                broken(kind, server, path, stop)
                if kind
                else Response(200, rss(i, server), {"Content-Type": "application/rss+xml"})
            )

        server.route(path, handler=handler)
        urls.append(url)
        if kind is None:
            healthy.add(url)
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "monitor.toml"
        lines = [
            "[monitor]",
            f'database_url = "sqlite:///{tmp}/load.db"',
            f'poll_interval = "{args.interval}s"',
            "allow_private_networks = true",
            "",
        ]
        for url in urls:
            lines += ["[[feeds]]", f'url = "{url}"', ""]
        lines += [
            "[[topics]]",
            'name = "t"',
            "query = 'Putin AND Trump'",
            "",
            "[[channels]]",
            'name = "log"',
            'type = "log"',
        ]
        config.write_text("\n".join(lines))
        started = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-m", "monitor", "-c", str(config), "run"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            while time.monotonic() - started < args.interval:
                with lock:
                    done = healthy <= set(polled)
                if done:
                    break
                time.sleep(0.5)
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(30)
            stop.set()
    with lock:
        reached = [polled[u] - started for u in healthy if u in polled]
    missing = len(healthy) - len(reached)
    print(
        f"feeds={args.feeds} healthy={len(healthy)} broken={args.feeds - len(healthy)} "
        f"hosts={HOSTS} interval={args.interval}s"
    )
    print(f"healthy feeds polled within the interval: {len(reached)}/{len(healthy)}")
    if reached:
        reached.sort()
        print(
            f"time to first poll of every healthy feed (from daemon start): "
            f"median {reached[len(reached) // 2]:.1f}s, max {reached[-1]:.1f}s "
            f"(max / interval = {reached[-1] / args.interval:.2f})"
        )
    for server in servers:
        server.__exit__(None, None, None)
    sys.exit(1 if missing else 0)


if __name__ == "__main__":
    main()
