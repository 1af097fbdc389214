"""One matter in the console: its timeline, the printable 审批表, marking a typical case and
issuing a 通报 — each change audited, CSRF-checked and allowed to the office only; another
organisation's matter (or one outside a leader's scope) is a 404."""

from __future__ import annotations

import pytest

from bot.runtime.resources import Resources
from models.audit import AuditEntry
from models.matter import Matter
from models.messaging import OutboxKind, OutboxMessage
from models.notices import Notice
from tests.support.console import HTML, Client, ConsoleOrg, console_app, csrf_of
from tests.support.console_matters import SeededMatters, seed_matters
from tests.support.pages import signed_in_client

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
async def seeded(corg: ConsoleOrg) -> SeededMatters:
    return await seed_matters(corg)


@pytest.fixture
async def office(resources: Resources, corg: ConsoleOrg, seeded: SeededMatters) -> Client:
    client = await signed_in_client(console_app(resources), corg.office)
    yield client  # type: ignore[misc]
    await client.close()


async def page(client: Client, path: str) -> tuple[int, str]:
    response = await client.get(path, headers=HTML)
    return response.status, await response.text()


async def test_the_timeline_shows_who_did_what_when_and_through_which_platform(office: Client) -> None:
    status, text = await page(office, "/admin/matters/TJ-2026-0003")
    assert status == 200
    for words in (
        "提交说“不”事项",
        "拟说不理由：理由3",
        "送股室负责人审批：李股长",
        "股室负责人：提级",
        "把握不准",
        "分管领导：提级",
        "需主要领导定",
        "主要领导：确认不能办",
        "说“行”建议：建议申请临时通行证",
        "经企业微信",
        "研判意见",
        "请依法答复",
        "经钉钉",
        "回复到期提醒",
        "发给 张三（已送达）",
        "2026-11-26 10:00",
        "《道路运输条例》第十条",
    ):
        assert words in text, words


async def test_the_timeline_shows_the_reply_record(office: Client) -> None:
    _, text = await page(office, "/admin/matters/TJ-2026-0002")
    assert "电话回复申请人（13900000002）" in text and "已电话告知可办理" in text
    assert "股室负责人：能办" in text and "材料补齐后当场办理" in text


async def test_the_print_form_holds_every_levels_opinion_with_a_signature_line(office: Client) -> None:
    status, text = await page(office, "/admin/matters/TJ-2026-0003/form")
    assert status == 200
    for words in (
        "说“不”事项提级管理审批表",
        "TJ-2026-0003",
        "受理日期",
        "申请人/单位",
        "申请人3",
        "联系电话",
        "13900000003",
        "申请事项",
        "事项3",
        "拟说不理由",
        "理由3",
        "政策依据",
        "《道路运输条例》第十条",
        "清单事项",
        "协办股室",
        "首问责任人：张三",
        "股室负责人：李股长",
        "分管领导：钱副局",
        "主要领导：赵局长",
        "拟说“不”，提请提级",
        "提级",
        "确认不能办",
        "法律政策不允许：法规明确禁止",
        "把握不准",
        "需主要领导定",
        "说“行”建议",
        "建议申请临时通行证",
        "答复记录",
        "尚未答复申请人",
        "2026年11月26日 10:00",
        "approval-form.css",
    ):
        assert words in text, words
    assert text.count("签字：") == 4


async def test_a_level_not_reached_says_so_on_the_form(office: Client) -> None:
    _, text = await page(office, "/admin/matters/TJ-2026-0002/form")
    assert text.count("（未提级至本级）") == 2  # 分管领导 and 主要领导
    assert "能办（股室负责人审定）" in text and "已电话告知可办理" in text


async def test_another_organisations_matter_is_a_404(
    resources: Resources, corg: ConsoleOrg, seeded: SeededMatters
) -> None:
    client = await signed_in_client(console_app(resources), corg.other_office)
    try:
        for path in ("/admin/matters/TJ-2026-0003", "/admin/matters/TJ-2026-0003/form"):
            status, text = await page(client, path)
            assert status == 404 and "理由3" not in text
        status, text = await page(client, "/admin/matters/TJ-2026-0001")
        assert status == 200 and "潜山外单位申请人" in text and "桐城货运公司" not in text
    finally:
        await client.close()


