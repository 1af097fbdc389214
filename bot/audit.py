"""The append-only audit log: each row carries the hash of the previous one, per organisation.

Rows are written inside the transaction of the change they record. The chain's head (one
``audit_head`` row per organisation: last seq and hash) is bumped with ``UPDATE … RETURNING``
before the row is written, so a concurrent writer of the same organisation waits on that row lock
until the first commits (or rolls back, giving the seq back) and then links to its row: writers
queue, they never collide, and the chain never forks. The unique ``(organisation, seq)`` stays as
the last guard.

To keep that lock short, a transaction opened with ``audit_at_commit()`` holds its rows and
appends them as its last statements (the router does this for every event). Inside
``audit_via(platform)`` (the router's block for an inbound event) each row's data also says which
platform the event came through (``via``), as the console's timeline shows it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from models.audit import AuditEntry, AuditHead
from models.counters import first_row

GENESIS = "0" * 64

HEAD_BUMP = 'UPDATE "audit_head" SET "seq" = "seq" + 1 WHERE "organisation_id" = $1 RETURNING "seq", "hash"'
# An organisation's first row creates its head, after any rows written before heads existed; a
# concurrent creator's head wins and ours does nothing.
HEAD_START = (
    'INSERT INTO "audit_head" ("organisation_id", "seq", "hash")'
    ' SELECT $1, COALESCE(MAX("seq"), 0),'
    ' COALESCE((SELECT "hash" FROM "audit_log" WHERE "organisation_id" = $2 ORDER BY "seq" DESC LIMIT 1), $3)'
    ' FROM "audit_log" WHERE "organisation_id" = $4'
    ' ON CONFLICT ("organisation_id") DO NOTHING'
)
HEAD_SEAL = 'UPDATE "audit_head" SET "hash" = $1 WHERE "organisation_id" = $2'
# PostgreSQL: bump the head, hash the row and write it in ONE statement, so the head (which every
# event of the organisation waits for) is locked for one round trip and the commit. The locked
# read returns the head as the writer before us committed it; the hash is ``entry_hash``'s, the
# canonical JSON put together around the head's hash and seq (``$2`` is the rest of that array).
APPEND = (
    'WITH head AS (SELECT "seq", "hash" FROM "audit_head" WHERE "organisation_id" = $1 FOR UPDATE),'
    ' nxt AS (SELECT "seq" + 1 AS "seq", "hash" AS "prev", encode(sha256(convert_to('
    "'[\"' || \"hash\" || '\",' || (\"seq\" + 1)::text || ',' || $2::text || ']', 'UTF8')), 'hex') AS \"hash\""
    " FROM head),"
    ' bumped AS (UPDATE "audit_head" AS h SET "seq" = nxt."seq", "hash" = nxt."hash" FROM nxt'
    ' WHERE h."organisation_id" = $1)'
    ' INSERT INTO "audit_log" ("organisation_id", "seq", "at", "actor", "action", "subject", "data", "prev_hash",'
    ' "hash") SELECT $1, nxt."seq", $3, $4, $5, $6, $7::jsonb, nxt."prev", nxt."hash" FROM nxt'
    ' RETURNING "seq"'
)


@dataclass(frozen=True)
class _Row:
    organisation_id: int
    at: dt.datetime
    actor: str
    action: str
    subject: str
    data: dict[str, object]


_HELD: ContextVar[list[_Row] | None] = ContextVar("tiji_audit_held", default=None)
_VIA: ContextVar[str | None] = ContextVar("tiji_audit_via", default=None)


def entry_hash(prev_hash: str, seq: int, at: dt.datetime, actor: str, action: str, subject: str,
               data: dict[str, object]) -> str:  # fmt: skip
    canonical = json.dumps(
        [prev_hash, seq, at.astimezone(dt.UTC).isoformat(timespec="microseconds"), actor, action, subject,
         data],
        ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str,
    )  # fmt: skip
    return hashlib.sha256(canonical.encode()).hexdigest()


def _canonical_tail(at: dt.datetime, actor: str, action: str, subject: str, data: dict[str, object]) -> str:
    """``entry_hash``'s canonical JSON after ``[prev_hash, seq,`` and before the closing ``]``."""
    rest = json.dumps(
        [at.astimezone(dt.UTC).isoformat(timespec="microseconds"), actor, action, subject, data],
        ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str,
    )  # fmt: skip
    return rest[1:-1]


