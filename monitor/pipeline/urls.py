"""Canonical URLs: one spelling per article, so the same story reached through two feeds,
a tracking link or a fragment is recognised as one article.

`canonical_url` makes a URL absolute, lowercases scheme and host (IDNA-encoded), drops the
default port, the fragment and known tracking parameters, removes dot segments, and sorts
the remaining query parameters by name (a stable sort, so repeated keys keep their order).

Why not courlan's `clean_url` / `normalize_url` (installed with trafilatura)? Its cleaning is
built for crawling, not identity, and it loses articles: its tracker pattern is a substring
search that also drops ordinary parameters such as ``game=5``, ``page_gallery=2`` or
``user_uid=3``; it drops parameters with empty values; `clean_url` replaces a share link
``/share?url=https://other.site/x`` by the *other* site's URL; and ``strict=True`` keeps only a
dozen allow-listed names, so ``?story=12`` and ``?story=13`` collapse into one URL. Parsing,
percent-encoding, IDNA and dot-segment removal come from httpx's URL parser instead; only the
tracker list below is ours, and it matches names exactly or by a known prefix.

`page_canonical` reads a page's ``<link rel="canonical">``. It accepts the link only on the
page's own registrable domain (``amp.example.com`` -> ``www.example.com`` is fine,
``example.com`` -> ``other.org`` is not): a page must not be able to claim another site's
article URL, which would let it pass off its text as that article or make the real one look
already seen. Syndicated copies therefore keep their own URL.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import unquote_plus

import httpx
import lxml.html
from courlan.urlutils import extract_domain
from lxml import etree

_DEFAULT_PORTS = {"http": 80, "https": 443}

# Query parameters that only say how a reader arrived (ad clicks, newsletters, social
# shares, analytics); they never select a different article. Compared lowercased.
_TRACKING_NAMES = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid",
        "twclid", "ttclid", "igshid", "igsh", "li_fat_id", "mc_cid", "mc_eid", "_ga",
        "_gl", "_hsenc", "_hsmi", "hsctatracking", "mkt_tok", "ref", "ref_src",
        "ref_url", "cmpid", "cmp", "ocid", "ncid", "xtor", "smid", "smtyp", "sr_share",
        "soc_src", "soc_trk", "ito", "s_cid", "wt.mc_id", "wt_mc", "at_medium",
        "at_campaign", "at_link", "at_ptr", "spm", "__twitter_impression", "rss_ref",
    }
)  # fmt: skip
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "ns_", "itm_", "oly_", "vero_", "__hs", "ga_")

# After IDNA encoding a host name is ASCII letters, digits, hyphens, underscores and dots.
_HOST_NAME = re.compile(r"[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?")


def canonical_url(url: str, base: str | None = None) -> str:
    """The canonical spelling of `url` (resolved against `base` when relative).

    Raises ValueError, and only ValueError, when the result would not be an absolute
    http(s) URL with a valid host.
    """
    parsed = _parse(url, base)
    scheme = parsed.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise ValueError(f"not an http(s) URL: {url!r}")
    host = _host(parsed)
    port = parsed.port
    if port is not None and not 0 < port < 65536:
        raise ValueError(f"port out of range in {url!r}")
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    if parsed.userinfo:
        netloc = f"{parsed.userinfo.decode('ascii')}@{netloc}"
    raw_path = parsed.raw_path.decode("ascii")
    path, _, query = raw_path.partition("?")
    query = _clean_query(query)
    return f"{scheme}://{netloc}{path or '/'}{'?' + query if query else ''}"


def is_tracking_parameter(name: str) -> bool:
    """True for query parameter names that only track where a reader came from."""
    lowered = name.lower()
    return lowered in _TRACKING_NAMES or lowered.startswith(_TRACKING_PREFIXES)


def page_canonical(html_head_or_doc: str | bytes, page_url: str) -> str | None:
    """The canonical URL a page declares in its head, when it is an http(s) URL on the
    page's own registrable domain; None otherwise (absent, junk, or another site)."""
    href = _canonical_href(html_head_or_doc)
    if href is None:
        return None
    try:
        page = canonical_url(page_url)
        declared = canonical_url(href, base=page)
    except ValueError:
        return None
    return declared if _same_site(page, declared) else None


def _parse(url: str, base: str | None) -> httpx.URL:
    if not isinstance(url, str) or (base is not None and not isinstance(base, str)):
        raise ValueError("URL must be a string")
    try:
        parsed = httpx.URL(url.strip())
        if base is not None:
            parsed = httpx.URL(base.strip()).join(parsed)
        parsed.port  # noqa: B018  (httpx parses the port lazily; an invalid one raises here)
    except (httpx.InvalidURL, ValueError, UnicodeError, TypeError) as exc:
        raise ValueError(f"not a valid URL: {url!r}: {exc}") from exc
    return parsed


def _host(parsed: httpx.URL) -> str:
    """The host, lowercased and IDNA-encoded, bracketed when it is an IPv6 address."""
    try:
        host = parsed.raw_host.decode("ascii").lower()
    except UnicodeError as exc:
        raise ValueError(f"invalid host in {parsed!s}") from exc
    if ":" in host:
        try:
            return f"[{ipaddress.IPv6Address(host)}]"
        except ValueError as exc:
            raise ValueError(f"invalid IPv6 host {host!r}") from exc
    if not host or len(host) > 253 or not _HOST_NAME.fullmatch(host):
        raise ValueError(f"invalid host {host!r}")
    return host


def _clean_query(query: str) -> str:
    """Drop tracking parameters and empty pieces; sort the rest by name, stably."""
    kept = [part for part in query.split("&") if part and not _is_tracking_part(part)]
    return "&".join(sorted(kept, key=lambda part: unquote_plus(part.partition("=")[0])))


def _is_tracking_part(part: str) -> bool:
    return is_tracking_parameter(unquote_plus(part.partition("=")[0]))


def _canonical_href(document: str | bytes) -> str | None:
    """The href of the first ``<link rel="canonical">`` in the document's head."""
    if isinstance(document, str):
        # lxml refuses str input that carries an XML encoding declaration; bytes it sniffs.
        parser = lxml.html.HTMLParser(encoding="utf-8")
        document = document.encode("utf-8", "replace")
    else:
        parser = lxml.html.HTMLParser()
    if not document.strip():
        return None
    try:
        root = lxml.html.document_fromstring(document, parser=parser)
    except (etree.ParserError, ValueError):
        return None
    # Only the head counts: a link in the body may come from user-written content.
    for link in root.xpath("//head//link[@rel][@href]"):
        if "canonical" in str(link.get("rel", "")).lower().split():
            href = str(link.get("href", "")).strip()
            return href or None
    return None


def _same_site(page: str, declared: str) -> bool:
    page_host = httpx.URL(page).host
    declared_host = httpx.URL(declared).host
    if page_host == declared_host:
        return True
    # The public suffix list decides the registrable domain (bbc.co.uk, not co.uk).
    page_domain = extract_domain(page)
    return page_domain is not None and page_domain == extract_domain(declared)
