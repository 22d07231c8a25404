"""Fetch feeds and article pages over HTTP: politely, within limits, and never from an
address inside the user's own network unless they allow it.

One `Fetcher` owns one `httpx.AsyncClient`. Each fetch:

- checks the URL's scheme (http/https) and, unless private networks are allowed, resolves the
  host and refuses (`RefusedAddress`, before any connection) when ANY address it resolves to
  is not public: loopback, private, link-local (cloud metadata at 169.254.169.254), shared
  (100.64/10), multicast, reserved or unspecified. IPv4-mapped, 6to4 and Teredo IPv6
  addresses are judged by the IPv4 address they carry, and numeric hosts in every spelling
  the C resolver accepts (``2130706433``, ``0x7f.1``, ``127.1``) are judged as addresses;
- follows redirects itself, at most `max_redirects`, re-checking scheme and address at each
  hop, so a public URL redirecting to an internal one is refused too;
- holds at most `max_per_host` connections to one host and port (an asyncio.Semaphore each,
  as httpx only caps the whole pool) and runs under one deadline, `total_timeout`, covering
  redirects and body from the moment it holds its first slot (time queued behind other
  fetches to the same host is not charged), so a server dripping a byte a second is cut off;
- refuses bodies whose Content-Length exceeds `max_bytes` before reading them, and stops
  reading once the decompressed body passes `max_bytes`;
- refuses, before reading the body, content types that cannot be a feed or an article page;
- turns every failure into a `FetchError` whose `kind` says why: ``timeout``, ``connect``
  (refused, reset, TLS, DNS), ``http_<status>`` (429/503 carry `retry_after`), ``too_large``,
  ``redirects`` (loop, too many, bad Location), ``content_type``, ``refused``
  (`RefusedAddress`: scheme or address), ``url`` (not a fetchable URL) or ``protocol``
  (broken HTTP or compressed body). No httpx, ssl or socket exception escapes.

DNS rebinding: the addresses checked are the addresses connected to. The fetcher wraps the
httpx connection pool's network backend so a connection to a checked host goes to the
addresses that passed the check, not to a fresh lookup (TLS still verifies the host name).
httpx has no public hook for this; `_pin_connections` reaches into the default transport's
pool, and a test fails if an httpx upgrade moves it. Limit: when a proxy from the standard
environment variables is in use (httpx's trust_env, honoured here) the proxy resolves the
name again, so pinning covers direct connections only; a name this machine cannot resolve
at all goes to the proxy unchecked (behind a corporate proxy there is often no outside DNS),
while literal addresses and names that resolve here are checked as always.

Memory: the fetcher asks for gzip or deflate only and inflates the raw body itself with
zlib's `max_length`, so it never holds more than `max_bytes` + 1 inflated bytes: a gzip bomb
is stopped at the cap. (httpx's own `aiter_bytes` inflates a whole network read at once,
which for a bomb is up to ~1000 times the read size before any cap can look at it.)

`failure_delay` says when to try a failing feed again: exponential backoff with jitter,
capped, never sooner than the server's Retry-After.
"""

from __future__ import annotations

import asyncio
import ipaddress
import random
import re
import socket
import zlib
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Protocol
from urllib.request import (  # type: ignore[attr-defined]  # public, missing from typeshed
    getproxies_environment,
    proxy_bypass_environment,
)

import httpcore
import httpx

from monitor.errors import FetchError, RefusedAddress

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
AddressPolicy = Callable[[IPAddress], bool]

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml, application/xml;q=0.9, text/plain;q=0.8"

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml", "application/xml", "text/xml"})
_PAGE_TYPES_PLAIN = "text/plain"
# A feed may be served as almost anything (S3 serves octet-stream); refuse only what
# can never be one, and let the feed parser judge the rest.
_NOT_FEED_PREFIXES = ("image/", "audio/", "video/", "font/")
_NOT_FEED_TYPES = frozenset({"application/pdf", "application/zip", "application/x-shockwave-flash"})
# Every spelling of an IPv4 address inet_aton accepts: decimal, octal, hex, 1-4 parts.
_NUMERIC_HOST = re.compile(r"[0-9a-fx.]+", re.IGNORECASE)
# A host after IDNA encoding: a name, an IPv4 address or an IPv6 address (unbracketed).
_HOST = re.compile(r"[A-Za-z0-9._:-]+")
# What the layers below raise (ssl.SSLError and socket errors are OSErrors; asyncio's
# deadline raises TimeoutError, also an OSError).
# Content-Encoding -> zlib window bits (None: not compressed).
_INFLATE_WBITS: dict[str, int | None] = {
    "": None,
    "identity": None,
    "gzip": zlib.MAX_WBITS | 16,
    "x-gzip": zlib.MAX_WBITS | 16,
    "deflate": zlib.MAX_WBITS,
}
_LIBRARY_ERRORS = (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError, OSError, UnicodeError)


