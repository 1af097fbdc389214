"""A matter's phone page and its console page (with the timeline) show the complaints about it:
number, state and date; the number links to the ledger only for those who may see the ledger."""

from __future__ import annotations

import datetime as dt

from bot.complaints.forms import parse_complaint_form
from bot.complaints.ledger import link_matter, register_complaint
from bot.runtime.resources import Resources
from models.complaints import Complaint
from models.matter import Matter
from tests.support.console import HTML, ConsoleOrg, console_app, make_matter
from tests.support.pages import signed_in_client

FORM = {"channel": "hotline_12345", "complainant": "刘先生", "phone": "13800000000", "content": "说不能办"}


async def _complained(resources: Resources, corg: ConsoleOrg) -> tuple[Matter, Complaint]:
    now = resources.clock.now()
    matter = await make_matter(corg, corg.yunzheng, submitted_at=now - dt.timedelta(days=3), due_at=now)
    complaint = await register_complaint(corg.organisation.id, parse_complaint_form(FORM), actor="office",
                                         now=now - dt.timedelta(days=1), year=now.year)  # fmt: skip
    await link_matter(complaint, matter.id, actor="office", now=now)
    return matter, complaint


async def test_the_console_matter_page_lists_the_complaint_and_its_timeline_shows_it(
    resources: Resources, corg: ConsoleOrg
) -> None:
    matter, complaint = await _complained(resources, corg)
    client = await signed_in_client(console_app(resources), corg.office)
    try:
        page = await (await client.get(f"/admin/matters/{matter.number}", headers=HTML)).text()
        listed = page.split('id="complaints"', 1)[1].split("</section>", 1)[0]
        assert f'href="/admin/complaints/{complaint.number}"' in listed
        assert "已登记" in listed and "12345转办" in listed
        timeline = page.split('id="timeline"', 1)[1].split("</section>", 1)[0]
        assert f"收到投诉 {complaint.number}" in timeline and "关联本事项" in timeline
    finally:
        await client.close()


async def test_the_phone_page_links_the_complaint_for_the_office_only(
    resources: Resources, corg: ConsoleOrg
) -> None:
    matter, complaint = await _complained(resources, corg)
    for person, linked in ((corg.office, True), (corg.staff, False)):  # staff: the submitter, no ledger
        client = await signed_in_client(console_app(resources), person)
        try:
            response = await client.get(f"/m/matters/{matter.number}", headers=HTML)
            assert response.status == 200, await response.text()
            section = (await response.text()).split('id="complaints"', 1)[1].split("</section>", 1)[0]
            assert complaint.number in section and "已登记" in section
            assert (f'href="/admin/complaints/{complaint.number}"' in section) is linked
            assert "刘先生" not in section  # the complainant stays in the ledger
        finally:
            await client.close()


async def test_a_matter_without_complaints_shows_none(resources: Resources, corg: ConsoleOrg) -> None:
    now = resources.clock.now()
    matter = await make_matter(corg, corg.yunzheng, submitted_at=now - dt.timedelta(days=3), due_at=now)
    client = await signed_in_client(console_app(resources), corg.office)
    try:
        page = await (await client.get(f"/admin/matters/{matter.number}", headers=HTML)).text()
        assert "没有关于本事项的投诉" in page
        phone = await (await client.get(f"/m/matters/{matter.number}", headers=HTML)).text()
        assert 'id="complaints"' not in phone
    finally:
        await client.close()
