"""``/m/complaints/{number}``: the complaint on the section's phones — content, complainant with a
tel: link, deadline, state, the section's steps, materials, and the 发回重办 reason when reopened.
The assigned section (head, staff, deputy in charge), the office, 纪检组 and the principal see it;
another section gets 403, another organisation and unknown numbers 404; every field is escaped;
the old ``…/materials`` address redirects here."""

from __future__ import annotations

import pytest

from bot.calendar.workdays import load_calendar
from bot.complaints.feedback import parse_rating, rate
from bot.outbox.batch import OutboxBatch
from bot.runtime.resources import Resources
from models.complaint_feedback import RatingSource
from models.complaints import Complaint
from models.org import Person
from tests.support.complaint_feedback import finished_complaint, reported_complaint
from tests.support.console import HTML, ConsoleOrg, console_app, console_org
from tests.support.pages import signed_in_client

XSS = "<script>alert(1)</script>"


@pytest.fixture
async def corg(resources: Resources) -> ConsoleOrg:
    return await console_org()


async def _get(resources: Resources, person: Person, path: str, **kw: object) -> tuple[int, str, str]:
    client = await signed_in_client(console_app(resources), person)
    try:
        response = await client.get(path, headers=HTML, **kw)  # type: ignore[arg-type]
        return response.status, await response.text(), response.headers.get("Location", "")
    finally:
        await client.close()


async def test_the_section_sees_the_complaint_its_steps_and_a_call_link(
    resources: Resources, corg: ConsoleOrg
) -> None:
    complaint = await finished_complaint(resources, corg, company="宏达运输")
    status, page, _ = await _get(resources, corg.head, f"/m/complaints/{complaint.number}")
    assert status == 200
    assert "办证被拒" in page and "刘先生（宏达运输）" in page and "已办结" in page and "运政股" in page
    assert 'href="tel:13800001234"' in page and "办结期限" in page
    assert "交办" in page and "办理经过" in page and "这件投诉没有材料" in page
    assert "发回重办" not in page


async def test_who_may_open_the_page(resources: Resources, corg: ConsoleOrg) -> None:
    complaint = await finished_complaint(resources, corg)
    outsider = await Person.create(organisation=corg.organisation, unit=corg.bureau, department=corg.yanghu,
                                   handle="yanghu1", name="养护员", roles=["staff"])  # fmt: skip
    for person, expected in ((corg.head, 200), (corg.staff, 200), (corg.deputy, 200), (corg.office, 200),
                             (corg.discipline, 200), (corg.principal, 200), (outsider, 403),
                             (corg.other_office, 404)):  # fmt: skip
        status, page, _ = await _get(resources, person, f"/m/complaints/{complaint.number}")
        assert status == expected, person.handle
        if expected != 200:
            assert "办证被拒" not in page and "13800001234" not in page
    assert (await _get(resources, corg.head, "/m/complaints/TS-2026-9999"))[0] == 404
    assert (await _get(resources, corg.head, "/m/complaints/%3Cscript%3E"))[0] == 404


async def test_a_reopened_complaint_shows_the_rework_reason_and_its_deadline(
    resources: Resources, corg: ConsoleOrg
) -> None:
    complaint = await reported_complaint(resources, corg)
    now = resources.clock.now()
    calendar = await load_calendar(resources.settings, corg.organisation.id, today=now.date())
    rating = parse_rating("very_dissatisfied", "no", "", rework_reason="窗口仍说材料不全", rework_days="3",
                          default_days=5)  # fmt: skip
    await rate(complaint, rating, RatingSource.OFFICE, calendar, OutboxBatch(resources.settings, corg.organisation,
               now), actor="office")  # fmt: skip
    status, page, _ = await _get(resources, corg.head, f"/m/complaints/{complaint.number}")
    assert status == 200 and 'id="rework"' in page and "窗口仍说材料不全" in page and "整改期限" in page
    # the office's 回访 and the rating itself are the office's, not shown to the section
    assert "已为企业补办道路运输证，电话告知" not in page


async def test_every_field_is_escaped(resources: Resources, corg: ConsoleOrg) -> None:
    complaint = await finished_complaint(resources, corg, complainant=f"刘{XSS}", company=XSS, content=XSS)
    await Complaint.filter(id=complaint.id).update(phone='1"><script>x</script>')
    status, page, _ = await _get(resources, corg.head, f"/m/complaints/{complaint.number}")
    assert status == 200 and "<script>" not in page and "&lt;script&gt;" in page


async def test_the_old_materials_address_redirects_to_the_page(
    resources: Resources, corg: ConsoleOrg
) -> None:
    complaint = await finished_complaint(resources, corg)
    path = f"/m/complaints/{complaint.number}/materials"
    status, _, location = await _get(resources, corg.head, path, allow_redirects=False)
    assert (status, location) == (302, f"/m/complaints/{complaint.number}#materials")