async def test_a_leader_gets_404_outside_their_sections_and_no_edit_forms(
    resources: Resources, corg: ConsoleOrg, seeded: SeededMatters
) -> None:
    client = await signed_in_client(console_app(resources), corg.deputy)
    try:
        status, _ = await page(client, "/admin/matters/TJ-2026-0004")  # 养护股, not theirs
        assert status == 404
        status, text = await page(client, "/admin/matters/TJ-2026-0003")
        assert status == 200 and "标记为典型案例" not in text and "发出通报" not in text
        token = await csrf_of(client, "/admin/matters")
        response = await client.post(
            "/admin/matters/TJ-2026-0003/showcase",
            data={"csrf": token, "action": "mark", "note": "好"},
            headers=HTML,
        )
        assert response.status == 403
        assert not (await Matter.get(id=seeded.refused.id)).showcase
    finally:
        await client.close()


async def test_marking_and_unmarking_a_typical_case_is_audited_before_and_after(
    office: Client, corg: ConsoleOrg, seeded: SeededMatters
) -> None:
    path = "/admin/matters/TJ-2026-0002"
    token = await csrf_of(office, path)
    response = await office.post(
        f"{path}/showcase", data={"csrf": token, "action": "mark", "note": "当场办结，值得推广"}, headers=HTML
    )
    assert response.status == 200 and "已标记为典型案例" in await response.text()
    matter = await Matter.get(id=seeded.closed.id)
    assert matter.showcase and matter.showcase_note == "当场办结，值得推广" and matter.showcase_at is not None
    _, cases = await page(office, "/admin/cases")
    assert "TJ-2026-0002" in cases and "当场办结，值得推广" in cases
    response = await office.post(f"{path}/showcase", data={"csrf": token, "action": "unmark"}, headers=HTML)
    assert response.status == 200
    assert not (await Matter.get(id=seeded.closed.id)).showcase
    rows = await AuditEntry.filter(subject="TJ-2026-0002", action__startswith="console.").order_by("seq")
    assert [r.action for r in rows] == ["console.showcase.mark", "console.showcase.unmark"]
    assert rows[0].data["before"] == {"showcase": False, "note": ""}
    assert rows[0].data["after"] == {"showcase": True, "note": "当场办结，值得推广"}
    assert rows[1].data["before"] == rows[0].data["after"]
    assert rows[0].actor == rows[1].actor == corg.office.handle
    _, cases = await page(office, "/admin/cases")
    assert "TJ-2026-0002" not in cases
    _, detail = await page(office, path)
    assert "标记为典型案例" in detail and "取消典型案例" in detail  # both on the timeline


async def test_a_typical_case_needs_its_write_up(office: Client, seeded: SeededMatters) -> None:
    path = "/admin/matters/TJ-2026-0002"
    token = await csrf_of(office, path)
    response = await office.post(
        f"{path}/showcase", data={"csrf": token, "action": "mark", "note": "  "}, headers=HTML
    )
    assert response.status == 400 and "请写几句典型案例说明" in await response.text()
    response = await office.post(
        f"{path}/showcase", data={"csrf": token, "action": "mark", "note": "长" * 501}, headers=HTML
    )
    assert response.status == 400 and "最多 500 字" in await response.text()
    assert not (await Matter.get(id=seeded.closed.id)).showcase
    assert not await AuditEntry.filter(action__startswith="console.").exists()


async def test_a_notice_goes_to_the_chosen_group_once_however_often_posted(
    office: Client, seeded: SeededMatters
) -> None:
    path = "/admin/matters/TJ-2026-0001"
    _, text = await page(office, path)
    assert "发出通报" in text and "活动办公室群" in text and "局机关群" in text
    token = await csrf_of(office, path)
    form = {
        "csrf": token,
        "key": "form-key-1",
        "group": str(seeded.unit_group.id),
        "text": "运政股超期未审批，予以通报。",
    }
    for _ in range(2):
        response = await office.post(f"{path}/notice", data=form, headers=HTML)
        assert response.status == 200 and "通报已发出" in await response.text()
    notices = await Notice.all()
    assert len(notices) == 1 and notices[0].group_id == seeded.unit_group.id
    rows = await OutboxMessage.filter(kind=OutboxKind.GROUP)
    assert len(rows) == 1 and rows[0].group_id == seeded.unit_group.id
    assert "【通报】TJ-2026-0001" in str(rows[0].payload["markdown"]) and "超期未审批" in str(
        rows[0].payload["markdown"]
    )
    audit = await AuditEntry.filter(action="console.notice.issue")
    assert len(audit) == 1 and audit[0].data["after"]["group"] == "局机关群"  # type: ignore[index]
    _, listing = await page(office, "/admin/notices")
    assert "运政股超期未审批" in listing and "局机关群" in listing and "王办公" in listing
    _, detail = await page(office, path)
    assert "通报（发往 局机关群）" in detail


