"""The monitor's exceptions, few and purposeful.

    MonitorError                  base: anything the monitor raises on purpose
    ├── ConfigError               the config cannot be used; carries every problem found
    ├── QueryError                a topic query cannot be parsed (column and what was expected)
    ├── FetchError                a feed or page could not be fetched (kind says why)
    │   └── RefusedAddress        the URL's host resolves to an address we do not fetch from
    ├── FeedError                 the bytes fetched are not a usable feed
    ├── DeliveryError             a channel refused or failed an alert (retryable or not)
    └── StoreError                the database cannot be used (unreachable, read-only, full)

Errors from libraries below (httpx, feedparser, SQLAlchemy, smtplib) are translated into these
at the stage that calls them, so a caller handles one tree.
"""

from __future__ import annotations


class MonitorError(Exception):
    """Base of every error the monitor raises on purpose."""


class ConfigError(MonitorError):
    """The config cannot be used. `problems` holds one line per problem, each naming
    the file and the key path, e.g. ``monitor.toml: topics[1].query: unbalanced parenthesis``."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class QueryError(MonitorError):
    """A topic query cannot be parsed. `column` is 1-based."""

    def __init__(self, message: str, column: int) -> None:
        self.message = message
        self.column = column
        super().__init__(f"{message} at column {column}")


class FetchError(MonitorError):
    """A URL could not be fetched. `kind` is a short stable label used in metrics and
    feed status: timeout, too_large, redirects, http_404, connect, refused, content_type ..."""

    def __init__(self, kind: str, message: str, *, retry_after: float | None = None) -> None:
        self.kind = kind
        self.retry_after = retry_after
        super().__init__(message)


class RefusedAddress(FetchError):
    """The host resolves to a loopback, private, link-local, multicast or unspecified address
    and private networks are not allowed, or the scheme is not http(s)."""

    def __init__(self, message: str) -> None:
        super().__init__("refused", message)


class FeedError(MonitorError):
    """The fetched bytes yield no feed entries at all."""


class DeliveryError(MonitorError):
    """A channel failed to deliver. `retryable` is False for errors no retry will fix."""

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        self.retryable = retryable
        super().__init__(message)


class StoreError(MonitorError):
    """The database cannot be used. `fatal` when waiting will not help (read-only, disk
    full): the daemon then exits non-zero so systemd restarts it; otherwise (a PostgreSQL
    restart) it waits and reconnects."""

    def __init__(self, message: str, *, fatal: bool = False) -> None:
        self.fatal = fatal
        super().__init__(message)
