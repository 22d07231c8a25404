"""OPML import and export: the shapes real feed readers write, hostile input, round trips."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from monitor.pipeline.opml import OpmlFeed, parse_opml, write_opml

FIXTURES = Path(__file__).parent / "fixtures" / "opml"


def _fixture(name: str) -> list[OpmlFeed]:
    return parse_opml((FIXTURES / name).read_bytes())


def test_feedly_folders_are_flattened_and_the_repeated_feed_kept_once() -> None:
    feeds = _fixture("feedly.opml")

    assert [feed.url for feed in feeds] == [
        "https://feeds.bbci.co.uk/news/world/rss.xml",
        "https://www.aljazeera.com/xml/rss/all.xml",
        "https://www.theguardian.com/world/rss",
        "https://www.themoscowtimes.com/rss/news",
    ]
    assert feeds[0] == OpmlFeed(
        url="https://feeds.bbci.co.uk/news/world/rss.xml",
        title="BBC News - World",
        html_url="https://www.bbc.co.uk/news/world",
    )
    assert feeds[1].title == "Al Jazeera – Breaking News, World News and Video from Al Jazeera"


def test_inoreader_export_with_its_extra_attributes() -> None:
    feeds = _fixture("inoreader.xml")

    assert [(feed.title, feed.url) for feed in feeds] == [
        ("AP Top News", "https://rsshub.app/apnews/topics/apf-topnews"),
        ("Reuters: World News", "http://feeds.reuters.com/Reuters/worldNews"),
        ("President of Russia: News", "http://en.kremlin.ru/events/president/news/feed"),
    ]


def test_netnewswire_top_level_and_nested_feeds_in_document_order() -> None:
    feeds = _fixture("netnewswire.opml")

    assert [feed.title for feed in feeds] == [
        "Daring Fireball",
        "NPR News",
        "Ars Technica",
        "JSON Feed",
    ]
    assert feeds[1].html_url == "https://www.npr.org/"


def test_thunderbird_style_opml_1_with_odd_attribute_case_and_types() -> None:
    feeds = _fixture("thunderbird.opml")

    assert feeds == [
        OpmlFeed("https://tass.com/rss/v2.xml", "TASS", "https://tass.com"),
        OpmlFeed("https://example.org/atom.xml", "Atom example", None),
        OpmlFeed("https://kyivindependent.com/rss/", "Kyiv Independent", None),
    ]  # the type="link" outline is a bookmark, not a feed


def test_entities_and_non_ascii_titles() -> None:
    feeds = {feed.url: feed.title for feed in _fixture("entities.opml")}

    assert feeds == {
        "https://www.lemonde.fr/rss/une.xml": (
            "Le Monde.fr - Actualités et Infos en France et dans le monde"
        ),
        "https://cafebabel.com/en/feed": "Café Babel – Europe",  # bare HTML entities
        "https://rss.sueddeutsche.de/rss/Topthemen?x=1&y=2": "Süddeutsche Zeitung",  # double
        "https://novayagazeta.eu/feed/rss": "Новая газета Европа",
        "https://www3.nhk.or.jp/rss/news/cat0.xml": "NHKニュース",
        "http://example.com/att.xml": "AT&T & friends",  # feed:// pseudo-scheme
    }


def test_a_truncated_export_is_a_value_error_naming_the_line() -> None:
    with pytest.raises(ValueError, match=r"not an OPML file: XML error at line \d+"):
        _fixture("broken.opml")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "it is empty"),
        (b"   \n", "it is empty"),
        (b"this is not xml", "XML error at line 1"),
        (b"<html><body><a href='/feed'>feed</a></body></html>", "root element is <html>"),
        (b"<rss version='2.0'><channel/></rss>", "root element is <rss>"),
        (b"<opml version='2.0'><head/></opml>", "has no <body>"),
    ],
)
def test_garbage_is_a_value_error_saying_what_is_wrong(data: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_opml(data)


def test_an_empty_body_is_an_empty_list() -> None:
    assert parse_opml(b"<opml version='2.0'><head/><body/></opml>") == []


@pytest.mark.parametrize(
    ("outline", "expected"),
    [
        ('<outline text="Folder"/>', None),  # a folder with no feed
        ('<outline text="x" xmlUrl="javascript:alert(1)"/>', None),
        ('<outline text="x" xmlUrl="file:///etc/passwd"/>', None),
        ('<outline text="x" type="include" xmlUrl="https://a.example/more.opml"/>', None),
        ('<outline xmlUrl="  https://a.example/rss  "/>', OpmlFeed("https://a.example/rss")),
        (  # a title that only repeats the URL says nothing
            '<outline text="https://a.example/rss" xmlUrl="https://a.example/rss"/>',
            OpmlFeed("https://a.example/rss"),
        ),
        (
            '<outline text="  Two\n   lines  " xmlURL="https://a.example/rss" htmlUrl="x"/>',
            OpmlFeed("https://a.example/rss", "Two lines"),
        ),
        (
            '<outline text="T" xmlUrl="feed:https://a.example/rss"/>',
            OpmlFeed("https://a.example/rss", "T"),
        ),
    ],
)
def test_which_outlines_are_feeds(outline: str, expected: OpmlFeed | None) -> None:
    feeds = parse_opml(f"<opml><body>{outline}</body></opml>".encode())
    assert feeds == ([] if expected is None else [expected])


def test_namespaced_opml_is_read() -> None:
    data = b'<o:opml xmlns:o="urn:x"><o:body><o:outline xmlUrl="https://a.example/rss"/></o:body></o:opml>'
    assert parse_opml(data) == [OpmlFeed("https://a.example/rss")]


def test_latin1_declared_encoding_is_honoured() -> None:
    data = (
        '<?xml version="1.0" encoding="ISO-8859-1"?><opml><body>'
        '<outline text="Españá" xmlUrl="https://a.example/rss"/></body></opml>'
    ).encode("latin-1")
    assert parse_opml(data)[0].title == "Españá"


def test_entity_declarations_are_refused() -> None:
    data = (
        b'<!DOCTYPE opml [<!ENTITY name "Innocent">]>'
        b'<opml><body><outline text="&name;" xmlUrl="https://a.example/rss"/></body></opml>'
    )
    with pytest.raises(ValueError, match="declares XML entities"):
        parse_opml(data)


def test_external_entities_are_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    data = (
        f'<!DOCTYPE opml [<!ENTITY leak SYSTEM "{secret.as_uri()}">]>'
        '<opml><body><outline xmlUrl="https://a.example/rss">&leak;</outline></body></opml>'
    ).encode()
    with pytest.raises(ValueError) as excinfo:
        parse_opml(data)
    assert "TOP-SECRET" not in str(excinfo.value)


def test_billion_laughs_fails_fast() -> None:
    entities = '<!ENTITY l0 "lol">' + "".join(
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)
    )
    data = (
        f"<!DOCTYPE opml [{entities}]>"
        '<opml><body><outline text="&l9;" xmlUrl="https://a.example/rss"/></body></opml>'
    ).encode()
    started = time.monotonic()
    with pytest.raises(ValueError):
        parse_opml(data)
    assert time.monotonic() - started < 1


CREATED = datetime(2026, 11, 2, 9, 15, tzinfo=UTC)


def test_write_opml_is_opml_2_with_the_outline_attributes_readers_expect() -> None:
    data = write_opml(
        [
            OpmlFeed("https://a.example/rss?x=1&y=2", "A & B", "https://a.example/"),
            OpmlFeed("https://b.example/atom"),
        ],
        "news-monitor feeds",
        created=CREATED,
    )
    root = etree.fromstring(data)

    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert root.get("version") == "2.0"
    assert root.findtext("head/title") == "news-monitor feeds"
    assert root.findtext("head/dateCreated") == "Mon, 02 Nov 2026 09:15:00 GMT"
    first, second = root.findall("body/outline")
    assert dict(first.attrib) == {
        "type": "rss",
        "text": "A & B",
        "title": "A & B",
        "xmlUrl": "https://a.example/rss?x=1&y=2",
        "htmlUrl": "https://a.example/",
    }
    assert second.get("text") == "https://b.example/atom"  # OPML requires text
    assert second.get("htmlUrl") is None


def test_write_opml_drops_characters_xml_cannot_hold() -> None:
    data = write_opml([OpmlFeed("https://a.example/rss", "bell\x07 title")], "t\x00itle")
    assert parse_opml(data) == [OpmlFeed("https://a.example/rss", "bell title")]


@pytest.mark.parametrize(
    "name", ["feedly.opml", "inoreader.xml", "netnewswire.opml", "thunderbird.opml"]
)
def test_fixture_round_trip(name: str) -> None:
    feeds = _fixture(name)
    assert parse_opml(write_opml(feeds, name)) == feeds


def test_entities_fixture_round_trip() -> None:
    feeds = _fixture("entities.opml")
    assert parse_opml(write_opml(feeds, "Presse")) == feeds


_titles = st.text(
    # Any printable text but "&", which the reader takes as a possibly double-escaped entity.
    alphabet=st.characters(codec="utf-8", categories=["L", "M", "N", "P", "S", "Zs"]).filter(
        lambda char: char != "&"
    ),
    max_size=40,
)
_urls = st.from_regex(
    r"https://[a-z]{1,12}\.example/[a-z0-9/_.-]{0,20}(\?[a-z]=[0-9&=]{0,8})?", fullmatch=True
)


@given(st.lists(st.tuples(_urls, _titles), max_size=8))
def test_round_trip_any_titles(items: list[tuple[str, str]]) -> None:
    feeds = [OpmlFeed(url, title or None) for url, title in items]
    expected: dict[str, OpmlFeed] = {}
    for feed in feeds:
        title = " ".join((feed.title or "").split()) or None
        expected.setdefault(feed.url, OpmlFeed(feed.url, None if title == feed.url else title))

    assert parse_opml(write_opml(feeds, "t", created=CREATED)) == list(expected.values())
