"""调动 in the console: a person moves to another section or unit, audited before → after; their
matters and open steps stay where they were (and the page says so); a post or a stand-in is never
left behind (refused in Chinese, nothing stored); the move round-trips through `tiji org export/import`."""

from __future__ import annotations

import datetime as dt

from bot.org import export_org, import_org
from bot.runtime.resources import Resources
from models.enums import MatterState, StepStatus
from models.matter import DecisionStep, Matter
from models.org import Department, Person, StandIn
from tests.handlers.web.console.org_support import client_of, console_audits, example_org, post_form
from tests.support.console import HTML


async def an_open_matter_of(handle: str) -> Matter:
    """A matter the person submitted in 运输管理股, its level-2 step open with the section head."""
    ysk = await Department.get(code="ysk")
    submitter = await Person.get(handle=handle)
    at = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)
    matter = await Matter.create(
        organisation_id=ysk.organisation_id, number="TJ-2026-0001", year=2026, seq=1, unit_id=ysk.unit_id,
        department=ysk, submitter=submitter, applicant="通达物流公司", applicant_phone="13800000000",
        subject="道路运输经营许可", reason="材料不全", state=MatterState.PENDING, level=2, submitted_at=at,
        due_at=at + dt.timedelta(days=3),
    )  # fmt: skip
    await DecisionStep.create(organisation_id=ysk.organisation_id, matter=matter, level=2,
                              approver_id=ysk.head_id, status=StepStatus.PENDING, opened_at=at)  # fmt: skip
    return matter


async def move(resources: Resources, handle: str, place: str) -> tuple[int, str]:
    who = await Person.get(handle=handle)
    async with client_of(resources, "zhouwenbin") as client:
        page = f"/admin/org/people/{who.id}"
        response = await post_form(client, page, f"{page}/move", {"place": place})
        return response.status, await response.text()


async def test_a_move_to_another_unit_is_audited_keeps_the_matters_and_round_trips(
    resources: Resources,
) -> None:
    await example_org()
    matter = await an_open_matter_of("zhangwei")
    who = await Person.get(handle="zhangwei")
    async with client_of(resources, "zhouwenbin") as client:
        text = await (await client.get(f"/admin/org/people/{who.id}", headers=HTML)).text()
    assert "调动（单位 / 股室）" in text and "现有 1 件在办或待答复" in text
    assert "不随调动转给别人" in text

    yhg = await Department.get(code="gl-yhg")
    status, _ = await move(resources, "zhangwei", f"d:{yhg.id}")
    assert status == 303
    moved = await Person.get(id=who.id)
    assert (moved.unit_id, moved.department_id) == (yhg.unit_id, yhg.id)
    [row] = await console_audits("org.person_move")
    assert row.data["before"] == {"unit": "桐柏县交通运输局机关", "section": "运输管理股"}
    assert row.data["after"] == {"unit": "桐柏县公路事业发展中心", "section": "养护股"}
    # The matter stays with the section it was submitted in; its step stays with its holder.
    kept = await Matter.get(id=matter.id)
    ysk = await Department.get(code="ysk")
    assert (kept.department_id, kept.submitter_id) == (ysk.id, who.id)
    step = await DecisionStep.get(matter_id=matter.id)
    assert step.approver_id == ysk.head_id and step.status is StepStatus.PENDING

    exported = await export_org()
    line = next(x for x in exported.splitlines() if "zhangwei" in x)
    assert "unit: glzx" in line and "department: gl-yhg" in line
    report = await import_org(exported)
    assert not report.changed, report.summary()
    assert await export_org() == exported


async def test_a_section_head_or_a_deputy_cannot_leave_their_post_behind(resources: Resources) -> None:
    await example_org()
    xzsp, yhg = await Department.get(code="xzsp"), await Department.get(code="gl-yhg")
    status, text = await move(resources, "chenguoqing", f"d:{xzsp.id}")
    assert status == 400 and "陈国庆还是运输管理股负责人：请先在组织与链条中指定接任的人，再调动" in text
    status, text = await move(resources, "liminghua", f"d:{yhg.id}")
    assert status == 400 and "运输管理股分管领导、行政审批股分管领导、政策法规股分管领导" in text
    assert not await console_audits("org.person_move")
    assert (await Person.get(handle="chenguoqing")).department_id == (await Department.get(code="ysk")).id
    # A 分管领导 may move within the unit: the post is the unit's.
    status, _ = await move(resources, "liminghua", f"d:{xzsp.id}")
    assert status == 303 and (await Person.get(handle="liminghua")).department_id == xzsp.id


async def test_a_move_to_another_unit_waits_for_the_stand_ins_to_end(resources: Resources) -> None:
    await example_org()
    head, zhangwei = await Person.get(handle="chenguoqing"), await Person.get(handle="zhangwei")
    await StandIn.create(organisation_id=head.organisation_id, person=head, stand_in=zhangwei,
                         start_date=dt.date(2027, 3, 1), end_date=dt.date(2027, 3, 5))  # fmt: skip
    yhg, xzsp = await Department.get(code="gl-yhg"), await Department.get(code="xzsp")
    status, text = await move(resources, "zhangwei", f"d:{yhg.id}")
    assert status == 400 and "还有 1 个未结束的代理安排" in text
    assert (await Person.get(id=zhangwei.id)).department_id != yhg.id
    status, _ = await move(resources, "zhangwei", f"d:{xzsp.id}")  # the same unit: the stand-in holds
    assert status == 303


async def test_only_the_office_moves_people_and_never_without_the_token(resources: Resources) -> None:
    await example_org()
    who = await Person.get(handle="zhangwei")
    xzsp = await Department.get(code="xzsp")
    async with client_of(resources, "zhangwei") as client:
        response = await client.post(f"/admin/org/people/{who.id}/move", data={"place": f"d:{xzsp.id}"},
                                     headers=HTML)  # fmt: skip
        assert response.status == 403
    async with client_of(resources, "zhouwenbin") as client:
        response = await client.post(f"/admin/org/people/{who.id}/move", data={"place": f"d:{xzsp.id}"},
                                     headers=HTML)  # fmt: skip
        assert response.status == 403
        page = f"/admin/org/people/{who.id}"
        response = await post_form(client, page, f"{page}/move", {"place": "d:99999"})
        assert response.status == 400 and "所选股室不存在" in await response.text()
    assert (await Person.get(id=who.id)).department_id != xzsp.id