@dataclass(frozen=True, slots=True)
class FetchSettings:
    user_agent: str = "news-monitor/0.1"
    allow_private_networks: bool = False
    max_bytes: int = 10 * 1024 * 1024  # decompressed bytes
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0  # deadline for the whole fetch incl. redirects and body
    max_redirects: int = 5
    max_connections: int = 32
    max_per_host: int = 4


@dataclass(frozen=True, slots=True)
class FetchResult:
    url: str  # requested
    final_url: str  # after redirects
    status: int  # 200 (or other 2xx) or 304
    body: bytes  # b"" on 304; decompressed
    content_type: str  # lowercased mime without params, "" if absent
    charset: str | None
    etag: str | None
    last_modified: str | None


class Resolver(Protocol):
    async def resolve(self, host: str) -> list[str]: ...  # IP address strings


class SystemResolver:
    """The operating system's resolver (getaddrinfo), run off the event loop."""

    async def resolve(self, host: str) -> list[str]:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
        return list(dict.fromkeys(str(info[4][0]) for info in infos))


def is_public_address(ip: IPAddress) -> bool:
    """The default address policy: True only for globally routable unicast addresses."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None:
            return is_public_address(embedded)
    blocked = (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )
    return ip.is_global and not blocked


def literal_address(host: str) -> IPAddress | None:
    """The address a host names by itself, in any spelling the system resolver accepts,
    or None for a host name that needs resolving."""
    bare = host.strip("[]").split("%", 1)[0]
    try:
        return ipaddress.ip_address(bare)
    except ValueError:
        pass
    if _NUMERIC_HOST.fullmatch(bare):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(bare))
        except OSError:
            return None
    return None


def check_addresses(host: str, addresses: Iterable[IPAddress], allowed: AddressPolicy) -> None:
    """Raise RefusedAddress unless every address of `host` is allowed (and there is one)."""
    found = list(addresses)
    if not found:
        raise RefusedAddress(f"{host} resolves to no address")
    for ip in found:
        if not allowed(ip):
            raise RefusedAddress(
                f"{host} resolves to {ip}, which is not a public address; "
                "set allow_private_networks = true to fetch from your own network"
            )


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def failure_delay(
    failures: int,
    interval: float,
    retry_after: float | None = None,
    *,
    cap: float = 6 * 3600,
    rng: random.Random | None = None,
) -> float:
    """Seconds until the next try of a feed that failed `failures` times in a row.

    The ceiling doubles with each failure from 2 * `interval` up to `cap`; the delay is
    drawn from [ceiling / 2, ceiling] so feeds that failed together (one outlet down) spread
    out instead of retrying in step. It is never shorter than the feed's own interval (up to
    `cap`) and never shorter than the server's Retry-After.
    """
    if interval < 0 or cap < 0:
        raise ValueError("interval and cap must not be negative")
    if failures <= 0:
        delay = interval
    else:
        ceiling = min(cap, interval * 2.0 ** min(failures, 64))
        delay = max(min(interval, cap), (rng or random).uniform(ceiling / 2, ceiling))
    return max(delay, retry_after or 0.0)


class _PinnedBackend(httpcore.AsyncNetworkBackend):
    """Connects to the addresses that passed the check for a host instead of resolving the
    name again, which closes the DNS rebinding window between check and connect."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend) -> None:
        self._inner = inner
        self.pins: dict[str, tuple[str, ...]] = {}

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = self.pins.get(host.lower(), (host,))
        error: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc  # try the host's next checked address
        assert error is not None
        raise error

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        return await self._inner.connect_unix_socket(path, timeout, socket_options)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def _pin_connections(client: httpx.AsyncClient) -> _PinnedBackend:
    """Wrap the network backend of the client's direct (non-proxy) connection pool."""
    pool = getattr(getattr(client, "_transport", None), "_pool", None)
    inner = getattr(pool, "_network_backend", None)
    if not isinstance(inner, httpcore.AsyncNetworkBackend):
        raise RuntimeError("httpx internals moved: cannot pin connections to checked addresses")
    backend = _PinnedBackend(inner)
    pool._network_backend = backend  # type: ignore[union-attr]
    return backend


