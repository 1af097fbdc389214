"""The simulator's JSON API keeps the DESIGN §4 shapes and answers bad input with 4xx in Chinese."""

from __future__ import annotations

import dataclasses
import datetime as dt
from html.parser import HTMLParser
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from redis.asyncio import Redis

from bot.cards import Button, ButtonStyle, Card, CardField, Option, Selection
from bot.clock import SimClock, SystemClock
from bot.events import CardAction, TextMessage
from bot.messengers.simulator import build_messenger, store
from bot.outbound import Attachment, GroupTarget, Recipient
from bot.runtime.resources import Resources
from handlers.web.sim import clock as sim_clock
from models.simulator import SimMessage
from tests.support.sim_app import Org, RecordingRouter

Client = TestClient[web.Request, web.Application]
ITEM_KEYS = {"id", "at", "direction", "kind", "text", "card"}
CARD_KEYS = {"ref", "title", "fields", "buttons", "selection", "closed", "status"}


def level4_card(ref: str = "ref-abc", *, status: str = "待处理", closed: bool = False) -> Card:
    return Card(
        ref=ref,
        source="tiji",
        title="说“不”事项 TJ-2026-0001",
        fields=(
            CardField("applicant", "服务对象", "王五"),
            CardField("matter", "事项", "道路运输经营许可"),
            CardField("level", "当前层级", "主要领导"),
        ),
        body="请决定",
        buttons=(
            Button("can_do", "能办", ButtonStyle.PRIMARY),
            Button("confirm_no", "确认不能办", ButtonStyle.DANGER),
        ),
        selection=Selection(
            "refusal_category",
            "不能办的理由类别",
            (
                Option("law", "法律政策不允许"),
                Option("conditions", "客观条件不具备"),
                Option("other", "其他"),
            ),
        ),
        status=status,
        closed=closed,
        reference="TJ-2026-0001",
    )


def recipient(person: Any) -> Recipient:
    return Recipient(person_id=person.id, user_id=person.handle, name=person.name)


async def json_of(response: Any, status: int) -> Any:
    assert response.status == status, await response.text()
    return await response.json()


# ---- people -----------------------------------------------------------------------------------


async def test_people_lists_active_people_with_department_and_roles(client: Client, org: Org) -> None:
    people = await json_of(await client.get("/sim/api/people"), 200)
    by_handle = {p["handle"]: p for p in people}
    assert set(by_handle) == {"zhangsan", "lisi", "zhaoliu"}
    assert by_handle["lisi"] == {
        "handle": "lisi",
        "name": "李四",
        "title": "股长",
        "department": "运政股",
        "department_code": "yz",
        "unit": "局机关",
        "roles": ["staff", "section_head"],
    }
    assert by_handle["zhaoliu"]["department"] == ""


async def test_without_an_organisation_the_api_says_to_import_one(
    client: Client, resources: Resources
) -> None:
    body = await json_of(await client.get("/sim/api/people"), 409)
    assert body["ok"] is False
    assert "tiji org import" in body["message"]


# ---- messages -----------------------------------------------------------------------------------


async def test_post_message_stores_it_and_hands_a_text_event_to_the_router(
    client: Client, org: Org, router: RecordingRouter
) -> None:
    body = await json_of(
        await client.post("/sim/api/messages", json={"from": "zhangsan", "text": "帮助"}), 202
    )
    assert body["accepted"] is True
    [event] = router.events
    assert isinstance(event, TextMessage)
    assert (event.sender.platform, event.sender.user_id, event.text) == ("simulator", "zhangsan", "帮助")
    assert event.dedupe_key.startswith("sim:msg:")
    [item] = await json_of(await client.get("/sim/api/inbox/zhangsan"), 200)
    assert set(item) >= ITEM_KEYS
    assert (item["direction"], item["kind"], item["text"], item["card"]) == ("in", "text", "帮助", None)
    assert dt.datetime.fromisoformat(item["at"]).utcoffset() == dt.timedelta(hours=8)


