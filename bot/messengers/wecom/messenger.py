"""The WeCom ``Messenger``: texts and cards to people, digests and alerts to groups.

Cards are ``button_interaction`` template cards sent with ``message/send``; after a click the core queues
an update, made here with the click's ResponseCode (``message/update_template_card``, ``atall``). A
ResponseCode works once and for 72 h, so a card that must change while no code is left is sent afresh
under a new task_id (the old card stays, its later clicks still map to the same ``ref``). Group posts go
to an app group chat (``appchat/send``) or a group robot webhook."""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, overload

from bot.cards import Card
from bot.messengers.wecom.cards import problems, render, task_base, task_id_for
from bot.messengers.wecom.client import WeComApiError, WeComClient
from bot.messengers.wecom.limiter import APP_MEMBER_WINDOWS, ROBOT_WINDOWS, RateLimiter
from bot.messengers.wecom.parts import (
    APP_MARKDOWN_BYTES,
    ROBOT_MARKDOWN_BYTES,
    check_file_size,
    robot_key,
    split_by_bytes,
)
from bot.outbound import Attachment, CardDelivery, DeliveryError, GroupTarget, RateLimited, Recipient
from bot.runtime.resources import Resources
from models.enums import Platform

__all__ = ["WeComMessenger", "check_file_size", "robot_key", "split_by_bytes"]

log = logging.getLogger(__name__)

PLATFORM = Platform.WECOM
RESPONSE_CODE_LIFETIME = dt.timedelta(hours=72)
# Keep a margin: a code that expires while the update is on its way is as good as expired.
_CODE_MARGIN = dt.timedelta(minutes=10)
# WeCom drops a message/send whose body is byte-identical to one sent within this many seconds when
# enable_duplicate_check is set. Only cards carry it: their task_id is unique per delivery, so only a resend
# of the same delivery matches. Texts never do: two answers to one command (查询 twice) match, and both must arrive.
DUPLICATE_CHECK_SECONDS = 1800
_PART_DONE_SECONDS = 2 * 86400
_TASKREF_SECONDS = 400 * 86400
# Errors that are about our configuration, not about one card's response code.
_CONFIG_ERRORS = frozenset({0, 40001, 40013, 40056, 42015, 43012, 48002, 60020, 45009, 45033, -1})


def _fresh(at_text: str, now: dt.datetime) -> bool:
    try:
        at = dt.datetime.fromisoformat(at_text)
    except ValueError:
        return False
    return at.tzinfo is not None and now - at < RESPONSE_CODE_LIFETIME - _CODE_MARGIN


def usable_codes(state: Mapping[str, str], now: dt.datetime) -> list[tuple[str, str]]:
    """(ResponseCode, task_id) pairs that can still update the card, the latest click's first.

    ``response_code*`` come from the last click (saved by the callback), ``send_response_code*``
    from the send; each works once (``used_codes``) and for 72 h.
    """
    used = set(state.get("used_codes", "").split(","))
    found: list[tuple[str, str]] = []
    for code_key, at_key, task_key in (
        ("response_code", "response_code_at", "response_task_id"),
        ("send_response_code", "send_response_code_at", "task_id"),
    ):
        code = state.get(code_key, "")
        if code and code not in used and _fresh(state.get(at_key, ""), now):
            found.append((code, state.get(task_key) or state.get("task_id", "")))
    return found


def _marker(dedupe_key: str, part: int) -> str:
    """The Redis key that says part ``part`` of delivery ``dedupe_key`` went out."""
    return f"wecom:sent:{dedupe_key}:{part}"


def _remember(used: list[str]) -> str:
    return ",".join(used[-6:])  # older codes are past their 72 h anyway


