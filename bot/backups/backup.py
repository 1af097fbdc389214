"""`tiji backup`: every row of one organisation, read in one consistent snapshot, as JSON lines."""

from __future__ import annotations

import asyncio
import datetime as dt
from importlib.metadata import version
from pathlib import Path
from typing import Any

from tortoise import Tortoise
from tortoise.transactions import in_transaction

from bot.backups.archive import FORMAT, VERSION, BackupError, Writer
from bot.backups.tables import columns, organisation_models, to_json
from models.org import Organisation


async def _snapshot() -> None:
    """On PostgreSQL every SELECT of the transaction sees the same snapshot (SQLite's read
    transaction already does), so a backup taken while the bureau works is consistent."""
    connection = Tortoise.get_connection("default")
    if connection.capabilities.dialect == "postgres":
        await connection.execute_script("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")


async def backup_text(code: str, now: dt.datetime) -> tuple[str, dict[str, int]]:
    """The backup of organisation ``code`` and its row count per table."""
    tables: list[tuple[str, list[dict[str, Any]]]] = []
    async with in_transaction():
        await _snapshot()
        organisation = await Organisation.get_or_none(code=code)
        if organisation is None:
            raise BackupError(f"没有代码为 {code} 的单位")
        for model in organisation_models():
            names = columns(model)
            scope = {"id": organisation.id} if model is Organisation else {"organisation_id": organisation.id}
            rows = await model.filter(**scope).order_by(names[0]).values(*names)
            tables.append((model._meta.db_table, rows))
    counts = {table: len(rows) for table, rows in tables}
    header = {
        "format": FORMAT, "version": VERSION, "organisation": code, "name": organisation.name,
        "created_at": now.astimezone(dt.UTC).isoformat(), "tiji": version("tiji"), "counts": counts,
    }  # fmt: skip
    writer = Writer()
    lines = [writer.line(header)]
    for table, rows in tables:
        lines += [writer.row(table, {k: to_json(v) for k, v in row.items()}) for row in rows]
    lines.append(writer.end())
    return "".join(lines), counts


async def write_backup(code: str, path: Path, now: dt.datetime) -> dict[str, int]:
    """Write the backup of ``code`` to ``path`` (via ``path.partial`` and a rename, so a file with the
    final name is always complete). Returns the row count per table."""
    text, counts = await backup_text(code, now)
    partial = path.with_name(path.name + ".partial")
    try:
        await asyncio.to_thread(partial.write_text, text, encoding="utf-8")
        await asyncio.to_thread(partial.replace, path)
    except OSError as error:
        raise BackupError(f"写不了备份文件 {path}：{error.strerror}") from None
    return counts
