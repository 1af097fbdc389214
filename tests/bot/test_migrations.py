"""`tiji migrate` builds the schema on a fresh database, and the migrations match the models."""

from __future__ import annotations

from pathlib import Path

from tortoise import Tortoise
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.migrations.autodetector import MigrationAutodetector

from bot.db import migrate, tortoise_config
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


async def test_migrate_builds_a_usable_schema_twice(settings: Settings) -> None:
    EXECUTOR_CACHE.clear()  # SQL cached for the other backend by an earlier test
    if settings.effective_database_url.startswith(("postgres", "asyncpg")):
        await Tortoise.init(config=tortoise_config(settings.effective_database_url))
        await Tortoise.get_connection("default").execute_script(
            "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"
        )
        await Tortoise.close_connections()
    await migrate(settings)
    await migrate(settings)  # nothing left to apply: a no-op
    await Tortoise.init(config=tortoise_config(settings.effective_database_url))
    try:
        await Organisation.create(code="t", name="测试局")
        assert await Matter.all().count() == 0
    finally:
        await Tortoise.close_connections()
