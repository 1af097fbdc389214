"""``/admin/discipline`` (纪检组): the office refers a complaint from its page; the 纪检组 records
findings, 责任追究 and closes the case; everything shows on the complaint's timeline and in the
audit chain. Only the office refers, only the 纪检组 records; leaders get 403, another
organisation 404; bad input is refused in Chinese and stores nothing."""

from __future__ import annotations

import datetime as dt

from bot.complaints.forms import parse_complaint_form
from bot.complaints.ledger import register_complaint
from bot.runtime.resources import Resources
from models.audit import AuditEntry
from models.complaints import Complaint, ComplaintEvent
from models.discipline import Accountability, AccountabilityMeasure, DisciplineCase, DisciplineState
from models.org import Person
from tests.support.console import HTML, Client, ConsoleOrg, console_app, csrf_of
from tests.support.pages import signed_in_client

FORM = {
    "channel": "visit",
    "complainant": "刘先生",
    "phone": "13800000000",
    "company": "",
    "content": "办证被拒",
}


async def _complaint(resources: Resources, organisation_id: int) -> Complaint:
    now = resources.clock.now()
    return await register_complaint(organisation_id, parse_complaint_form(FORM), actor="office", now=now,
                                    year=now.year)  # fmt: skip


async def _client(resources: Resources, person: Person) -> Client:
    return await signed_in_client(console_app(resources), person)


async def _post(client: Client, page: str, path: str, **data: str) -> tuple[int, str]:
    token = await csrf_of(client, page)
    response = await client.post(path, data={**data, "csrf": token}, headers=HTML, allow_redirects=False)
    return response.status, await response.text()


async def _refer(resources: Resources, corg: ConsoleOrg, complaint: Complaint) -> DisciplineCase:
    office = await _client(resources, corg.office)
    try:
        page = f"/admin/complaints/{complaint.number}"
        assert "移送纪检组" in await (await office.get(page, headers=HTML)).text()
        status, _ = await _post(
            office, page, f"/admin/discipline/refer/{complaint.number}", note="股室推诿，涉嫌不作为"
        )
        assert status == 302
    finally:
        await office.close()
    return await DisciplineCase.get(complaint_id=complaint.id)


async def test_the_discipline_group_records_findings_accountability_and_closes(
    resources: Resources, corg: ConsoleOrg
) -> None:
    complaint = await _complaint(resources, corg.organisation.id)
    case = await _refer(resources, corg, complaint)
    assert case.state is DisciplineState.REFERRED and case.note == "股室推诿，涉嫌不作为"
    client = await _client(resources, corg.discipline)
    try:
        listing = await (await client.get("/admin/discipline", headers=HTML)).text()
        assert complaint.number in listing and "股室推诿" in listing
        page = f"/admin/discipline/{case.id}"
        status, _ = await _post(client, page, f"{page}/findings", findings="经查，运政股未登记即答复不能办")
        assert status == 302
        today = resources.clock.now().astimezone(resources.settings.tz).date().isoformat()
        status, _ = await _post(client, page, f"{page}/accountability", person=str(corg.staff.id),
                                measure="admonition", decided_on=today)  # fmt: skip
        assert status == 302
        status, _ = await _post(client, page, f"{page}/close")
        assert status == 302
        text = await (await client.get(page, headers=HTML)).text()
        assert "张三" in text and "诫勉谈话" in text and "已结案" in text
    finally:
        await client.close()
    row = await Accountability.get(case_id=case.id)
    assert (row.person_id, row.measure, row.decided_on.isoformat()) == (
        corg.staff.id, AccountabilityMeasure.ADMONITION, today,
    )  # fmt: skip
    whats = [e.what for e in await ComplaintEvent.filter(complaint_id=complaint.id).order_by("id")]
    assert whats[-4:] == [
        "discipline_refer",
        "discipline_findings",
        "discipline_accountability",
        "discipline_close",
    ]
    actions = {a.action for a in await AuditEntry.filter(organisation_id=corg.organisation.id)}
    assert {"console.discipline.refer", "console.discipline.findings", "console.discipline.accountability",
            "console.discipline.close", "complaint.discipline_accountability"} <= actions  # fmt: skip
    office = await _client(resources, corg.office)
    try:  # the complaint's page shows the referral and the timeline the decision
        text = await (await office.get(f"/admin/complaints/{complaint.number}", headers=HTML)).text()
        assert f"/admin/discipline/{case.id}" in text and "责任追究：张三，诫勉谈话" in text
    finally:
        await office.close()


