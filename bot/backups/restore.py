"""`tiji restore`: a checked backup file back into the database, in one transaction.

The file is checked whole first (``bot.backups.archive``); then every row is inserted with its
original id, the organisation's audit chain is verified, and only then is the transaction
committed. Anything wrong — a corrupt or partial file, a broken chain, a row that does not fit —
rolls everything back: nothing is stored.

Ids are kept, because rows refer to each other by id, also outside foreign keys (a unit's
principal, a card's subject, the audit rows' data). So the target is a database without the
organisation: an empty one after a loss, or another bureau's, as long as no id is taken. An
organisation that exists already is replaced only with ``replace=True`` (`--replace`): its rows are
deleted in the same transaction, so a failed restore leaves it as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tortoise import Tortoise
from tortoise.exceptions import BaseORMException
from tortoise.models import Model
from tortoise.transactions import in_transaction

from bot.audit import verify_chain
from bot.backups.archive import Archive, BackupError, read_archive
from bot.backups.tables import columns, from_json, organisation_models
from models.org import Organisation

BATCH = 500


@dataclass(frozen=True)
class RestoreReport:
    organisation: str
    counts: dict[str, int]
    audit_rows: int
    replaced: bool

    def summary(self) -> str:
        rows = sum(self.counts.values())
        verb = "替换并恢复" if self.replaced else "恢复"
        return (
            f"单位 {self.organisation} 已{verb}：{rows} 行（审计记录 {self.audit_rows} 条，审计链校验通过）"
        )


def _models_by_table(archive: Archive) -> list[tuple[type[Model], list[dict[str, Any]]]]:
    models = organisation_models()
    known = {model._meta.db_table for model in models}
    if unknown := sorted(set(archive.tables) - known):
        raise BackupError(
            f"备份里有本版本 tiji 不认识的表 {', '.join(unknown)}：请用相同或更新版本的 tiji 恢复"
        )
    return [(model, archive.tables.get(model._meta.db_table, [])) for model in models]


def _instances(model: type[Model], rows: list[dict[str, Any]]) -> list[Model]:
    allowed = set(columns(model))
    instances = []
    for row in rows:
        if extra := sorted(set(row) - allowed):
            raise BackupError(
                f"表 {model._meta.db_table} 的备份有本版本 tiji 没有的字段 {', '.join(extra)}："
                "请用相同或更新版本的 tiji 恢复"
            )
        instances.append(model(**{name: from_json(model, name, value) for name, value in row.items()}))
    return instances


async def _clear(existing: Organisation) -> None:
    for model in reversed(organisation_models()[1:]):
        await model.filter(organisation_id=existing.id).delete()
    await Organisation.filter(id=existing.id).delete()


async def _ids_free(model: type[Model], rows: list[dict[str, Any]]) -> None:
    pk = model._meta.pk_attr
    ids = [row[pk] for row in rows]
    for start in range(0, len(ids), BATCH):
        if await model.filter(**{f"{pk}__in": ids[start : start + BATCH]}).exists():
            raise BackupError(
                f"目标数据库的表 {model._meta.db_table} 已有相同编号的记录（属于其他单位）：请恢复到空数据库"
            )


async def _advance_sequences(models: list[type[Model]]) -> None:
    """PostgreSQL: move each id sequence past the restored ids (SQLite does it by itself)."""
    connection = Tortoise.get_connection("default")
    if connection.capabilities.dialect != "postgres":
        return
    for model in models:
        last = (
            await model.all().order_by(f"-{model._meta.pk_attr}").values_list(model._meta.pk_attr, flat=True)
        )
        if last:
            table = f'"{model._meta.db_table}"'
            await connection.execute_query(
                "SELECT setval(pg_get_serial_sequence($1, $2), $3)", [table, model._meta.pk_attr, last[0]]
            )


async def restore_backup(text: str, *, replace: bool = False) -> RestoreReport:
    """Restore the backup ``text``; raises ``BackupError`` (nothing stored) when it cannot."""
    archive = read_archive(text)
    plan = _models_by_table(archive)
    code = archive.organisation
    try:
        async with in_transaction():
            existing = await Organisation.get_or_none(code=code)
            if existing is not None and not replace:
                raise BackupError(
                    f"单位 {code} 已在数据库中：要用备份替换它，请加 --replace（会先删除该单位现有的全部数据）"
                )
            if existing is not None:
                await _clear(existing)
            for model, rows in plan:
                await _ids_free(model, rows)
                instances = _instances(model, rows)
                for start in range(0, len(instances), BATCH):
                    await model.bulk_create(instances[start : start + BATCH])
            organisation = await Organisation.get(code=code)
            chain = await verify_chain(organisation.id)
            if not chain.ok:
                raise BackupError(
                    f"审计链在第 {chain.broken_at} 条校验失败：备份内容与审计记录不符，未恢复任何数据"
                )
            await _advance_sequences([model for model, rows in plan if rows])
    except BaseORMException as error:
        raise BackupError(f"恢复失败，未写入任何数据：{type(error).__name__}: {error}") from None
    except (ValueError, TypeError, KeyError) as error:
        raise BackupError(f"备份中的数据无法读入（{error}），未恢复任何数据") from None
    counts = {model._meta.db_table: len(rows) for model, rows in plan}
    return RestoreReport(code, counts, chain.rows, existing is not None)
