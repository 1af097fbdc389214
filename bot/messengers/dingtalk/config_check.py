"""``tiji check-config`` for DingTalk: what is missing or wrong, in plain words (no network)."""

from __future__ import annotations

from urllib.parse import urlparse

from bot.settings import Settings


def _is_url(value: str) -> bool:
    parsed = urlparse(value)
    return parsed.scheme in ("http", "https") and bool(parsed.netloc)


def check_config(settings: Settings) -> list[str]:
    """Problems with the DingTalk settings (empty when DingTalk is not configured at all)."""
    configured = any(
        (
            settings.dingtalk_client_id,
            settings.dingtalk_client_secret,
            settings.dingtalk_robot_code,
            settings.dingtalk_card_template_id,
        )
    )
    if not configured:
        return []
    problems: list[str] = []
    if not settings.dingtalk_client_id:
        problems.append("钉钉：缺少 TIJI_DINGTALK_CLIENT_ID（应用的 Client ID / AppKey）")
    if not settings.dingtalk_client_secret:
        problems.append("钉钉：缺少 TIJI_DINGTALK_CLIENT_SECRET（应用的 Client Secret / AppSecret）")
    if not settings.dingtalk_card_template_id:
        problems.append(
            "钉钉：缺少 TIJI_DINGTALK_CARD_TEMPLATE_ID：请在卡片平台导入 templates/dingtalk/tiji-card.json，"
            "发布后填写模板 ID"
        )
    elif not settings.dingtalk_card_template_id.endswith(".schema"):
        problems.append("钉钉：TIJI_DINGTALK_CARD_TEMPLATE_ID 应形如 xxxx.schema（卡片平台上的模板 ID）")
    for name, value in (
        ("TIJI_DINGTALK_API_BASE", settings.dingtalk_api_base),
        ("TIJI_DINGTALK_OAPI_BASE", settings.dingtalk_oapi_base),
    ):
        if not _is_url(value):
            problems.append(f"钉钉：{name} 不是有效的网址：{value}")
    if settings.dingtalk_mode == "http":
        if not settings.public_url or not _is_url(settings.public_url):
            problems.append(
                "钉钉：TIJI_DINGTALK_MODE=http 需要 TIJI_PUBLIC_URL（钉钉回调 /dingtalk/robot 和 /dingtalk/card 的外网地址）"
            )
        elif not settings.public_url.startswith("https://"):
            problems.append("钉钉：TIJI_PUBLIC_URL 应使用 https://（钉钉回调要求 HTTPS）")
    if settings.dingtalk_robot_webhook_secret and not settings.dingtalk_robot_webhook:
        problems.append("钉钉：设置了 TIJI_DINGTALK_ROBOT_WEBHOOK_SECRET，却没有 TIJI_DINGTALK_ROBOT_WEBHOOK")
    if settings.dingtalk_robot_webhook and not (
        _is_url(settings.dingtalk_robot_webhook) or settings.dingtalk_robot_webhook.isalnum()
    ):
        problems.append("钉钉：TIJI_DINGTALK_ROBOT_WEBHOOK 应是群机器人的完整网址或其 access_token")
    if settings.dingtalk_disconnect_alert_seconds <= 0:
        problems.append("钉钉：TIJI_DINGTALK_DISCONNECT_ALERT_SECONDS 必须大于 0")
    if not settings.public_url:
        problems.append(
            "钉钉：缺少 TIJI_PUBLIC_URL：卡片上的“详情 / 填写意见”链接需要它（如 https://tiji.example.gov.cn），"
            "并填为 应用 → 网页应用 的首页地址"
        )
    elif not _is_url(settings.public_url):
        problems.append(f"钉钉：TIJI_PUBLIC_URL 不是有效的网址：{settings.public_url}")
    if not settings.dingtalk_corp_id:
        problems.append(
            "钉钉：缺少 TIJI_DINGTALK_CORP_ID：手机页面免登需要它（开发者后台 → 首页 → CorpId，形如 dingxxxx）"
        )
    return problems
