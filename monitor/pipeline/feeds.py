"""Turn the bytes of a fetched feed into Entries, and find the feeds a web page announces.

Parsing is feedparser's (RSS 0.9x/1.0/2.0, Atom, CDF, with its charset detection and its
loose parser for broken XML); this module decides what counts as a usable feed, reduces every
text field to plain text and gives each entry an absolute link and a UTC date. Anything that
goes wrong below surfaces as one exception, errors.FeedError.
"""

from __future__ import annotations

import calendar
import html
import io
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser
import feedparser.exceptions
import lxml.etree
import lxml.html

from monitor.errors import FeedError
from monitor.models import Entry

# The feed types announced by <link rel="alternate" type=...> that `feeds add` can follow.
FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/feed+json",
        "application/json",
    }
)

# Charset and media-type mismatches: feedparser recovers and says so, the feed is fine.
_HARMLESS = feedparser.exceptions.ThingsNobodyCaresAboutButMe

# A publisher's clock may run a little fast; anything beyond this is a wrong date.
FUTURE_TOLERANCE = timedelta(days=1)

# C0 and C1 control characters except tab, newline and carriage return: they are never
# text, and lxml refuses strings that hold them.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n\s*\n")
_TAG = re.compile(r"<[^>]*>?")
_PARSER = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)

# Elements whose text is never reader-visible prose.
_INVISIBLE = ("script", "style", "noscript", "template", "iframe", "object", "embed", "svg")
# Elements that end a paragraph: text on either side of them belongs to different paragraphs.
_BLOCKS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "td",
        "th",
        "tr",
        "ul",
    ]
)


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    title: str
    entries: list[Entry]
    warning: str | None  # set when the feed is malformed but still yielded entries


def parse_feed(
    body: bytes,
    feed_url: str,
    *,
    content_type: str | None = None,
    now: datetime | None = None,
) -> ParsedFeed:
    """The entries of a feed, newest as the feed orders them. Raises FeedError when the bytes
    are not a feed; a well-formed feed with no items is not an error."""
    if not body or not body.strip():
        raise FeedError(f"{feed_url}: empty response, not a feed")
    result = _feedparser_parse(body, feed_url, content_type)
    now = now or datetime.now(UTC)
    entries = _entries(result.get("entries") or [], feed_url, now)
    problem = _problem(result)
    if not entries and (problem or not result.get("version")):
        raise FeedError(f"{feed_url}: not a feed ({problem or 'no feed elements found'})")
    feed_info = result.get("feed") or {}
    return ParsedFeed(
        title=plain_title(feed_info.get("title")),
        entries=entries,
        warning=f"malformed feed: {problem}" if problem else None,
    )


def _feedparser_parse(body: bytes, feed_url: str, content_type: str | None) -> Any:
    # No content-location: feedparser would resolve guids against it and change identities.
    # Links are resolved here instead, against xml:base as feedparser reports it, then feed_url.
    headers = {"content-type": content_type} if content_type else {}
    try:
        # A stream, never the bytes themselves: feedparser treats a str as a URL to fetch and
        # bytes as a local file name to open, which a hostile body could exploit.
        # Sanitizing and URI resolution are skipped: every text is reduced to plain text
        # here, dropping scripts and styles, so feedparser's HTML passes would be wasted work.
        return feedparser.parse(
            io.BytesIO(body),
            response_headers=headers,
            sanitize_html=False,
            resolve_relative_uris=False,
        )
    except Exception as exc:  # feedparser's own bugs on hostile input: not a usable feed
        raise FeedError(f"{feed_url}: cannot parse feed ({type(exc).__name__}: {exc})") from exc


def _problem(result: Any) -> str | None:
    """What made the feed malformed, or None. A wrong or missing declared charset or media type
    alone is not a problem: feedparser recovers from both and the feed itself is fine."""
    if not result.get("bozo"):
        return None
    exc = result.get("bozo_exception")
    if isinstance(exc, _HARMLESS):
        return None
    message = str(exc) or type(exc).__name__
    return _collapse(_CONTROL_CHARS.sub("", message))[:200]


def _entries(raw_entries: list[Any], feed_url: str, now: datetime) -> list[Entry]:
    entries: list[Entry] = []
    seen: set[str] = set()
    for raw in raw_entries:
        entry = _entry(raw, feed_url, now)
        if entry is None or entry.identity in seen:
            continue  # no way to identify it, or a repeat: the first one wins
        seen.add(entry.identity)
        entries.append(entry)
    return entries


def _entry(raw: Any, feed_url: str, now: datetime) -> Entry | None:
    guid = _clean_attr(raw.get("id"))
    link = absolute_link(raw.get("link"), feed_url)
    title = plain_title(raw.get("title"))
    if not (guid or link or title):
        return None
    return Entry(
        feed_url=feed_url,
        guid=guid,
        link=link,
        title=title,
        author=_author(raw),
        published_at=_published(raw, now),
        summary=html_to_text(_text_value(raw.get("summary"))),
        content=html_to_text(_content_value(raw.get("content"))),
    )