async def test_each_post_is_a_distinct_event(client: Client, org: Org, router: RecordingRouter) -> None:
    for _ in range(2):
        await json_of(await client.post("/sim/api/messages", json={"from": "zhangsan", "text": "待办"}), 202)
    assert len({e.dedupe_key for e in router.events}) == 2


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        ({"from": "nobody", "text": "帮助"}, "没有账号为 nobody"),
        ({"from": "gone", "text": "帮助"}, "没有账号为 gone"),
        ({"from": "zhangsan", "text": "   "}, "消息内容为空"),
        ({"from": "zhangsan"}, "消息内容为空"),
        ({"text": "帮助"}, "发送人账号"),
        ({"from": "zhangsan", "text": "长" * 4001}, "消息太长"),
        ({"from": "zhangsan", "text": "帮\u0000助"}, "空字符"),
        ({"from": "zhangsan", "text": "帮助\ud800"}, "无法识别的字符"),
        ({"from": "zhang\u0000san", "text": "帮助"}, "空字符"),
        ([1, 2], "JSON 对象"),
    ],
)
async def test_bad_messages_are_refused_and_nothing_is_stored(
    client: Client, org: Org, router: RecordingRouter, payload: object, words: str
) -> None:
    body = await json_of(await client.post("/sim/api/messages", json=payload), 400)
    assert body["ok"] is False
    assert words in body["message"]
    assert router.events == []
    assert await SimMessage.all().count() == 0


async def test_malformed_json_is_a_400_with_a_chinese_message(client: Client, org: Org) -> None:
    for path in ("/sim/api/messages", "/sim/api/cards/x/click", "/sim/api/clock"):
        response = await client.post(path, data=b"{not json", headers={"Content-Type": "application/json"})
        body = await json_of(response, 400)
        assert "不是有效的 JSON" in body["message"]


async def test_cross_site_posts_from_a_browser_are_refused(
    client: Client, org: Org, router: RecordingRouter
) -> None:
    response = await client.post(
        "/sim/api/messages",
        json={"from": "zhangsan", "text": "帮助"},
        headers={"Origin": "https://evil.example"},
    )
    body = await json_of(response, 403)
    assert "跨站" in body["message"]
    assert router.events == []
    # The page itself (same origin) is let through.
    same = await client.post(
        "/sim/api/messages",
        json={"from": "zhangsan", "text": "帮助"},
        headers={"Origin": f"http://{client.server.host}:{client.server.port}"},
    )
    assert same.status == 202


# ---- the messenger and the inbox ----------------------------------------------------------------


async def test_delivered_texts_and_cards_show_in_the_inbox_and_page_with_after(
    client: Client, org: Org, resources: Resources
) -> None:
    messenger = build_messenger(resources)
    assert messenger.platform == "simulator"
    await messenger.send_text(
        recipient(org.principal), "您有一件待决定的事项", markdown=False, dedupe_key="t1"
    )
    delivery = await messenger.send_card(recipient(org.principal), level4_card(), dedupe_key="c1")
    assert delivery.state == {"sim_channel": "user:zhaoliu"}
    first, second = await json_of(await client.get("/sim/api/inbox/zhaoliu"), 200)
    assert (first["direction"], first["kind"], first["text"]) == ("out", "text", "您有一件待决定的事项")
    assert second["kind"] == "card"
    card = second["card"]
    assert set(card) >= CARD_KEYS
    assert card["ref"] == "ref-abc"
    assert card["fields"][0] == ["服务对象", "王五"]
    assert card["named_fields"] == {"applicant": "王五", "matter": "道路运输经营许可", "level": "主要领导"}
    assert card["matter_number"] == "TJ-2026-0001"
    assert [(b["key"], b["text"]) for b in card["buttons"]] == [
        ("can_do", "能办"),
        ("confirm_no", "确认不能办"),
    ]
    assert card["selection"]["key"] == "refusal_category"
    assert [o["id"] for o in card["selection"]["options"]] == ["law", "conditions", "other"]
    assert (card["closed"], card["status"]) == (False, "待处理")

    after_first = await json_of(await client.get(f"/sim/api/inbox/zhaoliu?after={first['id']}"), 200)
    assert [i["id"] for i in after_first] == [second["id"]]
    assert await json_of(await client.get(f"/sim/api/inbox/zhaoliu?after={second['id']}"), 200) == []
    # Another person's conversation is separate.
    assert await json_of(await client.get("/sim/api/inbox/zhangsan"), 200) == []


