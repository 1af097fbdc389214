"""``/admin/complaints.xlsx``: the ledger as a workbook that opens in openpyxl, a row per complaint
with every field and its outcome (section, deadline, answer, feedback, merge, 督办, referral and
责任追究, 回访, 好差评, 追评, 发回重办, 申诉 and its ruling), filtered like the list it is linked from and scoped like it."""

from __future__ import annotations

import io

import openpyxl

from bot.calendar.workdays import load_calendar
from bot.complaints.appeals import file_appeal, rule_appeal
from bot.complaints.feedback import follow_up, parse_rating, rate
from bot.outbox.batch import OutboxBatch
from bot.reports.ledger_xlsx import HEADERS
from bot.runtime.resources import Resources
from models.complaint_feedback import AppealRuling, RatingSource
from models.complaints import Complaint
from tests.support.complaint_feedback import finished_complaint, reported_complaint
from tests.support.console import HTML, ConsoleOrg, console_app
from tests.support.ledger_seed import seed_ledger
from tests.support.pages import signed_in_client

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _rows(
    resources: Resources, corg: ConsoleOrg, query: str = "", person: object = None
) -> dict[str, dict[str, object]]:
    client = await signed_in_client(console_app(resources), person or corg.office)
    try:
        response = await client.get(f"/admin/complaints.xlsx{query}", headers=HTML)
        assert response.status == 200 and response.content_type == XLSX
        book = openpyxl.load_workbook(io.BytesIO(await response.read()))
    finally:
        await client.close()
    sheet = book["投诉台账"]
    assert [c.value for c in sheet[4]] == list(HEADERS)
    return {
        str(r[0]): dict(zip(HEADERS, r, strict=True)) for r in sheet.iter_rows(min_row=5, values_only=True)
    }


async def test_the_ledger_downloads_with_every_field_and_outcome(
    resources: Resources, corg: ConsoleOrg
) -> None:
    ledger = await seed_ledger(resources, corg)
    rows = await _rows(resources, corg)
    assert set(rows) == {c.number for c in (ledger.answered, ledger.done, ledger.overdue, ledger.open,
                                            ledger.merged, ledger.waiting)}  # fmt: skip
    done = rows[ledger.done.number]
    assert (done["状态"], done["承办股室"], done["办结反馈"]) == (
        "已办结",
        "运政股",
        "已补办运输证并电话告知",
    )
    assert done["办结期限"] is not None and done["企业"] == "宏达运输"
    assert "股室推诿，涉嫌不作为" in str(done["移送纪检组"]) and done["调查结论"] == "经查属实"
    assert done["责任追究"] == "张三·诫勉谈话·2026-12-03"
    answered = rows[ledger.answered.number]
    assert (answered["答疑内容"], answered["告知方式"]) == ("年审不需要到窗口", "电话告知")
    assert rows[ledger.merged.number]["并入"] == ledger.done.number
    assert rows[ledger.overdue.number]["无事项登记即说“不”（督办）"] == "是"
    assert (
        rows[ledger.waiting.number]["状态"] == "已登记" and rows[ledger.waiting.number]["移送纪检组"] is None
    )


async def test_the_download_keeps_the_lists_filters_and_the_viewers_scope(
    resources: Resources, corg: ConsoleOrg
) -> None:
    ledger = await seed_ledger(resources, corg)
    client = await signed_in_client(console_app(resources), corg.office)
    try:
        page = await (await client.get("/admin/complaints?state=done", headers=HTML)).text()
        assert 'href="/admin/complaints.xlsx?state=done&amp;channel=&amp;department="' in page
    finally:
        await client.close()
    assert set(await _rows(resources, corg, "?state=done")) == {ledger.done.number}
    by_section = await _rows(resources, corg, f"?department={corg.luzheng.id}")
    assert set(by_section) == {ledger.overdue.number}
    # The deputy in charge of 运政股 sees its complaints only.
    assert set(await _rows(resources, corg, person=corg.deputy)) == {ledger.done.number, ledger.open.number}
    other = await _rows(resources, corg, person=corg.other_office)
    assert set(other) == {ledger.other.number}


async def test_the_ledger_keeps_the_feedback_the_bad_rating_its_appeal_and_the_ruling(
    resources: Resources, corg: ConsoleOrg
) -> None:
    complaint = await reported_complaint(resources, corg, summary="电话告知刘先生：已补办")
    now = resources.clock.now()
    calendar = await load_calendar(resources.settings, corg.organisation.id, today=now.date())
    batch = OutboxBatch(resources.settings, corg.organisation, now)
    rating = parse_rating("dissatisfied", "no", "还是没有办下来", rework_reason="材料齐全仍未办理",
                          rework_days="3", default_days=5)  # fmt: skip
    await rate(complaint, rating, RatingSource.OFFICE, calendar, batch, actor="office")
    await follow_up(complaint, "第二天又去问了一次", RatingSource.OFFICE, actor="office", now=now)
    await file_appeal(await Complaint.get(id=complaint.id), "窗口记录显示当天已受理", batch, actor="section")
    await rule_appeal(await Complaint.get(id=complaint.id), AppealRuling.UPHELD, "受理记录属实", batch,
                      actor="office")  # fmt: skip

    row = (await _rows(resources, corg))[complaint.number]
    told = now.astimezone(resources.settings.tz)
    assert row["回访方式·时间"] == f"电话·{told:%Y-%m-%d %H:%M}"
    assert row["回访内容"] == "电话告知刘先生：已补办"
    # The original 差评 stays on file beside the ruling that upheld the section's 申诉.
    assert (row["满意度（好差评）"], row["问题是否解决"]) == ("不满意", "否")
    assert str(row["评价来源·时间"]).startswith("活动办公室回访·")
    assert row["追评"] == "第二天又去问了一次"
    assert str(row["发回重办（理由·整改期限）"]).startswith("材料齐全仍未办理（整改期限 ")
    assert str(row["申诉"]).startswith("窗口记录显示当天已受理（")
    assert str(row["申诉裁定"]).startswith("申诉成立·") and str(row["申诉裁定"]).endswith("：受理记录属实")


async def test_a_complaint_without_feedback_has_empty_feedback_cells(
    resources: Resources, corg: ConsoleOrg
) -> None:
    complaint = await finished_complaint(resources, corg)
    row = (await _rows(resources, corg))[complaint.number]
    assert all(row[h] is None for h in HEADERS[HEADERS.index("回访方式·时间") :])
