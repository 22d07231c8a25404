"""The management commands through `monitor.cli.main`: feeds (list, add with autodiscovery
against a real local server, remove, pause, resume, OPML import and export), alerts (list,
show, test against a local webhook receiver), stories and db stats."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from monitor.cli import main
from monitor.config import load_config
from monitor.detection import Detection
from monitor.models import Article, utcnow
from monitor.pipeline.opml import OpmlFeed, parse_opml, write_opml
from monitor.store import articles as article_store
from monitor.store import feeds as feed_store
from monitor.store.db import Database
from monitor.store.tables import AlertRow, DeliveryRow
from tests.localserver import LocalServer, Request, Response

pytestmark = pytest.mark.timeout(60)

RSS = b"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>%s</title><link>http://example.org/</link>
<item><title>First</title><link>http://example.org/1</link><guid>1</guid></item>
</channel></rss>"""

TOPICS = """
[[topics]]
name = "ceasefire"
query = 'ceasefire'
"""


# ---- helpers (test_replay.py uses them too) ----------------------------------------------


def write_config(
    tmp_path: Path,
    *,
    database_url: str | None = None,
    extra: str = TOPICS,
    name: str = "monitor.toml",
) -> Path:
    """A config with its own SQLite database (or `database_url`), private networks allowed
    (every server here is on 127.0.0.1), one config feed, and `extra` appended."""
    url = database_url or f"sqlite:///{tmp_path / 'monitor.db'}"
    path = tmp_path / name
    path.write_text(
        f"""
[monitor]
database_url = "{url}"
allow_private_networks = true

[[feeds]]
url = "http://127.0.0.1:9/config-feed.xml"
name = "Config feed"
{extra}
""",
        encoding="utf-8",
    )
    return path


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


Run = Callable[..., Result]


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return write_config(tmp_path)


