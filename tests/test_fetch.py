"""The fetch stage against a real HTTP server on 127.0.0.1 (tests/localserver.py).

Every test runs under a guard that refuses any outgoing TCP connection to an address
other than loopback, so even a broken address check cannot send traffic elsewhere; the
guard also records the addresses the fetcher tried, so "refused before any connection"
is asserted, not assumed.
"""

from __future__ import annotations

import asyncio
import gzip
import ipaddress
import random
import socket
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable, Coroutine, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any, TypeVar

import pytest

from monitor.errors import FetchError, RefusedAddress
from monitor.pipeline.fetch import (
    BodyInflater,
    BodyTooLarge,
    Fetcher,
    FetchResult,
    FetchSettings,
    check_addresses,
    failure_delay,
    is_public_address,
    literal_address,
    parse_retry_after,
)
from tests.localserver import LocalServer, Request, Response

T = TypeVar("T")
LOOPBACK = {"127.0.0.1", "::1", "localhost"}
LOCAL = FetchSettings(allow_private_networks=True, total_timeout=10.0)


@pytest.fixture(autouse=True)
def _no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # A proxy in the developer's environment would swallow the loopback requests.
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def connections(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Addresses the code under test tried to connect to; non-loopback ones are refused."""
    tried: list[str] = []
    original = asyncio.base_events.BaseEventLoop.create_connection

    async def guarded(
        self: Any, protocol_factory: Any, host: Any = None, *a: Any, **kw: Any
    ) -> Any:
        tried.append(str(host))
        if str(host) not in LOOPBACK:
            raise OSError(f"test guard: refusing to connect to {host}")
        return await original(self, protocol_factory, host, *a, **kw)

    monkeypatch.setattr(asyncio.base_events.BaseEventLoop, "create_connection", guarded)
    return tried


@pytest.fixture(scope="module")
def _shared_server() -> Iterator[LocalServer]:
    # One server for the module: stopping one takes half a second (its poll interval).
    with LocalServer() as srv:
        yield srv


@pytest.fixture
def server(_shared_server: LocalServer) -> LocalServer:
    """The local server with no routes and no recorded requests."""
    _shared_server.routes.clear()
    _shared_server.requests.clear()
    return _shared_server


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


async def feed(settings: FetchSettings, url: str, **kw: Any) -> FetchResult:
    async with Fetcher(settings, **kw.pop("fetcher_kw", {})) as fetcher:
        return await fetcher.fetch_feed(url, **kw)


async def page(settings: FetchSettings, url: str, **fetcher_kw: Any) -> FetchResult:
    async with Fetcher(settings, **fetcher_kw) as fetcher:
        return await fetcher.fetch_page(url)


def fetch_error(coro: Coroutine[Any, Any, Any]) -> FetchError:
    with pytest.raises(FetchError) as info:
        run(coro)
    return info.value


class FakeResolver:
    """Maps test host names to addresses; records what it was asked."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table
        self.asked: list[str] = []

    async def resolve(self, host: str) -> list[str]:
        self.asked.append(host)
        if host not in self.table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return self.table[host]


RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'


# --- the ordinary fetch ---------------------------------------------------------------


def test_fetch_feed_returns_body_type_charset_and_validators(server: LocalServer) -> None:
    url = server.route(
        "/feed.xml",
        RSS,
        headers={
            "Content-Type": "Application/RSS+XML; Charset=UTF-8",
            "ETag": '"v1"',
            "Last-Modified": "Mon, 02 Nov 2026 09:00:00 GMT",
        },
    )
    result = run(feed(LOCAL, url))
    assert result == FetchResult(
        url=url,
        final_url=url,
        status=200,
        body=RSS,
        content_type="application/rss+xml",
        charset="utf-8",
        etag='"v1"',
        last_modified="Mon, 02 Nov 2026 09:00:00 GMT",
    )


def test_user_agent_and_accept_headers(server: LocalServer) -> None:
    url = server.route("/x", b"<html></html>", headers={"Content-Type": "text/html"})
    settings = FetchSettings(allow_private_networks=True, user_agent="desk-monitor/2 (+ops@ex)")
    run(feed(settings, url))
    run(page(settings, url))
    feed_req, page_req = server.hits("/x")
    assert feed_req.headers["user-agent"] == "desk-monitor/2 (+ops@ex)"
    assert page_req.headers["user-agent"] == "desk-monitor/2 (+ops@ex)"
    assert "application/rss+xml" in feed_req.headers["accept"]
    assert page_req.headers["accept"].startswith("text/html")
    assert "gzip" in feed_req.headers["accept-encoding"]


def test_conditional_get_sends_validators_and_returns_304(server: LocalServer) -> None:
    def handler(req: Request) -> Response:
        if req.headers.get("if-none-match") == '"v1"':
            return Response(304, b"", {"ETag": '"v1"'})
        return Response(200, RSS, {"ETag": '"v1"'})

    url = server.route("/feed.xml", handler=handler)
    result = run(feed(LOCAL, url, etag='"v1"', last_modified="Mon, 02 Nov 2026 09:00:00 GMT"))
    assert (result.status, result.body, result.etag) == (304, b"", '"v1"')
    sent = server.hits("/feed.xml")[0].headers
    assert sent["if-modified-since"] == "Mon, 02 Nov 2026 09:00:00 GMT"
    fresh = run(feed(LOCAL, url, etag='"v0"'))
    assert (fresh.status, fresh.body) == (200, RSS)


def test_no_validators_sent_without_them(server: LocalServer) -> None:
    url = server.route("/feed.xml", RSS)
    run(feed(LOCAL, url))
    sent = server.hits("/feed.xml")[0].headers
    assert "if-none-match" not in sent and "if-modified-since" not in sent


def test_gzip_body_is_decompressed(server: LocalServer) -> None:
    url = server.route("/feed.xml", gzip.compress(RSS), headers={"Content-Encoding": "gzip"})
    assert run(feed(LOCAL, url)).body == RSS


# --- redirects ------------------------------------------------------------------------


def test_redirect_chain_is_followed_and_final_url_recorded(server: LocalServer) -> None:
    final = server.route("/feed.xml", RSS)
    server.route("/b", status=301, headers={"Location": final})
    start = server.route("/a", status=302, headers={"Location": "/b"})  # relative Location
    result = run(feed(LOCAL, start))
    assert (result.url, result.final_url, result.body) == (start, final, RSS)


def test_redirect_loop_is_an_error(server: LocalServer) -> None:
    server.route("/x", status=302, headers={"Location": "/y"})
    start = server.route("/y", status=307, headers={"Location": "/x"})
    assert fetch_error(feed(LOCAL, start)).kind == "redirects"
    assert len(server.requests) == 2


def test_too_many_redirects(server: LocalServer) -> None:
    for n in range(10):
        server.route(f"/r{n}", status=302, headers={"Location": f"/r{n + 1}"})
    settings = FetchSettings(allow_private_networks=True, max_redirects=3)
    assert fetch_error(feed(settings, server.url("/r0"))).kind == "redirects"
    assert len(server.requests) == 4  # the first request and three redirects followed


def test_redirect_to_another_scheme_is_refused(server: LocalServer) -> None:
    url = server.route("/x", status=302, headers={"Location": "file:///etc/passwd"})
    assert isinstance(fetch_error(feed(LOCAL, url)), RefusedAddress)


def test_redirect_without_location(server: LocalServer) -> None:
    url = server.route("/x", status=302)
    assert fetch_error(feed(LOCAL, url)).kind == "http_302"


# --- status codes and network errors --------------------------------------------------


@pytest.mark.parametrize("status", [404, 410, 500, 502])
def test_http_errors_have_status_kinds(server: LocalServer, status: int) -> None:
    url = server.route("/x", b"no", status=status)
    error = fetch_error(feed(LOCAL, url))
    assert (error.kind, error.retry_after) == (f"http_{status}", None)


def test_429_carries_retry_after_seconds(server: LocalServer) -> None:
    url = server.route("/x", b"slow down", status=429, headers={"Retry-After": "120"})
    error = fetch_error(feed(LOCAL, url))
    assert (error.kind, error.retry_after) == ("http_429", 120.0)


def test_503_carries_retry_after_date(server: LocalServer) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(hours=1), usegmt=True)
    url = server.route("/x", status=503, headers={"Retry-After": when})
    error = fetch_error(feed(LOCAL, url))
    assert error.kind == "http_503"
    assert error.retry_after is not None and 3500 < error.retry_after <= 3600


