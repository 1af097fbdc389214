"""`tiji user add|list|unlock`: the console's local accounts (admins, office staff, 纪检组)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys

from bot.cli.common import default_org_code, settings_from_env
from bot.clock import SystemClock
from bot.org.accounts import ACCOUNT_ROLES, AccountError, add_account, unlock_account
from bot.runtime.db import database
from models.accounts import ConsoleAccount


def add_user_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The `tiji user …` subcommands."""
    user = sub.add_parser("user", help="local sign-in accounts of the console (/admin)")
    user.set_defaults(run=cmd_user)
    user_sub = user.add_subparsers(dest="user_command", required=True)
    add = user_sub.add_parser("add", help="create an account (asks for the password)")
    add.add_argument("username")
    add.add_argument("--org", help="organisation code (default: the only one)")
    add.add_argument(
        "--role", action="append", required=True, choices=[r.value for r in ACCOUNT_ROLES],
        help="admin | office | discipline (repeat for several)",
    )  # fmt: skip
    add.add_argument("--name", default="", help="the name shown in the console (default: the username)")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    list_ = user_sub.add_parser("list", help="the accounts, their roles and locks")
    list_.add_argument("--org", help="organisation code (default: all)")
    unlock = user_sub.add_parser("unlock", help="clear an account's lock after wrong passwords")
    unlock.add_argument("username")


async def read_password(from_stdin: bool) -> str | None:
    """The new password: one line of standard input, or typed twice at the prompt (None: they differ)."""
    if from_stdin:
        line: str = await asyncio.to_thread(sys.stdin.readline)
        return line.rstrip("\r\n")
    first: str = await asyncio.to_thread(getpass.getpass, "密码：")
    second: str = await asyncio.to_thread(getpass.getpass, "再输一次：")
    return first if first == second else None


async def cmd_user(args: argparse.Namespace) -> int:
    settings = settings_from_env()
    async with database(settings):
        try:
            if args.user_command == "add":
                return await _add(args)
            if args.user_command == "unlock":
                account = await unlock_account(args.username)
                print(f"已解锁：{account.username}")
                return 0
            print(await accounts_table(args.org))
            return 0
        except AccountError as error:
            print(str(error), file=sys.stderr)
            return 1


async def _add(args: argparse.Namespace) -> int:
    code = await default_org_code(args.org)
    password = await read_password(args.password_stdin)
    if password is None:
        print("两次输入的密码不一致，未创建账号", file=sys.stderr)
        return 1
    account = await add_account(
        code, args.username, password, args.role, now=SystemClock().now(), display_name=args.name
    )
    print(f"已创建账号 {account.username}（{'、'.join(account.roles)}），可在 /admin/signin 登录")
    return 0


async def accounts_table(organisation_code: str | None) -> str:
    """One line per account: username, organisation, roles, state."""
    query = ConsoleAccount.all().prefetch_related("organisation").order_by("username")
    if organisation_code:
        query = query.filter(organisation__code=organisation_code)
    lines = []
    now = SystemClock().now()
    for account in await query:
        state = "停用" if not account.active else "正常"
        if account.locked_until is not None and account.locked_until > now:
            state = f"锁定至 {account.locked_until:%Y-%m-%d %H:%M} UTC"
        last = f"{account.last_signin_at:%Y-%m-%d %H:%M} UTC" if account.last_signin_at else "从未登录"
        lines.append(
            f"{account.username}\t{account.organisation.code}\t{','.join(account.roles)}\t{state}\t{last}"
        )
    return "\n".join(lines) if lines else "还没有本地账号：用 tiji user add 创建"
