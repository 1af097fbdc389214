"""Console edits of a group (群): its name and the platform ids the bot posts with. The secrets
(WeCom robot key, DingTalk webhook secret) are never shown: an empty field keeps the stored one.
The checks are those of the org file. Callers open the transaction and audit the :class:`Change`
(secrets appear in it as “已设置” only)."""

from __future__ import annotations

from bot.org.changes import Change, OrgEditError, clean_text
from bot.org.schema import WECOM_CHAT_ID_RE
from models.org import GroupChannel

SECRET_FIELDS = ("wecom_robot_key", "dingtalk_webhook_secret")


def group_values(group: GroupChannel) -> dict[str, object]:
    """The audited values: secrets only as whether one is set."""
    return {
        "name": group.name,
        "wecom_chat_id": group.wecom_chat_id or "",
        "dingtalk_conversation_id": group.dingtalk_conversation_id or "",
        "dingtalk_webhook": group.dingtalk_webhook or "",
        **{name: "已设置" if getattr(group, name) else "" for name in SECRET_FIELDS},
    }


async def edit_group(organisation_id: int, group_id: int | None, *, name: object, wecom_chat_id: object,
                     dingtalk_conversation_id: object, dingtalk_webhook: object,
                     secrets: dict[str, object]) -> Change:  # fmt: skip
    group = await GroupChannel.get_or_none(id=group_id or 0, organisation_id=organisation_id)
    if group is None:
        raise OrgEditError("没有这个群，请刷新页面")
    before = group_values(group)
    new_name = clean_text(name, "群名称", max_length=200, required=True)
    chat_id = clean_text(wecom_chat_id, "企业微信群 chatid", max_length=64)
    if chat_id and not WECOM_CHAT_ID_RE.fullmatch(chat_id):
        raise OrgEditError("企业微信群 chatid 只能是字母和数字，最多 32 个")
    conversation = clean_text(dingtalk_conversation_id, "钉钉群 openConversationId", max_length=128)
    webhook = clean_text(dingtalk_webhook, "钉钉机器人 Webhook", max_length=500)
    if webhook and not webhook.startswith("https://"):
        raise OrgEditError("钉钉机器人 Webhook 应以 https:// 开头（在钉钉群机器人设置里复制）")
    group.name = new_name
    group.wecom_chat_id = chat_id or None
    group.dingtalk_conversation_id = conversation or None
    group.dingtalk_webhook = webhook or None
    lengths = {"wecom_robot_key": 128, "dingtalk_webhook_secret": 200}
    for field in SECRET_FIELDS:
        secret = clean_text(secrets.get(field), "密钥", max_length=lengths[field])
        if secret:
            setattr(group, field, secret)
    after = group_values(group)
    await group.save()
    return Change("org.group", f"group:{group.id}", before, after)
