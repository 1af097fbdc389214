"""`tiji user add|list|unlock`: an admin creates a console account from the command line (the
password from the prompt or standard input, stored only as an argon2 hash), lists and unlocks it."""

from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path

import pytest
from tortoise import Tortoise

from bot.cli import main
from bot.runtime.db import tortoise_config
from models.accounts import ConsoleAccount

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database migrated and holding the example org, made once and copied for each test."""
    where = tmp_path_factory.mktemp("users-cli")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(where)
        patch.setenv("TIJI_DATA_DIR", str(where / "var"))
        assert main(["migrate"]) == 0
        assert main(["org", "import", str(ROOT / "examples" / "org.yaml")]) == 0
    return where / "var" / "tiji.sqlite3"


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, migrated: Path) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TIJI_DATA_DIR", str(tmp_path / "var"))
    (tmp_path / "var").mkdir()
    db = tmp_path / "var" / "tiji.sqlite3"
    shutil.copyfile(migrated, db)
    return db


async def _account(db: Path, username: str) -> ConsoleAccount | None:
    await Tortoise.init(config=tortoise_config(f"sqlite://{db}"))
    try:
        return await ConsoleAccount.get_or_none(username=username)
    finally:
        await Tortoise.close_connections()


async def _lock(db: Path, username: str) -> None:
    await Tortoise.init(config=tortoise_config(f"sqlite://{db}"))
    try:
        until = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=15)
        await ConsoleAccount.filter(username=username).update(locked_until=until)
    finally:
        await Tortoise.close_connections()


def test_an_admin_creates_an_account_with_the_password_from_stdin(
    environment: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse battery\n"))
    code = main(["user", "add", "wangban", "--org", "tongbai-jt", "--role", "office", "--role", "admin",
                 "--name", "王办", "--password-stdin"])  # fmt: skip
    assert code == 0
    assert "已创建账号 wangban" in capsys.readouterr().out


async def test_the_stored_password_is_an_argon2_hash_only(
    environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse battery\n"))
    add = ["user", "add", "wangban", "--org", "tongbai-jt", "--role", "office", "--password-stdin"]
    assert await _run(add) == 0
    account = await _account(environment, "wangban")
    assert account is not None
    assert account.password_hash.startswith("$argon2id$")
    assert "correct horse" not in account.password_hash
    assert account.roles == ["office"]


async def _run(argv: list[str]) -> int:
    import asyncio

    return await asyncio.to_thread(main, argv)


def test_a_short_password_is_refused_and_nothing_is_created(
    environment: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["user", "add", "wangban", "--role", "office", "--password-stdin"]) == 1
    assert "密码至少 8 位" in capsys.readouterr().err
    assert main(["user", "list"]) == 0
    assert "还没有本地账号" in capsys.readouterr().out


def test_prompted_passwords_that_differ_create_nothing(
    environment: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = iter(["first password", "second password"])
    monkeypatch.setattr("getpass.getpass", lambda _prompt: next(answers))
    assert main(["user", "add", "wangban", "--role", "office"]) == 1
    assert "两次输入的密码不一致" in capsys.readouterr().err


def test_an_unknown_organisation_or_a_taken_username_is_refused(
    environment: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("long enough pw\n"))
    assert main(["user", "add", "a1", "--org", "nowhere", "--role", "office", "--password-stdin"]) == 1
    assert "没有代码为“nowhere”的单位" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("long enough pw\n"))
    assert main(["user", "add", "a1", "--role", "office", "--password-stdin"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("long enough pw\n"))
    assert main(["user", "add", "a1", "--role", "office", "--password-stdin"]) == 1
    assert "已存在" in capsys.readouterr().err


async def test_list_shows_a_lock_and_unlock_clears_it(
    environment: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("long enough pw\n"))
    assert await _run(["user", "add", "jijian", "--role", "discipline", "--password-stdin"]) == 0
    await _lock(environment, "jijian")
    capsys.readouterr()
    assert await _run(["user", "list"]) == 0
    listed = capsys.readouterr().out
    assert "jijian\ttongbai-jt\tdiscipline\t锁定至" in listed
    assert await _run(["user", "unlock", "jijian"]) == 0
    assert "已解锁：jijian" in capsys.readouterr().out
    account = await _account(environment, "jijian")
    assert account is not None and account.locked_until is None and account.failed_attempts == 0