def cli_runner(capsys: pytest.CaptureFixture[str]) -> Run:
    """`run(config, *args)`: main() with `-c config`, its exit code and captured output."""

    def run_cli(config: Path, *args: str) -> Result:
        capsys.readouterr()
        code = main(["-c", str(config), *args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run_cli


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    return cli_runner(capsys)


def open_db(config: Path) -> Database:
    settings = load_config(config)
    assert settings.monitor.database_url is not None
    return Database(settings.monitor.database_url)


def article(n: int, title: str, text: str, *, fetched_at: datetime | None = None) -> Article:
    fetched = fetched_at or utcnow()
    return Article(
        url=f"https://news.example/{n}",
        feed_url="https://news.example/rss",
        title=title,
        text=text,
        text_source="page",
        published_at=fetched - timedelta(minutes=100 - n),
        fetched_at=fetched,
        outlet="Example News",
    )


CLAIM = article(
    1,
    "Report: ceasefire deal reached in Donbas",
    "A ceasefire deal has been reached for the Donbas region, according to sources familiar "
    "with the talks, Reuters reported.",
)
DENIAL = article(
    2,
    "Kremlin denies ceasefire deal for Donbas",
    "Kremlin spokesman Dmitry Peskov denied reports that a ceasefire had been agreed for the "
    'Donbas region, calling them "pure fiction".',
)
UNRELATED = article(3, "Weather: sunny weekend ahead", "Forecasters expect a sunny weekend.")


def store_articles(db: Database, *articles: Article) -> list[int]:
    ids = []
    with db.session() as session:
        for item in articles:
            article_id = article_store.save_article(session, item, None, item.url)
            assert article_id is not None
            ids.append(article_id)
    return ids


# ---- feeds ---------------------------------------------------------------------------------


def test_feeds_list_shows_the_config_feed_as_a_table_and_as_json(config: Path, run: Run) -> None:
    table = run(config, "feeds", "list")
    assert table.code == 0
    header, row = table.out.splitlines()
    assert header.split()[:5] == ["ID", "STATE", "SOURCE", "NAME", "URL"]
    assert row.split()[:3] == ["1", "active", "config"]
    assert "http://127.0.0.1:9/config-feed.xml" in row
    # columns line up: the URL starts at the same offset in the header and the row
    assert header.index("URL") == row.index("http://")

    (feed,) = run(config, "feeds", "list", "--json").json()
    assert feed["name"] == "Config feed"
    assert feed["source"] == "config"
    assert feed["state"] == "active"
    assert feed["not_modified_ratio"] is None


def test_feeds_list_reports_failing_state_and_the_304_ratio(config: Path, run: Run) -> None:
    run(config, "feeds", "list")  # creates the database
    db = open_db(config)
    now = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    try:
        with db.session() as session:
            for status in (200, 304, 304, 304):
                feed_store.record_success(
                    session, 1, now=now, status=status, etag=None, last_modified=None,
                    next_poll_at=now + timedelta(minutes=5),
                )  # fmt: skip
            feed_store.record_failure(
                session, 1, now=now, kind="http_500", message="HTTP 500",
                next_poll_at=now + timedelta(minutes=10), pause_after=timedelta(days=3),
            )  # fmt: skip
    finally:
        db.close()
    (feed,) = run(config, "feeds", "list", "--json").json()
    assert feed["state"] == "failing"
    assert feed["last_error"] == "HTTP 500"
    assert feed["polls"] == 5
    assert feed["not_modified_ratio"] == pytest.approx(3 / 5)
    assert feed["next_poll_at"] == "2026-11-02T09:10:00Z"
    table = run(config, "feeds", "list").out
    assert "60%" in table and "failing" in table and "2026-11-02 09:00Z" in table


def test_feeds_add_takes_a_feed_url_and_names_it_after_the_feed(config: Path, run: Run) -> None:
    with LocalServer() as server:
        rss = {"Content-Type": "application/rss+xml"}
        url = server.route("/news.xml", RSS % b"Local News", headers=rss)
        added = run(config, "feeds", "add", url)
        again = run(config, "feeds", "add", url)
    assert added.code == 0, added.err
    assert f"added feed 2: Local News <{url}>" in added.out
    assert again.code == 0
    assert "in the list already" in again.out
    feeds = run(config, "feeds", "list", "--json").json()
    assert [(f["url"], f["source"], f["name"]) for f in feeds] == [
        ("http://127.0.0.1:9/config-feed.xml", "config", "Config feed"),
        (url, "cli", "Local News"),
    ]


def test_feeds_add_with_a_name_keeps_that_name(config: Path, run: Run) -> None:
    with LocalServer() as server:
        url = server.route("/news.xml", RSS % b"Local News")
        assert run(config, "feeds", "add", url, "--name", "My desk").code == 0
    feeds = run(config, "feeds", "list", "--json").json()
    assert feeds[-1]["name"] == "My desk"


def page_announcing(*hrefs: str) -> bytes:
    links = "".join(f'<link rel="alternate" type="application/rss+xml" href="{h}">' for h in hrefs)
    return f"<html><head><title>Home</title>{links}</head><body><p>hi</p></body></html>".encode()


def test_feeds_add_discovers_the_feed_a_page_announces_and_lists_the_others(
    config: Path, run: Run
) -> None:
    with LocalServer() as server:
        html = {"Content-Type": "text/html; charset=utf-8"}
        page = server.route("/", page_announcing("/world.xml", "/sport.xml"), headers=html)
        world = server.route("/world.xml", RSS % b"World")
        sport = server.route("/sport.xml", RSS % b"Sport")
        result = run(config, "feeds", "add", page)
    assert result.code == 0, result.err
    assert f"added feed 2: World <{world}>" in result.out
    assert f"also announces {sport}" in result.out
    urls = [f["url"] for f in run(config, "feeds", "list", "--json").json()]
    assert world in urls and sport not in urls and page not in urls


def test_feeds_add_skips_an_announced_feed_that_does_not_work(config: Path, run: Run) -> None:
    with LocalServer() as server:
        page = server.route("/", page_announcing("/gone.xml", "/world.xml"))
        world = server.route("/world.xml", RSS % b"World")
        result = run(config, "feeds", "add", page)
    assert result.code == 0, result.err
    assert f"<{world}>" in result.out


@pytest.mark.parametrize(
    ("path", "body", "status", "message"),
    [
        ("/plain", b"<html><body><p>no feed here</p></body></html>", 200, "announces no feed"),
        ("/missing", b"", 404, "HTTP 404"),
    ],
)
def test_feeds_add_fails_with_a_reason_when_there_is_no_feed(
    config: Path, run: Run, path: str, body: bytes, status: int, message: str
) -> None:
    with LocalServer() as server:
        url = server.route(path, body, status, headers={"Content-Type": "text/html"})
        result = run(config, "feeds", "add", url)
    assert result.code == 1
    last = result.err.splitlines()[-1]
    assert last.startswith("no feed added: ")
    assert message in last
    assert len(run(config, "feeds", "list", "--json").json()) == 1


def test_feeds_add_refuses_loopback_unless_the_config_allows_private_networks(
    tmp_path: Path, run: Run
) -> None:
    config = write_config(tmp_path)
    config.write_text(
        config.read_text().replace("allow_private_networks = true", ""), encoding="utf-8"
    )
    with LocalServer() as server:
        url = server.route("/news.xml", RSS % b"Local News")
        result = run(config, "feeds", "add", url)
        assert server.hits("/news.xml") == []  # refused before any connection
    assert result.code == 1
    assert "no feed added" in result.err and "127.0.0.1" in result.err


def test_feeds_remove_pause_and_resume(config: Path, run: Run) -> None:
    with LocalServer() as server:
        url = server.route("/news.xml", RSS % b"Local News")
        assert run(config, "feeds", "add", url).code == 0
    paused = run(config, "feeds", "pause", url)
    assert (paused.code, paused.out.strip()) == (0, f"paused feed 2: {url}")
    feed = run(config, "feeds", "list", "--json").json()[1]
    assert feed["state"] == "paused" and "feeds pause" in feed["paused_reason"]
    assert run(config, "feeds", "resume", "2").code == 0
    assert run(config, "feeds", "list", "--json").json()[1]["state"] == "active"
    removed = run(config, "feeds", "remove", "2")
    assert (removed.code, removed.out.strip()) == (0, f"removed feed 2: {url}")
    assert len(run(config, "feeds", "list", "--json").json()) == 1


def test_feeds_remove_refuses_a_config_feed_and_says_what_to_do(config: Path, run: Run) -> None:
    result = run(config, "feeds", "remove", "1")
    assert result.code == 1
    assert str(config) in result.err
    assert "[[feeds]]" in result.err and "feeds pause 1" in result.err
    assert len(run(config, "feeds", "list", "--json").json()) == 1


@pytest.mark.parametrize("action", ["remove", "pause", "resume"])
def test_feed_commands_name_an_unknown_feed(config: Path, run: Run, action: str) -> None:
    result = run(config, "feeds", action, "42")
    assert result.code == 1
    assert "no feed with id or URL '42'" in result.err


def test_opml_import_then_export_round_trips_through_the_cli(tmp_path: Path, run: Run) -> None:
    config = write_config(tmp_path)
    listing = tmp_path / "reader.opml"
    listing.write_bytes(
        write_opml(
            [
                OpmlFeed("https://a.example/rss", "Alpha"),
                OpmlFeed("http://127.0.0.1:9/config-feed.xml", "Config again"),
                OpmlFeed("https://b.example/atom", "Bravo & Co"),
            ],
            "my reader",
        )
    )
    imported = run(config, "feeds", "import", str(listing))
    assert imported.code == 0, imported.err
    assert imported.out.splitlines()[-1] == "2 added, 1 skipped"
    assert "skipped http://127.0.0.1:9/config-feed.xml" in imported.out
    again = run(config, "feeds", "import", str(listing))
    assert again.out.splitlines()[-1] == "0 added, 3 skipped"

    exported = tmp_path / "out" / "feeds.opml"
    exported.parent.mkdir()
    assert run(config, "feeds", "export", "-o", str(exported)).code == 0
    feeds = parse_opml(exported.read_bytes())
    assert [(f.url, f.title) for f in feeds] == [
        ("http://127.0.0.1:9/config-feed.xml", "Config feed"),
        ("https://a.example/rss", "Alpha"),
        ("https://b.example/atom", "Bravo & Co"),
    ]
    to_stdout = run(config, "feeds", "export")
    assert parse_opml(to_stdout.out.encode()) == feeds

    # a second monitor takes the export whole
    (tmp_path / "other").mkdir()
    other = write_config(tmp_path / "other")
    result = run(other, "feeds", "import", str(exported))
    assert result.out.splitlines()[-1] == "2 added, 1 skipped"
    sources = {f["url"]: f["source"] for f in run(other, "feeds", "list", "--json").json()}
    assert sources["https://a.example/rss"] == "cli"


@pytest.mark.parametrize("content", [None, b"<html>not opml</html>"])
def test_opml_import_of_a_bad_file_fails_with_a_reason(
    tmp_path: Path, config: Path, run: Run, content: bytes | None
) -> None:
    listing = tmp_path / "feeds.opml"
    if content is not None:
        listing.write_bytes(content)
    result = run(config, "feeds", "import", str(listing))
    assert result.code == 1
    assert str(listing) in result.err


# ---- alerts --------------------------------------------------------------------------------


def record_alerts(config: Path, run: Run) -> list[str]:
    """Two real alerts raised by detection (channels "hook" and "log"), one of them aged
    three days, with the hook's delivery of the newer one failed once."""
    run(config, "db", "stats")  # creates the database
    db = open_db(config)
    try:
        detection = Detection(load_config(config))
        ids = store_articles(db, CLAIM, DENIAL)
        raised = []
        with db.session() as session:
            for article_id, item in zip(ids, (CLAIM, DENIAL), strict=True):
                found = detection.process(session, replace(item, id=article_id))
                raised += [a.id for a in found]
        assert len(raised) == 2, raised
        with db.session() as session:
            old = session.get(AlertRow, raised[0])
            assert old is not None
            old.created_at = utcnow() - timedelta(days=3)
            hook = session.exec(
                select(DeliveryRow)
                .where(DeliveryRow.alert_id == raised[1])
                .where(DeliveryRow.channel == "hook")
            ).one()
            hook.attempts, hook.last_error = 1, "HTTP 503 from the receiver"
    finally:
        db.close()
    return raised


CHANNELS = """
[[channels]]
name = "hook"
type = "webhook"
url = "{url}"

[[channels]]
name = "log"
type = "log"
"""


def test_alerts_list_filters_by_age_and_topic(tmp_path: Path, run: Run) -> None:
    config = write_config(tmp_path, extra=TOPICS + CHANNELS.format(url="http://127.0.0.1:9/"))
    old, new = record_alerts(config, run)
    everything = run(config, "alerts", "list", "--json").json()
    assert [a["id"] for a in everything] == [new, old]
    assert {d["channel"]: d["status"] for d in everything[0]["deliveries"]} == {
        "hook": "pending",
        "log": "pending",
    }
    recent = run(config, "alerts", "list", "--since", "1d", "--json").json()
    assert [a["id"] for a in recent] == [new]
    assert run(config, "alerts", "list", "--topic", "other", "--json").json() == []
    table = run(config, "alerts", "list").out.splitlines()
    assert table[0].split() == ["ID", "CREATED", "TOPIC", "KIND", "DELIVERIES", "SUMMARY"]
    assert table[1].startswith(new) and "hook:pending log:pending" in table[1]
    assert run(config, "alerts", "list", "--since", "soon").code == 2  # not a duration


def test_alerts_show_prints_payload_and_each_channels_delivery(tmp_path: Path, run: Run) -> None:
    config = write_config(tmp_path, extra=TOPICS + CHANNELS.format(url="http://127.0.0.1:9/"))
    _, new = record_alerts(config, run)
    detail = run(config, "alerts", "show", new[:10], "--json").json()
    assert detail["payload"]["id"] == new
    assert detail["payload"]["article"]["url"] == DENIAL.url
    hook = {d["channel"]: d for d in detail["alert"]["deliveries"]}["hook"]
    assert (hook["status"], hook["attempts"], hook["last_error"]) == (
        "pending", 1, "HTTP 503 from the receiver",
    )  # fmt: skip
    text = run(config, "alerts", "show", new).out
    assert f'"id": "{new}"' in text
    assert "HTTP 503 from the receiver" in text and "CHANNEL" in text
    missing = run(config, "alerts", "show", "al_nope")
    assert missing.code == 1 and "no alert with id 'al_nope'" in missing.err
    ambiguous = run(config, "alerts", "show", "al_")
    assert ambiguous.code == 1 and "give more of it" in ambiguous.err


def test_alerts_test_reports_delivery_through_a_local_webhook(tmp_path: Path, run: Run) -> None:
    received: list[Request] = []

    def receive(request: Request) -> Response:
        received.append(request)
        return Response(204)

    with LocalServer() as server:
        good = server.route("/hook", handler=receive)
        broken = server.route("/broken", status=500, body=b"down")
        channels = (
            CHANNELS.format(url=good)
            + f'\n[[channels]]\nname = "down"\ntype = "webhook"\nurl = "{broken}"\n'
        )
        config = write_config(tmp_path, extra=TOPICS + channels)
        ok = run(config, "alerts", "test", "hook")
        failed = run(config, "alerts", "test", "down")
        unknown = run(config, "alerts", "test", "nowhere")
    assert ok.code == 0, ok.err
    assert ok.out.startswith("delivered: ")
    assert len(received) == 1 and json.loads(received[0].body)["test"] is True
    assert failed.code == 1
    assert failed.out.startswith("not delivered: ") and "500" in failed.out
    assert unknown.code == 2
    assert "no channel named 'nowhere' (channels: hook, log, down)" in unknown.err


# ---- stories -------------------------------------------------------------------------------


def test_stories_list_gives_each_storys_timeline_in_time_order(tmp_path: Path, run: Run) -> None:
    config = write_config(tmp_path)
    run(config, "db", "stats")
    db = open_db(config)
    try:
        detection = Detection(load_config(config))
        # stored denial first: the timeline orders by publication, not by storage
        ids = store_articles(db, DENIAL, CLAIM)
        with db.session() as session:
            for article_id, item in zip(ids, (DENIAL, CLAIM), strict=True):
                detection.process(session, replace(item, id=article_id), alert=False)
    finally:
        db.close()
    stories = run(config, "stories", "list", "--json").json()
    entries = [e for s in stories for e in s["entries"]]
    assert {e["kind"] for e in entries} == {"claim", "denial"}
    denial = next(e for e in entries if e["kind"] == "denial")
    assert (denial["party"], denial["speaker"], denial["quote"]) == (
        "Kremlin", "Dmitry Peskov", "pure fiction",
    )  # fmt: skip
    assert denial["article_title"] == DENIAL.title and denial["article_url"] == DENIAL.url
    for story in stories:
        times = [e["time"] for e in story["entries"]]
        assert times == sorted(times)
    text = run(config, "stories", "list", "--topic", "ceasefire").out
    assert "TIME" in text and "Dmitry Peskov" in text and DENIAL.url in text
    assert run(config, "stories", "list", "--topic", "other").out.strip() == "no stories"


# ---- db ------------------------------------------------------------------------------------


def test_db_stats_on_each_backend(tmp_path: Path, db_url: str, run: Run) -> None:
    config = write_config(tmp_path, database_url=db_url)
    db = Database(db_url)
    try:
        db.migrate()
        store_articles(db, CLAIM, DENIAL, UNRELATED)
    finally:
        db.close()
    stats = run(config, "db", "stats", "--json").json()
    assert stats["revision"] == stats["head_revision"] is not None
    assert stats["rows"]["articles"] == 3 and stats["rows"]["feeds"] == 1
    assert stats["outbox"]["waiting"] == 0
    backend = stats["backend"]
    assert backend == db_url.split(":")[0].split("+")[0]
    if backend == "sqlite":
        assert stats["size_bytes"] > 0
    else:
        assert stats["size_bytes"] is None
    text = run(config, "db", "stats").out
    assert f"backend: {backend}; schema revision" in text
    assert "articles    3" in text
    assert "outbox: 0 waiting, 0 failed, 0 sent" in text
