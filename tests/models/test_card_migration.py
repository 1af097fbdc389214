"""Migration 0003: the cards a database already holds become decision cards whose subject is their
step, their outbox rows stay, and new cards (of any kind) can be stored — on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from tortoise import Tortoise
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.migrations.api.migrate import migrate as migrate_api

from bot.runtime.db import migrate, single_connection, tortoise_config
from bot.settings import Settings
from models.cards import CardInstance
from models.enums import CardKind, Platform
from models.messaging import OutboxKind, OutboxMessage
from models.org import Department, Organisation, Person, Unit

# Every migration runs here: longer than the default 60 s on a loaded 2-core CI machine.
pytestmark = pytest.mark.timeout(300)

AT = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)


def _postgres(url: str) -> bool:
    return url.startswith(("postgres", "asyncpg"))


async def _schema_before_cards_had_kinds(url: str) -> None:
    if _postgres(url):
        await Tortoise.init(config=tortoise_config(url))
        await Tortoise.get_connection("default").execute_script(
            "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"
        )
        await Tortoise.close_connections()
    config = tortoise_config(url)
    await Tortoise.init(config=config, init_connections=False)
    try:
        await migrate_api(config=config, app_labels=None, target="models.0002_enum_fields")
    finally:
        await Tortoise.close_connections()


# The row as the code before kinds wrote it (``step_id``, no kind, no subject), per placeholder style.
OLD_CARD_SQL = {
    "postgres": "INSERT INTO card_instance (organisation_id, ref, step_id, recipient_id, platform, platform_state,"
    " created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    "sqlite": "INSERT INTO card_instance (organisation_id, ref, step_id, recipient_id, platform, platform_state,"
    " created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
}


async def _old_card(url: str, org: Organisation, step_id: int, person: Person, ref: str) -> int:
    sql = OLD_CARD_SQL["postgres" if _postgres(url) else "sqlite"]
    values = [org.id, ref, step_id, person.id, "simulator", "{}", AT]
    rows = await Tortoise.get_connection("default").execute_query_dict(sql, values)
    return int(rows[0]["id"])


async def _old_row(url: str, table: str, row: dict[str, object]) -> int:
    marks = [f"${n}" if _postgres(url) else "?" for n in range(1, len(row) + 1)]
    values = [
        v.isoformat(" ") if isinstance(v, dt.datetime) and not _postgres(url) else v for v in row.values()
    ]
    sql = f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join(marks)}) RETURNING id"  # noqa: S608
    rows = await Tortoise.get_connection("default").execute_query_dict(sql, values)
    return int(rows[0]["id"])


async def test_existing_cards_become_decision_cards_about_their_step(settings: Settings) -> None:
    EXECUTOR_CACHE.clear()  # SQL cached for the other backend by an earlier test
    url = single_connection(settings.effective_database_url)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    await _schema_before_cards_had_kinds(url)
    await Tortoise.init(config=tortoise_config(url))
    try:
        org = await Organisation.create(code="t", name="测试局")
        unit = await Unit.create(organisation=org, code="u", name="局机关")
        section = await Department.create(organisation=org, unit=unit, code="d", name="运输管理股")
        staff = await Person.create(organisation=org, handle="zhangsan", name="张三")
        head = await Person.create(organisation=org, handle="lisi", name="李四")
        # The matter and its steps as the code of 0002 wrote them (the ORM would also write the
        # columns later migrations add).
        matter_id = await _old_row(url, "matter", {
            "organisation_id": org.id, "number": "TJ-2026-0001", "year": 2026, "seq": 1, "unit_id": unit.id,
            "department_id": section.id, "submitter_id": staff.id, "applicant": "王五",
            "applicant_phone": "13800000000", "subject": "许可", "request": "", "reason": "理由",
            "policy_basis": "", "co_department_ids": "[]", "state": "pending", "level": 2, "version": 1,
            "submitted_at": AT, "due_at": AT, "decision_text": "", "way_forward": "", "showcase": False,
        })  # fmt: skip
        steps = []
        for level in (2, 3):
            step_id = await _old_row(url, "decision_step", {
                "organisation_id": org.id, "matter_id": matter_id, "level": level, "approver_id": head.id,
                "lead": True, "status": "pending", "comment": "", "opened_at": AT, "version": 1,
            })  # fmt: skip
            steps.append(step_id)
        cards = {
            await _old_card(url, org, steps[0], head, "tjFirst"): steps[0],
            await _old_card(url, org, steps[0], staff, "tjStandIn"): steps[0],
            await _old_card(url, org, steps[1], head, "tjSecond"): steps[1],
        }
        first = min(cards)
        await OutboxMessage.create(
            organisation=org, dedupe_key="card:tjFirst", kind=OutboxKind.CARD, platform=Platform.SIMULATOR,
            person=head, card_id=first, payload={"card": {}}, next_attempt_at=AT, created_at=AT,
        )  # fmt: skip
    finally:
        await Tortoise.close_connections()

    await migrate(settings)

    await Tortoise.init(config=tortoise_config(settings.effective_database_url))
    try:
        migrated = await CardInstance.all().order_by("id")
        assert [(c.id, c.kind, c.subject_id) for c in migrated] == [
            (card_id, CardKind.DECISION, step_id) for card_id, step_id in sorted(cards.items())
        ]
        assert [row.card_id for row in await OutboxMessage.all()] == [first]  # not cascaded away
        # A new card needs no step: the old column is gone, not left behind NOT NULL.
        fresh = await CardInstance.create(
            organisation_id=org.id, ref="tjFresh", kind=CardKind.DECISION, subject_id=steps[1],
            recipient_id=head.id, platform=Platform.SIMULATOR, created_at=AT,
        )  # fmt: skip
        assert (await CardInstance.get(ref="tjFresh")).subject_id == fresh.subject_id
    finally:
        await Tortoise.close_connections()