async def test_a_card_stored_before_fields_had_keys_still_shows(
    client: Client, org: Org, resources: Resources
) -> None:
    old = {
        **level4_card("r-old").as_dict(),
        "fields": [["服务对象", "王五"]],
        "matter_number": "TJ-2026-0002",
    }
    del old["reference"]
    await store.write(
        resources.redis, organisation_id=org.organisation.id, channel=store.user_channel("zhaoliu"),
        direction="out", kind="card", at=resources.clock.now(), card=old, dedupe_key="old-card",
    )  # fmt: skip
    [item] = await json_of(await client.get("/sim/api/inbox/zhaoliu"), 200)
    assert (item["card"]["fields"], item["card"]["named_fields"]) == ([["服务对象", "王五"]], {})
    assert item["card"]["matter_number"] == "TJ-2026-0002"


async def test_a_retried_delivery_is_stored_once(client: Client, org: Org, resources: Resources) -> None:
    messenger = build_messenger(resources)
    for _ in range(3):
        await messenger.send_text(recipient(org.staff), "已提交", markdown=False, dedupe_key="outbox:7")
        await messenger.send_card(recipient(org.staff), level4_card("r2"), dedupe_key="outbox:8")
    assert len(await json_of(await client.get("/sim/api/inbox/zhangsan"), 200)) == 2


async def test_update_card_rewrites_every_copy_and_shows_as_a_change(
    client: Client, org: Org, resources: Resources
) -> None:
    messenger = build_messenger(resources)
    await messenger.send_card(recipient(org.principal), level4_card(), dedupe_key="c1")
    [before] = await json_of(await client.get("/sim/api/inbox/zhaoliu"), 200)
    assert await json_of(await client.get(f"/sim/api/inbox/zhaoliu?changed_after={before['seq']}"), 200) == []

    # The core closes a card by dropping its buttons; the simulator keeps them to grey them out.
    updated = dataclasses.replace(level4_card(status="已确认不能办", closed=True), buttons=(), selection=None)
    assert messenger.card_updatable({}, resources.clock.now())
    await messenger.update_card(recipient(org.principal), updated, state={}, dedupe_key="u1")

    [after] = await json_of(await client.get("/sim/api/inbox/zhaoliu"), 200)
    assert after["id"] == before["id"]
    assert (after["card"]["status"], after["card"]["closed"]) == ("已确认不能办", True)
    assert [b["key"] for b in after["card"]["buttons"]] == ["can_do", "confirm_no"]
    assert after["card"]["selection"]["key"] == "refusal_category"
    changed = await json_of(await client.get(f"/sim/api/inbox/zhaoliu?changed_after={before['seq']}"), 200)
    assert [i["id"] for i in changed] == [before["id"]]


async def test_update_of_a_card_never_shown_delivers_it(
    client: Client, org: Org, resources: Resources
) -> None:
    messenger = build_messenger(resources)
    await messenger.update_card(
        recipient(org.head), level4_card("fresh", status="已提级"), state={}, dedupe_key="u9"
    )
    [item] = await json_of(await client.get("/sim/api/inbox/lisi"), 200)
    assert item["card"]["status"] == "已提级"


@pytest.mark.parametrize(
    "query",
    [
        "after=-1",
        "after=abc",
        "changed_after=1.5",
        "after=%C2%B2",  # "²": str.isdigit() says yes, int() says no
        "after=99999999999999999999",  # beyond the id column
        "changed_after=99999999999999999999999",  # beyond the change counter
    ],
)
async def test_bad_paging_parameters_are_refused(client: Client, org: Org, query: str) -> None:
    body = await json_of(await client.get(f"/sim/api/inbox/zhangsan?{query}"), 400)
    assert "非负整数" in body["message"]


