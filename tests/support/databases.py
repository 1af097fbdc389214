"""Private PostgreSQL databases for the real-process tests and the benchmark.

Each database is created here under a unique name and dropped here; nothing else is ever dropped.
A migrated, org-imported database can serve as a ``TEMPLATE`` so each test starts from a copy in
a fraction of a second instead of migrating again.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from tests.support.processes import EXAMPLE_ORG, run_tiji, tiji_env


def with_database(url: str, name: str) -> str:
    """``url`` pointing at database ``name`` on the same server."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


async def admin(url: str, statement: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url.replace("asyncpg://", "postgres://", 1))
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


async def create_database(admin_url: str, *, prefix: str = "tiji_faults", template: str | None = None) -> str:
    """A new, uniquely named database on ``admin_url``'s server (a copy of ``template`` if given)."""
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    copy = f' TEMPLATE "{template}"' if template else ""
    await admin(admin_url, f'CREATE DATABASE "{name}"{copy}')
    return with_database(admin_url, name)


async def drop_database(admin_url: str, url: str) -> None:
    await admin(admin_url, f'DROP DATABASE IF EXISTS "{database_name(url)}" WITH (FORCE)')


@contextlib.asynccontextmanager
async def private_database(
    admin_url: str, *, prefix: str = "tiji_faults", template: str | None = None
) -> AsyncIterator[str]:
    """A database created here and dropped afterwards (never one that existed before)."""
    url = await create_database(admin_url, prefix=prefix, template=template)
    try:
        yield url
    finally:
        await drop_database(admin_url, url)


async def prepare_database(url: str, workdir: Path, org: Path = EXAMPLE_ORG) -> None:
    """Migrate and import the org the way an admin does: `tiji migrate`, `tiji org import`."""
    env = tiji_env(workdir, database_url=url, redis_url="redis://127.0.0.1:1/0")
    await run_tiji(env, "migrate")
    await run_tiji(env, "org", "import", str(org))