def test_connection_refused_is_connect(server: LocalServer) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert fetch_error(feed(LOCAL, f"http://127.0.0.1:{port}/")).kind == "connect"


def test_slow_answer_is_timeout(server: LocalServer) -> None:
    def slow(_req: Request) -> Response:
        time.sleep(1.0)
        return Response(200, RSS)

    url = server.route("/slow", handler=slow)
    settings = FetchSettings(allow_private_networks=True, read_timeout=0.2)
    assert fetch_error(feed(settings, url)).kind == "timeout"


def test_dripping_server_is_cut_off_by_the_total_deadline(server: LocalServer) -> None:
    def drip() -> Iterator[bytes]:
        for _ in range(20):  # bounded: the server thread stops by itself
            yield b"<"
            time.sleep(0.1)

    url = server.route("/drip", handler=lambda _req: Response(200, drip()))
    # Each byte arrives well within read_timeout; only the whole-fetch deadline stops it.
    settings = FetchSettings(allow_private_networks=True, read_timeout=5, total_timeout=0.5)
    started = time.monotonic()
    assert fetch_error(feed(settings, url)).kind == "timeout"
    assert time.monotonic() - started < 1.5


def test_garbage_response_is_protocol(server: LocalServer) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]

        def answer_garbage() -> None:
            conn, _ = listener.accept()
            with conn:
                conn.recv(4096)
                conn.sendall(b"NOT HTTP AT ALL\r\n\r\n")

        thread = threading.Thread(target=answer_garbage, daemon=True)
        thread.start()
        error = fetch_error(feed(LOCAL, f"http://127.0.0.1:{port}/"))
        thread.join(timeout=5)
    assert error.kind == "protocol"


