"""``/admin/complaints`` (台账): the office registers, links, triages and merges complaints; 纪检组
and leaders read (leaders their own sections only); another organisation's complaints answer 404;
every POST needs the CSRF token; what the complainant wrote is shown escaped."""

from __future__ import annotations

import datetime as dt

from bot.complaints.counts import complaints_against
from bot.complaints.forms import parse_complaint_form
from bot.complaints.ledger import register_complaint
from bot.runtime.resources import Resources
from models.audit import AuditEntry
from models.complaints import Complaint, ComplaintState
from models.messaging import OutboxMessage
from tests.support.console import HTML, Client, ConsoleOrg, console_app, csrf_of, make_matter
from tests.support.pages import signed_in_client

FORM = {
    "channel": "visit",
    "complainant": "刘先生",
    "phone": "13800000000",
    "company": "",
    "content": "办证被拒",
}


async def _office(resources: Resources, corg: ConsoleOrg) -> Client:
    return await signed_in_client(console_app(resources), corg.office)


async def _register(client: Client, **fields: str) -> Complaint:
    token = await csrf_of(client, "/admin/complaints")
    response = await client.post("/admin/complaints", data={**FORM, **fields, "csrf": token},
                                 headers=HTML, allow_redirects=False)  # fmt: skip
    assert response.status == 302, await response.text()
    return await Complaint.get(number=response.headers["Location"].rsplit("/", 1)[1])


async def _seed(organisation_id: int, resources: Resources, content: str = "投诉内容") -> Complaint:
    now = resources.clock.now()
    form = parse_complaint_form({**FORM, "content": content})
    return await register_complaint(organisation_id, form, actor="office", now=now, year=now.year)


async def test_the_office_registers_and_sees_the_complaint_escaped(
    resources: Resources, corg: ConsoleOrg
) -> None:
    client = await _office(resources, corg)
    try:
        complaint = await _register(client, complainant="<script>x()</script>", content="<b>被拒</b>")
        text = await (await client.get(f"/admin/complaints/{complaint.number}", headers=HTML)).text()
        assert "&lt;script&gt;x()&lt;/script&gt;" in text and "<script>x()" not in text
        assert "登记投诉" in text  # the timeline
        assert await AuditEntry.filter(action="console.complaint.register").count() == 1
    finally:
        await client.close()


async def test_a_bad_registration_is_refused_in_chinese_and_stores_nothing(
    resources: Resources, corg: ConsoleOrg
) -> None:
    client = await _office(resources, corg)
    try:
        token = await csrf_of(client, "/admin/complaints")
        response = await client.post("/admin/complaints", data={"channel": "x", "phone": "1", "csrf": token},
                                     headers=HTML)  # fmt: skip
        assert response.status == 400
        text = await response.text()
        assert "请选择受理渠道" in text and "联系电话" in text
        assert await Complaint.all().count() == 0
    finally:
        await client.close()


async def test_a_post_without_the_csrf_token_is_refused(resources: Resources, corg: ConsoleOrg) -> None:
    client = await _office(resources, corg)
    try:
        response = await client.post("/admin/complaints", data=FORM, headers=HTML)
        assert response.status == 403
        assert await Complaint.all().count() == 0
    finally:
        await client.close()


async def test_the_office_links_a_matter_assigns_and_the_list_filters(
    resources: Resources, corg: ConsoleOrg
) -> None:
    now = resources.clock.now()
    matter = await make_matter(corg, corg.yunzheng, submitted_at=now - dt.timedelta(days=3), due_at=now)
    client = await _office(resources, corg)
    try:
        complaint = await _register(client)
        path = f"/admin/complaints/{complaint.number}"
        assert matter.number in await (await client.get(path, headers=HTML)).text()
        token = await csrf_of(client, path)
        for action, data in (("link", {"matter": str(matter.id)}),
                             ("assign", {"department": str(corg.yunzheng.id), "days": "5"})):  # fmt: skip
            response = await client.post(
                f"{path}/{action}", data={**data, "csrf": token}, allow_redirects=False
            )
            assert response.status == 302, await response.text()
        saved = await Complaint.get(id=complaint.id)
        assert (saved.state, saved.matter_id, saved.department_id) == (
            ComplaintState.ASSIGNED,
            matter.id,
            corg.yunzheng.id,
        )
        listed = await (
            await client.get(f"/admin/complaints?state=assigned&department={corg.yunzheng.id}")
        ).text()
        assert complaint.number in listed
        assert complaint.number not in await (await client.get("/admin/complaints?state=done")).text()
    finally:
        await client.close()


