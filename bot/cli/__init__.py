"""`tiji`: the command line (dev, serve, worker, dingtalk-stream, migrate, org, holidays, digest, check-config,
doctor, backup, restore, user)."""

from __future__ import annotations

import argparse
import asyncio
import importlib
from collections.abc import Callable, Coroutine, Sequence

from bot.cli.users import add_user_parser
from models.enums import Platform

Command = Callable[[argparse.Namespace], Coroutine[None, None, int]]


def _lazy(module: str, name: str) -> Command:
    """A command whose module is imported when it runs: each process (`tiji serve`, `tiji worker`,
    a one-off `tiji digest`) loads only its own code, which is what its start-up time and memory
    are made of."""

    async def run(args: argparse.Namespace) -> int:
        command: Command = getattr(importlib.import_module(module), name)
        return await command(args)

    return run


cmd_digest, cmd_holidays = _lazy("bot.cli.admin", "cmd_digest"), _lazy("bot.cli.admin", "cmd_holidays")
cmd_migrate, cmd_org = _lazy("bot.cli.admin", "cmd_migrate"), _lazy("bot.cli.admin", "cmd_org")
cmd_backup, cmd_restore = _lazy("bot.cli.backup", "cmd_backup"), _lazy("bot.cli.backup", "cmd_restore")
cmd_check_config, cmd_doctor = (
    _lazy("bot.cli.check", "cmd_check_config"),
    _lazy("bot.cli.doctor", "cmd_doctor"),
)
cmd_dev, cmd_serve = _lazy("bot.cli.processes", "cmd_dev"), _lazy("bot.cli.processes", "cmd_serve")
cmd_worker = _lazy("bot.cli.processes", "cmd_worker")
cmd_dingtalk_stream = _lazy("bot.cli.processes", "cmd_dingtalk_stream")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tiji", description="提级：说“不”事项提级管理机器人")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("dev", help="web + worker in one process, with the simulator at /sim").set_defaults(
        run=cmd_dev
    )
    sub.add_parser("serve", help="the web process").set_defaults(run=cmd_serve)
    sub.add_parser("worker", help="the arq worker").set_defaults(run=cmd_worker)
    sub.add_parser("dingtalk-stream", help="the DingTalk Stream connection").set_defaults(
        run=cmd_dingtalk_stream
    )
    sub.add_parser("migrate", help="apply database migrations").set_defaults(run=cmd_migrate)
    sub.add_parser("check-config", help="say what is missing or wrong").set_defaults(run=cmd_check_config)
    sub.add_parser(
        "doctor", help="is everything running? database, Redis, worker, DingTalk stream"
    ).set_defaults(run=cmd_doctor)

    backup = sub.add_parser("backup", help="write one organisation to a JSON-lines file")
    backup.add_argument("--org", help="organisation code (default: the only one)")
    backup.add_argument("-o", "--output", help="file to write (default: tiji-backup-ORG-TIME.jsonl)")
    backup.set_defaults(run=cmd_backup)
    restore = sub.add_parser("restore", help="restore an organisation from a backup file")
    restore.add_argument("file")
    restore.add_argument(
        "--replace", action="store_true", help="replace the organisation if it exists (its rows are deleted)"
    )
    restore.set_defaults(run=cmd_restore)

    org = sub.add_parser("org", help="organisation file")
    org.set_defaults(run=cmd_org)
    org_sub = org.add_subparsers(dest="org_command", required=True)
    org_import = org_sub.add_parser("import", help="import FILE.yaml (idempotent)")
    org_import.add_argument("file")
    org_export = org_sub.add_parser("export", help="print the org as YAML")
    org_export.add_argument("--org", help="organisation code (default: the only one)")
    org_export.add_argument("-o", "--output", help="write to this file")
    org_sync = org_sub.add_parser("sync", help="fill platform user ids from WeCom / DingTalk contacts")
    org_sync.add_argument("platform", choices=[Platform.WECOM.value, Platform.DINGTALK.value])
    org_sync.add_argument("--org", help="organisation code (default: the only one)")

    holidays = sub.add_parser("holidays", help="working-day calendar")
    holidays.set_defaults(run=cmd_holidays)
    hol_sub = holidays.add_subparsers(dest="holidays_command", required=True)
    hol_list = hol_sub.add_parser("list", help="holidays, make-up workdays and overrides of a year")
    hol_list.add_argument("--year", type=int)
    hol_list.add_argument("--org")
    hol_set = hol_sub.add_parser("set", help="override one day: workday|holiday|clear")
    hol_set.add_argument("date")
    hol_set.add_argument("kind")
    hol_set.add_argument("--note")
    hol_set.add_argument("--org")

    digest = sub.add_parser("digest", help="a quarter's digest (and post it with --post)")
    digest.add_argument("--quarter", required=True, help="e.g. 2026Q3")
    digest.add_argument("--post", action="store_true", help="post to the office and unit groups")
    digest.add_argument("--org")
    digest.set_defaults(run=cmd_digest)
    add_user_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    run: Command = args.run
    try:
        return asyncio.run(run(args))
    except KeyboardInterrupt:
        return 130
