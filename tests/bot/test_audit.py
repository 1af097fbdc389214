"""The audit log's hash chain: every row verifies, and any edit, deletion or insertion is found."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from bot.audit import GENESIS, append_audit, audit_at_commit, entry_hash, verify_chain
from models.audit import AuditEntry, AuditHead
from models.org import Organisation

CHINA = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 11, 30, 9, 0, 0, 123456, tzinfo=CHINA)


async def org(code: str = "tongbai-jt") -> Organisation:
    return await Organisation.create(code=code, name="桐柏县交通运输局")


async def fill(organisation: Organisation, count: int = 5) -> list[AuditEntry]:
    """``count`` more rows in the organisation's chain; returns its newest ``count`` rows."""
    for i in range(count):
        await append_audit(
            organisation.id,
            at=START + dt.timedelta(minutes=i, microseconds=i),
            actor="zhangwei" if i % 2 == 0 else "chenguoqing",
            action="submit" if i == 0 else "escalate",
            subject=f"TJ-2026-{i + 1:04d}",
            data={
                "state": "pending",
                "level": 2 + i % 3,
                "text": "材料不全：缺少“营业执照”",
                "to": [1, 2],
            },
        )
    rows = await AuditEntry.filter(organisation_id=organisation.id).order_by("-seq").limit(count)
    return rows[::-1]


async def test_empty_chain_verifies(db: None) -> None:
    organisation = await org()
    check = await verify_chain(organisation.id)
    assert (check.ok, check.rows, check.broken_at) == (True, 0, None)


async def test_rows_link_to_each_other_and_verify_after_reading_back(db: None) -> None:
    organisation = await org()
    rows = await fill(organisation)
    assert [r.seq for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(rows))
    assert len({r.hash for r in rows}) == 5
    check = await verify_chain(organisation.id)
    assert (check.ok, check.rows) == (True, 5)
    # Read back from the database (UTC, JSON round trip), every hash still matches.
    for row in await AuditEntry.all().order_by("seq"):
        assert row.hash == entry_hash(
            row.prev_hash, row.seq, row.at, row.actor, row.action, row.subject, row.data
        )


def test_hash_is_independent_of_the_timezone_the_moment_is_written_in() -> None:
    data: dict[str, object] = {"b": 1, "a": "能办"}
    local = entry_hash(GENESIS, 1, START, "x", "submit", "TJ-2026-0001", data)
    utc = entry_hash(
        GENESIS, 1, START.astimezone(dt.UTC), "x", "submit", "TJ-2026-0001", {"a": "能办", "b": 1}
    )
    assert local == utc
    later = entry_hash(GENESIS, 1, START + dt.timedelta(microseconds=1), "x", "submit", "TJ-2026-0001", data)
    assert later != local


TAMPERING = {
    "data": {"data": {"state": "resolved", "level": 2}},
    "actor": {"actor": "wangfang"},
    "action": {"action": "can_do"},
    "subject": {"subject": "TJ-2026-0099"},
    "at": {"at": START + dt.timedelta(days=1)},
    "hash": {"hash": "f" * 64},
    "prev_hash": {"prev_hash": "0" * 64},
}


@pytest.mark.parametrize("changes", TAMPERING.values(), ids=TAMPERING.keys())
async def test_an_edited_row_breaks_the_chain_where_it_was_edited(
    db: None, changes: dict[str, object]
) -> None:
    organisation = await org()
    rows = await fill(organisation)
    await AuditEntry.filter(id=rows[2].id).update(**changes)
    check = await verify_chain(organisation.id)
    assert (check.ok, check.rows, check.broken_at) == (False, 5, 3)


async def test_a_deleted_row_is_found(db: None) -> None:
    organisation = await org()
    rows = await fill(organisation)
    await AuditEntry.filter(id=rows[1].id).delete()
    check = await verify_chain(organisation.id)
    assert (check.ok, check.broken_at) == (False, 3)


async def test_deleting_the_last_row_is_only_visible_from_the_outside(db: None) -> None:
    # Truncation at the end leaves a valid (shorter) chain: the row count is what shows it.
    organisation = await org()
    rows = await fill(organisation)
    await AuditEntry.filter(id=rows[-1].id).delete()
    check = await verify_chain(organisation.id)
    assert (check.ok, check.rows) == (True, 4)


