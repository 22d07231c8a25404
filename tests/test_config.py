"""Config: the whole schema validated, every problem reported with file and key path."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from monitor.cli import main, starter_config
from monitor.config import find_config, load_config, parse_config, parse_duration
from monitor.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]


def problems(raw: dict, env: dict | None = None) -> list[str]:
    with pytest.raises(ConfigError) as info:
        parse_config(raw, "m.toml", env=env or {})
    return info.value.problems


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90s", 90),
        ("5m", 300),
        ("1h", 3600),
        ("1h30m", 5400),
        ("2d", 172800),
        (45, 45),
        ("250ms", 0.25),
    ],
)
def test_durations(text: object, seconds: float) -> None:
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("bad", ["5x", "", "m5", "1.5.5s", True, None])
def test_bad_durations(bad: object) -> None:
    with pytest.raises(ValueError):
        parse_duration(bad)


def test_every_problem_is_listed_with_its_key_path() -> None:
    found = problems(
        {
            "monitor": {"poll_intervall": "5m", "poll_interval": "0s"},
            "feeds": [{"url": "ftp://x"}],
            "topics": [{"name": "t", "query": "(Putin AND Trump", "channels": ["nope"]}],
            "channels": [{"name": "a", "type": "sms"}],
        }
    )
    joined = "\n".join(found)
    assert "m.toml: monitor.poll_intervall: unknown key" in joined
    assert "m.toml: monitor.poll_interval: must be at least 1s" in joined
    assert "m.toml: feeds[0].url: 'ftp://x' is not an http(s) URL" in joined
    assert re.search(r"m\.toml: topics\[0\]\.query: .*parenthes.* at column \d+", joined)
    assert "m.toml: channels[0]: type must be one of" in joined


def test_topic_channels_must_exist() -> None:
    found = problems(
        {
            "topics": [{"name": "t", "query": "a", "channels": ["nope"]}],
            "channels": [{"name": "log", "type": "log"}],
        }
    )
    assert found == ["m.toml: topics[0].channels: no channel named 'nope'"]


def test_duplicate_names_are_errors() -> None:
    found = problems({"feeds": [{"url": "http://a/"}, {"url": "http://a/"}]})
    assert found == ["m.toml: feeds[1].url: 'http://a/' repeats feeds[0]"]


def test_environment_variables_expand_and_missing_ones_are_errors() -> None:
    raw = {
        "channels": [
            {
                "name": "h",
                "type": "webhook",
                "url": "http://127.0.0.1/h",
                "secret": "${HOOK_SECRET}",
            }
        ]
    }
    settings = parse_config(raw, env={"HOOK_SECRET": "s3cret"})
    assert settings.channels[0].secret.get_secret_value() == "s3cret"  # type: ignore[union-attr]
    assert problems(raw) == [
        "m.toml: channels[0].secret: environment variable HOOK_SECRET is not set"
    ]


def test_secrets_do_not_print() -> None:
    raw = {
        "channels": [
            {
                "name": "m",
                "type": "email",
                "host": "h",
                "sender": "a@b",
                "recipients": ["c@d"],
                "username": "u",
                "password": "hunter22",
            }
        ]
    }
    assert "hunter22" not in repr(parse_config(raw, env={}))


def test_defaults() -> None:
    settings = parse_config({}, env={})
    assert settings.monitor.poll_interval == timedelta(minutes=5)
    assert not settings.monitor.allow_private_networks and settings.monitor.http is None


def test_config_lookup_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert find_config("x.toml") == Path("x.toml")
    assert find_config(None, {"NEWS_MONITOR_CONFIG": "/e.toml"}) == Path("/e.toml")
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "monitor.toml").write_text("")
    assert find_config(None, {}) == Path("config/monitor.toml")


def test_the_shipped_config_is_valid_and_is_what_init_writes() -> None:
    shipped = REPO / "config" / "monitor.toml"
    settings = load_config(shipped, env={})
    assert [t.query for t in settings.topics] == ["Putin AND Trump"]
    assert [c.type for c in settings.channels] == ["log"]
    assert len(settings.feeds) >= 4
    assert shipped.read_text() == starter_config()


def test_check_config_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.toml"
    good.write_text('[[topics]]\nname = "t"\nquery = "a AND b"\n')
    assert main(["-c", str(good), "check-config"]) == 0
    capsys.readouterr()
    bad = tmp_path / "bad.toml"
    bad.write_text('[monitor]\npoll_interval = "soon"\nbogus = 1\n')
    assert main(["-c", str(bad), "check-config"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all(line.startswith(f"{bad}: monitor.") for line in err)
    broken = tmp_path / "broken.toml"
    broken.write_text("[monitor\n")
    assert main(["-c", str(broken), "check-config"]) == 2
    assert main(["-c", str(tmp_path / "missing.toml"), "check-config"]) == 2


def test_init_writes_a_config_that_checks(tmp_path: Path) -> None:
    assert main(["init", str(tmp_path / "cfg")]) == 0
    assert main(["-c", str(tmp_path / "cfg" / "monitor.toml"), "check-config"]) == 0
    assert main(["init", str(tmp_path / "cfg")]) == 2  # never overwrites silently


def test_check_config_warns_about_likely_mistakes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "m.toml"
    path.write_text('[[topics]]\nname = "t"\nquery = "NOT football"\n')
    assert main(["-c", str(path), "check-config"]) == 0  # valid, so it still passes
    err = capsys.readouterr().err
    assert "topics[0].query: matches every article that lacks its excluded words" in err
    assert "no [[channels]]" in err


def test_global_options_work_after_the_command_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the systemd unit runs `news-monitor -c FILE run --log-json`
    path = tmp_path / "m.toml"
    path.write_text('[[channels]]\nname = "log"\ntype = "log"\n')
    assert main(["check-config", "-c", str(path)]) == 0
    assert main(["check-config", "--log-json", "--log-level", "DEBUG", "-c", str(path)]) == 0
    assert main(["-c", str(path), "check-config", "--log-json"]) == 0
    assert main(["-c", str(tmp_path / "missing.toml"), "check-config", "-c", str(path)]) == 0
    assert main(["-c", str(path), "feeds", "list", "--log-json"]) == 0
    assert str(path) in capsys.readouterr().out
