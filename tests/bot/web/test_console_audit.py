"""A change made in the console goes into the organisation's audit chain: who, what, the values
before and after and the names of the fields that changed; the chain still verifies."""

from __future__ import annotations

import datetime as dt

from tortoise.transactions import in_transaction

from bot.audit import verify_chain
from bot.runtime.resources import Resources
from bot.web.console_audit import audit_change, changed_fields
from models.audit import AuditEntry
from models.org import Organisation

AT = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)


def test_changed_fields_names_what_differs() -> None:
    assert changed_fields({"name": "运政股", "head": 3}, {"name": "运输股", "head": 3, "phone": "1"}) == [
        "name",
        "phone",
    ]
    assert changed_fields({"day": dt.date(2026, 1, 1)}, {"day": "2026-01-01"}) == []


async def test_a_console_change_is_appended_to_the_chain(resources: Resources) -> None:
    org = await Organisation.create(code="tc", name="桐城市交通运输局")
    async with in_transaction():
        await audit_change("account:wangban", org.id, "department.rename", {"name": "运政股"}, {"name": "运输股"},
                           subject="department:7", at=AT)  # fmt: skip
    row = await AuditEntry.get(organisation_id=org.id)
    assert (row.actor, row.action, row.subject) == (
        "account:wangban",
        "console.department.rename",
        "department:7",
    )
    assert row.data == {"before": {"name": "运政股"}, "after": {"name": "运输股"}, "changed": ["name"]}
    assert row.at == AT
    assert (await verify_chain(org.id)).ok