@pytest.mark.parametrize("url", ["not a url", "http://", "http://[/x"])
def test_invalid_url_is_url(url: str) -> None:
    assert fetch_error(feed(LOCAL, url)).kind == "url"


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/x", "file:///etc/passwd", "gopher://x/"])
def test_other_schemes_are_refused(url: str, connections: list[str]) -> None:
    assert isinstance(fetch_error(feed(LOCAL, url)), RefusedAddress)
    assert connections == []


# --- size cap -------------------------------------------------------------------------


def test_declared_length_over_the_cap_is_refused_before_reading(server: LocalServer) -> None:
    url = server.route("/big", b"x" * 5000)
    settings = FetchSettings(allow_private_networks=True, max_bytes=1000)
    assert fetch_error(feed(settings, url)).kind == "too_large"


def test_body_at_the_cap_is_accepted(server: LocalServer) -> None:
    url = server.route("/big", b"x" * 1000)
    settings = FetchSettings(allow_private_networks=True, max_bytes=1000)
    assert len(run(feed(settings, url)).body) == 1000


def test_streamed_body_without_length_is_stopped_at_the_cap(server: LocalServer) -> None:
    sent: list[int] = []

    def chunks() -> Iterator[bytes]:
        for n in range(200):  # 200 x 10 KB if nobody stops reading
            sent.append(n)
            yield b"x" * 10_000
            time.sleep(0.002)

    url = server.route("/stream", handler=lambda _req: Response(200, chunks()))
    settings = FetchSettings(allow_private_networks=True, max_bytes=50_000)
    assert fetch_error(feed(settings, url)).kind == "too_large"


