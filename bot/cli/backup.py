"""`tiji backup` and `tiji restore`: one organisation to a JSON-lines file and back."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.backups import BackupError, restore_backup, write_backup
from bot.cli.common import default_org_code, settings_from_env
from bot.clock import SystemClock
from bot.runtime.db import database


async def cmd_backup(args: argparse.Namespace) -> int:
    settings = settings_from_env()
    now = SystemClock().now()
    async with database(settings):
        code = await default_org_code(args.org)
        path = Path(args.output or f"tiji-backup-{code}-{now.astimezone(settings.tz):%Y%m%d-%H%M%S}.jsonl")
        try:
            counts = await write_backup(code, path, now)
        except BackupError as error:
            print(str(error), file=sys.stderr)
            return 1
    print(f"单位 {code} 已备份到 {path}：{sum(counts.values())} 行（{len(counts)} 张表）")
    return 0


async def cmd_restore(args: argparse.Namespace) -> int:
    settings = settings_from_env()
    path = Path(args.file)
    try:
        text = await asyncio.to_thread(path.read_text, encoding="utf-8")
    except OSError as error:
        print(f"读不了备份文件 {path}：{error.strerror}", file=sys.stderr)
        return 2
    except UnicodeDecodeError:
        print(f"备份文件 {path} 已损坏（不是 UTF-8 文本），未恢复任何数据", file=sys.stderr)
        return 1
    async with database(settings):
        try:
            report = await restore_backup(text, replace=args.replace)
        except BackupError as error:
            print(str(error), file=sys.stderr)
            return 1
    print(report.summary())
    return 0
