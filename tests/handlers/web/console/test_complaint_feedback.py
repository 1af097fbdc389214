"""回访 in the console: the office reports back to the complainant and records the 好差评 rating
and whether the problem was solved; a 差评 sends the case back to its section (a fresh card); the
section's 申诉 is ruled on by the office and the original rating stays on file. Someone of the
section that handled the case may not record any of it."""

from __future__ import annotations

from bot.complaints.appeals import file_appeal
from bot.outbox.batch import OutboxBatch
from bot.runtime.resources import Resources
from models.audit import AuditEntry
from models.cards import CardInstance
from models.complaint_feedback import AppealRuling, ComplaintAppeal, ComplaintFeedback, Satisfaction, Solved
from models.complaints import Complaint, ComplaintEvent, ComplaintState
from models.enums import CardKind, ReplyMethod
from models.messaging import OutboxKind, OutboxMessage
from models.org import Person
from tests.support.complaint_feedback import finished_complaint
from tests.support.console import HTML, Client, ConsoleOrg, console_app, csrf_of
from tests.support.pages import signed_in_client

REPORT = {"method": "phone", "told_at": "", "summary": "已为企业补办道路运输证，电话告知"}


async def _post(client: Client, complaint: Complaint, action: str, data: dict[str, str]) -> int:
    path = f"/admin/complaints/{complaint.number}"
    token = await csrf_of(client, path)
    response = await client.post(f"{path}/feedback/{action}", data={**data, "csrf": token}, headers=HTML,
                                 allow_redirects=False)  # fmt: skip
    return response.status


async def test_the_office_records_the_feedback_and_a_good_rating(
    resources: Resources, corg: ConsoleOrg
) -> None:
    complaint = await finished_complaint(resources, corg)
    client = await signed_in_client(console_app(resources), corg.office)
    try:
        data = {**REPORT, "satisfaction": "satisfied", "solved": "partly", "comment": "态度好"}
        assert await _post(client, complaint, "report", data) == 302
        page = await (await client.get(f"/admin/complaints/{complaint.number}", headers=HTML)).text()
        assert "已为企业补办道路运输证" in page and "满意" in page and "部分解决" in page
    finally:
        await client.close()
    feedback = await ComplaintFeedback.get(complaint_id=complaint.id)
    assert (feedback.method, feedback.satisfaction, feedback.solved) == (
        ReplyMethod.PHONE, Satisfaction.SATISFIED, Solved.PARTLY)  # fmt: skip
    assert (await Complaint.get(id=complaint.id)).state is ComplaintState.RATED
    assert await AuditEntry.filter(action="console.complaint.feedback.report").count() == 1
    assert {e.what for e in await ComplaintEvent.filter(complaint_id=complaint.id)} >= {"report_back", "rate"}


async def test_someone_of_the_handling_section_may_not_record_the_feedback(
    resources: Resources, corg: ConsoleOrg
) -> None:
    complaint = await finished_complaint(resources, corg)
    insider = await Person.create(organisation=corg.organisation, unit=corg.bureau, department=corg.yunzheng,
                                  handle="yzoffice", name="运政兼办公室", roles=["office"])  # fmt: skip
    client = await signed_in_client(console_app(resources), insider)
    try:
        page = await (await client.get(f"/admin/complaints/{complaint.number}", headers=HTML)).text()
        assert "记录反馈" not in page and "承办了这件投诉" in page
        assert await _post(client, complaint, "report", REPORT) == 403
    finally:
        await client.close()
    head = await signed_in_client(console_app(resources), corg.head)  # the section head: no console role
    try:
        response = await head.post(f"/admin/complaints/{complaint.number}/feedback/report", data=REPORT,
                                   headers=HTML, allow_redirects=False)  # fmt: skip
        assert response.status == 403
    finally:
        await head.close()
    assert await ComplaintFeedback.filter(complaint_id=complaint.id).count() == 0
    assert (await Complaint.get(id=complaint.id)).state is ComplaintState.DONE


async def test_a_bad_rating_without_a_reason_is_refused_and_stores_nothing(
    resources: Resources, corg: ConsoleOrg
) -> None:
    complaint = await finished_complaint(resources, corg)
    client = await signed_in_client(console_app(resources), corg.office)
    try:
        data = {**REPORT, "satisfaction": "dissatisfied", "solved": "no"}
        assert await _post(client, complaint, "report", data) == 400
    finally:
        await client.close()
    assert await ComplaintFeedback.filter(complaint_id=complaint.id).count() == 0
    assert (await Complaint.get(id=complaint.id)).state is ComplaintState.DONE


