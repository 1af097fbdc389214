"""Local console accounts: the password is kept as an argon2id hash that verifies only the right
password, and a malformed username or role is refused with words saying what to fix."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.org.accounts import (
    AccountError,
    SignInResult,
    add_account,
    hash_password,
    parse_roles,
    password_matches,
    sign_in_with_password,
)
from bot.runtime.resources import Resources
from models.org import Organisation, Role

NOW = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)


def test_an_argon2id_hash_verifies_the_right_password_only() -> None:
    stored = hash_password("correct horse battery")
    assert stored.startswith("$argon2id$")
    assert password_matches(stored, "correct horse battery")
    assert not password_matches(stored, "correct horse batterY")
    assert not password_matches("not a hash", "correct horse battery")


def test_roles_a_local_account_cannot_hold_are_refused() -> None:
    assert parse_roles(["office", "admin", "office"]) == [Role.ADMIN, Role.OFFICE]
    with pytest.raises(AccountError, match="角色只能是 admin / office / discipline"):
        parse_roles(["principal"])


async def test_a_malformed_username_is_refused(resources: Resources) -> None:
    await Organisation.create(code="tc", name="桐城市交通运输局")
    with pytest.raises(AccountError, match="用户名只能用字母"):
        await add_account("tc", "王 办", "long enough pw", ["office"], now=NOW)


async def test_an_inactive_account_cannot_sign_in(resources: Resources) -> None:
    await Organisation.create(code="tc", name="桐城市交通运输局")
    account = await add_account("tc", "wangban", "long enough pw", ["office"], now=NOW)
    assert (await sign_in_with_password("wangban", "long enough pw", now=NOW)).result is SignInResult.OK
    account.active = False
    await account.save()
    assert (await sign_in_with_password("wangban", "long enough pw", now=NOW)).result is SignInResult.UNKNOWN
