"""The org file and the console's edits: a person 停用 but still named (by a stand-in) is exported
as ``active: false`` and stays 停用 on re-import; a chain holder cannot be 停用 in the file; the
roles the console stores are those the import would derive."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.org import OrgFileError, export_org, import_org
from bot.org.people import canonical_roles
from models.org import Person, Role, StandIn

EXAMPLE = (Path(__file__).resolve().parents[3] / "examples" / "org.yaml").read_text(encoding="utf-8")


async def test_an_inactive_person_a_stand_in_names_round_trips_as_active_false(db: None) -> None:
    await import_org(EXAMPLE)
    liuyang = await Person.get(handle="liuyang")
    await StandIn.all().update(stand_in_id=liuyang.id)  # 刘洋 stood in, then left
    await Person.filter(id=liuyang.id).update(active=False)

    exported = await export_org()
    assert "handle: liuyang" in exported and "active: false" in exported
    report = await import_org(exported)

    assert not report.changed, report.summary()
    assert not (await Person.get(handle="liuyang")).active


async def test_a_section_head_marked_active_false_is_refused(db: None) -> None:
    row = next(line for line in EXAMPLE.splitlines() if "handle: chenguoqing," in line)
    with pytest.raises(OrgFileError, match="chenguoqing 已停用"):
        await import_org(EXAMPLE.replace(row, row.replace("}", ", active: false}")))


def test_console_roles_are_kept_in_the_import_order_and_never_empty() -> None:
    assert canonical_roles([Role.OFFICE, Role.STAFF], {Role.SECTION_HEAD}) == [
        "staff",
        "section_head",
        "office",
    ]
    assert canonical_roles([Role.DEPUTY], set()) == ["staff"]
    assert canonical_roles([], {Role.PRINCIPAL}) == ["principal"]
