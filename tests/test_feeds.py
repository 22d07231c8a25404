"""Feed parsing: real-shaped fixtures, hostile inputs, fuzzing, and feed autodiscovery."""

from __future__ import annotations

import random
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.errors import FeedError
from monitor.pipeline.feeds import ParsedFeed, discover_feeds, html_to_text, parse_feed

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"
SHARED_FEEDS = Path(__file__).parents[2] / "shared" / "data" / "feeds"
FEED_URL = "https://news.example/feeds/world.xml"
NOW = datetime(2026, 11, 3, 12, 0, tzinfo=UTC)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def parse_fixture(name: str, **kwargs: object) -> ParsedFeed:
    return parse_feed((FIXTURES / name).read_bytes(), FEED_URL, now=NOW, **kwargs)  # type: ignore[arg-type]


def rss(items: str, *, encoding: str = "UTF-8", title: str = "Test feed") -> str:
    return (
        f'<?xml version="1.0" encoding="{encoding}"?>\n'
        f'<rss version="2.0"><channel><title>{title}</title>'
        f"<link>https://news.example/</link>{items}</channel></rss>"
    )


# ---------------------------------------------------------------- the fixture feeds


def test_rss2_wordpress_feed_gives_plain_text_entries() -> None:
    feed = parse_fixture("rss2_wordpress.xml", content_type="application/rss+xml; charset=UTF-8")
    assert feed.title == "The Lakeside Courier \u2013 World"
    assert feed.warning is None
    first = feed.entries[0]
    assert first.feed_url == FEED_URL
    assert first.guid == "https://lakesidecourier.example/?p=48213"
    assert first.link == (
        "https://lakesidecourier.example/2026/11/02/kremlin-dismisses-report/"
        "?utm_source=rss&utm_medium=rss&utm_campaign=kremlin-dismisses-report"
    )
    assert (
        first.title
        == "Kremlin dismisses report of Putin\u2013Trump call as \u2018pure fiction\u2019"
    )
    assert first.author == "Anna Lindqvist"
    assert first.published_at == datetime(2026, 11, 2, 8, 15, tzinfo=UTC)  # +0100 in the feed
    assert first.summary.startswith("Moscow on Monday rejected")


def test_rss2_content_keeps_paragraphs_and_drops_script_and_style() -> None:
    content = parse_fixture("rss2_wordpress.xml").entries[0].content
    paragraphs = content.split("\n\n")
    assert paragraphs[0] == (
        "MOSCOW \u2014 The Kremlin on Monday dismissed a newspaper report that Vladimir Putin "
        "and Donald Trump had spoken by telephone last week, calling it \u201cpure fiction.\u201d"
    )
    assert paragraphs[1] == (
        "\u201cThere was no such conversation,\u201d Kremlin spokesman Dmitry Peskov told "
        "reporters. \u201cNone.\u201d"
    )
    assert "said the call lasted about 30 minutes." in content  # &nbsp; became a plain space
    assert "trackRead" not in content and "margin" not in content
    assert "<" not in content


def test_duplicate_guid_keeps_the_first_item() -> None:
    entries = parse_fixture("rss2_wordpress.xml").entries
    assert [e.guid for e in entries] == [
        "https://lakesidecourier.example/?p=48213",
        "https://lakesidecourier.example/?p=48190",
    ]
    assert entries[1].title == "Harbour festival draws record crowds"


def test_atom_relative_links_resolve_against_xml_base() -> None:
    feed = parse_fixture("atom_xmlbase.xml", content_type="application/atom+xml")
    assert feed.title == "The Meridian Post & Review"
    links = [e.link for e in feed.entries]
    assert links[:3] == [
        "https://meridian.example/news/2026/11/trump-putin-calls.html",
        "https://meridian.example/culture/review-hotline.html",  # the entry's own xml:base
        "https://meridian.example/2099/sticky.html",
    ]


def test_atom_entry_fields() -> None:
    entry = parse_fixture("atom_xmlbase.xml").entries[0]
    assert entry.guid == "tag:meridian.example,2026-11-01:/mp-01"
    assert entry.title == "Trump and Putin spoke by phone, people familiar say"
    assert entry.author == "Daniel Ferris"  # not "Daniel Ferris (d.ferris@...)"
    assert entry.published_at == datetime(2026, 11, 1, 11, 30, tzinfo=UTC)  # -05:00 in the feed
    assert entry.summary == "Three people familiar with the calls describe a private line."
    assert entry.content == (
        "Donald Trump has spoken privately with Vladimir Putin several times.\n\n"
        "The most recent call lasted roughly half an hour."
    )


