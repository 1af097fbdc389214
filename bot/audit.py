"""The append-only audit log: each row carries the hash of the previous one, per organisation.

Rows are written inside the transaction of the change they record. Two concurrent writers both
reading the same last row collide on the unique ``(organisation, seq)`` and one transaction retries,
so the chain never forks.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from models.audit import AuditEntry

GENESIS = "0" * 64


def entry_hash(prev_hash: str, seq: int, at: dt.datetime, actor: str, action: str, subject: str,
               data: dict[str, object]) -> str:  # fmt: skip
    canonical = json.dumps(
        [prev_hash, seq, at.astimezone(dt.UTC).isoformat(timespec="microseconds"), actor, action, subject,
         data],
        ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str,
    )  # fmt: skip
    return hashlib.sha256(canonical.encode()).hexdigest()


async def append_audit(
    organisation_id: int, *, at: dt.datetime, actor: str, action: str, subject: str, data: dict[str, object]
) -> AuditEntry:
    """Append one row to the organisation's chain (call inside the change's transaction)."""
    last = await AuditEntry.filter(organisation_id=organisation_id).order_by("-seq").first()
    seq = 1 if last is None else last.seq + 1
    prev = GENESIS if last is None else last.hash
    return await AuditEntry.create(
        organisation_id=organisation_id,
        seq=seq,
        at=at,
        actor=actor,
        action=action,
        subject=subject,
        data=data,
        prev_hash=prev,
        hash=entry_hash(prev, seq, at, actor, action, subject, data),
    )


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