def test_gzip_bomb_is_stopped_by_the_decompressed_cap(server: LocalServer) -> None:
    bomb = gzip.compress(b"\0" * 50_000_000, compresslevel=9)
    assert len(bomb) < 100_000  # small on the wire, so only the inflated size can trip
    url = server.route("/bomb", bomb, headers={"Content-Encoding": "gzip"})
    settings = FetchSettings(allow_private_networks=True, max_bytes=1_000_000)
    assert fetch_error(feed(settings, url)).kind == "too_large"


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate, no zlib header
        ("x-gzip", gzip.compress),
        ("identity", lambda data: data),
    ],
)
def test_content_encodings_are_inflated(
    server: LocalServer, encoding: str, compress: Callable[[bytes], bytes]
) -> None:
    url = server.route("/f", compress(RSS * 50), headers={"Content-Encoding": encoding})
    assert run(feed(LOCAL, url)).body == RSS * 50


@pytest.mark.parametrize(
    ("encoding", "body"),
    [("br", b"\x1b\x00"), ("gzip", b"\x1f\x8b not really gzip"), ("deflate", b"garbage!")],
)
def test_unsupported_or_broken_encodings_are_protocol(
    server: LocalServer, encoding: str, body: bytes
) -> None:
    url = server.route("/f", body, headers={"Content-Encoding": encoding})
    assert fetch_error(feed(LOCAL, url)).kind == "protocol"


def test_inflater_never_holds_more_than_the_cap() -> None:
    bomb = gzip.compress(b"\0" * 50_000_000, compresslevel=9)
    inflater = BodyInflater("gzip", max_bytes=1_000_000)
    tracemalloc.start()
    try:
        with pytest.raises(BodyTooLarge):
            inflater.feed(bomb)  # the whole bomb in one network read
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4_000_000  # about the cap, not the 50 MB the bomb inflates to


def test_inflater_accepts_a_body_exactly_at_the_cap() -> None:
    inflater = BodyInflater("gzip", max_bytes=100_000)
    data = gzip.compress(b"a" * 100_000)
    for start in range(0, len(data), 7):  # in small network reads
        inflater.feed(data[start : start + 7])
    assert inflater.finish() == b"a" * 100_000


# --- content types --------------------------------------------------------------------


@pytest.mark.parametrize(
    "mime", ["application/pdf", "image/jpeg", "application/octet-stream", "video/mp4"]
)
def test_page_refuses_non_text_before_reading(server: LocalServer, mime: str) -> None:
    url = server.route("/doc", b"%PDF-1.7", headers={"Content-Type": mime})
    assert fetch_error(page(LOCAL, url)).kind == "content_type"


@pytest.mark.parametrize(
    "mime", ["text/html; charset=utf-8", "application/xhtml+xml", "text/plain", "text/xml", None]
)
def test_page_accepts_text(server: LocalServer, mime: str | None) -> None:
    url = server.route("/doc", b"<p>hi</p>", headers={"Content-Type": mime} if mime else {})
    assert run(page(LOCAL, url)).body == b"<p>hi</p>"


@pytest.mark.parametrize("mime", ["image/png", "application/pdf", "audio/mpeg", "video/mp4"])
def test_feed_refuses_media(server: LocalServer, mime: str) -> None:
    url = server.route("/f", b"\x89PNG", headers={"Content-Type": mime})
    assert fetch_error(feed(LOCAL, url)).kind == "content_type"


