"""The only reader of the TOML config and of the environment.

`load_config(path)` returns frozen, validated `Settings`, or raises `ConfigError` listing every
problem, each as ``FILE: key.path: what is wrong``. `${VAR}` in any string is read from the
environment; a missing variable is an error. Unknown keys are errors: a typo must not pass
silently. Secrets (passwords, webhook secrets, URLs that carry tokens) are `SecretStr`, so they
never print.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from monitor.errors import ConfigError, QueryError
from monitor.models import KINDS, Kind

DEFAULT_USER_AGENT = "news-monitor/0.1 (+https://github.com/news-monitor/news-monitor)"
DEFAULT_CONFIG_PATHS = ("config/monitor.toml", "/etc/news-monitor/monitor.toml")

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)", re.IGNORECASE)
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def parse_duration(value: object) -> timedelta:
    """ "90s", "5m", "1h30m", "2d", or a number of seconds."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool):
        raise ValueError("expected a duration such as '90s', '5m' or '1h'")
    if isinstance(value, int | float):
        return timedelta(seconds=float(value))
    if not isinstance(value, str):
        raise ValueError("expected a duration such as '90s', '5m' or '1h'")
    text = value.strip().replace(" ", "")
    parts = list(_DURATION_PART.finditer(text))
    if not parts or "".join(p.group(0) for p in parts) != text:
        raise ValueError(f"{value!r} is not a duration; use e.g. '90s', '5m', '1h' or '1h30m'")
    seconds = sum(float(p.group(1)) * _UNIT_SECONDS[p.group(2).lower()] for p in parts)
    return timedelta(seconds=seconds)


def format_duration(value: timedelta) -> str:
    seconds = int(value.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{value.total_seconds():g}s"


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]


def _positive(value: timedelta, minimum: float = 1.0) -> timedelta:
    if value.total_seconds() < minimum:
        raise ValueError(f"must be at least {minimum:g}s")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _http_url(value: str) -> str:
    if not re.match(r"^https?://[^/\s]+", value or ""):
        raise ValueError(f"{value!r} is not an http(s) URL")
    return value


class MonitorSettings(_Strict):
    database_url: str | None = None
    poll_interval: Duration = timedelta(minutes=5)
    allow_private_networks: bool = False
    user_agent: str = DEFAULT_USER_AGENT
    http: str | None = None  # "127.0.0.1:9108": health and metrics endpoint; off when unset
    fetch_timeout: Duration = timedelta(seconds=60)
    max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    max_connections: int = Field(default=64, ge=1, le=1000)
    max_per_host: int = Field(default=4, ge=1, le=100)
    delivery_max_age: Duration = timedelta(hours=24)
    pause_after: Duration = timedelta(days=3)  # a feed failing this long is paused

    @field_validator("poll_interval")
    @classmethod
    def _interval(cls, v: timedelta) -> timedelta:
        return _positive(v)

    @field_validator("fetch_timeout", "delivery_max_age", "pause_after")
    @classmethod
    def _durations(cls, v: timedelta) -> timedelta:
        return _positive(v)

    @field_validator("http")
    @classmethod
    def _listen(cls, v: str | None) -> str | None:
        if v is not None and not re.match(r"^(\[[0-9a-fA-F:]+\]|[\w.-]+):\d{1,5}$", v):
            raise ValueError(f"{v!r} is not HOST:PORT, e.g. '127.0.0.1:9108'")
        return v


class FeedSettings(_Strict):
    url: str
    name: str | None = None
    interval: Duration | None = None
    enabled: bool = True

    _url = field_validator("url")(classmethod(lambda cls, v: _http_url(v)))

    @field_validator("interval")
    @classmethod
    def _interval(cls, v: timedelta | None) -> timedelta | None:
        return None if v is None else _positive(v)


class TopicSettings(_Strict):
    name: str = Field(min_length=1)
    query: str
    kinds: tuple[Kind, ...] = KINDS
    channels: tuple[str, ...] | None = None  # None: every channel

    @field_validator("query")
    @classmethod
    def _query(cls, v: str) -> str:
        from monitor.pipeline.query import parse_query

        try:
            parse_query(v)
        except QueryError as exc:
            raise ValueError(str(exc)) from None
        return v

    @field_validator("kinds")
    @classmethod
    def _kinds(cls, v: tuple[Kind, ...]) -> tuple[Kind, ...]:
        if not v:
            raise ValueError("must name at least one of 'claim', 'denial'")
        return tuple(dict.fromkeys(v))


class _Channel(_Strict):
    name: str = Field(min_length=1)
    max_per_hour: int | None = Field(default=None, ge=1)  # over the cap, alerts fold into a digest


class WebhookChannel(_Channel):
    type: Literal["webhook"]
    url: SecretStr  # hook URLs often carry a token (Slack, Discord)
    secret: SecretStr | None = None
    format: Literal["json", "slack", "discord"] = "json"
    timeout: Duration = timedelta(seconds=15)

    @field_validator("url")
    @classmethod
    def _url(cls, v: SecretStr) -> SecretStr:
        # the URL may carry a token: say what is wrong without echoing it
        if not re.match(r"^https?://[^/\s]+", v.get_secret_value()):
            raise ValueError("is not an http(s) URL (not shown: webhook URLs may hold tokens)")
        return v


class EmailChannel(_Channel):
    type: Literal["email"]
    host: str
    port: int = Field(default=587, ge=1, le=65535)
    starttls: bool = True
    tls: bool = False  # implicit TLS (port 465)
    username: str | None = None
    password: SecretStr | None = None
    sender: str
    recipients: tuple[str, ...] = Field(min_length=1)
    digest: Duration | None = None
    timeout: Duration = timedelta(seconds=30)

    @model_validator(mode="after")
    def _tls(self) -> EmailChannel:
        if self.tls and self.starttls and self.port == 465:
            # port 465 speaks implicit TLS; STARTTLS there would hang
            object.__setattr__(self, "starttls", False)
        if self.password is not None and not self.username:
            raise ValueError("password given without username")
        return self


