"""`tiji migrate` builds the schema on a fresh database, and the migrations match the models."""

from __future__ import annotations

import asyncio
import os
import sys
from asyncio.subprocess import PIPE, STDOUT
from pathlib import Path

from tortoise import Tortoise
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.migrations.autodetector import MigrationAutodetector

from bot.runtime.db import tortoise_config
from bot.settings import Settings
from models.matter import Matter
from models.org import Organisation


async def test_migrations_are_up_to_date_with_the_models(tmp_path: Path) -> None:
    config = tortoise_config(f"sqlite://{tmp_path / 'm.sqlite3'}")
    await Tortoise.init(config=config)
    try:
        apps = config["apps"]
        autodetector = MigrationAutodetector(Tortoise.apps, apps)
        writers = await autodetector.changes()
        assert writers == [], "models changed without a migration: run `make migrations`"
    finally:
        await Tortoise.close_connections()


async def _tiji(settings: Settings, *args: str) -> str:
    env = {
        **os.environ,
        "TIJI_DATABASE_URL": settings.effective_database_url,
        "TIJI_DATA_DIR": str(settings.data_dir),
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", *args, env=env, stdout=PIPE, stderr=STDOUT
    )
    out, _ = await proc.communicate()
    assert proc.returncode == 0, out.decode()
    return out.decode()


async def test_tiji_migrate_builds_a_usable_schema_twice(settings: Settings) -> None:
    """`tiji migrate` as a deploy runs it: a fresh database, then again with nothing to apply."""
    EXECUTOR_CACHE.clear()  # SQL cached for the other backend by an earlier test
    if settings.effective_database_url.startswith(("postgres", "asyncpg")):
        await Tortoise.init(config=tortoise_config(settings.effective_database_url))
        await Tortoise.get_connection("default").execute_script(
            "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"
        )
        await Tortoise.close_connections()
    assert "数据库已是最新结构" in await _tiji(settings, "migrate")
    assert "数据库已是最新结构" in await _tiji(settings, "migrate")
    await Tortoise.init(config=tortoise_config(settings.effective_database_url))
    try:
        await Organisation.create(code="t", name="测试局")
        assert await Matter.all().count() == 0
    finally:
        await Tortoise.close_connections()


def test_make_migrations_config_comes_from_settings(tmp_path: Path) -> None:
    """The dotted path `make migrations` hands tortoise's CLI resolves, and follows the settings."""
    from tortoise.cli.utils import get_tortoise_config

    from bot.runtime.migration_config import migration_config

    assert get_tortoise_config("bot.runtime.migration_config.MIGRATION_CONFIG") is not None
    unset = Settings(_env_file=None, data_dir=tmp_path)  # type: ignore[call-arg]
    assert migration_config(unset)["connections"]["default"] == "sqlite://:memory:"
    url = f"sqlite://{tmp_path / 'dev.sqlite3'}"
    configured = Settings(_env_file=None, data_dir=tmp_path, database_url=url)  # type: ignore[call-arg]
    assert migration_config(configured)["connections"]["default"] == url
