"""Database lifecycle: tortoise configuration, connection, migrations."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from tortoise import Tortoise

from bot.settings import Settings
from models import MODEL_MODULES

log = logging.getLogger(__name__)


def tortoise_config(database_url: str) -> dict[str, Any]:
    """The tortoise-orm configuration for one database URL."""
    return {
        "connections": {"default": database_url},
        "apps": {
            "models": {
                "models": MODEL_MODULES,
                "migrations": "models.migrations",
                "default_connection": "default",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def prepare_data_dir(settings: Settings) -> None:
    settings.data_dir.mkdir(parents=True, exist_ok=True)


async def open_database(settings: Settings) -> None:
    """Connect tortoise to the configured database (migrations are applied by `tiji migrate`)."""
    prepare_data_dir(settings)
    await Tortoise.init(config=tortoise_config(settings.effective_database_url))


async def close_database() -> None:
    await Tortoise.close_connections()


def single_connection(url: str) -> str:
    """The URL with a pool of one connection (PostgreSQL, MySQL).

    tortoise's migration executor spreads DDL over pooled connections; on PostgreSQL that races
    (seen here: "duplicate key … pg_type" and the migrations table missing at record time). One
    connection makes the migration run in order.
    """
    parts = urlsplit(url)
    if parts.scheme.startswith("sqlite"):
        return url
    query = dict(parse_qsl(parts.query))
    query.update(minsize="1", maxsize="1")
    return urlunsplit(parts._replace(query=urlencode(query)))


async def migrate(settings: Settings) -> None:
    """Apply every pending migration to the configured database."""
    from tortoise.migrations.api import migrate as migrate_api

    prepare_data_dir(settings)
    config = tortoise_config(single_connection(settings.effective_database_url))
    await Tortoise.init(config=config, init_connections=False)
    try:
        await migrate_api(config=config, app_labels=None, target=None, fake=False, dry_run=False)
    finally:
        await Tortoise.close_connections()


@asynccontextmanager
async def database(settings: Settings) -> AsyncIterator[None]:
    await open_database(settings)
    try:
        yield
    finally:
        await close_database()