async def test_inbox_of_an_unknown_handle_is_refused(client: Client, org: Org) -> None:
    await json_of(await client.get("/sim/api/inbox/nobody"), 400)
    assert "空字符" in (await json_of(await client.get("/sim/api/inbox/zhang%00san"), 400))["message"]


# ---- card clicks --------------------------------------------------------------------------------


async def test_click_hands_a_card_action_to_the_router_and_shows_the_tap(
    client: Client, org: Org, resources: Resources, router: RecordingRouter
) -> None:
    await build_messenger(resources).send_card(recipient(org.principal), level4_card(), dedupe_key="c1")
    router.reply = router.reply.__class__(False, "请先选择不能办的理由类别")
    body = await json_of(
        await client.post(
            "/sim/api/cards/ref-abc/click",
            json={"by": "zhaoliu", "key": "confirm_no", "selected": {"refusal_category": "law"}},
        ),
        200,
    )
    assert body == {"ok": False, "message": "请先选择不能办的理由类别"}
    [event] = router.events
    assert isinstance(event, CardAction)
    assert (event.sender.user_id, event.card_ref, event.key) == ("zhaoliu", "ref-abc", "confirm_no")
    assert dict(event.selected) == {"refusal_category": "law"}
    assert event.dedupe_key.startswith("sim:click:")
    items = await json_of(await client.get("/sim/api/inbox/zhaoliu"), 200)
    assert items[-1]["direction"] == "in"
    assert items[-1]["text"] == "［点击］确认不能办（法律政策不允许）"


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"by": "zhaoliu", "key": "can_do", "selected": ["law"]}, 400),
        ({"by": "zhaoliu", "key": "can_do", "selected": {"refusal_category": 1}}, 400),
        ({"by": "zhaoliu"}, 400),
        ({"by": "nobody", "key": "can_do"}, 400),
        ({"by": "zhaoliu", "key": "can\u0000do"}, 400),
        ({"by": "zhaoliu", "key": "confirm_no", "selected": {"refusal_category": "law\u0000"}}, 400),
        ({"by": "zhaoliu", "key": "confirm_no", "selected": {"refusal_category": "\udc00"}}, 400),
    ],
)
async def test_bad_clicks_are_refused(
    client: Client, org: Org, router: RecordingRouter, payload: object, status: int
) -> None:
    body = await json_of(await client.post("/sim/api/cards/ref-abc/click", json=payload), status)
    assert body["ok"] is False and body["message"]
    assert router.events == []


async def test_a_click_on_a_card_ref_with_a_nul_is_refused(
    client: Client, org: Org, router: RecordingRouter
) -> None:
    payload = {"by": "zhaoliu", "key": "can_do"}
    body = await json_of(await client.post("/sim/api/cards/ref%00abc/click", json=payload), 400)
    assert "空字符" in body["message"]
    assert router.events == []
    assert await SimMessage.all().count() == 0


# ---- groups and files ---------------------------------------------------------------------------


async def test_groups_and_their_posts_with_a_downloadable_file(
    client: Client, org: Org, resources: Resources
) -> None:
    groups = await json_of(await client.get("/sim/api/groups"), 200)
    assert groups == [{"id": org.office_group.id, "name": "活动办公室群", "code": "office", "kind": "office"}]
    target = GroupTarget(group_id=org.office_group.id, code="office", name="活动办公室群")
    messenger = build_messenger(resources)
    await messenger.post_to_group(target, "**2026年第四季度** 汇总", attachment=None, dedupe_key="g1")
    xlsx = Attachment("2026Q4汇总表.xlsx", b"PK\x03\x04fake-xlsx")
    await messenger.post_to_group(target, "汇总表见附件", attachment=xlsx, dedupe_key="g2")

    text, file = await json_of(await client.get(f"/sim/api/groups/{org.office_group.id}"), 200)
    assert set(text) >= ITEM_KEYS and text["kind"] == "text" and text["attachment"] is None
    assert file["kind"] == "file"
    assert file["attachment"]["name"] == "2026Q4汇总表.xlsx"
    later = await json_of(await client.get(f"/sim/api/groups/{org.office_group.id}?after={text['id']}"), 200)
    assert [i["id"] for i in later] == [file["id"]]

    download = await client.get(file["attachment"]["url"])
    assert download.status == 200
    assert await download.read() == b"PK\x03\x04fake-xlsx"
    assert download.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''2026Q4%E6%B1%87" in download.headers["Content-Disposition"]