@pytest.mark.parametrize(
    "mime",
    ["application/rss+xml", "application/atom+xml", "text/xml", "text/html", "application/json",
     "text/plain", None],
)  # fmt: skip
def test_feed_accepts_anything_that_may_be_a_feed(server: LocalServer, mime: str | None) -> None:
    url = server.route("/f", RSS, headers={"Content-Type": mime} if mime else {})
    result = run(feed(LOCAL, url))
    assert (result.body, result.content_type) == (RSS, (mime or "").split(";")[0])


# --- politeness: per-host cap ---------------------------------------------------------


def test_per_host_cap_limits_concurrent_requests(server: LocalServer) -> None:
    lock = threading.Lock()
    active = [0]
    peak = [0]

    def handler(_req: Request) -> Response:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.15)
        with lock:
            active[0] -= 1
        return Response(200, RSS)

    url = server.route("/feed.xml", handler=handler)
    settings = FetchSettings(allow_private_networks=True, max_per_host=2)

    async def many() -> list[FetchResult]:
        async with Fetcher(settings) as fetcher:
            return await asyncio.gather(*(fetcher.fetch_feed(url) for _ in range(6)))

    results = run(many())
    assert [r.status for r in results] == [200] * 6
    assert peak[0] == 2


def test_a_slow_server_does_not_hold_up_its_neighbour_on_another_port(server: LocalServer) -> None:
    release = threading.Event()

    def stuck(_req: Request) -> Response:
        release.wait(10)
        return Response(200, RSS)

    slow_url = server.route("/slow.xml", handler=stuck)
    settings = FetchSettings(allow_private_networks=True, max_per_host=1, total_timeout=5)

    async def both() -> FetchResult:
        with LocalServer() as neighbour:
            fast_url = neighbour.route("/feed.xml", body=RSS)
            async with Fetcher(settings) as fetcher:
                slow = asyncio.ensure_future(fetcher.fetch_feed(slow_url))
                await asyncio.sleep(0.2)  # the slow fetch holds its host's only slot
                fast = await fetcher.fetch_feed(fast_url)
                release.set()
                await slow
                return fast

    assert run(both()).status == 200


def test_time_queued_for_a_host_slot_is_not_charged_to_the_fetch(server: LocalServer) -> None:
    def slowish(_req: Request) -> Response:
        time.sleep(0.6)
        return Response(200, RSS)

    url = server.route("/feed.xml", handler=slowish)
    # three fetches through one slot take ~1.8 s in all, each well under its 1 s deadline
    settings = FetchSettings(allow_private_networks=True, max_per_host=1, total_timeout=1.0)

    async def three() -> list[FetchResult]:
        async with Fetcher(settings) as fetcher:
            return await asyncio.gather(*(fetcher.fetch_feed(url) for _ in range(3)))

    assert [r.status for r in run(three())] == [200, 200, 200]


# --- SSRF -----------------------------------------------------------------------------

NOT_PUBLIC = {
    "metadata.test": ["169.254.169.254"],
    "intranet.test": ["10.0.0.5"],
    "router.test": ["192.168.1.1"],
    "loopback.test": ["127.0.0.1"],
    "v6local.test": ["fe80::1%eth0"],
    "cgnat.test": ["100.64.0.1"],
    "mixed.test": ["93.184.216.34", "10.0.0.5"],
}


@pytest.mark.parametrize("host", sorted(NOT_PUBLIC))
def test_hosts_resolving_to_private_addresses_are_refused(
    host: str, server: LocalServer, connections: list[str]
) -> None:
    resolver = FakeResolver(NOT_PUBLIC)
    url = f"http://{host}:{server.port}/feed.xml"
    error = fetch_error(feed(FetchSettings(), url, fetcher_kw={"resolver": resolver}))
    assert isinstance(error, RefusedAddress) and error.kind == "refused"
    assert resolver.asked == [host]
    assert connections == [] and server.requests == []


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "2130706433", "0x7f000001", "127.1", "[::1]",
     "[::ffff:127.0.0.1]", "0.0.0.0", "[::]"],
)  # fmt: skip
def test_literal_private_addresses_are_refused_without_resolving(
    host: str, server: LocalServer, connections: list[str]
) -> None:
    resolver = FakeResolver({})
    url = f"http://{host}:{server.port}/feed.xml"
    error = fetch_error(page(FetchSettings(), url, resolver=resolver))
    assert isinstance(error, RefusedAddress)
    assert resolver.asked == [] and connections == [] and server.requests == []