async def append_audit(
    organisation_id: int, *, at: dt.datetime, actor: str, action: str, subject: str, data: dict[str, object]
) -> None:
    """Append one row to the organisation's chain (call inside the change's transaction); inside
    ``audit_at_commit()`` the row is written when that block ends."""
    via = _VIA.get()
    if via and "via" not in data:
        data = {**data, "via": via}
    row = _Row(organisation_id, at, actor, action, subject, data)
    held = _HELD.get()
    if held is None:
        await _write(row)
    else:
        held.append(row)


@contextmanager
def audit_via(platform: str) -> Iterator[None]:
    """The audit rows appended in this block record ``via``: the platform of the event applied."""
    token = _VIA.set(platform)
    try:
        yield
    finally:
        _VIA.reset(token)


@asynccontextmanager
async def audit_at_commit() -> AsyncIterator[None]:
    """Hold the audit rows appended in this block and write them as it ends without an error
    (open it inside the transaction, so they are the transaction's last statements and the chain's
    head is locked only for the moment before commit)."""
    held: list[_Row] = []
    token = _HELD.set(held)
    try:
        yield
    finally:
        _HELD.reset(token)
    for row in held:
        await _write(row)


async def _write(row: _Row) -> None:
    if AuditEntry._meta.db.capabilities.dialect == "postgres":
        await _append_postgres(row)
        return
    head = await first_row(AuditHead, HEAD_BUMP, [row.organisation_id])
    if head is None:
        await first_row(AuditHead, HEAD_START, [row.organisation_id, row.organisation_id, GENESIS,
                                                row.organisation_id])  # fmt: skip
        head = await first_row(AuditHead, HEAD_BUMP, [row.organisation_id])
    if head is None:  # the head was just created, in this transaction or a committed one
        raise RuntimeError(f"no audit head for organisation {row.organisation_id}")
    seq, prev = int(head["seq"]), str(head["hash"])
    digest = entry_hash(prev, seq, row.at, row.actor, row.action, row.subject, row.data)
    await AuditEntry.create(
        organisation_id=row.organisation_id, seq=seq, at=row.at, actor=row.actor, action=row.action,
        subject=row.subject, data=row.data, prev_hash=prev, hash=digest,
    )  # fmt: skip
    await first_row(AuditHead, HEAD_SEAL, [digest, row.organisation_id])


async def _append_postgres(row: _Row) -> None:
    tail = _canonical_tail(row.at, row.actor, row.action, row.subject, row.data)
    values = [row.organisation_id, tail, row.at, row.actor, row.action, row.subject,
              json.dumps(row.data, ensure_ascii=False)]  # fmt: skip
    if await first_row(AuditEntry, APPEND, values) is not None:
        return
    # The organisation's first row: create its head (after any rows from before heads), then append.
    await first_row(AuditHead, HEAD_START, [row.organisation_id, row.organisation_id, GENESIS,
                                            row.organisation_id])  # fmt: skip
    if await first_row(AuditEntry, APPEND, values) is None:
        raise RuntimeError(f"no audit head for organisation {row.organisation_id}")


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    rows: int
    broken_at: int | None = None


async def verify_chain(organisation_id: int) -> ChainCheck:
    """Recompute every hash in order; report the first row that does not match."""
    prev = GENESIS
    rows = await AuditEntry.filter(organisation_id=organisation_id).order_by("seq")
    for expected_seq, row in enumerate(rows, start=1):
        if row.seq != expected_seq or row.prev_hash != prev:
            return ChainCheck(False, len(rows), row.seq)
        if entry_hash(prev, row.seq, row.at, row.actor, row.action, row.subject, row.data) != row.hash:
            return ChainCheck(False, len(rows), row.seq)
        prev = row.hash
    return ChainCheck(True, len(rows))
