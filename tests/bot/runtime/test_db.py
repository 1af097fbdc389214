"""The database configuration: a PostgreSQL pool of 10 connections per process unless the URL
names its own size, with the light reset; SQLite as its URL says."""

from __future__ import annotations

from typing import Any

from bot.runtime.db import POOL_MAXSIZE, _light_reset, tortoise_config


def credentials(url: str) -> dict[str, Any]:
    connection = tortoise_config(url)["connections"]["default"]
    assert isinstance(connection, dict)
    return dict(connection["credentials"])


def test_a_postgres_pool_holds_ten_connections_unless_the_url_says() -> None:
    assert POOL_MAXSIZE == 10
    default = credentials("postgres://tiji@127.0.0.1:5432/tiji")
    assert int(default["maxsize"]) == 10 and default["reset"] is _light_reset
    assert int(credentials("postgres://tiji@127.0.0.1:5432/tiji?maxsize=3")["maxsize"]) == 3


def test_sqlite_keeps_its_url() -> None:
    assert tortoise_config("sqlite:///tmp/x.sqlite3")["connections"]["default"] == "sqlite:///tmp/x.sqlite3"