class WeComMessenger:
    """Outbound side of the WeCom self-built app. Safe to call concurrently."""

    platform = PLATFORM

    def __init__(self, resources: Resources, client: WeComClient) -> None:
        settings = resources.settings
        if settings.wecom_agent_id is None:
            raise ValueError("TIJI_WECOM_AGENT_ID is not set")
        self.resources = resources
        self.client = client
        self.agent_id = settings.wecom_agent_id
        self.members = RateLimiter(resources.redis, "member", APP_MEMBER_WINDOWS)
        self.robots = RateLimiter(resources.redis, "robot", ROBOT_WINDOWS)

    # ---- people ---------------------------------------------------------------------------------

    async def send_text(self, to: Recipient, text: str, *, markdown: bool, dedupe_key: str) -> None:
        user = self._user(to)
        for index, part in enumerate(split_by_bytes(text, APP_MARKDOWN_BYTES)):
            if markdown:
                message: dict[str, Any] = {"msgtype": "markdown", "markdown": {"content": part}}
            else:
                message = {"msgtype": "text", "text": {"content": part}}
            marker = _marker(dedupe_key, index)
            if await self._send_to_member(to, user, message, unless_sent=marker) is not None:
                await self.resources.redis.set(marker, "1", ex=_PART_DONE_SECONDS)

    async def send_file(self, to: Recipient, attachment: Attachment, *, dedupe_key: str) -> None:
        """``media/upload`` (type=file) then ``message/send`` msgtype=file, once per delivery."""
        user = self._user(to)
        check_file_size(attachment)

        async def send() -> None:
            media_id = await self._upload(attachment)
            await self._send_to_member(to, user, {"msgtype": "file", "file": {"media_id": media_id}})

        await self._once(dedupe_key, 0, send)

    async def _upload(self, attachment: Attachment) -> str:
        uploaded = await self.client.upload(
            "/cgi-bin/media/upload",
            {"type": "file"},
            filename=attachment.filename,
            content=attachment.content,
            content_type=attachment.content_type,
        )
        return str(uploaded["media_id"])

    async def send_card(self, to: Recipient, card: Card, *, dedupe_key: str) -> CardDelivery:
        return CardDelivery(state=await self._send_card(to, card, dedupe_key))

    async def update_card(
        self, to: Recipient, card: Card, *, state: Mapping[str, str], dedupe_key: str
    ) -> CardDelivery:
        now = self.resources.clock.now()
        used = [c for c in state.get("used_codes", "").split(",") if c]
        for code, task_id in usable_codes(state, now):
            template = self._template(card, task_id or task_id_for(card.ref, dedupe_key))
            try:
                await self.client.post(
                    "/cgi-bin/message/update_template_card",
                    {
                        "userids": [],
                        "partyids": [],
                        "tagids": [],
                        "atall": 1,
                        "agentid": self.agent_id,
                        "response_code": code,
                        "template_card": template,
                    },
                )
            except WeComApiError as exc:
                if exc.transient or exc.errcode in _CONFIG_ERRORS:
                    raise
                # WeCom no longer takes this code (used elsewhere, expired early): try the next.
                log.info("wecom card %s: response code refused (%s)", card.ref, exc.errcode)
                used.append(code)
                continue
            used.append(code)
            return CardDelivery(state={"used_codes": _remember(used), "updated_at": now.isoformat()})
        spent = {"used_codes": _remember(used)} if used else {}
        if card.closed:
            # Nothing left to decide on this card and no code to change it with: clicks on it are
            # answered by the router ("已处理"), so it is left as it is.
            log.info("wecom card %s closed but no longer updatable; left unchanged", card.ref)
            return CardDelivery(state={**spent, "update_skipped_at": now.isoformat()})
        fresh = await self._send_card(to, card, dedupe_key)
        return CardDelivery(state={**spent, **fresh, "reissued_at": now.isoformat()})

    def card_updatable(self, state: Mapping[str, str], now: dt.datetime) -> bool:
        """True while an unused ResponseCode younger than 72 h is kept for the card."""
        return bool(usable_codes(state, now))

    # ---- groups ---------------------------------------------------------------------------------

    async def post_to_group(
        self, group: GroupTarget, markdown: str, *, attachment: Attachment | None, dedupe_key: str
    ) -> None:
        webhook = group.webhook or (None if group.chat_id else self.resources.settings.wecom_robot_key)
        if webhook:
            await self._post_by_robot(robot_key(webhook), markdown, attachment, dedupe_key)
        elif group.chat_id:
            await self._post_to_appchat(group.chat_id, markdown, attachment, dedupe_key)
        else:
            raise DeliveryError(
                f"群「{group.name}」没有配置企业微信群：请在 org 文件中为它填写 wecom_chat_id（应用群聊）"
                "或 wecom_robot_key（群机器人），或设置 TIJI_WECOM_ROBOT_KEY",
                transient=False,
            )

    async def _post_to_appchat(
        self, chat_id: str, markdown: str, attachment: Attachment | None, dedupe_key: str
    ) -> None:
        parts = split_by_bytes(markdown, APP_MARKDOWN_BYTES)
        for index, part in enumerate(parts):
            body = {"chatid": chat_id, "msgtype": "markdown", "markdown": {"content": part}}
            await self._once(
                dedupe_key, index, functools.partial(self.client.post, "/cgi-bin/appchat/send", body)
            )
        if attachment is not None:
            check_file_size(attachment)

            async def send_file() -> None:
                media_id = await self._upload(attachment)
                body = {"chatid": chat_id, "msgtype": "file", "file": {"media_id": media_id}}
                await self.client.post("/cgi-bin/appchat/send", body)

            await self._once(dedupe_key, len(parts), send_file)

    async def _post_by_robot(
        self, key: str, markdown: str, attachment: Attachment | None, dedupe_key: str
    ) -> None:
        parts = split_by_bytes(markdown, ROBOT_MARKDOWN_BYTES)
        for index, part in enumerate(parts):

            async def send_part(content: str = part) -> None:
                await self._robot_slot(key)
                await self.client.webhook(key, {"msgtype": "markdown", "markdown": {"content": content}})

            await self._once(dedupe_key, index, send_part)
        if attachment is not None:
            check_file_size(attachment)

            async def send_file() -> None:
                media_id = await self.client.webhook_upload(
                    key,
                    filename=attachment.filename,
                    content=attachment.content,
                    content_type=attachment.content_type,
                )
                await self._robot_slot(key)
                await self.client.webhook(key, {"msgtype": "file", "file": {"media_id": media_id}})

            await self._once(dedupe_key, len(parts), send_file)

    # ---- plumbing -------------------------------------------------------------------------------

    def _user(self, to: Recipient) -> str:
        if not to.user_id:
            raise DeliveryError(
                f"{to.name} 没有企业微信账号（wecom_userid）：请在 org 文件中填写，或运行 tiji org sync wecom",
                transient=False,
            )
        return to.user_id

    def _template(self, card: Card, task_id: str) -> dict[str, Any]:
        template = render(card, task_id)
        found = problems(template)
        if found:
            raise DeliveryError("卡片不符合企业微信的要求：" + "；".join(found), transient=False)
        return template

    async def _send_card(self, to: Recipient, card: Card, dedupe_key: str) -> dict[str, str]:
        user = self._user(to)
        task_id = task_id_for(card.ref, dedupe_key)
        base = task_base(card.ref)
        if base != card.ref:  # only for refs WeCom would not take: remember how to map back
            await self.resources.redis.set(f"wecom:taskref:{base}", card.ref, ex=_TASKREF_SECONDS)
        message = {"msgtype": "template_card", "template_card": self._template(card, task_id)}
        data = await self._send_to_member(to, user, message, duplicate_check=True)
        now = self.resources.clock.now().isoformat()
        state = {"task_id": task_id, "msgid": str(data.get("msgid", "")), "sent_at": now}
        if data.get("response_code"):
            # Kept apart from the clicks' codes: it can change the card when nobody clicked
            # (a step closed by someone else, the text of a refusal arriving later).
            state |= {"send_response_code": str(data["response_code"]), "send_response_code_at": now}
        return state

    @overload
    async def _send_to_member(
        self, to: Recipient, user: str, message: dict[str, Any], *, duplicate_check: bool = False
    ) -> dict[str, Any]: ...

    @overload
    async def _send_to_member(
        self, to: Recipient, user: str, message: dict[str, Any], *, unless_sent: str
    ) -> dict[str, Any] | None: ...

    async def _send_to_member(
        self,
        to: Recipient,
        user: str,
        message: dict[str, Any],
        *,
        duplicate_check: bool = False,
        unless_sent: str | None = None,
    ) -> dict[str, Any] | None:
        """``message/send`` to one member within the member's limits. With ``unless_sent`` (a
        part's marker, ``_once``), None when an earlier attempt sent it already: the marker is read
        in the limiter's round trip, and the caller sets it after the send."""
        now = self.resources.clock.now().timestamp()
        wait = await self.members.acquire_unless(user, now, unless_sent)
        if wait is None:
            return None
        if wait > 0:
            raise RateLimited(
                f"给 {to.name} 的消息已达企业微信每人每分钟30条/每小时1000条的上限，{wait:.0f} 秒后再发",
                retry_after=wait,
            )
        body: dict[str, Any] = {"touser": user, "agentid": self.agent_id, **message}
        if duplicate_check:
            body |= {"enable_duplicate_check": 1, "duplicate_check_interval": DUPLICATE_CHECK_SECONDS}
        data = await self.client.post("/cgi-bin/message/send", body)
        invalid = str(data.get("invaliduser", "") or "")
        if user in invalid.split("|"):
            raise DeliveryError(
                f"企业微信用户 {to.name}（{user}）不存在或不在应用可见范围：请检查 wecom_userid"
                "（或运行 tiji org sync wecom），并在 应用管理 → 本应用 → 可见范围 中加入此人",
                transient=False,
            )
        return data

    async def _robot_slot(self, key: str) -> None:
        wait = await self.robots.acquire(key, self.resources.clock.now().timestamp())
        if wait > 0:
            raise RateLimited(f"群机器人已达每分钟20条的上限，{wait:.0f} 秒后再发", retry_after=wait)

    async def _once(self, dedupe_key: str, part: int, send: Callable[[], Awaitable[object]]) -> None:
        """Send one part of a delivery unless a previous attempt already did (retries of multi-part
        posts must not repeat the parts that went out)."""
        marker = _marker(dedupe_key, part)
        if await self.resources.redis.exists(marker):
            return
        await send()
        await self.resources.redis.set(marker, "1", ex=_PART_DONE_SECONDS)
