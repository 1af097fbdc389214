"""我的待办, the cards' links and 代理 in headless Chromium at 390×844, through the simulator: a
section head's decision cards carry “详情 / 填写意见” and the morning card “打开我的待办”; the
morning card's link opens /m/todo signed in as him, most urgent first; from there he sets a
stand-in (a wrong date is named beside its field first) and the stand-in is told. Screenshots go
to tests/artifacts/."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.clock import SimClock
from bot.jobs.worker import due_work
from bot.settings import Settings
from models.org import Person, StandIn
from tests.browser.test_pages_signin import PHONE
from tests.browser.test_sim_flow import ARTIFACTS, CHROMIUM_ARGS, WAIT_MS, chromium
from tests.handlers.test_reminder_ladder import FORM
from tests.support.stack import running_stack

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]
__all__ = ["chromium"]


async def test_a_leader_opens_his_todo_from_the_morning_card_and_sets_a_stand_in(
    chromium: Path, settings: Settings, clock: SimClock, db: None
) -> None:
    from playwright.async_api import async_playwright, expect

    async with running_stack(settings, clock) as stack:
        await stack.import_org()
        for subject in ("道路运输经营许可证延续", "超限运输车辆通行许可"):
            text = FORM.replace("道路运输经营许可证延续", subject)
            response = await stack.client.post("/sim/api/messages", json={"from": "zhangwei", "text": text})
            assert response.status == 202, await response.text()
        await stack.drain()
        await due_work({"resources": stack.resources})  # Monday 09:00: the morning cards
        await stack.drain()
        # Thursday 14:00: those two are due at 17:30 (red); a third, submitted now, is not.
        response = await stack.client.post("/sim/api/clock", json={"now": "2026-12-03T14:00:00+08:00"})
        assert response.status == 200, await response.text()
        fresh = FORM.replace("道路运输经营许可证延续", "危险货物运输资质变更")
        response = await stack.client.post("/sim/api/messages", json={"from": "zhangwei", "text": fresh})
        assert response.status == 202, await response.text()
        await stack.drain()
        base = await stack.serve()
        ARTIFACTS.mkdir(exist_ok=True)
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
            try:
                chat = await browser.new_page(viewport=PHONE, locale="zh-CN")
                chat.set_default_timeout(WAIT_MS)
                await chat.goto(f"{base}/sim#p=chenguoqing")
                await expect(chat.locator("#me")).to_contain_text("陈国庆")
                links = chat.locator("#conversation a.card-link")
                await expect(links.filter(has_text="详情 / 填写意见")).to_have_count(3)
                morning = links.filter(has_text="打开我的待办").last  # the worker may send today's too
                await expect(morning).to_be_visible()
                await morning.scroll_into_view_if_needed()
                await chat.screenshot(path=str(ARTIFACTS / "sim-morning-card-phone.png"))

                async with chat.context.expect_page() as opened:
                    await morning.click()
                page = await opened.value
                page.set_default_timeout(WAIT_MS)
                await page.wait_for_url(f"{base}/m/todo")
                await expect(page.locator("header .who")).to_have_text("陈国庆")
                rows = page.locator("#steps li.row")
                await expect(rows).to_have_count(3)
                await expect(rows.first.locator(".row-title")).to_have_text("道路运输经营许可证延续")
                await expect(page.locator("#steps li.row.urgent")).to_have_count(2)
                await expect(rows.last.locator(".row-title")).to_have_text("危险货物运输资质变更")
                await expect(rows.first.locator(".left")).to_have_text("剩 3.5 工时")
                href = await rows.first.locator("a").get_attribute("href")
                assert href is not None and href.startswith("/m/matters/TJ-")
                await page.screenshot(path=str(ARTIFACTS / "pages-todo-phone.png"), full_page=True)

                await page.click("text=设置代理")
                await page.wait_for_url(f"{base}/m/stand-in")
                await page.select_option("#stand_in", "wangfang")
                await page.fill("#start", "2026-12-04")
                await page.fill("#end", "2026-12-03")
                await page.fill("#reason", "外出学习")
                await page.click("text=保存代理")
                await expect(page.locator("#end-error")).to_have_text("结束日期不能早于开始日期")
                await expect(page.locator("#stand_in")).to_have_value("wangfang")  # kept as typed
                await page.screenshot(path=str(ARTIFACTS / "pages-stand-in-error-phone.png"), full_page=True)

                await page.fill("#end", "2026-12-07")
                await page.click("text=保存代理")
                await expect(page.locator(".notice-ok")).to_contain_text("代理已设置")
                await expect(page.locator("#ranges")).to_contain_text("王芳")
                await page.screenshot(path=str(ARTIFACTS / "pages-stand-in-phone.png"), full_page=True)
            finally:
                await browser.close()
        leader = await Person.get(handle="chenguoqing")
        row = await StandIn.get(person_id=leader.id)
        assert (row.start_date.isoformat(), row.end_date.isoformat()) == ("2026-12-04", "2026-12-07")
        await stack.drain()
        inbox = await (await stack.client.get("/sim/api/inbox/wangfang")).json()
        assert any("陈国庆已设置您为其代理人" in (item["text"] or "") for item in inbox)