async def test_a_bad_rating_reopens_the_case_and_the_section_gets_its_card_again(
    resources: Resources, corg: ConsoleOrg
) -> None:
    complaint = await finished_complaint(resources, corg)
    cards_before = await CardInstance.filter(kind=CardKind.COMPLAINT, subject_id=complaint.id).count()
    client = await signed_in_client(console_app(resources), corg.office)
    try:
        data = {**REPORT, "satisfaction": "very_dissatisfied", "solved": "no", "comment": "根本没办",
                "rework_reason": "未实际补办", "days": "3"}  # fmt: skip
        assert await _post(client, complaint, "report", data) == 302
    finally:
        await client.close()
    saved = await Complaint.get(id=complaint.id)
    feedback = await ComplaintFeedback.get(complaint_id=complaint.id)
    assert saved.state is ComplaintState.REOPENED and saved.deadline_at == feedback.rework_deadline_at
    assert feedback.rework_reason == "未实际补办" and saved.next_reminder_at == feedback.rework_deadline_at
    cards = await CardInstance.filter(kind=CardKind.COMPLAINT, subject_id=complaint.id).order_by("id")
    assert len(cards) == cards_before + 1 and cards[-1].recipient_id == corg.head.id
    sent = await OutboxMessage.filter(card_id=cards[-1].id, kind=OutboxKind.CARD).first()
    assert sent is not None and "未实际补办" in str(sent.payload)
    old = await OutboxMessage.filter(card_id=cards[0].id).order_by("-id").first()  # the first card stays shut
    assert (
        old is not None
        and old.payload["card"]["buttons"] == []
        and old.payload["card"]["status"] == "发回重办"
    )


async def test_an_upheld_appeal_ends_the_rework_and_keeps_the_original_rating(
    resources: Resources, corg: ConsoleOrg
) -> None:
    complaint = await finished_complaint(resources, corg)
    client = await signed_in_client(console_app(resources), corg.office)
    try:
        data = {**REPORT, "satisfaction": "dissatisfied", "solved": "no", "comment": "不满意"}
        assert await _post(client, complaint, "report", data) == 302
        batch = OutboxBatch(resources.settings, corg.organisation, resources.clock.now())
        await file_appeal(await Complaint.get(id=complaint.id), "投诉人要求超出法定条件，有录音为证", batch,
                          actor=corg.head.handle)  # fmt: skip
        appealed = await Complaint.get(id=complaint.id)
        assert appealed.state is ComplaintState.APPEALED and appealed.next_reminder_at is None
        assert (
            await _post(client, appealed, "ruling", {"decision": "upheld", "note": ""}) == 400
        )  # a note needed
        assert await _post(client, appealed, "ruling", {"decision": "upheld", "note": "录音属实"}) == 302
        page = await (await client.get(f"/admin/complaints/{complaint.number}", headers=HTML)).text()
        assert "申诉成立：录音属实" in page and "不满意" in page and "差评" in page
    finally:
        await client.close()
    appeal = await ComplaintAppeal.get(complaint_id=complaint.id)
    feedback = await ComplaintFeedback.get(complaint_id=complaint.id)
    assert (appeal.ruling, feedback.satisfaction) == (AppealRuling.UPHELD, Satisfaction.DISSATISFIED)
    assert (await Complaint.get(id=complaint.id)).state is ComplaintState.RATED
    told = [str(m.payload) for m in await OutboxMessage.filter(person_id=corg.head.id, kind=OutboxKind.TEXT)]
    assert any("申诉成立" in t for t in told)


async def test_a_rejected_appeal_sends_it_back_to_rework_and_a_second_appeal_is_refused(
    resources: Resources, corg: ConsoleOrg
) -> None:
    complaint = await finished_complaint(resources, corg)
    client = await signed_in_client(console_app(resources), corg.office)
    try:
        data = {**REPORT, "satisfaction": "dissatisfied", "solved": "no", "comment": "不满意"}
        assert await _post(client, complaint, "report", data) == 302
        batch = OutboxBatch(resources.settings, corg.organisation, resources.clock.now())
        await file_appeal(await Complaint.get(id=complaint.id), "已按规定办理", batch, actor=corg.head.handle)
        assert await _post(client, complaint, "ruling", {"decision": "rejected", "note": "未提供证据"}) == 302
    finally:
        await client.close()
    saved = await Complaint.get(id=complaint.id)
    feedback = await ComplaintFeedback.get(complaint_id=complaint.id)
    assert saved.state is ComplaintState.REOPENED and saved.next_reminder_at == feedback.rework_deadline_at
    try:
        await file_appeal(saved, "再次申诉", batch, actor=corg.head.handle)
    except ValueError as problem:
        assert "已经申诉过" in str(problem)
    else:
        raise AssertionError("a second appeal was accepted")


async def test_one_follow_up_is_kept_beside_the_rating(resources: Resources, corg: ConsoleOrg) -> None:
    complaint = await finished_complaint(resources, corg)
    client = await signed_in_client(console_app(resources), corg.office)
    try:
        data = {**REPORT, "satisfaction": "very_satisfied", "solved": "yes"}
        assert await _post(client, complaint, "report", data) == 302
        assert await _post(client, complaint, "follow-up", {"follow_up": "后来又帮忙办了年审"}) == 302
        assert await _post(client, complaint, "follow-up", {"follow_up": "再追一次"}) == 400
    finally:
        await client.close()
    feedback = await ComplaintFeedback.get(complaint_id=complaint.id)
    assert (feedback.follow_up, feedback.satisfaction) == ("后来又帮忙办了年审", Satisfaction.VERY_SATISFIED)
