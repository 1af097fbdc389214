"""``tiji check-config`` for WeCom: the settings' shapes, checked without calling WeCom."""

from __future__ import annotations

import base64
import binascii
import re
from urllib.parse import urlsplit

from bot.settings import Settings

_CORP_ID = re.compile(r"^[A-Za-z0-9]{6,32}$")
_SECRET = re.compile(r"^[A-Za-z0-9_\-]{10,128}$")
_TOKEN = re.compile(r"^[A-Za-z0-9]{1,32}$")
_AES_KEY = re.compile(r"^[A-Za-z0-9]{43}$")
_ROBOT_KEY = re.compile(r"^[A-Za-z0-9\-]{8,128}$")


AES_KEY_CHARS = 43  # EncodingAESKey: base64 of a 32-byte AES-256 key, without its "="
AES_KEY_BYTES = 32


def _aes_key_problem(key: str) -> str | None:
    if len(key) != AES_KEY_CHARS:
        return f"TIJI_WECOM_AES_KEY 应为 43 个字符（现在 {len(key)} 个）：请从 接收消息 → 设置API接收 复制 EncodingAESKey"
    if not _AES_KEY.match(key):
        return "TIJI_WECOM_AES_KEY 只能包含英文字母和数字：请从管理后台重新复制 EncodingAESKey"
    try:
        if len(base64.b64decode(key + "=", validate=True)) != AES_KEY_BYTES:
            raise ValueError
    except (binascii.Error, ValueError):
        return "TIJI_WECOM_AES_KEY 不是有效的 EncodingAESKey：请在管理后台点“随机获取”后重新填写"
    return None


def check_config(settings: Settings) -> list[str]:
    """Problems with the WeCom settings, in plain Chinese; empty when WeCom is unused or fine."""
    s = settings
    used = [s.wecom_corp_id, s.wecom_agent_id, s.wecom_secret, s.wecom_token, s.wecom_aes_key]
    if not any(v not in (None, "") for v in used) and not s.wecom_robot_key:
        return []
    problems: list[str] = []
    if not s.wecom_corp_id:
        problems.append("缺少 TIJI_WECOM_CORP_ID：管理后台 → 我的企业 → 企业信息 → 企业ID")
    elif not _CORP_ID.match(s.wecom_corp_id):
        problems.append("TIJI_WECOM_CORP_ID 格式不对（应为字母和数字，如 ww1234567890abcdef）")
    if s.wecom_agent_id is None:
        problems.append("缺少 TIJI_WECOM_AGENT_ID：应用管理 → 本应用 → AgentId")
    elif s.wecom_agent_id <= 0:
        problems.append("TIJI_WECOM_AGENT_ID 应为正整数（如 1000002）")
    if not s.wecom_secret:
        problems.append("缺少 TIJI_WECOM_SECRET：应用管理 → 本应用 → Secret（点“查看”后在企业微信中接收）")
    elif not _SECRET.match(s.wecom_secret):
        problems.append("TIJI_WECOM_SECRET 格式不对（应为字母、数字、- 和 _，不含空格）")
    if s.wecom_contacts_secret and not _SECRET.match(s.wecom_contacts_secret):
        problems.append("TIJI_WECOM_CONTACTS_SECRET 格式不对（应为字母、数字、- 和 _，不含空格）")
    if not s.wecom_token:
        problems.append(
            "缺少 TIJI_WECOM_TOKEN：应用管理 → 本应用 → 接收消息 → 设置API接收 → Token（卡片按钮需要回调）"
        )
    elif not _TOKEN.match(s.wecom_token):
        problems.append("TIJI_WECOM_TOKEN 只能是英文字母和数字，最长 32 个字符")
    if not s.wecom_aes_key:
        problems.append("缺少 TIJI_WECOM_AES_KEY：接收消息 → 设置API接收 → EncodingAESKey（43 个字符）")
    else:
        problem = _aes_key_problem(s.wecom_aes_key)
        if problem:
            problems.append(problem)
    base = urlsplit(s.wecom_api_base)
    if base.scheme not in ("http", "https") or not base.netloc:
        problems.append("TIJI_WECOM_API_BASE 应为 http(s) 地址，默认 https://qyapi.weixin.qq.com")
    if s.wecom_robot_key:
        key = s.wecom_robot_key
        if key.startswith(("http://", "https://")):
            if "key=" not in key:
                problems.append(
                    "TIJI_WECOM_ROBOT_KEY 是网址却不含 key=：请复制群机器人的完整 Webhook 地址或其中的 key"
                )
        elif not _ROBOT_KEY.match(key):
            problems.append("TIJI_WECOM_ROBOT_KEY 格式不对：应为群机器人 Webhook 地址中 key= 后面的部分")
    if s.wecom_corp_id or s.wecom_secret:
        problems.extend(_public_url_problems(s.public_url))
    return problems


def _public_url_problems(public_url: str | None) -> list[str]:
    """The cards' “详情 / 填写意见” links and the pages' sign-in need the app's public address."""
    if not public_url:
        return [
            "缺少 TIJI_PUBLIC_URL：卡片上的“详情 / 填写意见”链接和手机页面登录需要它（如 https://tiji.example.gov.cn），"
            "其域名还须填在 应用管理 → 本应用 → 网页授权及JS-SDK → 可信域名"
        ]
    parts = urlsplit(public_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return [f"TIJI_PUBLIC_URL 不是有效的网址：{public_url}（应形如 https://tiji.example.gov.cn）"]
    return []
