"""A complaint's materials: the office adds photos or PDFs when registering and on the complaint's
page (checked by content, at most 6, 10 MB each, all or nothing, audited); they are served only to
the office, 纪检组, the principal and the assigned section's people — another section gets 403,
another organisation finds nothing."""

from __future__ import annotations

import io

import aiohttp

from bot.runtime.resources import Resources
from models.attachments import Attachment
from models.audit import AuditEntry
from models.complaints import Complaint, ComplaintEvent
from models.org import Person
from tests.handlers.web.pages.test_new import JPEG, PDF, files_on_disk
from tests.support.console import HTML, Client, ConsoleOrg, console_app, csrf_of
from tests.support.pages import signed_in_client

FORM = {
    "channel": "visit",
    "complainant": "刘先生",
    "phone": "13800000000",
    "content": "办证被拒，材料见附件",
}


async def _client(resources: Resources, person: Person) -> Client:
    return await signed_in_client(console_app(resources), person)


def _multipart(fields: dict[str, str], *files: tuple[str, bytes]) -> aiohttp.FormData:
    data = aiohttp.FormData()
    for name, value in fields.items():
        data.add_field(name, value)
    for name, content in files:
        data.add_field("files", io.BytesIO(content), filename=name, content_type="application/octet-stream")
    return data


async def _register(client: Client, *files: tuple[str, bytes], **fields: str) -> aiohttp.ClientResponse:
    token = await csrf_of(client, "/admin/complaints")
    data = _multipart({"csrf": token, **FORM, **fields}, *files)
    return await client.post("/admin/complaints", data=data, headers=HTML, allow_redirects=False)


async def _upload(client: Client, complaint: Complaint, *files: tuple[str, bytes]) -> aiohttp.ClientResponse:
    token = await csrf_of(client, f"/admin/complaints/{complaint.number}")
    data = _multipart({"csrf": token}, *files)
    return await client.post(f"/admin/complaints/{complaint.number}/files/upload", data=data, headers=HTML,
                             allow_redirects=False)  # fmt: skip


async def test_materials_given_at_registration_are_served_to_the_section_and_no_one_else(
    resources: Resources, corg: ConsoleOrg
) -> None:
    office = await _client(resources, corg.office)
    try:
        response = await _register(
            office, ("营业执照.jpg", JPEG), ("告知书.pdf", PDF), department=str(corg.yunzheng.id)
        )
        assert response.status == 302, await response.text()
        complaint = await Complaint.get(number=response.headers["Location"].rsplit("/", 1)[1])
        files = await Attachment.filter(complaint_id=complaint.id).order_by("id")
        assert [(f.filename, f.content_type, f.matter_id) for f in files] == [
            ("营业执照.jpg", "image/jpeg", None),
            ("告知书.pdf", "application/pdf", None),
        ]
        page = await (await office.get(f"/admin/complaints/{complaint.number}", headers=HTML)).text()
        assert "营业执照.jpg" in page and "告知书.pdf" in page and "上传材料 2 个" in page
        served = await office.get(f"/admin/complaints/{complaint.number}/files/{files[1].id}")
        assert served.status == 200 and await served.read() == PDF
        assert served.headers["Content-Type"] == "application/pdf"
        assert served.headers["X-Content-Type-Options"] == "nosniff"
    finally:
        await office.close()
    outsider = await Person.create(organisation=corg.organisation, unit=corg.bureau, department=corg.yanghu,
                                   handle="yanghu1", name="养护员", roles=["staff"])  # fmt: skip
    # head and staff of 运政股, its deputy in charge, the principal, 纪检组: yes; another section: no
    for person, status in ((corg.head, 200), (corg.staff, 200), (corg.deputy, 200), (corg.principal, 200),
                           (corg.discipline, 200), (outsider, 403), (corg.other_office, 404)):  # fmt: skip
        client = await _client(resources, person)
        try:
            response = await client.get(f"/m/attachments/{files[0].id}", headers=HTML)
            assert response.status == status, (person.handle, await response.text())
            if status == 200:
                assert await response.read() == JPEG
            listed = await client.get(f"/m/complaints/{complaint.number}/materials", headers=HTML)
            assert listed.status == status
            if status == 200:
                assert f'href="/m/attachments/{files[0].id}"' in await listed.text()
        finally:
            await client.close()


async def test_a_refused_file_at_registration_stores_neither_complaint_nor_file(
    resources: Resources, corg: ConsoleOrg
) -> None:
    office = await _client(resources, corg.office)
    try:
        response = await _register(office, ("营业执照.jpg", JPEG), ("说明.txt", b"just some text here"))
        assert response.status == 400
        text = await response.text()
        assert "不是 JPG/PNG 照片或 PDF 文件" in text and "投诉未登记" in text
        assert "刘先生" in text  # the form comes back filled in
        assert await Complaint.all().count() == 0 and await Attachment.all().count() == 0
        assert files_on_disk(resources) == []
    finally:
        await office.close()


async def test_the_office_adds_materials_on_the_page_up_to_six_and_each_upload_is_audited(
    resources: Resources, corg: ConsoleOrg
) -> None:
    office = await _client(resources, corg.office)
    try:
        complaint = await Complaint.get(
            number=(await _register(office, ("a.jpg", JPEG))).headers["Location"].rsplit("/", 1)[1]
        )
        too_many = await _upload(office, complaint, *((f"p{i}.pdf", PDF) for i in range(6)))
        assert too_many.status == 400
        assert "每件投诉最多 6 个附件" in await too_many.text()
        assert await Attachment.filter(complaint_id=complaint.id).count() == 1
        done = await _upload(office, complaint, *((f"p{i}.pdf", PDF) for i in range(5)))
        assert done.status == 303, await done.text()
        assert await Attachment.filter(complaint_id=complaint.id).count() == 6
        page = await (await office.get(f"/admin/complaints/{complaint.number}", headers=HTML)).text()
        assert 'action="/admin/complaints/' + complaint.number + '/files/upload"' not in page  # full
        assert await AuditEntry.filter(action="console.complaint.attach").count() == 1
        assert await ComplaintEvent.filter(complaint_id=complaint.id, what="attach").count() == 2
        assert len(files_on_disk(resources)) == 6
    finally:
        await office.close()


async def test_an_upload_without_the_csrf_token_keeps_nothing(resources: Resources, corg: ConsoleOrg) -> None:
    office = await _client(resources, corg.office)
    try:
        complaint = await Complaint.get(
            number=(await _register(office)).headers["Location"].rsplit("/", 1)[1]
        )
        data = _multipart({"csrf": "forged"}, ("a.jpg", JPEG))
        response = await office.post(
            f"/admin/complaints/{complaint.number}/files/upload", data=data, headers=HTML
        )
        assert response.status == 403
        assert await Attachment.all().count() == 0 and files_on_disk(resources) == []
    finally:
        await office.close()


async def test_a_leader_outside_the_section_does_not_see_the_materials(
    resources: Resources, corg: ConsoleOrg
) -> None:
    office = await _client(resources, corg.office)
    try:
        response = await _register(office, ("a.jpg", JPEG), department=str(corg.luzheng.id))
        complaint = await Complaint.get(number=response.headers["Location"].rsplit("/", 1)[1])
        attachment = await Attachment.get(complaint_id=complaint.id)
    finally:
        await office.close()
    staff = await _client(resources, corg.staff)  # of 运政股, the complaint is 路政股's
    try:
        assert (await staff.get(f"/m/attachments/{attachment.id}", headers=HTML)).status == 403
    finally:
        await staff.close()