async def test_unknown_group_and_file_are_404(client: Client, org: Org) -> None:
    assert "没有编号为 999 的群" in (await json_of(await client.get("/sim/api/groups/999"), 404))["message"]
    await json_of(await client.get("/sim/api/groups/abc"), 404)
    await json_of(await client.get("/sim/api/files/12345"), 404)
    # Not ASCII decimals, or beyond the id column: unknown too, not a crash.
    for path in ("groups", "files"):
        await json_of(await client.get(f"/sim/api/{path}/%C2%B2"), 404)
        await json_of(await client.get(f"/sim/api/{path}/99999999999999999999"), 404)


# ---- clock and tick -----------------------------------------------------------------------------


async def test_clock_can_be_read_set_and_advanced(client: Client, org: Org) -> None:
    now = dt.datetime.fromisoformat((await json_of(await client.get("/sim/api/clock"), 200))["now"])
    assert now.utcoffset() == dt.timedelta(hours=8)
    assert abs(now - dt.datetime(2026, 11, 30, 9, 0, tzinfo=now.tzinfo)) < dt.timedelta(minutes=1)

    body = await json_of(await client.post("/sim/api/clock", json={"now": "2026-12-31T17:00:00+08:00"}), 200)
    set_to = dt.datetime.fromisoformat(body["now"])
    assert abs(set_to - dt.datetime.fromisoformat("2026-12-31T17:00:00+08:00")) < dt.timedelta(seconds=5)

    body = await json_of(await client.post("/sim/api/clock", json={"advance": "PT4H"}), 200)
    assert abs(dt.datetime.fromisoformat(body["now"]) - set_to - dt.timedelta(hours=4)) < dt.timedelta(
        seconds=5
    )
    body = await json_of(await client.post("/sim/api/clock", json={"advance": "P1DT30M"}), 200)
    expected = set_to + dt.timedelta(hours=4, days=1, minutes=30)
    assert abs(dt.datetime.fromisoformat(body["now"]) - expected) < dt.timedelta(seconds=5)
    assert body["now"].startswith("2027-01-01T21:3")


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        ({"advance": "4h"}, "时长格式不对"),
        ({"advance": "P1M"}, "时长格式不对"),
        ({"advance": "PT"}, "时长格式不对"),
        ({"advance": "P1DT"}, "时长格式不对"),
        ({"advance": "P"}, "时长格式不对"),
        ({"advance": "PT0H"}, "必须大于零"),
        ({"advance": "P9999D"}, "太长"),
        ({"advance": "P99999999999999999999D"}, "太长"),  # more than a timedelta holds
        ({"advance": "PT99999999999999999999H"}, "太长"),
        ({"advance": 3600}, "字符串"),
        ({"now": "2026-12-01 09:00"}, "缺少时区"),
        ({"now": "明天"}, "时间格式不对"),
        ({"now": "2026-12-01T09:00:00+08:00", "advance": "P1D"}, "二选一"),
        ({}, "二选一"),
    ],
)
async def test_bad_clock_input_is_refused_and_the_clock_stays(
    client: Client, org: Org, resources: Resources, payload: object, words: str
) -> None:
    before = resources.clock.now()
    body = await json_of(await client.post("/sim/api/clock", json=payload), 400)
    assert words in body["message"]
    assert resources.clock.now() - before < dt.timedelta(seconds=5)


async def test_a_real_clock_cannot_be_moved(client: Client, org: Org, resources: Resources) -> None:
    resources.clock = SystemClock()
    body = await json_of(await client.post("/sim/api/clock", json={"advance": "PT1H"}), 409)
    assert "不能调整" in body["message"]
    assert (await json_of(await client.get("/sim/api/clock"), 200))["adjustable"] is False