async def test_a_wrong_triage_shows_why_and_changes_nothing(resources: Resources, corg: ConsoleOrg) -> None:
    client = await _office(resources, corg)
    try:
        complaint = await _register(client)
        path = f"/admin/complaints/{complaint.number}"
        token = await csrf_of(client, path)
        response = await client.post(f"{path}/assign", data={"department": "1", "days": "999", "csrf": token})
        assert response.status == 400
        assert "办理时限" in await response.text()
        assert (await Complaint.get(id=complaint.id)).state is ComplaintState.REGISTERED
    finally:
        await client.close()


async def test_the_discipline_group_reads_but_may_not_change(resources: Resources, corg: ConsoleOrg) -> None:
    complaint = await _seed(corg.organisation.id, resources)
    client = await signed_in_client(console_app(resources), corg.discipline)
    try:
        path = f"/admin/complaints/{complaint.number}"
        text = await (await client.get(path, headers=HTML)).text()
        assert complaint.number in text and "交办" not in text
        response = await client.post(f"{path}/answer", data={"answer": "x", "method": "y"}, headers=HTML)
        assert response.status == 403
    finally:
        await client.close()


async def test_a_leader_sees_only_complaints_of_their_sections(
    resources: Resources, corg: ConsoleOrg
) -> None:
    mine = await _seed(corg.organisation.id, resources, "运政股的投诉")
    theirs = await _seed(corg.organisation.id, resources, "养护股的投诉")
    await Complaint.filter(id=mine.id).update(department_id=corg.yunzheng.id, state=ComplaintState.ASSIGNED)
    await Complaint.filter(id=theirs.id).update(department_id=corg.yanghu.id, state=ComplaintState.ASSIGNED)
    client = await signed_in_client(console_app(resources), corg.deputy)
    try:
        listed = await (await client.get("/admin/complaints", headers=HTML)).text()
        assert mine.number in listed and theirs.number not in listed
        assert (await client.get(f"/admin/complaints/{theirs.number}", headers=HTML)).status == 404
    finally:
        await client.close()


async def test_another_organisations_complaint_answers_404(resources: Resources, corg: ConsoleOrg) -> None:
    complaint = await _seed(corg.other.id, resources, "潜山的投诉")
    client = await _office(resources, corg)
    try:
        response = await client.get(f"/admin/complaints/{complaint.number}", headers=HTML)
        assert response.status == 404
        assert "潜山的投诉" not in await response.text()
        assert "潜山的投诉" not in await (await client.get("/admin/complaints", headers=HTML)).text()
    finally:
        await client.close()


async def test_told_no_with_no_matter_needs_the_section_and_supervises_it_at_once(
    resources: Resources, corg: ConsoleOrg
) -> None:
    client = await _office(resources, corg)
    try:
        token = await csrf_of(client, "/admin/complaints")
        response = await client.post("/admin/complaints", data={**FORM, "no_matter_on_file": "1", "csrf": token},
                                     headers=HTML)  # fmt: skip
        assert response.status == 400 and "督办对象" in await response.text()
        assert await Complaint.all().count() == 0
        complaint = await _register(client, no_matter_on_file="1", department=str(corg.yunzheng.id), days="3")
        assert (complaint.state, complaint.department_id) == (ComplaintState.ASSIGNED, corg.yunzheng.id)
        told = [m.payload for m in await OutboxMessage.filter(person_id=corg.head.id)]
        assert any("督办" in str(p) for p in told)
        counts = await complaints_against(corg.organisation.id, complaint.year)
        assert counts[corg.yunzheng.id] == {"total": 1, "no_matter": 1}
    finally:
        await client.close()