async def test_only_the_office_refers_and_only_the_discipline_group_records(
    resources: Resources, corg: ConsoleOrg
) -> None:
    complaint = await _complaint(resources, corg.organisation.id)
    case = await _refer(resources, corg, complaint)
    page = f"/admin/discipline/{case.id}"
    office = await _client(resources, corg.office)
    try:
        assert (await office.get(page, headers=HTML)).status == 200  # the office reads
        status, _ = await _post(office, page, f"{page}/findings", findings="x")
        assert status == 403
    finally:
        await office.close()
    for person in (corg.principal, corg.deputy):
        leader = await _client(resources, person)
        try:
            assert (await leader.get("/admin/discipline", headers=HTML)).status == 403
            assert (await leader.get(page, headers=HTML)).status == 403
        finally:
            await leader.close()
    discipline = await _client(resources, corg.discipline)
    try:
        status, _ = await _post(discipline, page, f"/admin/discipline/refer/{complaint.number}", note="再次")
        assert status == 403
    finally:
        await discipline.close()
    assert (await DisciplineCase.get(id=case.id)).findings == ""


async def test_another_organisation_finds_neither_the_case_nor_the_complaint(
    resources: Resources, corg: ConsoleOrg
) -> None:
    complaint = await _complaint(resources, corg.organisation.id)
    case = await _refer(resources, corg, complaint)
    other = await _client(resources, corg.other_office)
    try:
        assert (await other.get(f"/admin/discipline/{case.id}", headers=HTML)).status == 404
        assert complaint.number not in await (await other.get("/admin/discipline", headers=HTML)).text()
        status, _ = await _post(other, "/admin/discipline", f"/admin/discipline/refer/{complaint.number}",
                                note="别的局")  # fmt: skip
        assert status == 404
    finally:
        await other.close()
    assert await DisciplineCase.all().count() == 1


async def test_bad_input_is_refused_in_chinese_and_stores_nothing(
    resources: Resources, corg: ConsoleOrg
) -> None:
    complaint = await _complaint(resources, corg.organisation.id)
    office = await _client(resources, corg.office)
    try:
        page = f"/admin/complaints/{complaint.number}"
        status, text = await _post(office, page, f"/admin/discipline/refer/{complaint.number}", note="  ")
        assert status == 400 and "请填写移送说明" in text
        assert await DisciplineCase.all().count() == 0
    finally:
        await office.close()
    case = await _refer(resources, corg, complaint)
    office = await _client(resources, corg.office)
    try:  # a second referral while the first is open
        status, text = await _post(office, f"/admin/complaints/{complaint.number}",
                                   f"/admin/discipline/refer/{complaint.number}", note="再移送")  # fmt: skip
        assert status == 400 and "不能重复移送" in text
    finally:
        await office.close()
    client = await _client(resources, corg.discipline)
    page = f"/admin/discipline/{case.id}"
    try:
        status, text = await _post(client, page, f"{page}/accountability", person=str(corg.staff.id),
                                   measure="admonition", decided_on="2026-01-01")  # fmt: skip
        assert status == 400 and "请先记录调查结论" in text
        await _post(client, page, f"{page}/findings", findings="属实")
        future = (resources.clock.now() + dt.timedelta(days=3)).date().isoformat()
        status, text = await _post(client, page, f"{page}/accountability", person=str(corg.other_office.id),
                                   measure="<script>", decided_on=future)  # fmt: skip
        assert status == 400
        assert "请选择被追究责任的人员" in text and "请选择追究方式" in text and "不晚于今天" in text
        assert "<script>" not in text
    finally:
        await client.close()
    assert await Accountability.all().count() == 0
    assert await DisciplineCase.filter(state=DisciplineState.INVESTIGATING).count() == 1
