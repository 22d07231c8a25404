"""loguru set-up: readable lines on stderr, or one JSON object per line (`--log-json`) for
journald and log shippers. Other modules only `from loguru import logger` and log.

Secrets never reach the log: `redact_url` hides credentials and query strings of URLs that
may carry tokens, and a filter masks the values of every secret the config holds.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from loguru import logger

_secrets: list[str] = []
_LEVEL_WIDTH = 7


def redact_url(url: str) -> str:
    """scheme://host/path with user:password and the query string removed."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<url>"
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "…" if parts.query else "", ""))


def register_secrets(values: Iterable[str]) -> None:
    """Values that must never appear in a log line (passwords, webhook secrets, token URLs)."""
    for value in values:
        if value and len(value) >= 4 and value not in _secrets:
            _secrets.append(value)
    _secrets.sort(key=len, reverse=True)


def mask(text: str) -> str:
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, "***")
    return text


def _human(record: Any) -> str:
    record["extra"]["_msg"] = mask(record["message"])
    return "{time:YYYY-MM-DD HH:mm:ss} {level: <7} {extra[_msg]}\n{exception}"


def _json_sink(message: Any) -> None:
    record = message.record
    body: dict[str, Any] = {
        "time": record["time"].isoformat(),
        "level": record["level"].name,
        "message": mask(record["message"]),
        "module": record["name"],
    }
    extra = {k: v for k, v in record["extra"].items() if not k.startswith("_")}
    if extra:
        body["extra"] = json.loads(mask(json.dumps(extra, default=str)))
    if record["exception"] is not None:
        body["exception"] = mask(re.sub(r"\s+$", "", "".join(_format_exc(record["exception"]))))
    sys.stderr.write(json.dumps(body, ensure_ascii=False) + "\n")


def _format_exc(exc: Any) -> list[str]:
    import traceback

    return traceback.format_exception(exc.type, exc.value, exc.traceback)


def setup_logging(level: str = "INFO", json_lines: bool = False) -> None:
    logger.remove()
    if json_lines:
        logger.add(_json_sink, level=level, backtrace=False, diagnose=False)
    else:
        logger.add(sys.stderr, level=level, format=_human, backtrace=False, diagnose=False)