def _author(raw: Any) -> str | None:
    """The author's name; feedparser's `author` glues an e-mail address to it."""
    detail = raw.get("author_detail")
    name = detail.get("name") if isinstance(detail, dict) else None
    return plain_title(name or raw.get("author")) or None


def _clean_attr(value: Any) -> str | None:
    text = _CONTROL_CHARS.sub("", value).strip() if isinstance(value, str) else ""
    return text or None


def _text_value(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _content_value(contents: Any) -> str:
    """The longest of an entry's content blocks (a feed may carry a teaser and the full text)."""
    if not isinstance(contents, list):
        return ""
    values = [c.get("value") for c in contents if isinstance(c, dict)]
    return max((v for v in values if isinstance(v, str)), key=len, default="")


def absolute_link(link: Any, base_url: str) -> str | None:
    """`link` resolved against `base_url`; None when missing or not http(s)."""
    link = _clean_attr(link)
    if not link:
        return None
    try:
        resolved = urljoin(base_url, link)
        parts = urlsplit(resolved)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return resolved


def _published(raw: Any, now: datetime) -> datetime | None:
    parsed = raw.get("published_parsed") or raw.get("updated_parsed")
    if not isinstance(parsed, time.struct_time):
        return None
    try:
        # feedparser normalises every date it understands to a UTC struct_time
        published = datetime.fromtimestamp(calendar.timegm(parsed), UTC)
    except (OverflowError, ValueError, OSError):
        return None
    # A date far in the future (a typo, a wrong time zone, a "sticky" post dated 2099) would
    # sort the entry above everything for years: trust our clock instead.
    return now if published > now + FUTURE_TOLERANCE else published


def plain_title(value: Any) -> str:
    """A one-line plain text: tags stripped (script and style with their content), entities
    unescaped, control characters dropped, whitespace collapsed."""
    return _collapse(html_to_text(_text_value(value)))


def html_to_text(markup: str) -> str:
    """Plain text of an HTML fragment, paragraphs separated by a blank line."""
    markup = _CONTROL_CHARS.sub("", markup)
    if not markup.strip():
        return ""
    if "<" not in markup and "&" not in markup:
        return _normalise(markup)  # plain already: skip the parser (most titles)
    root = _parse_fragment(markup)
    if root is None:
        return _normalise(html.unescape(_TAG.sub(" ", markup)))
    return _normalise(_block_text(root))


def _parse_fragment(markup: str) -> lxml.html.HtmlElement | None:
    try:
        root = lxml.html.fragment_fromstring(markup, create_parent="div", parser=_PARSER)
    except (lxml.etree.LxmlError, ValueError, RecursionError):
        return None
    lxml.etree.strip_elements(root, *_INVISIBLE, with_tail=False)
    return root


def _block_text(root: lxml.html.HtmlElement) -> str:
    """Text of the tree with a blank line around each block element and a line break for <br>."""
    for element in root.iter(lxml.etree.Element):
        tag = element.tag.lower() if isinstance(element.tag, str) else ""
        if tag == "br":
            element.tail = "\n" + (element.tail or "")
        elif tag in _BLOCKS:
            element.text = "\n\n" + (element.text or "")
            element.tail = "\n\n" + (element.tail or "")
    return "".join(root.itertext())


def _normalise(text: str) -> str:
    """Collapse runs of spaces, keep line breaks, separate paragraphs by exactly one blank line."""
    paragraphs = []
    for block in _BLANK_LINES.split(text):
        lines = [_SPACES.sub(" ", line).strip() for line in block.split("\n")]
        paragraph = "\n".join(line for line in lines if line)
        if paragraph:
            paragraphs.append(paragraph)
    return "\n\n".join(paragraphs)


def _collapse(text: str) -> str:
    return " ".join(text.split())


def discover_feeds(html_page: bytes | str, page_url: str) -> list[str]:
    """The feeds a page announces with <link rel="alternate" type="...rss+xml|atom+xml|...">,
    resolved against the page's URL (or its <base href>), in document order, without repeats."""
    root = _parse_page(html_page)
    if root is None:
        return []
    base = _base_url(root, page_url)
    found: list[str] = []
    for link in root.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").split(";")[0].strip().lower()
        if "alternate" not in rel or kind not in FEED_TYPES:
            continue
        url = absolute_link(link.get("href"), base)
        if url and url not in found:
            found.append(url)
    return found


def _parse_page(page: bytes | str) -> lxml.html.HtmlElement | None:
    if isinstance(page, str):
        page = _CONTROL_CHARS.sub("", page)
    if not page.strip():
        return None
    try:
        return lxml.html.document_fromstring(page, parser=_PARSER)
    except (lxml.etree.LxmlError, ValueError, RecursionError):
        return None


def _base_url(root: lxml.html.HtmlElement, page_url: str) -> str:
    for base in root.iter("base"):
        href = absolute_link(base.get("href"), page_url)
        if href:
            return href
    return page_url
