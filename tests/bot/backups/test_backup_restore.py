"""`tiji backup` / `tiji restore` of an organisation after a real flow, on SQLite and PostgreSQL:
the round trip gives back every row, a corrupt, partial or tampered file is refused in Chinese with
nothing stored, and an existing organisation is replaced only when asked."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from tortoise import Tortoise

from bot.audit import verify_chain
from bot.backups import BackupError, restore_backup, write_backup
from bot.backups.tables import organisation_models, unowned_models
from bot.clock import SimClock
from bot.runtime.db import tortoise_config
from bot.settings import Settings
from models.matter import Matter
from models.org import Organisation
from tests.support.stack import Stack, running_stack

FORM = "说不\n服务对象：桐柏县宏达运输有限公司\n联系电话：13800001111\n事项：道路运输经营许可证延续\n拟说不理由：年审材料不全"
ORG = "tongbai-jt"


@pytest.fixture
async def stack(settings: Settings, clock: SimClock, db: None) -> AsyncIterator[Stack]:
    async with running_stack(settings, clock) as s:
        await s.import_org()
        yield s


async def say(stack: Stack, handle: str, text: str) -> None:
    response = await stack.client.post("/sim/api/messages", json={"from": handle, "text": text})
    assert response.status == 202, await response.text()
    await stack.drain()


async def escalate_once(stack: Stack) -> None:
    """A matter submitted and escalated: matters, steps, cards, outbox rows and audit rows exist."""
    await say(stack, "zhangwei", FORM)
    response = await stack.client.get("/sim/api/inbox/chenguoqing")
    card = next(i["card"] for i in await response.json() if i["kind"] == "card")
    clicked = await stack.client.post(
        f"/sim/api/cards/{card['ref']}/click", json={"by": "chenguoqing", "key": "escalate", "selected": {}}
    )
    assert (await clicked.json())["ok"]
    await stack.drain()


async def every_row() -> dict[str, list[dict[str, Any]]]:
    return {
        model._meta.db_table: await model.all().order_by(model._meta.pk_attr).values()
        for model in organisation_models()
    }


async def empty_database(settings: Settings, tmp_path: Path) -> None:
    """A new, empty database with the schema (a server rebuilt after a loss)."""
    url = settings.effective_database_url
    await Tortoise.close_connections()
    if url.startswith(("postgres", "asyncpg")):
        await Tortoise.init(config=tortoise_config(url))
        await Tortoise.get_connection("default").execute_script(
            "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"
        )
    else:
        await Tortoise.init(config=tortoise_config(f"sqlite://{tmp_path / 'restored.sqlite3'}"))
    await Tortoise.generate_schemas()


def rewrite_checksum(lines: list[str]) -> str:
    """What someone who edits a backup and fixes its checksum would write."""
    body = lines[:-1]
    end = json.loads(lines[-1])
    end["sha256"] = hashlib.sha256("".join(body).encode()).hexdigest()
    return "".join(body) + json.dumps(end) + "\n"


async def backed_up(stack: Stack, tmp_path: Path) -> str:
    path = tmp_path / "backup.jsonl"
    counts = await write_backup(ORG, path, stack.resources.clock.now())
    assert counts["matter"] == 1 and counts["audit_log"] >= 2 and counts["outbox"] > 0
    return path.read_text(encoding="utf-8")


async def test_every_table_of_the_organisation_is_backed_up(db: None) -> None:
    # A table that belongs to no organisation is in no backup: adding one is a decision to make here.
    assert unowned_models() == []


async def test_a_backup_restored_into_an_empty_database_gives_back_every_row(
    stack: Stack, settings: Settings, tmp_path: Path
) -> None:
    await escalate_once(stack)
    before = await every_row()
    text = await backed_up(stack, tmp_path)

    await empty_database(settings, tmp_path)
    report = await restore_backup(text)

    assert await every_row() == before
    organisation = await Organisation.get(code=ORG)
    assert (await verify_chain(organisation.id)).ok and report.audit_rows == len(before["audit_log"])
    assert "审计链校验通过" in report.summary()
    # New rows get new ids after the restored ones (PostgreSQL's sequences were moved on).
    await say(stack, "wangfang", FORM)
    assert await Matter.filter(organisation=organisation).count() == 2


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda lines: lines[:-3], "备份文件不完整：缺少结尾行"),
        (lambda lines: [*lines[:-3], lines[-1]], "校验和不符"),
        (lambda lines: [lines[0], lines[1][:-20] + "\n", *lines[2:]], "第 2 行已损坏"),
        (lambda lines: [lines[0].replace("tiji-backup", "zip"), *lines[1:]], "这不是 tiji 的备份文件"),
        (lambda lines: [], "备份文件是空的"),
    ],
)
async def test_a_corrupt_or_partial_file_is_refused_and_nothing_is_stored(
    stack: Stack, settings: Settings, tmp_path: Path, damage: Any, message: str
) -> None:
    await escalate_once(stack)
    lines = (await backed_up(stack, tmp_path)).splitlines(keepends=True)
    await empty_database(settings, tmp_path)

    with pytest.raises(BackupError, match=message):
        await restore_backup("".join(damage(lines)))
    assert await Organisation.all().count() == 0


async def test_rows_left_out_with_a_fixed_checksum_are_refused_by_their_counts(
    stack: Stack, settings: Settings, tmp_path: Path
) -> None:
    await escalate_once(stack)
    lines = (await backed_up(stack, tmp_path)).splitlines(keepends=True)
    kept = [line for line in lines if '"table":"outbox"' not in line]
    await empty_database(settings, tmp_path)
    with pytest.raises(BackupError, match="表 outbox 应有"):
        await restore_backup(rewrite_checksum(kept))
    assert await Organisation.all().count() == 0


async def test_an_audit_row_changed_in_the_file_breaks_the_chain_and_nothing_is_stored(
    stack: Stack, settings: Settings, tmp_path: Path
) -> None:
    await escalate_once(stack)
    lines = (await backed_up(stack, tmp_path)).splitlines(keepends=True)
    audit = next(i for i, line in enumerate(lines) if '"table":"audit_log"' in line)
    entry = json.loads(lines[audit])
    entry["row"]["actor"] = "wangjianguo"  # someone rewrites who decided
    lines[audit] = json.dumps(entry, ensure_ascii=False) + "\n"
    await empty_database(settings, tmp_path)

    with pytest.raises(BackupError, match="审计链在第 1 条校验失败"):
        await restore_backup(rewrite_checksum(lines))
    assert await Organisation.all().count() == 0
    assert await Matter.all().count() == 0


async def test_an_existing_organisation_is_replaced_only_when_asked(stack: Stack, tmp_path: Path) -> None:
    await escalate_once(stack)
    text = await backed_up(stack, tmp_path)
    before = await every_row()
    await say(stack, "wangfang", FORM)  # work done after the backup

    with pytest.raises(BackupError, match="已在数据库中：要用备份替换它，请加 --replace"):
        await restore_backup(text)
    assert await Matter.all().count() == 2

    report = await restore_backup(text, replace=True)
    assert report.replaced and await every_row() == before


async def test_the_commands_say_what_they_did(
    stack: Stack, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.cli.backup import cmd_backup, cmd_restore

    await escalate_once(stack)
    monkeypatch.setattr("bot.cli.backup.settings_from_env", lambda: settings)
    monkeypatch.setattr("bot.cli.backup.database", _already_open)
    path = tmp_path / "b.jsonl"

    class Args:
        org = ORG
        output = str(path)
        file = str(path)
        replace = False

    assert await cmd_backup(Args()) == 0  # type: ignore[arg-type]
    assert path.exists() and not path.with_name("b.jsonl.partial").exists()
    assert await cmd_restore(Args()) == 1  # the organisation exists and --replace was not given
    path.write_text(path.read_text(encoding="utf-8")[:-10], encoding="utf-8")
    Args.replace = True
    assert await cmd_restore(Args()) == 1  # cut short: refused even with --replace
    assert await Matter.all().count() == 1
    assert dt.datetime.fromisoformat(json.loads(path.read_text().splitlines()[0])["created_at"])


class _already_open:
    def __init__(self, settings: Settings) -> None:
        pass

    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, *exc: object) -> None:
        return None