async def test_a_rewritten_chain_tail_with_fresh_hashes_still_breaks_at_the_edit(db: None) -> None:
    organisation = await org()
    rows = await fill(organisation)
    # Forge row 2 consistently with itself; row 3 still points at the old hash.
    forged = rows[1]
    data: dict[str, object] = {"state": "resolved", "level": 2}
    new_hash = entry_hash(
        forged.prev_hash, forged.seq, forged.at, forged.actor, forged.action, forged.subject, data
    )
    await AuditEntry.filter(id=forged.id).update(data=data, hash=new_hash)
    check = await verify_chain(organisation.id)
    assert (check.ok, check.broken_at) == (False, 3)


async def test_an_inserted_row_is_found(db: None) -> None:
    organisation = await org()
    rows = await fill(organisation, 3)
    # Renumber the tail and slip a row in at seq 2 with a matching hash of its own.
    for row in reversed(rows[1:]):
        await AuditEntry.filter(id=row.id).update(seq=row.seq + 1)
    data: dict[str, object] = {"state": "closed"}
    at = START + dt.timedelta(seconds=30)
    await AuditEntry.create(
        organisation_id=organisation.id, seq=2, at=at, actor="x", action="record_reply", subject="TJ-2026-0001",
        data=data, prev_hash=rows[0].hash, hash=entry_hash(rows[0].hash, 2, at, "x", "record_reply", "TJ-2026-0001", data),
    )  # fmt: skip
    check = await verify_chain(organisation.id)
    assert (check.ok, check.rows, check.broken_at) == (False, 4, 3)


async def test_each_organisation_has_its_own_chain(db: None) -> None:
    first, second = await org("a"), await org("b")
    await fill(first, 3)
    await fill(second, 2)
    await fill(first, 1)
    assert [r.seq for r in await AuditEntry.filter(organisation_id=first.id).order_by("seq")] == [1, 2, 3, 4]
    assert [r.seq for r in await AuditEntry.filter(organisation_id=second.id).order_by("seq")] == [1, 2]
    await AuditEntry.filter(organisation_id=second.id, seq=1).update(actor="forger")
    assert (await verify_chain(first.id)).ok
    assert (await verify_chain(second.id)).broken_at == 1


async def test_a_second_writer_of_the_same_seq_cannot_fork_the_chain(db: None) -> None:
    organisation = await org()
    rows = await fill(organisation, 2)
    with pytest.raises(IntegrityError):
        async with in_transaction():
            await AuditEntry.create(
                organisation_id=organisation.id, seq=2, at=START, actor="x", action="submit", subject="TJ-2026-0009",
                data={}, prev_hash=rows[0].hash, hash="e" * 64,
            )  # fmt: skip
    check = await verify_chain(organisation.id)
    assert (check.ok, check.rows) == (True, 2)


async def test_a_chain_from_before_heads_existed_continues_from_its_last_row(db: None) -> None:
    organisation = await org()
    await fill(organisation, 3)
    await AuditHead.filter(organisation_id=organisation.id).delete()
    await fill(organisation, 2)
    check = await verify_chain(organisation.id)
    assert (check.ok, check.rows) == (True, 5)


async def test_rows_held_for_the_commit_are_written_last_and_not_at_all_when_the_change_fails(
    db: None,
) -> None:
    organisation = await org()
    async with in_transaction(), audit_at_commit():
        await append_audit(organisation.id, at=START, actor="zhangwei", action="submit", subject="TJ-2026-0001",
                           data={})  # fmt: skip
        assert not await AuditEntry.exists()  # held until the block ends
    assert await AuditEntry.filter(organisation_id=organisation.id).count() == 1
    with pytest.raises(RuntimeError):
        async with in_transaction(), audit_at_commit():
            await append_audit(organisation.id, at=START, actor="zhangwei", action="withdraw",
                               subject="TJ-2026-0001", data={})  # fmt: skip
            raise RuntimeError("the change failed")
    check = await verify_chain(organisation.id)
    assert (check.ok, check.rows) == (True, 1)
