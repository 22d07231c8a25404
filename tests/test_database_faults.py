"""The database failing under the running daemon: PostgreSQL going away is waited for and
reconnected; a full disk or a read-only database stops the daemon with a clear error and a
non-zero exit, so systemd restarts it."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import POSTGRES_URL, postgres_problem
from tests.daemon_support import (
    denial_story,
    news_site,
    start_daemon,
    stop,
    wait_for,
    write_config,
)
from tests.localserver import LocalServer

pytestmark = pytest.mark.timeout(120)


class TcpProxy:
    """Forwards 127.0.0.1:port to a target; `cut()` drops every connection and refuses new
    ones, `restore()` listens again on the same port."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self._conns: list[socket.socket] = []
        self._listener: socket.socket | None = None
        self.restore()

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self._conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.close()

    def cut(self) -> None:
        if self._listener is not None:
            # shutdown first: close() alone does not wake a thread blocked in accept()
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
            self._listener = None
        for conn in self._conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
                conn.close()
            except OSError:
                pass
        self._conns.clear()


@pytest.fixture
def pg_schema() -> Iterator[str]:
    problem = postgres_problem()
    if problem:
        if os.environ.get("NEWS_MONITOR_REQUIRE_POSTGRES"):
            pytest.fail(problem)
        pytest.skip(problem)
    import psycopg

    dsn = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield schema
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def test_postgresql_going_away_is_waited_for(tmp_path: Path, pg_schema: str) -> None:
    from sqlalchemy import make_url

    real = make_url(POSTGRES_URL)
    proxy = TcpProxy((real.host or "127.0.0.1", real.port or 5432))
    url = real.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    db_url = f"{url}?options=-csearch_path%3D{pg_schema}"
    with LocalServer() as server:
        site, hook = news_site(server, denial_story(1, "Brackenfield Motors"))
        config = write_config(
            tmp_path / "m.toml",
            feed_url=site.feed_url,
            hook_url=hook.url,
            topics={"b": '"Brackenfield Motors"', "o": '"Ostrava Steel"'},
            db=db_url,
        )
        log = tmp_path / "daemon.log"
        proc = start_daemon(config, log=log)
        try:
            wait_for(lambda: len(hook.accepted) == 1, 60, "the first alert")
            proxy.cut()
            site.publish(denial_story(2, "Ostrava Steel"))
            wait_for(
                lambda: "database unavailable, will retry" in log.read_text(),
                30,
                "the daemon to notice",
            )
            time.sleep(2)
            assert proc.poll() is None  # still running
            proxy.restore()
            wait_for(lambda: len(hook.accepted) == 2, 60, "the alert after reconnecting")
            assert json.loads(hook.accepted[1].body)["topic"] == "o"
            text = log.read_text()
            assert text.count("database unavailable") == 1  # once per outage, not per query
            assert "database reachable again" in text
        finally:
            proxy.restore() if proxy._listener is None else None
            assert stop(proc) == 0


def _mount_tmpfs(where: Path, size: str) -> None:
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("needs root and mount(8) to make a small filesystem for the test")
    where.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")


def test_a_full_disk_stops_the_daemon_with_an_error(tmp_path: Path) -> None:
    mount = tmp_path / "fs"
    _mount_tmpfs(mount, "4m")
    try:
        with LocalServer() as server:
            site, hook = news_site(server, denial_story(1, "Brackenfield Motors"))
            config = write_config(
                tmp_path / "m.toml",
                feed_url=site.feed_url,
                hook_url=hook.url,
                topics={"b": '"Brackenfield"'},
                db=mount / "m.db",
            )
            log = tmp_path / "daemon.log"
            proc = start_daemon(config, log=log)
            try:
                wait_for(lambda: len(hook.accepted) == 1, 60, "the first alert")
                with open(mount / "filler", "wb") as filler:
                    try:
                        while True:
                            filler.write(b"\0" * 65536)
                            filler.flush()
                    except OSError:
                        pass
                for n in range(2, 6):  # more news: the daemon must write
                    site.publish(denial_story(n, f"Brackenfield Unit {n}"))
                code = proc.wait(60)
            finally:
                if proc.poll() is None:
                    stop(proc)
        assert code == 1
        text = log.read_text()
        assert "disk is full" in text and "stopped:" in text
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def test_a_read_only_database_stops_the_daemon_at_start(tmp_path: Path) -> None:
    mount = tmp_path / "fs"
    _mount_tmpfs(mount, "8m")
    try:
        config = write_config(
            tmp_path / "m.toml",
            feed_url="http://127.0.0.1:9/feed.xml",
            hook_url="http://127.0.0.1:9/hook",
            topics={"b": "b"},
            db=mount / "m.db",
        )
        env = {**os.environ, "TEST_HOOK_SECRET": "x"}
        made = subprocess.run(
            [sys.executable, "-m", "monitor", "-c", str(config), "db", "stats"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert made.returncode == 0, made.stderr
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        config.write_text(
            config.read_text() + '\n[[feeds]]\nurl = "http://127.0.0.1:9/other.xml"\n'
        )
        run = subprocess.run(
            [sys.executable, "-m", "monitor", "-c", str(config), "run"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert run.returncode == 1
        assert "cannot open the database file" in run.stderr, run.stderr[-2000:]
        assert "Traceback" not in run.stderr
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)
