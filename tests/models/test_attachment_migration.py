"""Migration 0018: a matter's attachments stay the matter's, and an attachment can now belong to a
complaint with no matter — on SQLite (the table is rebuilt) and on PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from tortoise import Tortoise
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.migrations.api.migrate import migrate as migrate_api

from bot.runtime.db import migrate, single_connection, tortoise_config
from bot.settings import Settings
from models.attachments import Attachment
from models.complaints import Complaint, ComplaintChannel, ComplaintState
from models.org import Department, Organisation, Person, Unit

# Every migration runs here: longer than the default 60 s on a loaded 2-core CI machine.
pytestmark = pytest.mark.timeout(300)

AT = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)


def _postgres(url: str) -> bool:
    return url.startswith(("postgres", "asyncpg"))


async def _schema_of_0015(url: str) -> None:
    if _postgres(url):
        await Tortoise.init(config=tortoise_config(url))
        await Tortoise.get_connection("default").execute_script(
            "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"
        )
        await Tortoise.close_connections()
    config = tortoise_config(url)
    await Tortoise.init(config=config, init_connections=False)
    try:
        await migrate_api(config=config, app_labels=None, target="models.0015_complaints")
    finally:
        await Tortoise.close_connections()


async def _old_row(url: str, table: str, row: dict[str, object]) -> int:
    marks = [f"${n}" if _postgres(url) else "?" for n in range(1, len(row) + 1)]
    values = [
        v.isoformat(" ") if isinstance(v, dt.datetime) and not _postgres(url) else v for v in row.values()
    ]
    sql = f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join(marks)}) RETURNING id"  # noqa: S608
    rows = await Tortoise.get_connection("default").execute_query_dict(sql, values)
    return int(rows[0]["id"])


async def test_matter_attachments_survive_and_complaints_get_their_own(settings: Settings) -> None:
    EXECUTOR_CACHE.clear()  # SQL cached for the other backend by an earlier test
    url = single_connection(settings.effective_database_url)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    await _schema_of_0015(url)
    await Tortoise.init(config=tortoise_config(url))
    try:
        org = await Organisation.create(code="t", name="测试局")
        unit = await Unit.create(organisation=org, code="u", name="局机关")
        section = await Department.create(organisation=org, unit=unit, code="d", name="运输管理股")
        staff = await Person.create(organisation=org, handle="zhangsan", name="张三")
        matter_id = await _old_row(url, "matter", {
            "organisation_id": org.id, "number": "TJ-2026-0001", "year": 2026, "seq": 1, "unit_id": unit.id,
            "department_id": section.id, "submitter_id": staff.id, "applicant": "王五",
            "applicant_phone": "13800000000", "subject": "许可", "request": "", "reason": "理由",
            "policy_basis": "", "co_department_ids": "[]", "state": "pending", "level": 2, "version": 1,
            "submitted_at": AT, "due_at": AT, "decision_text": "", "way_forward": "", "showcase": False,
            "withdraw_note": "",
        })  # fmt: skip
        old = await _old_row(url, "attachment", {
            "organisation_id": org.id, "matter_id": matter_id, "uploader_id": staff.id, "filename": "营业执照.jpg",
            "content_type": "image/jpeg", "size": 3, "sha256": "0" * 64, "stored_path": "1/1/a.jpg",
            "uploaded_at": AT,
        })  # fmt: skip
    finally:
        await Tortoise.close_connections()

    await migrate(settings)

    await Tortoise.init(config=tortoise_config(settings.effective_database_url))
    try:
        kept = await Attachment.get(id=old)
        assert (kept.matter_id, kept.complaint_id, kept.filename) == (matter_id, None, "营业执照.jpg")
        complaint = await Complaint.create(
            organisation_id=org.id, number="TS-2026-0001", year=2026, seq=1, channel=ComplaintChannel.PHONE,
            complainant="王五", phone="13800000000", content="办不成", state=ComplaintState.REGISTERED,
            created_at=AT, updated_at=AT,
        )  # fmt: skip
        fresh = await Attachment.create(
            organisation_id=org.id, complaint_id=complaint.id, uploader_id=staff.id, filename="投诉材料.pdf",
            content_type="application/pdf", size=5, sha256="1" * 64, stored_path="1/c1/b.pdf", uploaded_at=AT,
        )  # fmt: skip
        assert (await Attachment.get(id=fresh.id)).matter_id is None
        assert [a.id for a in await Attachment.filter(complaint_id=complaint.id)] == [fresh.id]
    finally:
        await Tortoise.close_connections()
