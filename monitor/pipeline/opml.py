"""Feed lists in and out as OPML, the format every feed reader imports and exports.

``parse_opml`` reads what real readers write: OPML 1.0 and 2.0, feeds nested in folders
(flattened here, the folders dropped), ``xmlUrl`` in any letter case, ``type`` "rss",
"atom" or missing, titles double-escaped or carrying bare HTML entities such as
``&eacute;``. The same feed listed twice (in two folders, say) comes back once.
``write_opml`` writes OPML 2.0 that those readers import.

The parser is lxml with network access off and no DTD loading, and a document that
declares entities is refused outright: OPML never needs one, and entities are how the
"billion laughs" and external-entity (XXE) attacks arrive.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from html.entities import html5

from lxml import etree

# XML defines these five; any other named entity in an OPML file was meant as HTML.
_XML_ENTITIES = frozenset({b"amp", b"lt", b"gt", b"quot", b"apos"})
_NAMED_ENTITY = re.compile(rb"&([A-Za-z][A-Za-z0-9]{1,31});")
_ESCAPED_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# Characters XML 1.0 cannot hold at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NOT_FEED_TYPES = frozenset({"link", "include"})


@dataclass(frozen=True)
class OpmlFeed:
    """One feed from a feed list: its URL, the title the reader showed, and its site."""

    url: str
    title: str | None = None
    html_url: str | None = None


def parse_opml(data: bytes) -> list[OpmlFeed]:
    """Every feed in an OPML document, in document order, each URL once.

    Raises ValueError, saying what is wrong, when `data` is not an OPML document.
    """
    body = _body(_parse_xml(data))
    feeds: dict[str, OpmlFeed] = {}
    for outline in _outlines(body):
        feed = _feed(outline)
        if feed is not None and feed.url not in feeds:
            feeds[feed.url] = feed
    return list(feeds.values())


def write_opml(feeds: Sequence[OpmlFeed], title: str, *, created: datetime | None = None) -> bytes:
    """An OPML 2.0 document listing `feeds` (UTF-8, with an XML declaration)."""
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = _xml_text(title)
    etree.SubElement(head, "dateCreated").text = format_datetime(
        created or datetime.now(UTC), usegmt=True
    )
    body = etree.SubElement(root, "body")
    for feed in feeds:
        name = _xml_text(feed.title or feed.url)
        outline = etree.SubElement(body, "outline", type="rss", text=name, title=name)
        outline.set("xmlUrl", _xml_text(feed.url))
        if feed.html_url:
            outline.set("htmlUrl", _xml_text(feed.html_url))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _parse_xml(data: bytes) -> etree._Element:
    if not data.strip():
        raise ValueError("not an OPML file: it is empty")
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(_html_entities_as_numbers(data), parser)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"not an OPML file: XML error at line {exc.lineno}: {exc.msg}") from exc
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise ValueError("refusing an OPML file that declares XML entities (<!ENTITY>)")
    return root


def _html_entities_as_numbers(data: bytes) -> bytes:
    """Turn bare HTML entities (``&eacute;``), which XML rejects, into character references.

    Sloppy exporters paste HTML titles straight into attributes. Only names HTML defines
    are touched; the bytes stay the same in any ASCII-compatible encoding.
    """

    def number(match: re.Match[bytes]) -> bytes:
        name = match.group(1)
        text = html5.get(name.decode("ascii") + ";")
        if name in _XML_ENTITIES or text is None:
            return match.group(0)
        return "".join(f"&#{ord(char)};" for char in text).encode("ascii")

    return _NAMED_ENTITY.sub(number, data)


def _body(root: etree._Element) -> etree._Element:
    if _local(root) != "opml":
        raise ValueError(f"not an OPML file: the root element is <{_local(root)}>, not <opml>")
    for child in root:
        if _local(child) == "body":
            return child
    raise ValueError("not an OPML file: <opml> has no <body>")


def _outlines(body: etree._Element) -> Iterator[etree._Element]:
    """Every outline at any depth: folders (categories) are flattened away."""
    for element in body.iter():
        if _local(element) == "outline":
            yield element


def _feed(outline: etree._Element) -> OpmlFeed | None:
    """The feed an outline lists, or None for a folder, a link or a non-web URL."""
    attributes = {str(key).lower(): str(value) for key, value in outline.attrib.items()}
    url = _web_url(attributes.get("xmlurl", ""))
    if url is None or attributes.get("type", "").strip().lower() in _NOT_FEED_TYPES:
        return None
    title = _title(attributes.get("title") or attributes.get("text") or "")
    return OpmlFeed(
        url=url,
        title=title if title and title != url else None,
        html_url=_web_url(attributes.get("htmlurl", "")),
    )


def _web_url(value: str) -> str | None:
    """An http(s) URL, with the ``feed:`` pseudo-scheme some readers use removed."""
    url = value.strip()
    if url.lower().startswith("feed:"):
        rest = url[5:]
        nested = rest.lower().startswith(("http://", "https://"))
        url = rest if nested else "http://" + rest.removeprefix("//")
    if not re.match(r"^https?://[^/\s]+", url, re.IGNORECASE):
        return None
    return url


def _title(value: str) -> str | None:
    """Whitespace collapsed, double-escaped entities (``&amp;eacute;``) decoded."""
    text = _ESCAPED_ENTITY.sub(lambda m: html.unescape(m.group(0)), value)
    text = " ".join(text.split())
    return text or None


def _xml_text(value: str) -> str:
    """Drop the control characters XML cannot carry (lxml would refuse the document)."""
    return _NOT_XML.sub("", value)


def _local(element: etree._Element) -> str:
    """The tag without a namespace; comments and processing instructions have none."""
    if not isinstance(element.tag, str):
        return ""
    return etree.QName(element).localname