async def test_tick_runs_due_work_as_of_the_simulated_now(
    client: Client, org: Org, resources: Resources, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[dt.datetime] = []

    async def run_due_work(res: Resources) -> dict[str, int]:
        seen.append(res.clock.now())
        return {"reminders": 2, "digest": 0, "report_tasks": 0}

    monkeypatch.setattr(sim_clock, "run_due_work", run_due_work)
    assert isinstance(resources.clock, SimClock)
    resources.clock.set(dt.datetime(2027, 1, 4, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    body = await json_of(await client.post("/sim/api/tick"), 200)
    assert body["ran"] == ["reminders", "digest", "report_tasks"]
    assert body["sent"] == {"reminders": 2}  # only the jobs that sent something
    assert seen and seen[0].date() == dt.date(2027, 1, 4)


async def test_tick_with_nothing_due_names_no_job(client: Client, org: Org) -> None:
    body = await json_of(await client.post("/sim/api/tick"), 200)
    assert body["sent"] == {} and "reminders" in body["ran"]


# ---- the page -----------------------------------------------------------------------------------


async def test_the_page_and_its_assets_are_served(client: Client, org: Org) -> None:
    page = await client.get("/sim")
    assert page.status == 200
    html = await page.text()
    assert "提级 · 模拟器" in html and "桐城市交通运输局" in html
    assert 'src="/sim/static/sim.js"' in html
    assert "http://" not in html and "https://" not in html  # nothing from a CDN: the network is closed
    script = await client.get("/sim/static/sim.js")
    assert script.status == 200 and "javascript" in script.headers["Content-Type"]
    assert "innerHTML" not in await script.text()
    assert (await client.get("/sim/static/sim.css")).status == 200
    assert (await client.get("/sim/static/index.html")).status == 404


class InlineCode(HTMLParser):
    """Collects what a CSP without 'unsafe-inline' would block: inline scripts, on… handlers,
    style attributes and <style> blocks."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        if tag == "script" and "src" not in names:
            self.found.append("<script> without src")
        if tag == "style":
            self.found.append("<style>")
        self.found += [f"{tag}[{name}]" for name in names if name.startswith("on") or name == "style"]


async def test_the_page_runs_under_a_csp_without_inline_code(client: Client, org: Org) -> None:
    page = await client.get("/sim")
    parser = InlineCode()
    parser.feed(await page.text())
    assert parser.found == []
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'self' " in csp and "dingtalk.com" in csp and "work.weixin.qq.com" in csp


@pytest.mark.parametrize("path", ["/sim", "/sim/static/sim.js", "/sim/static/sim.css", "/sim/api/people"])
async def test_page_assets_and_api_carry_the_security_headers(client: Client, org: Org, path: str) -> None:
    response = await client.get(path)
    assert response.status == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Content-Security-Policy" in response.headers and "X-Frame-Options" not in response.headers
    assert response.headers["Cache-Control"] == "no-cache"  # an edited sim.js shows on reload


async def test_paths_outside_the_static_directory_are_not_served(client: Client, org: Org) -> None:
    for path in ("/sim/static/", "/sim/static/..%2Findex.html", "/sim/static/%2e%2e/%2e%2e/pyproject.toml"):
        assert (await client.get(path)).status in (403, 404), path


async def test_back_to_now_undoes_a_clock_carried_over_from_the_last_run(
    client: Client, org: Org, resources: Resources, redis: Redis
) -> None:
    moved = await json_of(await client.post("/sim/api/clock", json={"now": "2030-01-01T09:00:00+08:00"}), 200)
    assert moved["offset_seconds"] > 365 * 86400
    assert await redis.get("tiji:sim:clock_offset_seconds") is not None  # what the next start takes up
    body = await json_of(await client.post("/sim/api/clock/reset", json={}), 200)
    assert abs(body["offset_seconds"]) < 1
    now = dt.datetime.fromisoformat(body["now"])
    assert abs(now - dt.datetime.now(dt.UTC)) < dt.timedelta(seconds=5)
    assert abs(float(await redis.get("tiji:sim:clock_offset_seconds") or "99")) < 1