class LogChannel(_Channel):
    type: Literal["log"]
    level: Literal["INFO", "WARNING", "SUCCESS"] = "INFO"


class AppriseChannel(_Channel):
    type: Literal["apprise"]
    urls: tuple[SecretStr, ...] = Field(min_length=1)


Channel = Annotated[
    WebhookChannel | EmailChannel | LogChannel | AppriseChannel, Field(discriminator="type")
]


class DetectionSettings(_Strict):
    """Extra cue phrases users add to the built-in lexicon."""

    denial_cues: tuple[str, ...] = ()
    claim_cues: tuple[str, ...] = ()


class Settings(_Strict):
    monitor: MonitorSettings = MonitorSettings()
    feeds: tuple[FeedSettings, ...] = ()
    topics: tuple[TopicSettings, ...] = ()
    channels: tuple[Channel, ...] = ()
    detection: DetectionSettings = DetectionSettings()
    source: str = Field(default="", exclude=True)  # the file it came from

    @model_validator(mode="after")
    def _references(self) -> Settings:
        problems = _duplicates("feeds", [f.url for f in self.feeds], "url")
        problems += _duplicates("topics", [t.name for t in self.topics], "name")
        problems += _duplicates("channels", [c.name for c in self.channels], "name")
        names = {c.name for c in self.channels}
        for i, topic in enumerate(self.topics):
            for ch in topic.channels or ():
                if ch not in names:
                    problems.append(f"topics[{i}].channels: no channel named {ch!r}")
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def feed_interval(self, feed: FeedSettings) -> timedelta:
        return feed.interval or self.monitor.poll_interval

    def channels_for(self, topic: TopicSettings) -> list[str]:
        if topic.channels is None:
            return [c.name for c in self.channels]
        return list(topic.channels)


def config_warnings(settings: Settings) -> list[str]:
    """Things that are valid but probably not what the user meant, one line each."""
    from monitor.pipeline.query import matches_nothing_present, parse_query

    warnings = []
    for i, topic in enumerate(settings.topics):
        if matches_nothing_present(parse_query(topic.query)):
            warnings.append(
                f"{settings.source}: topics[{i}].query: matches every article that lacks "
                f"its excluded words; add a positive term (e.g. 'X AND NOT Y')"
            )
    if not settings.channels:
        warnings.append(f"{settings.source}: no [[channels]]: alerts are stored but sent nowhere")
    return warnings


def _duplicates(section: str, values: list[str], key: str) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, v in enumerate(values):
        if v in seen:
            out.append(f"{section}[{i}].{key}: {v!r} repeats {section}[{seen[v]}]")
        seen.setdefault(v, i)
    return out


def find_config(explicit: str | None, env: Mapping[str, str] | None = None) -> Path:
    """-c FILE, then $NEWS_MONITOR_CONFIG, then ./config/monitor.toml, then /etc."""
    env = os.environ if env is None else env
    if explicit:
        return Path(explicit)
    if env.get("NEWS_MONITOR_CONFIG"):
        return Path(env["NEWS_MONITOR_CONFIG"])
    for candidate in DEFAULT_CONFIG_PATHS:
        if Path(candidate).exists():
            return Path(candidate)
    return Path(DEFAULT_CONFIG_PATHS[0])


def load_config(path: str | Path, env: Mapping[str, str] | None = None) -> Settings:
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError([f"{path}: no such file (create one with `news-monitor init`)"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{path}: cannot read: {exc}"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{path}: not valid TOML: {exc}"]) from None
    return parse_config(raw, source=str(path), env=env)


def parse_config(
    raw: dict[str, Any], source: str = "<config>", env: Mapping[str, str] | None = None
) -> Settings:
    env = os.environ if env is None else env
    missing: list[str] = []
    expanded = _expand(raw, env, (), missing)
    problems = [f"{source}: {p}" for p in missing]
    try:
        settings = Settings.model_validate({**expanded, "source": source})
    except ValidationError as exc:
        problems += [f"{source}: {line}" for line in _describe(exc)]
        raise ConfigError(problems) from None
    if problems:
        raise ConfigError(problems)
    return settings


def _expand(value: Any, env: Mapping[str, str], path: tuple[Any, ...], missing: list[str]) -> Any:
    if isinstance(value, str):

        def sub(m: re.Match[str]) -> str:
            if m.group(1) not in env:
                missing.append(f"{key_path(path)}: environment variable {m.group(1)} is not set")
                return ""
            return env[m.group(1)]

        return _ENV_REF.sub(sub, value)
    if isinstance(value, dict):
        return {k: _expand(v, env, (*path, k), missing) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand(v, env, (*path, i), missing) for i, v in enumerate(value)]
    return value


def key_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def _describe(exc: ValidationError) -> list[str]:
    lines = []
    for err in exc.errors(include_url=False, include_input=False):
        # a discriminated union adds the tag ("webhook") to the location: drop it
        loc = tuple(p for p in err["loc"] if p not in ("webhook", "email", "log", "apprise"))
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown key (check its spelling against the config reference)"
        elif err["type"] == "union_tag_invalid" or err["type"] == "union_tag_not_found":
            msg = "type must be one of 'webhook', 'email', 'log', 'apprise'"
        for i, line in enumerate(msg.split("\n")):
            lines.append(line if (i or not loc and "[" in line) else f"{key_path(loc)}: {line}")
    return lines