def test_future_date_is_clamped_to_now_and_non_http_link_dropped() -> None:
    entries = {e.title: e for e in parse_fixture("atom_xmlbase.xml").entries}
    assert entries["Dated in the far future"].published_at == NOW
    not_http = entries["A link that is not http"]
    assert not_http.link is None
    assert not_http.guid == "tag:meridian.example,2026:/js"  # kept: it still has an identity


def test_rss1_rdf_feed() -> None:
    feed = parse_fixture("rss1_rdf.xml", content_type="application/rdf+xml")
    assert feed.title == "The Harbourside Herald"
    mayor, ferry = feed.entries
    assert mayor.link == "https://harbourside.example/2026/11/mayor-staying.html"
    assert mayor.author == "Ruth Okoye"
    assert mayor.published_at == datetime(2026, 11, 2, 10, 5, tzinfo=UTC)
    # the description is HTML escaped twice, as RSS 1.0 feeds often are: it reads as text
    assert (
        mayor.summary
        == "The mayor rejected reports she would resign & join the governor\u2019s team."
    )
    assert ferry.published_at == datetime(2026, 11, 1, 6, 0, tzinfo=UTC)
    assert ferry.content == "The state will pay $42 million.\n\nWork starts in spring."


def test_malformed_feed_with_entries_gives_them_with_a_warning() -> None:
    feed = parse_fixture("broken_with_entries.xml")
    assert feed.warning is not None and "malformed" in feed.warning
    assert [e.guid for e in feed.entries][:2] == ["pb-storm", "pb-breach"]
    assert feed.entries[0].summary == "Gusts of up to 80 mph are expected."


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("broken_no_entries.xml", None),
        ("broken_no_entries.xml", "application/rss+xml"),
        ("html_page.html", "text/html; charset=utf-8"),
        ("html_page.html", None),
        ("html_page.html", "application/rss+xml"),  # a server that lies about the type
    ],
)
def test_not_a_feed_raises_feed_error(name: str, content_type: str | None) -> None:
    with pytest.raises(FeedError, match="not a feed"):
        parse_fixture(name, content_type=content_type)


@pytest.mark.parametrize("body", [b"", b"   \n\t", b"\x00\x01\x02garbage\xff\xfe", b"{}", b"null"])
def test_empty_or_garbage_body_raises_feed_error(body: bytes) -> None:
    with pytest.raises(FeedError):
        parse_feed(body, FEED_URL, now=NOW)


def test_well_formed_feed_without_items_is_not_an_error() -> None:
    feed = parse_feed(rss("").encode(), FEED_URL, now=NOW)
    assert feed == ParsedFeed(title="Test feed", entries=[], warning=None)


def test_bytes_naming_a_local_file_are_not_read_as_that_file(tmp_path: Path) -> None:
    # feedparser opens bytes as a file name when it can; parse_feed must only ever parse them
    secret = tmp_path / "secret.xml"
    secret.write_text(rss("<item><title>Local file</title><guid>x</guid></item>"))
    assert parse_feed(secret.read_bytes(), FEED_URL, now=NOW).entries  # the file is a feed
    with pytest.raises(FeedError):
        parse_feed(str(secret).encode(), FEED_URL, now=NOW)


# ---------------------------------------------------------------- entries


def test_relative_link_resolves_against_the_feed_url() -> None:
    body = rss("<item><title>A</title><link>../2026/a.html</link></item>").encode()
    (entry,) = parse_feed(body, FEED_URL, now=NOW).entries
    assert entry.link == "https://news.example/2026/a.html"


def test_entry_without_link_guid_or_title_is_skipped() -> None:
    items = (
        "<item><description>Nothing to identify me by</description></item>"
        "<item><title>Only a title</title></item>"
        "<item><link>https://news.example/only-link.html</link></item>"
    )
    entries = parse_feed(rss(items).encode(), FEED_URL, now=NOW).entries
    assert [(e.title, e.link, e.guid) for e in entries] == [
        ("Only a title", None, None),
        ("", "https://news.example/only-link.html", None),
    ]
    assert all(e.published_at is None for e in entries)


