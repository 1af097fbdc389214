"""Database lifecycle: tortoise configuration, connection, migrations."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from tortoise import Tortoise
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.migrations.api import migrate as migrate_api

from bot.runtime import pooled_transactions
from bot.settings import Settings
from models import MODEL_MODULES

log = logging.getLogger(__name__)


async def _light_reset(connection: Any) -> None:
    """What a PostgreSQL connection needs on its way back to the pool: roll back a transaction a
    cancelled task left open. asyncpg's default reset (``pg_advisory_unlock_all(); CLOSE ALL;
    UNLISTEN *; RESET ALL``) is one more round trip after every query, and tiji keeps no session
    state (no advisory locks, LISTEN, cursors or SET)."""
    if connection.is_in_transaction():
        await connection.execute("ROLLBACK")


# Connections per process unless the URL says (``?maxsize=N``). tortoise's default of 5 capped a
# web process at 16–32 callbacks in flight (each waits a round trip for its statement): 10 gave
# ~1.6x the statements per second at 16 concurrent on the bench machine, at no CPU cost per
# statement. Two webs and two workers stay far below PostgreSQL's 100 connections.
POOL_MAXSIZE = 10


def _connection(database_url: str) -> str | dict[str, Any]:
    if not urlsplit(database_url).scheme.startswith(("postgres", "asyncpg")):
        return database_url
    config: dict[str, Any] = expand_db_url(database_url)
    config["credentials"]["reset"] = _light_reset
    config["credentials"].setdefault("maxsize", POOL_MAXSIZE)
    # No JIT: PostgreSQL compiles a plan past jit_above_cost before running it, and the quarterly
    # summary's GROUP BYs over a million matters spent ~0.4-0.7 s each compiling to save less
    # (EXPLAIN ANALYZE on the bench's database: 2.98 s with JIT, 2.59 s without); tiji's other
    # statements are small and never reach the threshold.
    config["credentials"].setdefault("server_settings", {}).setdefault("jit", "off")
    return config


def tortoise_config(database_url: str) -> dict[str, Any]:
    """The tortoise-orm configuration for one database URL."""
    return {
        "connections": {"default": _connection(database_url)},
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
    pooled_transactions.install()
    await Tortoise.init(config=tortoise_config(settings.effective_database_url))


async def close_database() -> None:
    await Tortoise.close_connections()


def single_connection(url: str) -> str:
    """The URL to migrate with: a pool of one connection (PostgreSQL, MySQL); on SQLite, foreign keys
    off.

    tortoise's migration executor spreads DDL over pooled connections; on PostgreSQL that races
    (seen here: "duplicate key … pg_type" and the migrations table missing at record time). One
    connection makes the migration run in order. SQLite alters a column by rebuilding the table
    (create new, copy, drop old, rename); with foreign keys on, dropping the old ``organisation``
    table cascades and deletes every matter (seen here), so the rebuild runs with them off and
    ``migrate`` checks them afterwards, as SQLite's documentation prescribes.
    """
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    if parts.scheme.startswith("sqlite"):
        query["foreign_keys"] = "OFF"
        return urlunsplit(parts._replace(query=urlencode(query)))
    query.update(minsize="1", maxsize="1")
    return urlunsplit(parts._replace(query=urlencode(query)))


async def migrate(settings: Settings) -> list[str]:
    """Apply every pending migration to the configured database; the names of those applied
    (empty when it was up to date already)."""
    prepare_data_dir(settings)
    config = tortoise_config(single_connection(settings.effective_database_url))
    applied: list[str] = []

    def progress(event: str, _app: str, name: str) -> None:
        if event == "apply_done":
            applied.append(name)

    await Tortoise.init(config=config, init_connections=False)
    try:
        await migrate_api(
            config=config, app_labels=None, target=None, fake=False, dry_run=False, progress=progress
        )
        if urlsplit(settings.effective_database_url).scheme.startswith("sqlite"):
            await _check_foreign_keys()
    finally:
        await Tortoise.close_connections()
    return applied


async def _check_foreign_keys() -> None:
    broken = await Tortoise.get_connection("default").execute_query_dict("PRAGMA foreign_key_check")
    if broken:
        raise RuntimeError(f"migration left rows whose foreign keys point nowhere: {broken[:5]}")


@asynccontextmanager
async def database(settings: Settings) -> AsyncIterator[None]:
    await open_database(settings)
    try:
        yield
    finally:
        await close_database()
