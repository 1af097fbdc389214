"""From the card to the page and back, in headless Chromium at 390×844 through the simulator: the
section head taps “详情 / 填写意见” on his decision card, lands on the matter's page signed in as
himself, escalates with a comment in one step; back in the chat his card says it is decided and the
deputy's new card carries the comment. Screenshots go to tests/artifacts/.

Every wait is on something the user would see (Playwright's ``expect``, bounded by ``WAIT_MS``, with
a message naming what did not appear); delivery is the served worker's, as in ``tiji dev``, so no
second (burst) worker runs beside it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.clock import SimClock
from bot.settings import Settings
from models.enums import StepStatus
from models.matter import DecisionStep, Matter
from tests.browser.test_pages_signin import PHONE
from tests.browser.test_sim_flow import ARTIFACTS, CHROMIUM_ARGS, WAIT_MS, chromium
from tests.handlers.test_reminder_ladder import FORM
from tests.support.stack import running_stack

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]
__all__ = ["chromium"]

COMMENT = "材料可容缺受理，请分管领导协调"


async def test_a_leader_opens_the_matter_from_his_card_and_decides_there(
    chromium: Path, settings: Settings, clock: SimClock, db: None
) -> None:
    from playwright.async_api import async_playwright, expect

    async with running_stack(settings, clock) as stack:
        await stack.import_org()
        base = await stack.serve()
        response = await stack.client.post("/sim/api/messages", json={"from": "zhangwei", "text": FORM})
        assert response.status == 202, await response.text()
        matter = await Matter.get()
        ARTIFACTS.mkdir(exist_ok=True)
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
            try:
                chat = await browser.new_page(viewport=PHONE, locale="zh-CN")
                chat.set_default_timeout(WAIT_MS)
                await chat.goto(f"{base}/sim#p=chenguoqing")
                await expect(chat.locator("#me"), "the sim did not switch to 陈国庆").to_contain_text(
                    "陈国庆"
                )
                card = chat.locator("#conversation .card").filter(has_text=matter.number)
                link = card.locator("a.card-link").filter(has_text="详情 / 填写意见")
                await expect(link, "陈国庆's decision card with its link did not arrive").to_have_count(1)
                await chat.screenshot(path=str(ARTIFACTS / "pages-card-link-card-phone.png"))
                async with chat.context.expect_page(timeout=WAIT_MS) as opened:
                    await link.click()
                page = await opened.value
                page.set_default_timeout(WAIT_MS)
                await page.wait_for_url(f"{base}/m/matters/{matter.number}")
                await expect(page.locator("header .who"), "not signed in as 陈国庆").to_have_text("陈国庆")
                await expect(page.locator("h1 .number")).to_have_text(matter.number)
                await page.screenshot(
                    path=str(ARTIFACTS / "pages-card-link-opened-phone.png"), full_page=True
                )
                await page.click(".your-turn")
                await page.fill("#comment", COMMENT)
                await page.click('button[name="action"][value="escalate"]')
                await expect(page.locator("#flash"), "the page did not confirm").to_contain_text("已提级至")
                await page.screenshot(
                    path=str(ARTIFACTS / "pages-card-link-decided-phone.png"), full_page=True
                )

                decided = card.filter(has_text="已提级至")
                await expect(decided, "陈国庆's card did not change as after a tap").to_have_count(1)
                await expect(decided.locator("button:enabled")).to_have_count(0)
                await chat.screenshot(path=str(ARTIFACTS / "pages-card-link-card-decided-phone.png"))
                await chat.goto(f"{base}/sim#p=liminghua")
                await expect(chat.locator("#me"), "the sim did not switch to 李明华").to_contain_text(
                    "李明华"
                )
                deputy = chat.locator("#conversation .card").filter(has_text=matter.number)
                await expect(
                    deputy.filter(has_text=COMMENT), "李明华's card lacks the comment"
                ).to_have_count(1)
                await chat.screenshot(path=str(ARTIFACTS / "pages-card-link-deputy-phone.png"))
            finally:
                await browser.close()
        step = await DecisionStep.get(matter_id=matter.id, level=2)
        assert step.status == StepStatus.DECIDED and step.comment == COMMENT
        assert await DecisionStep.filter(matter_id=matter.id, level=2).count() == 1  # decided once
