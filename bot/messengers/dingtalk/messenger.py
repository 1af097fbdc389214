"""The DingTalk Messenger: 1:1 texts, interactive cards (createAndDeliver / update) and group posts."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Mapping
from typing import Any

import aiohttp

from bot.cards import Card
from bot.messengers.dingtalk.cards import card_variables
from bot.messengers.dingtalk.client import DingTalkClient, DingTalkError
from bot.messengers.dingtalk.webhook import send_markdown
from bot.outbound import Attachment, CardDelivery, DeliveryError, GroupTarget, Recipient
from bot.runtime.resources import Resources
from models.enums import Platform

log = logging.getLogger(__name__)

PLATFORM = Platform.DINGTALK
CARD_SCOPE = "Card.Instance.Write"
ROBOT_SCOPE = "qyapi_robot_sendmsg"
MEDIA_SCOPE = "qyapi_robot_sendmsg（上传媒体文件）"
CALLBACK_ROUTE_KEY = "tiji"
UPDATE_OPTIONS = {"updateCardDataByKey": True, "updatePrivateDataByKey": True}
MSG_PARAM_LIMIT = 15_000
MAX_FILE_BYTES = 20 * 1024 * 1024  # /media/upload type=file


def markdown_title(text: str, fallback: str = "提级") -> str:
    """A short plain title for a markdown message (shown in the chat list)."""
    for line in text.splitlines():
        plain = re.sub(r"[#>*`_\[\]]", "", line).strip()
        if plain:
            return plain[:30]
    return fallback


def _clip_bytes(text: str, limit: int) -> str:
    raw = text.encode()
    if len(raw) <= limit:
        return text
    return raw[: limit - 3].decode(errors="ignore") + "…"


def _file_param(attachment: Attachment, media_id: str) -> dict[str, str]:
    suffix = attachment.filename.rsplit(".", 1)[-1].lower() if "." in attachment.filename else "file"
    return {"mediaId": media_id, "fileName": attachment.filename, "fileType": suffix}


def card_space(space: str, robot_code: str) -> dict[str, Any]:
    """The open-space part of createAndDeliver for ``IM_ROBOT.<userId>`` or ``IM_GROUP.<cid>``."""
    kind, _, target = space.partition(".")
    if kind == "IM_ROBOT":
        return {
            "openSpaceId": f"dtv1.card//{space}",
            "imRobotOpenSpaceModel": {"supportForward": False},
            "imRobotOpenDeliverModel": {"spaceType": "IM_ROBOT", "robotCode": robot_code},
        }
    if kind == "IM_GROUP":
        return {
            "openSpaceId": f"dtv1.card//{space}",
            "imGroupOpenSpaceModel": {"supportForward": False},
            "imGroupOpenDeliverModel": {"robotCode": robot_code},
        }
    raise ValueError(f"unsupported card space {space!r} ({target})")


class DingTalkMessenger:
    """Outbound DingTalk; safe to call concurrently (state lives in Redis and the DB)."""

    platform = PLATFORM

    def __init__(self, resources: Resources, client: DingTalkClient | None = None) -> None:
        self.resources = resources
        self.settings = resources.settings
        self._client = client

    @property
    def client(self) -> DingTalkClient:
        if self._client is None:
            self._client = DingTalkClient(self.resources)
        return self._client

    @property
    def robot_code(self) -> str:
        # Internal apps: the robot code is the app's client id unless set separately.
        return self.settings.dingtalk_robot_code or self.settings.dingtalk_client_id or ""

    # -- 1:1 ---------------------------------------------------------------------------------

    async def send_text(self, to: Recipient, text: str, *, markdown: bool, dedupe_key: str) -> None:
        if markdown:
            msg_key, param = "sampleMarkdown", {"title": markdown_title(text), "text": text}
        else:
            msg_key, param = "sampleText", {"content": text}
        result = await self.client.api(
            "POST",
            "/v1.0/robot/oToMessages/batchSend",
            {
                "robotCode": self.robot_code,
                "userIds": [to.user_id],
                "msgKey": msg_key,
                "msgParam": json.dumps(param, ensure_ascii=False),
            },
            scope=ROBOT_SCOPE,
        )
        if to.user_id in (result.get("invalidStaffIdList") or []):
            raise DeliveryError(
                f"钉钉用户 id {to.user_id}（{to.name}）无效：请检查组织文件中的 dingtalk_userid，"
                "或运行 tiji org sync dingtalk",
                transient=False,
            )
        if to.user_id in (result.get("flowControlledStaffIdList") or []):
            raise DeliveryError(f"钉钉对 {to.name} 的消息限流，稍后重发", transient=True, retry_after=60)

    async def send_file(self, to: Recipient, attachment: Attachment, *, dedupe_key: str) -> None:
        """``/media/upload`` (type=file), then a ``sampleFile`` message to the person."""
        media_id = await self._upload(attachment)
        await self.client.api(
            "POST",
            "/v1.0/robot/oToMessages/batchSend",
            {
                "robotCode": self.robot_code,
                "userIds": [to.user_id],
                "msgKey": "sampleFile",
                "msgParam": json.dumps(_file_param(attachment, media_id), ensure_ascii=False),
            },
            scope=ROBOT_SCOPE,
        )

    # -- cards -------------------------------------------------------------------------------

    def _template_id(self) -> str:
        template = self.settings.dingtalk_card_template_id
        if not template:
            raise DeliveryError(
                "没有配置钉钉卡片模板：请导入 templates/dingtalk/ 中的模板并设置 TIJI_DINGTALK_CARD_TEMPLATE_ID",
                transient=False,
            )
        return template

    def create_body(self, card: Card, space: str) -> dict[str, Any]:
        """The createAndDeliver request for ``card`` in ``space`` (``IM_ROBOT.<uid>``/``IM_GROUP.<cid>``)."""
        body: dict[str, Any] = {
            "cardTemplateId": self._template_id(),
            "outTrackId": card.ref,
            "cardData": {"cardParamMap": card_variables(card)},
            "userIdType": 1,
            **card_space(space, self.robot_code),
        }
        if self.settings.dingtalk_mode == "http":
            body["callbackType"] = "HTTP"
            body["callbackRouteKey"] = CALLBACK_ROUTE_KEY
        else:
            body["callbackType"] = "STREAM"
        return body

    async def deliver_card(self, card: Card, space: str) -> CardDelivery:
        """Create ``card`` in ``space``; a retry of a card that already exists updates it instead."""
        body = self.create_body(card, space)
        try:
            result = await self.client.api(
                "POST", "/v1.0/card/instances/createAndDeliver", body, scope=CARD_SCOPE
            )
        except DingTalkError as exc:
            if "cardAlreadyExist" in exc.code:
                # An earlier attempt created it (the answer was lost): bring it up to date instead.
                return await self._put(card, card.ref, space)
            if "template" in exc.code.lower():
                raise DeliveryError(
                    f"钉钉卡片模板不可用（{exc.code}）：请确认 TIJI_DINGTALK_CARD_TEMPLATE_ID 指向已发布的模板",
                    transient=False,
                ) from exc
            raise
        results = (result.get("result") or {}).get("deliverResults") or []
        failures = [r for r in results if isinstance(r, dict) and not r.get("success")]
        if failures or not results:
            reason = "；".join(str(r.get("errorMsg") or "未知原因") for r in failures) or "没有投递结果"
            raise DeliveryError(f"钉钉卡片没有送达 {space}：{reason}", transient=False)
        return self._state(card.ref, space)

    def _state(self, out_track_id: str, space: str) -> CardDelivery:
        now = self.resources.clock.now().astimezone(dt.UTC).isoformat()
        return CardDelivery(state={"out_track_id": out_track_id, "space": space, "delivered_at": now})

    async def send_card(self, to: Recipient, card: Card, *, dedupe_key: str) -> CardDelivery:
        return await self.deliver_card(card, f"IM_ROBOT.{to.user_id}")

    async def _put(self, card: Card, out_track_id: str, space: str) -> CardDelivery:
        result = await self.client.api(
            "PUT",
            "/v1.0/card/instances",
            {
                "outTrackId": out_track_id,
                "cardData": {"cardParamMap": card_variables(card)},
                "cardUpdateOptions": UPDATE_OPTIONS,
                "userIdType": 1,
            },
            scope=CARD_SCOPE,
        )
        if result.get("success") is False:
            raise DeliveryError(f"钉钉卡片 {out_track_id} 更新失败：{result}", transient=True)
        return self._state(out_track_id, space)

    async def update_card(
        self, to: Recipient, card: Card, *, state: Mapping[str, str], dedupe_key: str
    ) -> CardDelivery:
        out_track_id = state.get("out_track_id") or card.ref
        space = state.get("space") or f"IM_ROBOT.{to.user_id}"
        return await self._put(card, out_track_id, space)

    def card_updatable(self, state: Mapping[str, str], now: dt.datetime) -> bool:
        """DingTalk cards stay updatable by outTrackId; only a card never delivered is not."""
        return bool(state.get("out_track_id"))

    # -- groups ------------------------------------------------------------------------------

    async def post_to_group(
        self, group: GroupTarget, markdown: str, *, attachment: Attachment | None, dedupe_key: str
    ) -> None:
        title = markdown_title(markdown, group.name)
        webhook = group.webhook or (None if group.chat_id else self.settings.dingtalk_robot_webhook)
        if group.chat_id and (attachment is not None or not group.webhook):
            await self._group_message(group.chat_id, "sampleMarkdown", {"title": title, "text": markdown})
            if attachment is not None:
                await self._group_file(group.chat_id, attachment)
            return
        if webhook:
            secret = group.webhook_secret if group.webhook else self.settings.dingtalk_robot_webhook_secret
            text = markdown
            if attachment is not None:
                text += f"\n\n（附件 {attachment.filename} 无法通过群机器人 webhook 发送，请在管理后台“季度报表”（/admin/reports）下载）"
            await send_markdown(self.resources, webhook, secret, title, text)
            return
        raise DeliveryError(
            f"群「{group.name}」没有钉钉群会话：请在组织文件中为它填写 dingtalk_conversation_id 或 dingtalk_webhook",
            transient=False,
        )

    async def _group_message(self, chat_id: str, msg_key: str, param: Mapping[str, str]) -> None:
        raw = json.dumps(param, ensure_ascii=False)
        if len(raw.encode()) > MSG_PARAM_LIMIT and "text" in param:
            clipped = dict(param, text=_clip_bytes(param["text"], MSG_PARAM_LIMIT - 500))
            raw = json.dumps(clipped, ensure_ascii=False)
        await self.client.api(
            "POST",
            "/v1.0/robot/groupMessages/send",
            {"robotCode": self.robot_code, "openConversationId": chat_id, "msgKey": msg_key, "msgParam": raw},
            scope=ROBOT_SCOPE,
        )

    async def _group_file(self, chat_id: str, attachment: Attachment) -> None:
        media_id = await self._upload(attachment)
        await self._group_message(chat_id, "sampleFile", _file_param(attachment, media_id))

    async def _upload(self, attachment: Attachment) -> str:
        if attachment.size > MAX_FILE_BYTES:
            raise DeliveryError(
                f"文件 {attachment.filename}（{attachment.size / 1024 / 1024:.1f} MB）超过钉钉 20 MB 的文件上限，"
                "请在管理后台“季度报表”下载",
                transient=False,
            )
        # The filename as browsers send it (raw UTF-8), not percent-encoded, so 汇总表 stays readable.
        safe_name = "".join(c for c in attachment.filename if c not in '"\\\r\n') or "file"

        def form() -> aiohttp.FormData:
            data = aiohttp.FormData(quote_fields=False)
            data.add_field(
                "media", attachment.content, filename=safe_name, content_type=attachment.content_type
            )
            return data

        uploaded = await self.client.oapi(
            "/media/upload", scope=MEDIA_SCOPE, params={"type": "file"}, form=form
        )
        media_id = uploaded.get("media_id")
        if not isinstance(media_id, str) or not media_id:
            raise DeliveryError(f"钉钉文件上传没有返回 media_id：{uploaded}", transient=True)
        return media_id