def test_items_identified_by_link_are_deduplicated() -> None:
    item = "<item><title>Same {}</title><link>https://news.example/a.html</link></item>"
    entries = parse_feed(rss(item.format(1) + item.format(2)).encode(), FEED_URL, now=NOW).entries
    assert [e.title for e in entries] == ["Same 1"]


@pytest.mark.parametrize(
    ("raw_title", "expected"),
    [
        ("<![CDATA[<script>alert(1)</script>Breaking: <b>bold</b> news]]>", "Breaking: bold news"),
        ('<![CDATA[Photo <img src="x" onerror="alert(1)"> story]]>', "Photo story"),
        ("Tags &lt;em&gt;inside&lt;/em&gt; title", "Tags inside title"),
        ("Escaped &lt;/title&gt;&lt;/item&gt; breakout", "Escaped breakout"),
        ("AT&amp;T and  5 &lt; 6\n\t spaced", "AT&T and 5 < 6 spaced"),
        ("Caf&#233; &amp;amp; bar", "Caf\u00e9 & bar"),
    ],
)
def test_titles_are_inert_plain_text(raw_title: str, expected: str) -> None:
    body = rss(f"<item><title>{raw_title}</title><guid>g</guid></item>").encode()
    (entry,) = parse_feed(body, FEED_URL, now=NOW).entries
    assert entry.title == expected


def test_control_characters_are_dropped_from_titles() -> None:
    body = rss("<item><title>Bell\x07 and\x00 escape\x1b here</title><guid>g</guid></item>")
    feed = parse_feed(body.encode(), FEED_URL, now=NOW)
    assert feed.entries, feed.warning
    assert not CONTROL.search(feed.entries[0].title)
    assert feed.entries[0].title.startswith("Bell")


def test_html_to_text_paragraphs_and_line_breaks() -> None:
    markup = (
        "<div><h2>Head</h2><p>One <b>bold</b><br>line two</p>"
        "<ul><li>a</li><li>b</li></ul></div>tail"
    )
    assert html_to_text(markup) == "Head\n\nOne bold\nline two\n\na\n\nb\n\ntail"
    assert html_to_text("<style>p{}</style><noscript>x</noscript>  ") == ""


# ---------------------------------------------------------------- encodings


def test_latin1_declared_in_the_xml() -> None:
    body = rss(
        "<item><title>Caf\u00e9 cr\u00e8me</title><guid>g</guid></item>", encoding="ISO-8859-1"
    )
    (entry,) = parse_feed(body.encode("latin-1"), FEED_URL, now=NOW).entries
    assert entry.title == "Caf\u00e9 cr\u00e8me"


def test_charset_from_the_content_type_header() -> None:
    body = (
        '<rss version="2.0"><channel><title>T</title>'
        "<item><title>Z\u00fcrich</title><guid>g</guid></item></channel></rss>"
    ).encode("latin-1")
    feed = parse_feed(body, FEED_URL, content_type="application/xml; charset=iso-8859-1", now=NOW)
    assert feed.entries[0].title == "Z\u00fcrich"


def test_wrong_charset_latin1_bytes_declared_utf8_still_parses() -> None:
    body = rss("<item><title>Caf\u00e9 society</title><guid>g</guid></item>").encode("latin-1")
    feed = parse_feed(body, FEED_URL, content_type="application/rss+xml; charset=utf-8", now=NOW)
    assert len(feed.entries) == 1
    assert feed.entries[0].title.startswith("Caf") and feed.entries[0].title.endswith("society")


def test_utf16_with_bom() -> None:
    body = rss(
        "<item><title>\u041a\u0440\u0435\u043c\u043b\u044c denies</title><guid>g</guid></item>",
        encoding="UTF-16",
    )
    feed = parse_feed(body.encode("utf-16"), FEED_URL, now=NOW)
    assert feed.entries[0].title == "\u041a\u0440\u0435\u043c\u043b\u044c denies"


# ---------------------------------------------------------------- size and depth


def test_five_thousand_items_parse() -> None:
    items = "".join(
        f"<item><title>Item {i}</title><link>https://news.example/a/{i}.html</link>"
        f"<guid>id-{i}</guid><pubDate>Mon, 02 Nov 2026 09:00:00 GMT</pubDate>"
        f"<description>&lt;p&gt;Summary {i}&lt;/p&gt;</description></item>"
        for i in range(5000)
    )
    started = time.monotonic()
    feed = parse_feed(rss(items).encode(), FEED_URL, now=NOW)
    assert len(feed.entries) == 5000
    assert feed.entries[4999].summary == "Summary 4999"
    assert time.monotonic() - started < 30


