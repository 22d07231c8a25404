"""A real HTTP server on 127.0.0.1 for tests: routes map a path to a canned response or a
handler. Requests are recorded so tests can assert on headers (If-None-Match, User-Agent ...)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Response:
    status: int = 200
    body: bytes | Iterator[bytes] = b""
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Request], Response]


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # clients that hang up on purpose (size caps, timeouts) are part of the tests
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionResetError | BrokenPipeError):
            super().handle_error(request, client_address)


class LocalServer:
    """`with LocalServer() as srv: srv.route("/feed.xml", body=b"...")`; `srv.url("/feed.xml")`."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Handler] = {}
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path = self.path.split("?", 1)[0]
                req = Request(
                    self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body
                )
                with server._lock:
                    server.requests.append(req)
                    handler = server.routes.get(self.path) or server.routes.get(path)
                resp = handler(req) if handler else Response(404, b"not found")
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self._write(resp)

            def _write(self, resp: Response) -> None:
                self.send_response(resp.status)
                headers = {k.lower(): v for k, v in resp.headers.items()}
                if isinstance(resp.body, bytes):
                    headers.setdefault("content-length", str(len(resp.body)))
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(resp.body)
                    return
                self.send_header("Connection", "close")
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.close_connection = True
                for chunk in resp.body:
                    self.wfile.write(chunk)
                    self.wfile.flush()

            do_GET = do_POST = do_HEAD = _serve

        self.httpd = _QuietServer((host, 0), _Handler)
        self.httpd.daemon_threads = True
        address = self.httpd.server_address
        self.host, self.port = str(address[0]), int(address[1])
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def route(
        self,
        path: str,
        body: bytes = b"",
        status: int = 200,
        headers: dict[str, str] | None = None,
        handler: Handler | None = None,
    ) -> str:
        """Serve `path`; returns its full URL."""
        if handler is None:
            canned = Response(status, body, dict(headers or {}))
            handler = lambda _req: canned  # noqa: E731
        with self._lock:
            self.routes[path] = handler
        return self.url(path)

    def reset(self) -> None:
        """Forget every route and recorded request (to share one server between tests)."""
        with self._lock:
            self.routes.clear()
            self.requests.clear()

    def hits(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.path.split("?", 1)[0] == path]

    def __enter__(self) -> LocalServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