def test_octal_address_is_never_fetched(server: LocalServer, connections: list[str]) -> None:
    # httpx itself rejects this spelling of 127.0.0.1 as an invalid URL.
    error = fetch_error(page(FetchSettings(), f"http://0177.0.0.1:{server.port}/"))
    assert error.kind == "url" and connections == [] and server.requests == []


def test_unresolvable_host_is_connect(connections: list[str]) -> None:
    error = fetch_error(
        feed(FetchSettings(), "http://nowhere.test/", fetcher_kw={"resolver": FakeResolver({})})
    )
    assert error.kind == "connect" and connections == []


def _loopback_counts_as_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """The real policy, except that the local test server's address counts as public:
    the stand-in for a public outlet, injected like any other policy."""
    return ip == ipaddress.ip_address("127.0.0.1") or is_public_address(ip)


def test_connections_go_to_the_checked_address(server: LocalServer, connections: list[str]) -> None:
    """`public.test` does not exist in DNS: reaching the server proves the fetcher connected
    to the address it checked rather than resolving the name again (DNS rebinding)."""
    url = server.route("/feed.xml", RSS)
    resolver = FakeResolver({"public.test": ["127.0.0.1"]})
    kw = {"resolver": resolver, "address_policy": _loopback_counts_as_public}
    result = run(feed(FetchSettings(), url.replace("127.0.0.1", "public.test"), fetcher_kw=kw))
    assert result.body == RSS
    assert server.hits("/feed.xml")[0].headers["host"] == f"public.test:{server.port}"
    assert connections == ["127.0.0.1"]


@pytest.mark.parametrize(
    "target", ["http://intranet.test/secret", "http://169.254.169.254/latest/"]
)
def test_public_url_redirecting_to_a_private_one_is_refused(
    target: str, server: LocalServer, connections: list[str]
) -> None:
    server.route("/go", status=302, headers={"Location": target})
    resolver = FakeResolver({"public.test": ["127.0.0.1"], **NOT_PUBLIC})
    kw = {"resolver": resolver, "address_policy": _loopback_counts_as_public}
    url = f"http://public.test:{server.port}/go"
    assert isinstance(fetch_error(feed(FetchSettings(), url, fetcher_kw=kw)), RefusedAddress)
    assert [r.path for r in server.requests] == ["/go"]
    assert connections == ["127.0.0.1"]  # never an attempt at the private address


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("127.0.0.1", False),
        ("10.0.0.5", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("240.0.0.1", False),
        ("255.255.255.255", False),
        ("::1", False),
        ("::", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("ff02::1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:10.0.0.1", False),
        ("::ffff:93.184.216.34", True),
        ("2002:7f00:1::", False),  # 6to4 wrapping 127.0.0.1
        ("2002:5db8:d822::", True),  # 6to4 wrapping 93.184.216.34
    ],
)
def test_address_policy(address: str, public: bool) -> None:
    assert is_public_address(ipaddress.ip_address(address)) is public


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("2130706433", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("[::ffff:127.0.0.1]", "::ffff:7f00:1"),
        ("example.com", None),
        ("cafe.be", None),
        ("deadbeef", None),
    ],
)
def test_literal_address(host: str, address: str | None) -> None:
    found = literal_address(host)
    assert (str(found) if found else None) == address