def test_deeply_nested_markup_in_content() -> None:
    nested = "<div>" * 20000 + "deep text" + "</div>" * 20000
    body = rss(
        f"<item><title>Deep</title><guid>g</guid><description><![CDATA[{nested}]]></description></item>"
    )
    (entry,) = parse_feed(body.encode(), FEED_URL, now=NOW).entries
    assert entry.title == "Deep"
    assert "<div>" not in entry.summary


# ---------------------------------------------------------------- fuzzing


def _parse_or_feed_error(body: bytes) -> None:
    try:
        result = parse_feed(body, FEED_URL, now=NOW)
    except FeedError:
        return
    assert isinstance(result, ParsedFeed)
    for entry in result.entries:
        assert entry.link is None or entry.link.startswith(("http://", "https://"))
        assert not CONTROL.search(entry.title)
        assert entry.published_at is None or entry.published_at <= NOW + timedelta(days=1)


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,  # the same examples every run: a failure here is reproducible
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.binary(max_size=2000))
def test_fuzz_random_bytes(body: bytes) -> None:
    _parse_or_feed_error(body)


FIXTURE_BODIES = [p.read_bytes() for p in sorted(FIXTURES.iterdir()) if p.is_file()]


@st.composite
def mutated_feeds(draw: st.DrawFn) -> bytes:
    body = bytearray(draw(st.sampled_from(FIXTURE_BODIES)))
    for _ in range(draw(st.integers(1, 12))):
        pos = draw(st.integers(0, len(body)))
        action = draw(st.sampled_from(["insert", "delete", "replace", "truncate"]))
        noise = draw(st.binary(min_size=1, max_size=16))
        if action == "insert":
            body[pos:pos] = noise
        elif action == "delete":
            del body[pos : pos + len(noise)]
        elif action == "replace":
            body[pos : pos + len(noise)] = noise
        else:
            del body[pos:]
    return bytes(body)


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,  # the same examples every run: a failure here is reproducible
    suppress_health_check=[HealthCheck.too_slow],
)
@given(mutated_feeds())
def test_fuzz_mutated_real_feeds(body: bytes) -> None:
    _parse_or_feed_error(body)


@pytest.mark.skipif(
    not SHARED_FEEDS.is_dir(), reason=f"feedparser's test feeds not at {SHARED_FEEDS}"
)
def test_feedparser_test_suite_feeds_raise_nothing_but_feed_error() -> None:
    files = sorted(p for p in SHARED_FEEDS.rglob("*") if p.is_file())
    if len(files) > 3000:  # stay well under 30 s should the corpus grow
        files = random.Random(7).sample(files, 3000)
    parsed = 0
    for path in files:
        try:
            parse_feed(path.read_bytes(), f"http://127.0.0.1/{path.name}", now=NOW)
            parsed += 1
        except FeedError:
            pass
    assert parsed > len(files) // 2  # most of them are feeds, broken or not


# ---------------------------------------------------------------- discovery


def test_discover_feeds_in_document_order_resolved_and_deduplicated() -> None:
    page = (FIXTURES / "html_page.html").read_bytes()
    assert discover_feeds(page, "https://dailyvanguard.example/2026/11/missing/") == [
        "https://dailyvanguard.example/feed/",
        "https://dailyvanguard.example/comments/feed.atom",
    ]


def test_discover_feeds_honours_base_and_type_variants() -> None:
    page = (
        '<html><head><base href="https://cdn.example/site/">'
        '<link rel="ALTERNATE" type="application/RSS+XML; charset=utf-8" href="rss.xml">'
        '<link rel="alternate" type="application/feed+json" href="/feed.json">'
        '<link rel="alternate" type="application/rdf+xml" href="javascript:alert(1)">'
        '<link rel="alternate" type="text/html" href="/other.html">'
        '<link rel="stylesheet" type="application/rss+xml" href="/not-alternate.xml">'
        "</head><body></body></html>"
    )
    assert discover_feeds(page, "https://site.example/a/b.html") == [
        "https://cdn.example/site/rss.xml",
        "https://cdn.example/feed.json",
    ]


@pytest.mark.parametrize("page", [b"", "", b"\x00\xff\xfe", "<p>no head</p>", b"<html"])
def test_discover_feeds_on_pages_without_feeds(page: bytes | str) -> None:
    assert discover_feeds(page, "https://site.example/") == []
