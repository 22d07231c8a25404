"""Running the real daemon in tests: feeds and pages on a local server, a webhook receiver,
a config file, and the `news-monitor` process itself."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.localserver import LocalServer, Request, Response

RSS_ITEM = """<item><title>{title}</title><link>{link}</link><guid>{link}</guid>
<pubDate>{date}</pubDate><description>{summary}</description></item>"""

PAGE = """<!doctype html><html><head><title>{title}</title>
<link rel="canonical" href="{link}"></head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>{title}</h1>{paragraphs}</article>
<aside><h3>Trending</h3><ul>
<li><a href="/x">Celebrity chef opens third restaurant</a></li></ul></aside>
<footer>Copyright The Test Gazette</footer></body></html>"""


@dataclass
class Story:
    slug: str
    title: str
    paragraphs: list[str]
    date: str = "Mon, 02 Nov 2026 09:15:00 GMT"


def denial_story(n: int, subject: str) -> Story:
    return Story(
        slug=f"story-{n}",
        title=f"{subject} denies report it will close its Harwick plant",
        paragraphs=[
            f"{subject} on Monday denied a newspaper report that it plans to close its Harwick "
            f"plant, calling the claim 'completely false'.",
            f"A spokesperson for {subject} said the plant would keep all of its 400 workers and "
            "that no such plan had ever been discussed by the board.",
            "The report, published last week, cited two people familiar with the matter.",
            "Shares in the company were little changed in afternoon trading.",
        ],
    )


@dataclass
class NewsSite:
    """A feed at /feed.xml whose items are `stories`, each with its page."""

    server: LocalServer
    stories: list[Story] = field(default_factory=list)

    def publish(self, story: Story) -> None:
        self.stories.append(story)
        self.server.route(
            f"/news/{story.slug}.html",
            body=self._page(story),
            headers={"Content-Type": "text/html; charset=utf-8"},
        )

    def _page(self, story: Story) -> bytes:
        paragraphs = "".join(f"<p>{p}</p>" for p in story.paragraphs)
        link = self.server.url(f"/news/{story.slug}.html")
        return PAGE.format(title=story.title, link=link, paragraphs=paragraphs).encode()

    def feed(self, _req: Request) -> Response:
        items = "".join(
            RSS_ITEM.format(
                title=s.title,
                link=self.server.url(f"/news/{s.slug}.html"),
                date=s.date,
                summary=s.paragraphs[0],
            )
            for s in reversed(self.stories)
        )
        body = (
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>Test Gazette</title>'
            f"<link>{self.server.url('/')}</link>{items}</channel></rss>"
        ).encode()
        return Response(200, body, {"Content-Type": "application/rss+xml"})

    @property
    def feed_url(self) -> str:
        return self.server.url("/feed.xml")


def news_site(server: LocalServer, *first: Story) -> tuple[NewsSite, WebhookReceiver]:
    """A news site with its feed at /feed.xml, already carrying `first`, and a webhook
    receiver at /hook, both on `server`."""
    site = NewsSite(server)
    server.route("/feed.xml", handler=site.feed)
    for story in first:
        site.publish(story)
    return site, WebhookReceiver(server)


class WebhookReceiver:
    """Records POSTs; answers 503 to the first `fail_first`."""

    def __init__(self, server: LocalServer, fail_first: int = 0) -> None:
        self.server = server
        self.fail_first = fail_first
        self.accepted: list[Request] = []
        self.refused: list[Request] = []
        self.url = server.route("/hook", handler=self._handle)

    def _handle(self, req: Request) -> Response:
        if len(self.refused) < self.fail_first:
            self.refused.append(req)
            return Response(503, b"busy")
        self.accepted.append(req)
        return Response(200, b"ok")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_config(
    path: Path,
    *,
    feed_url: str,
    hook_url: str,
    topics: dict[str, str],
    db: Path | str,
    extra: str = "",
    poll: str = "1s",
) -> Path:
    """`db` is a SQLite file, or a database URL."""
    url = db if isinstance(db, str) else f"sqlite:///{db}"
    lines = [
        "[monitor]",
        f'database_url = "{url}"',
        f'poll_interval = "{poll}"',
        "allow_private_networks = true",
        extra,
        "",
        "[[feeds]]",
        f'url = "{feed_url}"',
        'name = "Test Gazette"',
        "",
    ]
    for name, query in topics.items():
        lines += ["[[topics]]", f'name = "{name}"', f"query = '{query}'", ""]
    lines += [
        "[[channels]]",
        'name = "hook"',
        'type = "webhook"',
        f'url = "{hook_url}"',
        'secret = "${TEST_HOOK_SECRET}"',
        "",
    ]
    path.write_text("\n".join(lines))
    return path


def start_daemon(
    config: Path, env: dict[str, str] | None = None, log: Path | None = None
) -> subprocess.Popen[bytes]:
    full_env = {**os.environ, "TEST_HOOK_SECRET": "hook-secret-value", **(env or {})}
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 (closed by the process)
    return subprocess.Popen(
        [sys.executable, "-m", "monitor", "-c", str(config), "run"],
        env=full_env,
        stdout=out,
        stderr=out,
        start_new_session=True,
    )


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def group_members(pgid: int) -> list[int]:
    """Processes (zombies included) still in a process group, from /proc."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:
            members.append(int(stat.parent.name))
    return members


def stop(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM, timeout: float = 15) -> int:
    if proc.poll() is None:
        os.killpg(proc.pid, sig)
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)
        raise AssertionError(f"the daemon did not exit within {timeout}s of signal {sig}") from None