def test_check_addresses_needs_every_address_allowed() -> None:
    public = ipaddress.ip_address("93.184.216.34")
    check_addresses("ok.test", [public], is_public_address)
    with pytest.raises(RefusedAddress, match="10.0.0.5"):
        check_addresses("mixed.test", [public, ipaddress.ip_address("10.0.0.5")], is_public_address)
    with pytest.raises(RefusedAddress):
        check_addresses("empty.test", [], is_public_address)


# --- Retry-After and backoff ----------------------------------------------------------


def test_parse_retry_after() -> None:
    now = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    assert parse_retry_after("30", now) == 30.0
    assert parse_retry_after("Mon, 02 Nov 2026 09:02:00 GMT", now) == 120.0
    assert parse_retry_after("Mon, 02 Nov 2026 08:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None
    assert parse_retry_after("-5", now) is None


def test_failure_delay_grows_then_caps() -> None:
    rng = random.Random(7)
    ceilings = [min(3600.0, 60.0 * 2**n) for n in range(1, 12)]
    for failures, ceiling in enumerate(ceilings, start=1):
        for _ in range(50):
            delay = failure_delay(failures, 60.0, cap=3600.0, rng=rng)
            assert max(60.0, ceiling / 2) <= delay <= ceiling
    assert failure_delay(40, 60.0, cap=3600.0, rng=rng) <= 3600.0
    assert failure_delay(10_000, 60.0, cap=3600.0, rng=rng) <= 3600.0


def test_failure_delay_is_jittered_and_seeded() -> None:
    first = [failure_delay(5, 60.0, rng=random.Random(1)) for _ in range(3)]
    assert len(set(first)) == 1  # same seed, same draw
    spread = {failure_delay(5, 60.0, rng=random.Random(seed)) for seed in range(20)}
    assert len(spread) == 20 and min(spread) >= 960 and max(spread) <= 1920


def test_failure_delay_respects_retry_after_and_no_failure() -> None:
    rng = random.Random(3)
    assert failure_delay(1, 60.0, retry_after=7200.0, rng=rng) == 7200.0
    assert failure_delay(20, 60.0, retry_after=30 * 3600.0, rng=rng) == 30 * 3600.0
    assert 60.0 <= failure_delay(1, 60.0, retry_after=1.0, rng=rng) <= 120.0
    assert failure_delay(0, 300.0) == 300.0
    with pytest.raises(ValueError):
        failure_delay(1, -1.0)


# --- behind a proxy ----------------------------------------------------------------------


@pytest.fixture
def through_proxy(server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> LocalServer:
    """The local server as the HTTP proxy of the standard variables (a proxied request's
    line holds the absolute URL, so routes are keyed by it)."""
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{server.port}")
    monkeypatch.setenv("NO_PROXY", "")
    return server


def test_the_standard_proxy_variables_are_honoured_and_the_proxy_resolves(
    through_proxy: LocalServer, connections: list[str]
) -> None:
    """A server behind a corporate proxy often has no outside DNS: a name that does not
    resolve here is the proxy's to resolve, and the feed comes through it."""
    through_proxy.route("http://feeds.example.test/rss", RSS)
    resolver = FakeResolver({})
    url = "http://feeds.example.test/rss"
    result = run(feed(FetchSettings(), url, fetcher_kw={"resolver": resolver}))
    assert result.body == RSS
    assert [r.path for r in through_proxy.requests] == [url]
    assert resolver.asked == ["feeds.example.test"]
    assert connections == ["127.0.0.1"]  # the proxy, nothing else


@pytest.mark.parametrize("url", ["http://10.0.0.5/rss", "http://intranet.test/rss"])
def test_through_a_proxy_private_addresses_are_still_refused(
    url: str, through_proxy: LocalServer, connections: list[str]
) -> None:
    resolver = FakeResolver(NOT_PUBLIC)
    error = fetch_error(feed(FetchSettings(), url, fetcher_kw={"resolver": resolver}))
    assert isinstance(error, RefusedAddress)
    assert through_proxy.requests == [] and connections == []
