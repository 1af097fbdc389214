"""Local console accounts (``tiji user add``): argon2id password hashes, and the lockout — after
``MAX_FAILURES`` wrong passwords in a row the account refuses every password for ``LOCKOUT``.

A sign-in answers the same words for an unknown username and a wrong password, and checks a hash
in both cases, so neither the words nor the time tell whether the account exists.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import re
from dataclasses import dataclass
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from tortoise.transactions import in_transaction

from models.accounts import ConsoleAccount
from models.org import Organisation, Role

MAX_FAILURES = 5
LOCKOUT = dt.timedelta(minutes=15)
MIN_PASSWORD = 8
MAX_PASSWORD = 256
ACCOUNT_ROLES = (Role.ADMIN, Role.OFFICE, Role.DISCIPLINE)
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$")
WRONG = "用户名或密码不正确。连续输错 5 次，账号将锁定 15 分钟。"

_HASHER = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Checked against when the username is unknown, so that answer takes as long as a wrong
    password. Made on first use, not at import: an argon2id hash costs every process ~0.1 s of CPU
    and 64 MiB at start (`tiji serve` → ready)."""
    return _HASHER.hash("tiji-no-such-account")


class AccountError(ValueError):
    """A request about accounts that cannot be done; the message says why, in Chinese."""


class SignInResult(StrEnum):
    OK = "ok"
    WRONG = "wrong"  # a wrong password of an account
    UNKNOWN = "unknown"  # no such (active) account: answered as WRONG is
    LOCKED = "locked"


@dataclass(frozen=True)
class SignInAttempt:
    """What a sign-in came to: the account when ``OK``; ``locked_until`` when ``LOCKED``."""

    result: SignInResult
    account: ConsoleAccount | None = None
    locked_until: dt.datetime | None = None


def hash_password(password: str) -> str:
    """An argon2id hash (its parameters and salt inside the string)."""
    return _HASHER.hash(password)


def password_matches(stored_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def check_password(password: str) -> None:
    """Refuse a password too short or too long for an account."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"密码至少 {MIN_PASSWORD} 位")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"密码最多 {MAX_PASSWORD} 位")


def parse_roles(names: list[str]) -> list[Role]:
    """``["admin", "office"]`` → the roles, refusing any a local account cannot hold."""
    allowed = {r.value: r for r in ACCOUNT_ROLES}
    wrong = [n for n in names if n not in allowed]
    if wrong or not names:
        raise AccountError(f"角色只能是 {' / '.join(allowed)}（收到：{'、'.join(wrong) or '无'}）")
    return sorted({allowed[n] for n in names}, key=list(ACCOUNT_ROLES).index)


async def add_account(
    organisation_code: str, username: str, password: str, roles: list[str], *, now: dt.datetime,
    display_name: str = "",
) -> ConsoleAccount:  # fmt: skip
    """Create the account, or refuse (unknown organisation, taken or malformed username, weak password)."""
    if not USERNAME.match(username):
        raise AccountError("用户名只能用字母、数字和 . _ -，2 到 64 位，以字母或数字开头")
    check_password(password)
    parsed = parse_roles(roles)
    organisation = await Organisation.get_or_none(code=organisation_code)
    if organisation is None:
        raise AccountError(f"没有代码为“{organisation_code}”的单位")
    if await ConsoleAccount.exists(username=username):
        raise AccountError(f"用户名“{username}”已存在")
    hashed = await asyncio.to_thread(hash_password, password)
    return await ConsoleAccount.create(
        organisation=organisation, username=username, display_name=display_name[:64], password_hash=hashed,
        roles=[r.value for r in parsed], created_at=now,
    )  # fmt: skip


async def unlock_account(username: str) -> ConsoleAccount:
    """Clear the account's failures and lock."""
    account = await ConsoleAccount.get_or_none(username=username)
    if account is None:
        raise AccountError(f"没有用户名为“{username}”的账号")
    account.failed_attempts, account.locked_until = 0, None
    await account.save(update_fields=["failed_attempts", "locked_until"])
    return account


async def sign_in_with_password(username: str, password: str, *, now: dt.datetime) -> SignInAttempt:
    """Check ``password`` for ``username``: OK (failures cleared), WRONG (one more failure; the
    fifth locks the account), LOCKED (refused unchecked until the lock ends) or UNKNOWN."""
    if len(password) > MAX_PASSWORD:
        password = password[:MAX_PASSWORD]
    account = await ConsoleAccount.get_or_none(username=username, active=True) if username else None
    if account is None:
        await asyncio.to_thread(password_matches, _dummy_hash(), password)
        return SignInAttempt(SignInResult.UNKNOWN)
    if account.locked_until is not None and account.locked_until > now:
        return SignInAttempt(SignInResult.LOCKED, locked_until=account.locked_until)
    if await asyncio.to_thread(password_matches, account.password_hash, password):
        return SignInAttempt(SignInResult.OK, await _succeeded(account, password, now))
    return await _failed(account.id, now)


async def _succeeded(account: ConsoleAccount, password: str, now: dt.datetime) -> ConsoleAccount:
    account.failed_attempts, account.locked_until, account.last_signin_at = 0, None, now
    fields = ["failed_attempts", "locked_until", "last_signin_at"]
    if _HASHER.check_needs_rehash(account.password_hash):
        account.password_hash = await asyncio.to_thread(hash_password, password)
        fields.append("password_hash")
    await account.save(update_fields=fields)
    return account


async def _failed(account_id: int, now: dt.datetime) -> SignInAttempt:
    async with in_transaction():
        account = await ConsoleAccount.select_for_update().get(id=account_id)
        if account.locked_until is not None and account.locked_until <= now:
            account.failed_attempts = 0  # the last lock has ended: count afresh
        account.failed_attempts += 1
        account.locked_until = None
        if account.failed_attempts >= MAX_FAILURES:
            account.failed_attempts, account.locked_until = 0, now + LOCKOUT
        await account.save(update_fields=["failed_attempts", "locked_until"])
    if account.locked_until is not None:
        return SignInAttempt(SignInResult.LOCKED, locked_until=account.locked_until)
    return SignInAttempt(SignInResult.WRONG)


def locked_message(until: dt.datetime, tz: dt.tzinfo) -> str:
    """The Chinese words of a locked sign-in, with the local time to try again."""
    local = until.astimezone(tz)
    return f"登录失败次数过多，账号已锁定 15 分钟。请于 {local:%H:%M} 后再试，或请管理员解锁（tiji user unlock）。"
