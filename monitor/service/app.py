"""What `once`, `run` and the management commands share: opening the database the config
names (migrated, feeds synced) and registering the config's secrets with the log filter."""

from __future__ import annotations

from monitor.config import Settings
from monitor.logs import register_secrets
from monitor.refresh import configured_feeds
from monitor.store import feeds as feed_store
from monitor.store.db import Database, default_database_url


def secrets_of(settings: Settings) -> list[str]:
    """Every secret value in the config, for the log filter."""
    values: list[str] = []
    for channel in settings.channels:
        for name in ("secret", "password", "url"):
            value = getattr(channel, name, None)
            if value is not None and hasattr(value, "get_secret_value"):
                values.append(value.get_secret_value())
        for url in getattr(channel, "urls", ()) or ():
            values.append(url.get_secret_value())
    if settings.monitor.database_url and "@" in settings.monitor.database_url:
        values.append(settings.monitor.database_url)
    return values


def open_database(settings: Settings, *, sync: bool = True) -> Database:
    """The config's database, migrated, with the config's feeds synced into it."""
    register_secrets(secrets_of(settings))
    db = Database(settings.monitor.database_url or default_database_url())
    db.migrate()
    if sync:
        with db.session() as session:
            feed_store.sync_feeds(session, configured_feeds(settings))
    return db
