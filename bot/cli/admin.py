"""One-shot administration: `tiji migrate`, `org import|export|sync`, `holidays`, `digest`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from bot.calendar.overrides import list_holidays, set_holiday
from bot.cli.common import (
    default_org_code,
    describe_db,
    make_clock,
    settings_from_env,
)
from bot.clock import SystemClock
from bot.messengers import dingtalk, wecom
from bot.messengers.registry import build_messengers
from bot.org import OrgExportError, OrgFileError, export_org, import_org
from bot.reports.digest_cli import digest_cli
from bot.runtime.db import database, migrate
from bot.runtime.lifecycle import running_resources
from bot.settings import Settings
from models.enums import Platform

log = logging.getLogger("tiji")


async def cmd_migrate(args: argparse.Namespace) -> int:
    settings = settings_from_env()
    applied = await migrate(settings)
    print(migrate_summary(applied, describe_db(settings)))
    return 0


def migrate_summary(applied: list[str], where: str) -> str:
    """What `tiji migrate` did, in words: nothing to do, or how many steps it applied."""
    if not applied:
        return f"数据库已是最新结构：{where}"
    if applied[0].startswith("0001"):
        return f"已新建数据库（应用了全部 {len(applied)} 个迁移）：{where}"
    return f"数据库结构已更新（应用了 {len(applied)} 个迁移，最新为 {applied[-1]}）：{where}"


async def cmd_org(args: argparse.Namespace) -> int:
    settings = settings_from_env()
    if args.org_command == "sync":
        return await org_sync(settings, args)
    async with database(settings):
        if args.org_command == "import":
            path = Path(args.file)
            try:
                text = await asyncio.to_thread(path.read_text, encoding="utf-8")
            except OSError as error:
                print(f"读不了文件 {path}：{error.strerror}", file=sys.stderr)
                return 2
            try:
                report = await import_org(text, source=str(path))
            except OrgFileError as error:
                print(f"{path} 有错误，未导入任何内容：\n{error}", file=sys.stderr)
                return 1
            print(report.summary())
            return 0

        try:
            text = await export_org(args.org)
        except OrgExportError as error:
            print(str(error), file=sys.stderr)
            return 1
        if args.output:
            await asyncio.to_thread(Path(args.output).write_text, text, encoding="utf-8")
            print(f"已导出到 {args.output}")
        else:
            print(text, end="")
        return 0


async def org_sync(settings: Settings, args: argparse.Namespace) -> int:
    platform = Platform(args.platform)
    if platform is Platform.WECOM and not settings.wecom_enabled:
        print(
            "企业微信未配置：需要 TIJI_WECOM_CORP_ID、TIJI_WECOM_AGENT_ID、TIJI_WECOM_SECRET", file=sys.stderr
        )
        return 2
    if platform is Platform.DINGTALK and not settings.dingtalk_enabled:
        print("钉钉未配置：需要 TIJI_DINGTALK_CLIENT_ID、TIJI_DINGTALK_CLIENT_SECRET", file=sys.stderr)
        return 2
    async with running_resources(settings, SystemClock(), build_messengers) as resources:
        code = await default_org_code(args.org)
        try:
            if platform is Platform.WECOM:
                print((await wecom.sync_contacts(resources, code)).summary())
            else:
                print((await dingtalk.sync_contacts(resources, code)).summary())
        except Exception as error:  # the platform said no (permissions, IP, secret): say what it said
            log.debug("contacts sync failed", exc_info=True)
            print(f"通讯录同步失败：{error}", file=sys.stderr)
            return 1
    return 0


async def cmd_holidays(args: argparse.Namespace) -> int:
    settings = settings_from_env()
    async with database(settings):
        code = await default_org_code(args.org)
        try:
            if args.holidays_command == "list":
                year = args.year or SystemClock().now().astimezone(settings.tz).year
                print("\n".join(await list_holidays(settings, code, year)))
            else:
                print(await set_holiday(settings, code, args.date, args.kind, args.note or ""))
        except ValueError as error:
            print(str(error), file=sys.stderr)
            return 1
    return 0


async def cmd_digest(args: argparse.Namespace) -> int:
    settings = settings_from_env()
    async with running_resources(settings, make_clock(settings), build_messengers) as resources:
        try:
            print(await digest_cli(resources, args.org, args.quarter, args.post))
        except ValueError as error:
            print(str(error), file=sys.stderr)
            return 1
    return 0