class _Deadline:
    """The whole-fetch deadline. It starts when the first request holds its host slot, so
    time spent queued behind other fetches to the same host is not charged to this one."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at: float | None = None

    def started(self) -> float:
        if self.at is None:
            self.at = asyncio.get_running_loop().time() + self.seconds
        return self.at


class _HostSlots:
    """At most `per_host` requests at once to one host; slots of idle hosts are dropped."""

    def __init__(self, per_host: int) -> None:
        self._per_host = per_host
        self._slots: dict[str, tuple[asyncio.Semaphore, int]] = {}

    @asynccontextmanager
    async def hold(self, host: str) -> AsyncIterator[None]:
        semaphore, users = self._slots.get(host, (asyncio.Semaphore(self._per_host), 0))
        self._slots[host] = (semaphore, users + 1)
        try:
            async with semaphore:
                yield
        finally:
            semaphore, users = self._slots[host]
            if users <= 1:
                del self._slots[host]
            else:
                self._slots[host] = (semaphore, users - 1)


class Fetcher:
    """Fetches feeds and pages; an async context manager owning one httpx.AsyncClient.

    `resolver` resolves host names for the address check (default: the system's);
    `address_policy` decides which addresses may be fetched when private networks are not
    allowed (default: `is_public_address`).
    """

    def __init__(
        self,
        settings: FetchSettings,
        resolver: Resolver | None = None,
        *,
        address_policy: AddressPolicy = is_public_address,
    ) -> None:
        self._settings = settings
        self._resolver = resolver or SystemResolver()
        self._allowed = address_policy
        self._slots = _HostSlots(settings.max_per_host)
        self._client: httpx.AsyncClient | None = None
        self._backend: _PinnedBackend | None = None
        self._proxies: dict[str, str] = {}

    async def __aenter__(self) -> Fetcher:
        s = self._settings
        self._client = httpx.AsyncClient(
            # Only what BodyInflater can inflate within the size cap.
            headers={"User-Agent": s.user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(s.read_timeout, connect=s.connect_timeout, pool=s.total_timeout),
            limits=httpx.Limits(
                max_connections=s.max_connections,
                max_keepalive_connections=s.max_connections,
            ),
            follow_redirects=False,  # each hop is re-checked by _follow
        )
        self._backend = _pin_connections(self._client)
        self._proxies = getproxies_environment()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def fetch_feed(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """GET a feed, conditionally when `etag` / `last_modified` from the last fetch are
        given (a 304 comes back as status 304 with an empty body)."""
        headers = {"Accept": FEED_ACCEPT}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return await self._fetch(url, headers, _may_be_feed)

    async def fetch_page(self, url: str) -> FetchResult:
        """GET an article page (HTML, XHTML, XML or plain text)."""
        return await self._fetch(url, {"Accept": PAGE_ACCEPT}, _may_be_page)

    async def _fetch(
        self, url: str, headers: dict[str, str], accepts: Callable[[str], bool]
    ) -> FetchResult:
        deadline = _Deadline(self._settings.total_timeout)
        try:
            return await self._follow(url, headers, accepts, deadline)
        except _LIBRARY_ERRORS as exc:  # the boundary: only FetchError leaves this module
            raise _translate(exc, url) from exc

    async def _follow(
        self,
        url: str,
        headers: dict[str, str],
        accepts: Callable[[str], bool],
        deadline: _Deadline,
    ) -> FetchResult:
        target = _target(url)
        seen = {str(target)}
        for _ in range(self._settings.max_redirects + 1):
            outcome = await self._hop(url, target, headers, accepts, deadline)
            if isinstance(outcome, FetchResult):
                return outcome
            target = _target(str(outcome))
            if str(target) in seen:
                raise FetchError("redirects", f"{url}: redirect loop at {target}")
            seen.add(str(target))
        raise FetchError("redirects", f"{url}: more than {self._settings.max_redirects} redirects")

    async def _hop(
        self,
        requested: str,
        target: httpx.URL,
        headers: dict[str, str],
        accepts: Callable[[str], bool],
        deadline: _Deadline,
    ) -> FetchResult | httpx.URL:
        """One request: a result, or the URL a redirect points to."""
        assert self._client is not None, "use Fetcher as an async context manager"
        host = target.raw_host.decode("ascii").lower()
        await self._check_host(host, proxied=self._proxied(target.scheme, host))
        # slots per host AND port: two servers on one machine are two neighbours, and a
        # slow one must not hold up the other
        slot = f"{host}:{target.port or (443 if target.scheme == 'https' else 80)}"
        async with self._slots.hold(slot), asyncio.timeout_at(deadline.started()):
            request = self._client.build_request("GET", target, headers=headers)
            response = await self._client.send(request, stream=True)
            try:
                return await self._read(requested, response, accepts)
            finally:
                await response.aclose()

    async def _check_host(self, host: str, *, proxied: bool = False) -> None:
        """Refuse hosts with a non-public address, and pin the checked addresses.

        Through a proxy, a name this machine cannot resolve is the proxy's to resolve: a
        server behind a corporate proxy often has no outside DNS at all. Literal addresses
        and names that do resolve here are still checked."""
        if self._settings.allow_private_networks:
            return
        literal = literal_address(host)
        if literal is not None:
            addresses = [literal]
        else:
            try:
                addresses = await self._resolve(host)
            except FetchError:
                if proxied:
                    return
                raise
        check_addresses(host, addresses, self._allowed)
        assert self._backend is not None
        self._backend.pins[host] = tuple(str(ip) for ip in addresses)

    def _proxied(self, scheme: str, host: str) -> bool:
        """Whether the standard proxy variables send this request through a proxy (httpx
        reads the same variables: trust_env)."""
        proxies = self._proxies
        return bool(proxies.get(scheme) or proxies.get("all")) and not proxy_bypass_environment(
            host, proxies
        )

    async def _resolve(self, host: str) -> list[IPAddress]:
        try:
            found = await self._resolver.resolve(host)
            return [ipaddress.ip_address(a.split("%", 1)[0]) for a in found]
        except (OSError, UnicodeError, ValueError) as exc:
            raise FetchError("connect", f"cannot resolve {host}: {exc}") from exc

    async def _read(
        self, requested: str, response: httpx.Response, accepts: Callable[[str], bool]
    ) -> FetchResult | httpx.URL:
        status = response.status_code
        if status in _REDIRECT_STATUSES:
            return _redirect_target(response)
        if status == 304:
            return _result(requested, response, b"")
        if not 200 <= status < 300:
            raise _status_error(response)
        mime = _mime(response)
        if not accepts(mime):
            raise FetchError("content_type", f"{response.url}: {mime} is not a feed or page")
        _refuse_declared_size(response, self._settings.max_bytes)
        body = await _read_capped(response, self._settings.max_bytes)
        return _result(requested, response, body)


def _target(url: str) -> httpx.URL:
    """Parse a URL to fetch; only http(s) with a host passes."""
    try:
        target = httpx.URL(url.strip())
        host = target.raw_host.decode("ascii")
    except (httpx.InvalidURL, ValueError, UnicodeError, TypeError) as exc:
        raise FetchError("url", f"not a valid URL: {url!r}") from exc
    if not target.scheme:
        raise FetchError("url", f"not an absolute URL: {url!r}")
    if target.scheme not in ("http", "https"):
        raise RefusedAddress(f"{url}: only http and https URLs are fetched")
    if not _HOST.fullmatch(host):
        raise FetchError("url", f"no valid host in URL: {url!r}")
    return target


def _redirect_target(response: httpx.Response) -> httpx.URL:
    location = response.headers.get("location", "").strip()
    if not location:
        raise FetchError(
            f"http_{response.status_code}", f"{response.url}: redirect without a Location"
        )
    try:
        return response.url.join(location)
    except (httpx.InvalidURL, ValueError, UnicodeError) as exc:
        raise FetchError("redirects", f"{response.url}: bad redirect to {location!r}") from exc


def _status_error(response: httpx.Response) -> FetchError:
    status = response.status_code
    retry_after = None
    if status in (429, 503):
        retry_after = parse_retry_after(response.headers.get("retry-after"))
    return FetchError(f"http_{status}", f"{response.url}: HTTP {status}", retry_after=retry_after)


def _mime(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def _may_be_page(mime: str) -> bool:
    # No Content-Type at all is common on small sites; the extractor judges those.
    return not mime or mime in _PAGE_TYPES or mime == _PAGE_TYPES_PLAIN or mime.endswith("+xml")


def _may_be_feed(mime: str) -> bool:
    return not (mime.startswith(_NOT_FEED_PREFIXES) or mime in _NOT_FEED_TYPES)


def _refuse_declared_size(response: httpx.Response, max_bytes: int) -> None:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(
            "too_large", f"{response.url}: {declared} bytes is over the {max_bytes}-byte limit"
        )


async def _read_capped(response: httpx.Response, max_bytes: int) -> bytes:
    """The decompressed body, stopping as soon as it passes `max_bytes`."""
    inflater = BodyInflater(response.headers.get("content-encoding", ""), max_bytes)
    try:
        async for raw in response.aiter_raw():
            inflater.feed(raw)
        return inflater.finish()
    except BodyTooLarge as exc:
        raise FetchError(
            "too_large", f"{response.url}: body is over the {max_bytes}-byte limit"
        ) from exc
    except zlib.error as exc:
        raise FetchError("protocol", f"{response.url}: broken compressed body: {exc}") from exc


class BodyTooLarge(Exception):
    """The inflated body passed its cap."""


class BodyInflater:
    """Inflates a gzip, deflate or identity body piece by piece, never producing more than
    `max_bytes` + 1 bytes: zlib's `max_length` bounds each step, the leftover input waits
    in `unconsumed_tail`."""

    def __init__(self, content_encoding: str, max_bytes: int) -> None:
        encoding = content_encoding.strip().lower()
        if encoding not in _INFLATE_WBITS:
            raise FetchError("protocol", f"unsupported Content-Encoding {content_encoding!r}")
        wbits = _INFLATE_WBITS[encoding]
        self._zlib = zlib.decompressobj(wbits) if wbits is not None else None
        self._deflate = encoding == "deflate"
        self._max_bytes = max_bytes
        self._parts: list[bytes] = []
        self._size = 0

    def feed(self, data: bytes) -> None:
        if self._zlib is None:
            self._keep(data)
            return
        while data and not self._zlib.eof:
            room = self._max_bytes + 1 - self._size  # always >= 1: 0 would mean "no limit"
            try:
                self._keep(self._zlib.decompress(data, room))
            except zlib.error:
                if not (self._deflate and self._size == 0):
                    raise
                # "deflate" is often sent raw, without the zlib header (httpx does the same).
                self._deflate = False
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                continue
            data = self._zlib.unconsumed_tail

    def finish(self) -> bytes:
        if self._zlib is not None:
            self._keep(self._zlib.flush())
        return b"".join(self._parts)

    def _keep(self, piece: bytes) -> None:
        self._size += len(piece)
        if self._size > self._max_bytes:
            raise BodyTooLarge
        if piece:
            self._parts.append(piece)


def _result(requested: str, response: httpx.Response, body: bytes) -> FetchResult:
    charset = response.charset_encoding
    return FetchResult(
        url=requested,
        final_url=str(response.url),
        status=response.status_code,
        body=body,
        content_type=_mime(response),
        charset=charset.lower() if charset else None,
        etag=response.headers.get("etag"),
        last_modified=response.headers.get("last-modified"),
    )


def _translate(exc: Exception, url: str) -> FetchError:
    """Map a library error to a FetchError kind: timeout, connect, url or protocol."""
    if isinstance(exc, TimeoutError | httpx.TimeoutException):
        return FetchError("timeout", f"{url}: no complete answer within the time limits")
    if isinstance(exc, httpx.NetworkError | httpx.ProxyError | OSError):
        return FetchError("connect", f"{url}: cannot connect or connection lost: {exc}")
    if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol | UnicodeError):
        return FetchError("url", f"{url}: not a fetchable URL: {exc}")
    return FetchError("protocol", f"{url}: broken HTTP exchange: {exc!r}")
