"""`tiji migrate` builds the schema on a fresh database, and the migrations match the models."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sys
from asyncio.subprocess import PIPE, STDOUT
from pathlib import Path

import pytest
from tortoise import Tortoise
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.migrations.api.migrate import migrate as migrate_api
from tortoise.migrations.autodetector import MigrationAutodetector

from bot.runtime.db import migrate, single_connection, tortoise_config
from bot.settings import Settings
from models.enums import RefusalCategory
from models.matter import Matter
from models.org import Department, Organisation, Person, Unit

# Each test runs every migration (19 of them), some twice in `tiji migrate` subprocesses: minutes on a
# loaded 2-core CI machine, not the default 60 s.
pytestmark = pytest.mark.timeout(300)


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
    first = await _tiji(settings, "migrate")
    assert "已新建数据库" in first and "数据库已是最新结构" not in first
    assert "数据库已是最新结构" in await _tiji(settings, "migrate")
    await Tortoise.init(config=tortoise_config(settings.effective_database_url))
    try:
        await Organisation.create(code="t", name="测试局")
        assert await Matter.all().count() == 0
    finally:
        await Tortoise.close_connections()


async def test_migrating_keeps_every_matter_and_turns_refusal_titles_into_codes(settings: Settings) -> None:
    """A database from before the enums kept the refusal category's Chinese title on the matter and ''
    for none: after the migration both read back as the enum (or None), so old refusals still count."""
    EXECUTOR_CACHE.clear()
    url = single_connection(settings.effective_database_url)
    if url.startswith(("postgres", "asyncpg")):
        await Tortoise.init(config=tortoise_config(url))
        await Tortoise.get_connection("default").execute_script(
            "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"
        )
        await Tortoise.close_connections()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    config = tortoise_config(url)
    await Tortoise.init(config=config, init_connections=False)
    try:
        await migrate_api(config=config, app_labels=None, target="models.0001_initial")
    finally:
        await Tortoise.close_connections()
    await Tortoise.init(config=config)
    try:
        # Rows as the old code wrote them: the matter's columns of 0001 only (the ORM would write
        # the columns later migrations add), the category column as it was stored then.
        org = await Organisation.create(code="t", name="测试局")
        unit = await Unit.create(organisation=org, code="u", name="局机关")
        section = await Department.create(organisation=org, unit=unit, code="d", name="运输管理股")
        staff = await Person.create(organisation=org, handle="zhangsan", name="张三")
        at = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)
        postgres = url.startswith(("postgres", "asyncpg"))
        for seq, title in ((1, "客观条件不具备"), (2, "")):
            row = {
                "organisation_id": org.id, "number": f"TJ-2026-000{seq}", "year": 2026, "seq": seq,
                "unit_id": unit.id, "department_id": section.id, "submitter_id": staff.id, "applicant": "李四",
                "applicant_phone": "13800000000", "subject": "许可", "request": "", "reason": "理由",
                "policy_basis": "", "co_department_ids": "[]", "state": "refused", "level": 4, "version": 1,
                "submitted_at": at if postgres else at.isoformat(" "), "due_at": at if postgres else at.isoformat(" "),
                "decision_text": "", "refusal_category": title, "way_forward": "", "showcase": False,
            }  # fmt: skip
            marks = [f"${n}" if postgres else "?" for n in range(1, len(row) + 1)]
            await Tortoise.get_connection("default").execute_query(
                f"INSERT INTO matter ({', '.join(row)}) VALUES ({', '.join(marks)})",  # noqa: S608
                list(row.values()),
            )
    finally:
        await Tortoise.close_connections()
    await migrate(settings)
    await Tortoise.init(config=tortoise_config(settings.effective_database_url))
    try:
        categories = [m.refusal_category for m in await Matter.all().order_by("number")]
        assert categories == [RefusalCategory.CONDITIONS, None]
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
