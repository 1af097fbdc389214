"""The whole 说“不” flow in headless Chromium through `/sim`: submit → escalate → escalate →
confirm no (category, reason, 说“行”建议) → phone reply recorded → closed; then the clock and tick
buttons bring the quarterly digest into the office group. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import importlib.util
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import SimClock
from bot.settings import Settings
from models.matter import Matter
from tests.conftest import skip_or_fail
from tests.support.stack import Stack, running_stack

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
WAIT_MS = 20_000
NUMBER = "TJ-2026-0001"
FORM = "说不\n服务对象：桐柏县宏达运输有限公司\n联系电话：13800001111\n事项：道路运输经营许可证延续\n拟说不理由：年审材料不全"
REASON = "理由：车辆二级维护记录缺失，不符合延续条件\n建议：补做二级维护并取得记录后，可当日重新申请"


@pytest.fixture
def chromium() -> Path:
    if importlib.util.find_spec("playwright") is None:
        skip_or_fail("playwright is not installed")
    if not CHROMIUM.exists():
        skip_or_fail(f"no Chromium at {CHROMIUM}")
    return CHROMIUM


@pytest.fixture
async def served(settings: Settings, clock: SimClock, db: None) -> AsyncIterator[tuple[Stack, str]]:
    async with running_stack(settings, clock) as stack:
        await stack.import_org()
        yield stack, await stack.serve()


async def test_whole_flow_through_the_sim_page(chromium: Path, served: tuple[Stack, str]) -> None:
    from playwright.async_api import Page, async_playwright, expect

    _stack, base = served
    ARTIFACTS.mkdir(exist_ok=True)
    errors: list[str] = []

    def blocked(text: str) -> None:
        """The page runs under the app's Content Security Policy: nothing of it may be refused."""
        if "Content Security Policy" in text:
            errors.append(text)

    def last_out(page: Page):  # type: ignore[no-untyped-def]
        return page.locator("#conversation .item.out").last

    async def act_as(page: Page, handle: str) -> None:
        await page.locator(f'#people button.person[data-handle="{handle}"]').click()
        await expect(page.locator("#people button.person.current")).to_have_attribute("data-handle", handle)

    async def send(page: Page, text: str) -> None:
        await page.fill("#text", text)
        await page.click("#send")
        await expect(page.locator("#conversation .item.in").last).to_contain_text(text.splitlines()[0])

    def card_of(page: Page):  # type: ignore[no-untyped-def]
        return page.locator("#conversation .card").filter(has_text=NUMBER).last

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1366, "height": 860}, locale="zh-CN")
            page.set_default_timeout(WAIT_MS)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("console", lambda msg: blocked(msg.text))
            await page.goto(f"{base}/sim")
            assert (
                "script-src 'self'"
                in ((await page.request.get(f"{base}/sim")).headers["content-security-policy"])
            )
            await expect(page.locator("#people")).to_contain_text("运输管理股")

            # 1. The submitter asks for the form with the 说不 button, fills it in and sends it.
            await act_as(page, "zhangwei")
            await page.click('.quick button[data-say="说不"]')
            await expect(last_out(page)).to_contain_text("服务对象")
            await page.click("#fill-template")
            assert (await page.input_value("#text")).startswith("说不\n服务对象：")
            await send(page, FORM)
            await expect(last_out(page)).to_contain_text(f"已提交说“不”事项 {NUMBER}")

            # 2. The section head escalates; the card shows it and its buttons go dead.
            await act_as(page, "chenguoqing")
            await card_of(page).locator('button[data-key="escalate"]').click()
            await expect(page.locator("#toast")).to_contain_text("已提级至 分管领导 李明华")
            await expect(card_of(page)).to_have_class("card closed")
            await expect(card_of(page).locator(".status")).to_contain_text("已提级至 分管领导 李明华")
            await expect(card_of(page).locator('button[data-key="escalate"]')).to_be_disabled()

            # 3. The deputy escalates to the principal.
            await act_as(page, "liminghua")
            await card_of(page).locator('button[data-key="escalate"]').click()
            await expect(card_of(page).locator(".status")).to_contain_text("已提级至 主要领导 王建国")

            # 4. The principal picks a category, confirms no, and is asked for reason and 说“行”建议.
            await act_as(page, "wangjianguo")
            card = card_of(page)
            await expect(card.locator('button[data-key="escalate"]')).to_have_count(0)
            await expect(card.locator("input[type=radio]")).to_have_count(0)  # nothing to pre-select
            await card.locator('button[data-key="confirm_no"][data-option="conditions"]').click()
            await expect(page.locator("#conversation .item.in").last).to_contain_text("确认不能办·客观条件")
            await expect(last_out(page)).to_contain_text("理由：……")
            # The bot's long answer is in the chat; the toast over it says only its first line.
            toast = await page.locator("#toast").text_content() or ""
            assert "\n" not in toast and len(toast) <= 41 and "理由：……" not in toast, toast
            await expect(card_of(page).locator(".status")).to_contain_text("待填写")
            await page.fill("#text", REASON)
            await page.press("#text", "Control+Enter")  # the keyboard shortcut sends too
            await expect(last_out(page)).to_contain_text("已确认不能办")
            await expect(card_of(page)).to_have_class("card closed")
            await expect(card_of(page).locator('button[data-key="confirm_no"]').first).to_be_disabled()

            # 5. The submitter is told the reason and the way forward, records the phone reply.
            await act_as(page, "zhangwei")
            refusal = page.locator("#conversation .item.out").filter(has_text="确实不能办").last
            await expect(refusal).to_contain_text("原因类别：客观条件不具备")
            await expect(refusal).to_contain_text("说“行”建议：补做二级维护")
            await send(page, f"回复 {NUMBER} 电话 已电话告知申请人不能办的原因和补做二级维护后再申请的建议")
            await expect(last_out(page)).to_contain_text("事项办结")
            await send(page, f"查询 {NUMBER}")
            await expect(last_out(page)).to_contain_text("状态：已办结")
            await page.screenshot(path=str(ARTIFACTS / "sim-flow-desktop.png"))

            matter = await Matter.get(number=NUMBER)
            assert (matter.state, matter.outcome) == ("closed", "confirm_no")
            assert matter.replied_at is not None and matter.way_forward.startswith("补做二级维护")

            # 6. The clock menu and tick: the first working day of 2027Q1 brings the digest.
            await page.click("#clock-menu summary")
            await page.click("#next-quarter")
            await expect(page.locator("#clock-now")).to_contain_text("2027-01-01 周五 09:")
            await expect(page.locator("#clock-offset")).to_be_visible()  # the page says the time is simulated
            for _ in range(3):
                await page.click("#clock-menu summary")  # a choice closes the menu
                await page.click('button[data-advance="P1D"]')
            await expect(page.locator("#clock-now")).to_contain_text("2027-01-04 周一 09:")
            await page.click("#tick")
            # The toast names only the jobs that sent something, with how many messages.
            await expect(page.locator("#toast")).to_contain_text("已发送：")
            await expect(page.locator("#toast")).to_contain_text("季度汇总 4 条")  # office + 3 unit groups
            await expect(page.locator("#toast")).not_to_contain_text("会商期限")
            await page.locator("#groups button[data-group]").filter(has_text="活动办公室").click()
            digest = page.locator("#group-view .item").filter(has_text="2026年第4季度").last
            await expect(digest).to_contain_text("确认不能办：1 件")
            link = digest.locator("a.file")
            await expect(link).to_contain_text(".xlsx")
            download = await page.request.get(base + (await link.get_attribute("href") or ""))
            assert download.ok and (await download.body())[:2] == b"PK"
            await page.screenshot(path=str(ARTIFACTS / "sim-digest-desktop.png"))

            # 7. A phone-sized screen: tabs, the closed card, Chinese text.
            phone = await browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
            phone.set_default_timeout(WAIT_MS)
            phone.on("pageerror", lambda exc: errors.append(str(exc)))
            phone.on("console", lambda msg: blocked(msg.text))
            await phone.goto(f"{base}/sim#p=wangjianguo")
            await expect(phone.locator(".tabs")).to_be_visible()
            await expect(phone.locator("#panel-people")).to_be_hidden()
            await expect(card_of(phone)).to_have_class("card closed")
            await phone.screenshot(path=str(ARTIFACTS / "sim-flow-phone.png"))
            await phone.click('.tabs button[data-tab="groups"]')
            await expect(phone.locator("#group-view")).to_contain_text("2026年第4季度")
            await phone.screenshot(path=str(ARTIFACTS / "sim-groups-phone.png"))
        finally:
            await browser.close()
    assert errors == []
