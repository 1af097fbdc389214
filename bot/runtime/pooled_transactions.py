"""A pooled transaction that always gives its connection back (tortoise-orm 1.1.9).

``TransactionContextPooled.__aenter__`` takes a pool connection, then awaits ``BEGIN``; when ``BEGIN``
fails (a connection killed by a PostgreSQL restart or ``pg_terminate_backend``, or a cancellation),
``__aexit__`` never runs and the connection is never released: with the pool's few connections
leaked, every later query waits forever (seen here, see docs/ARCHITECTURE.md). And when releasing
fails *after a successful commit* (asyncpg resetting a connection the server just closed), the
error used to escape the ``async with`` as if the transaction had failed, so a committed decision
answered 500. Here, entry failures release the connection, and a failed release after the work is
done drops that connection and keeps the transaction's outcome (plain queries alike).
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from tortoise.backends.base.client import (
    PoolConnectionWrapper,
    TransactionalDBClient,
    TransactionContextPooled,
)
from tortoise.connection import get_connections
from tortoise.exceptions import TransactionManagementError

log = logging.getLogger(__name__)


async def _release(pool: Any, connection: Any) -> None:
    try:
        await pool.release(connection)
    except Exception as error:  # the connection is unusable: drop it, the pool opens another
        log.warning("database connection dropped instead of returned to the pool: %r", error)
        with contextlib.suppress(Exception):
            connection.terminate()


async def _enter(self: TransactionContextPooled) -> TransactionalDBClient:
    await self.ensure_connection()
    pool = self.client._parent._pool
    self.client._connection = await pool.acquire()
    self.token = get_connections().set(self.connection_name, self.client)
    try:
        await self.client.begin()
    except BaseException:
        get_connections().reset(self.token)
        await _release(pool, self.client._connection)
        raise
    return self.client


async def _exit(self: TransactionContextPooled, exc_type: Any, exc_val: Any, exc_tb: Any) -> None:
    try:
        if not self.client._finalized:
            if exc_type:
                if exc_type is not TransactionManagementError:  # a failed one cannot roll back
                    await self.client.rollback()
            else:
                await self.client.commit()
    finally:
        if self.client._parent._pool:
            await _release(self.client._parent._pool, self.client._connection)
        get_connections().reset(self.token)


async def _exit_query(self: PoolConnectionWrapper[Any], exc_type: Any, exc_val: Any, exc_tb: Any) -> None:
    # A plain query that ran: an unusable connection afterwards is the pool's business, not its.
    await _release(self.client._pool, self.connection)


def install() -> None:
    """Patch tortoise's pooled contexts (idempotent; SQLite uses neither)."""
    TransactionContextPooled.__aenter__ = _enter  # type: ignore[method-assign]
    TransactionContextPooled.__aexit__ = _exit  # type: ignore[method-assign]
    PoolConnectionWrapper.__aexit__ = _exit_query  # type: ignore[method-assign]