async def test_a_notice_to_another_organisations_group_or_without_words_is_refused(
    office: Client, corg: ConsoleOrg, seeded: SeededMatters
) -> None:
    from models.org import GroupChannel

    foreign = await GroupChannel.create(organisation=corg.other, code="g", name="外单位群")
    path = "/admin/matters/TJ-2026-0001"
    token = await csrf_of(office, path)
    for group, text, words in (
        (foreign.id, "通报", "请选择通报发往的群"),
        (seeded.office_group.id, " ", "通报内容不能为空"),
        ("abc", "通报", "请选择通报发往的群"),
    ):
        response = await office.post(
            f"{path}/notice",
            data={"csrf": token, "key": f"k{group}", "group": str(group), "text": text},
            headers=HTML,
        )
        assert response.status == 400 and words in await response.text()
    assert not await Notice.all().exists() and not await OutboxMessage.filter(kind=OutboxKind.GROUP).exists()


async def test_posts_without_the_csrf_token_are_refused(office: Client, seeded: SeededMatters) -> None:
    path = "/admin/matters/TJ-2026-0001"
    response = await office.post(f"{path}/showcase", data={"action": "mark", "note": "好"}, headers=HTML)
    assert response.status == 403 and "安全校验没有通过" in await response.text()
    response = await office.post(
        f"{path}/notice",
        data={"csrf": "forged", "key": "k", "text": "x", "group": str(seeded.office_group.id)},
        headers=HTML,
    )
    assert response.status == 403
    assert not (await Matter.get(id=seeded.overdue.id)).showcase and not await Notice.all().exists()


async def test_free_text_is_shown_escaped_everywhere(office: Client, seeded: SeededMatters) -> None:
    await Matter.filter(id=seeded.overdue.id).update(applicant=XSS, subject=XSS, reason=XSS, policy_basis=XSS)
    path = "/admin/matters/TJ-2026-0001"
    token = await csrf_of(office, path)
    await office.post(f"{path}/showcase", data={"csrf": token, "action": "mark", "note": XSS}, headers=HTML)
    await office.post(
        f"{path}/notice",
        data={"csrf": token, "key": "x1", "group": str(seeded.office_group.id), "text": XSS},
        headers=HTML,
    )
    for where in (
        path,
        f"{path}/form",
        "/admin/matters",
        "/admin/matters?q=" + "%3Cscript%3E",
        "/admin/cases",
        "/admin/notices",
    ):
        status, text = await page(office, where)
        assert status == 200, where
        assert "<script>alert" not in text and "<img src=x" not in text, where
        assert "&lt;script&gt;" in text, where


async def test_the_discipline_group_reads_everything_and_changes_nothing(
    resources: Resources, corg: ConsoleOrg, seeded: SeededMatters
) -> None:
    client = await signed_in_client(console_app(resources), corg.discipline)
    try:
        for path in (
            "/admin/matters",
            "/admin/matters/TJ-2026-0004",
            "/admin/matters/TJ-2026-0004/form",
            "/admin/cases",
            "/admin/notices",
        ):
            status, _ = await page(client, path)
            assert status == 200, path
        _, detail = await page(client, "/admin/matters/TJ-2026-0004")
        assert 'action="/admin/matters/TJ-2026-0004/notice"' not in detail and "标记为典型案例" not in detail
        token = await csrf_of(client, "/admin/matters")
        response = await client.post(
            "/admin/matters/TJ-2026-0004/notice",
            headers=HTML,
            data={"csrf": token, "key": "k", "text": "x", "group": str(seeded.office_group.id)},
        )
        assert response.status == 403 and not await Notice.all().exists()
    finally:
        await client.close()
