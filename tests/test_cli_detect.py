"""`classify` and `explain` through the CLI."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from monitor.cli import main

PAGES = Path(__file__).parent / "fixtures" / "pages"


def classify(
    lines: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, list[dict]]:
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines) + "\n"))
    code = main(["classify"])
    out = capsys.readouterr().out.strip().splitlines()
    return code, [json.loads(line) for line in out]


def test_classify_reads_json_lines_and_writes_one_line_each(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = classify(
        [
            json.dumps(
                {
                    "title": "Kremlin denies reports of Putin-Trump phone call",
                    "text": "The Kremlin on Tuesday called the report 'pure fiction'.",
                }
            ),
            json.dumps(
                {
                    "text": "Trump and Putin spoke by phone this month, people familiar "
                    "with the calls say."
                }
            ),
            json.dumps(
                {
                    "title": "White House declines to comment on reported Trump-Putin calls",
                    "text": "A spokeswoman declined to comment on the report.",
                }
            ),
            "",
        ],
        monkeypatch,
        capsys,
    )
    assert code == 0
    assert [o["kind"] for o in out] == ["denial", "claim", None]
    denial = out[0]["statements"][0]
    assert denial["party_key"] == "kremlin" and denial["kind"] == "denial"
    assert out[2]["statements"] == []


def test_classify_reports_bad_lines_and_goes_on(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = classify(
        [
            "not json",
            json.dumps({"text": 5}),
            json.dumps({"text": "Norvane Energy denies hackers took data"}),
        ],
        monkeypatch,
        capsys,
    )
    assert code == 1
    assert len(out) == 3 and out[0]["kind"] is None and "error" in out[0]
    assert out[2]["kind"] == "denial"


def test_explain_a_saved_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "monitor.toml"
    config.write_text(f"""[monitor]
database_url = "sqlite:///{tmp_path / "m.db"}"

[[topics]]
name = "putin-trump"
query = 'Putin AND Trump'

[[topics]]
name = "norvane"
query = '"Norvane Energy"'
""")
    assert main(["-c", str(config), "explain", str(PAGES / "dv-03.html")]) == 0
    out = capsys.readouterr().out
    assert "topic norvane: no match" in out
    assert "topic putin-trump: matched on" in out
    assert "denial:" in out and "'kremlin'" in out
    assert "new: would raise alert al_" in out and "starts a new story st_" in out


def test_explain_records_nothing_and_knows_what_is_not_new(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from dataclasses import replace

    from sqlmodel import func, select

    from monitor.config import load_config
    from monitor.detection import Detection
    from monitor.models import Article
    from monitor.pipeline.extract import extract_page
    from monitor.service.app import open_database
    from monitor.store.articles import save_article
    from monitor.store.tables import ArticleRow

    config = tmp_path / "monitor.toml"
    config.write_text(
        f'[monitor]\ndatabase_url = "sqlite:///{tmp_path / "m.db"}"\n\n'
        '[[topics]]\nname = "putin-trump"\nquery = "Putin AND Trump"\n'
    )
    page_file = PAGES / "dv-03.html"
    assert main(["-c", str(config), "explain", str(page_file)]) == 0
    capsys.readouterr()
    settings = load_config(config)
    db = open_database(settings)
    try:
        with db.session() as s:
            assert s.exec(select(func.count()).select_from(ArticleRow)).one() == 0
        page = extract_page(page_file.read_bytes(), page_file.resolve().as_uri())
        assert page is not None
        article = Article(
            url=page_file.resolve().as_uri(),
            feed_url="",
            title=page.title or "",
            text=page.text,
            text_source="page",
        )
        with db.session() as s:  # the article is processed for real: its alert is raised
            article_id = save_article(s, article, None, None)
            assert Detection(settings).process(s, replace(article, id=article_id))
    finally:
        db.close()
    assert main(["-c", str(config), "explain", str(page_file)]) == 0
    out = capsys.readouterr().out
    assert "this article is stored already" in out
    assert "story: joins st_" in out and "not new: this story already has a denial" in out
