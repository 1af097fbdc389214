"""``/admin/changes`` (变更记录): the office and 纪检组 read who changed what in the console, before →
after, escaped; leaders get 403; another organisation's rows never show."""

from __future__ import annotations

import datetime as dt

from tortoise.transactions import in_transaction

from bot.runtime.resources import Resources
from bot.web.console_audit import audit_change
from tests.support.console import HTML, ConsoleOrg, console_app
from tests.support.pages import signed_in_client

AT = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)


async def _change(organisation_id: int, actor: str, before: str, after: str) -> None:
    async with in_transaction():
        await audit_change(actor, organisation_id, "department.rename", {"name": before}, {"name": after},
                           subject="department:1", at=AT)  # fmt: skip


async def test_the_discipline_group_reads_the_changes_escaped(resources: Resources, corg: ConsoleOrg) -> None:
    await _change(corg.organisation.id, corg.office.handle, "运政股", "<script>x()</script>运输股")
    await _change(corg.other.id, corg.other_office.handle, "潜山甲", "潜山乙")
    client = await signed_in_client(console_app(resources), corg.discipline)
    try:
        response = await client.get("/admin/changes", headers=HTML)
        assert response.status == 200
        text = await response.text()
        assert "王办公" in text and "console.department.rename" in text
        assert "运政股 → &lt;script&gt;x()&lt;/script&gt;运输股" in text
        assert "<script>x()" not in text and "潜山" not in text
        assert "2026-11-30 10:00" in text
    finally:
        await client.close()


async def test_a_leader_gets_403_and_no_rows(resources: Resources, corg: ConsoleOrg) -> None:
    await _change(corg.organisation.id, corg.office.handle, "运政股", "运输股")
    client = await signed_in_client(console_app(resources), corg.principal)
    try:
        response = await client.get("/admin/changes?kind=all&page=99999999999999", headers=HTML)
        assert response.status == 403
        assert "运输股" not in await response.text()
    finally:
        await client.close()
