"""Matter numbers: one counter per organisation and year, taken inside the creating transaction."""

from __future__ import annotations

import datetime as dt

import pytest
from tortoise.transactions import in_transaction

from bot.matters.numbers import format_number, next_seq, normalise_number
from models.counters import MatterCounter
from models.matter import Matter
from models.org import Department, Organisation, Person, Unit

AT = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)


async def org(code: str = "tongbai-jt") -> Organisation:
    return await Organisation.create(code=code, name="桐柏县交通运输局")


async def test_numbers_count_up_per_organisation_and_year(db: None) -> None:
    first, second = await org("a"), await org("b")
    taken = [await next_seq(first.id, 2026) for _ in range(3)]
    assert taken == [1, 2, 3]
    assert await next_seq(second.id, 2026) == 1
    assert await next_seq(first.id, 2027) == 1
    assert await next_seq(first.id, 2026) == 4


async def test_a_submission_that_rolls_back_gives_its_number_back(db: None) -> None:
    organisation = await org()
    assert await next_seq(organisation.id, 2026) == 1
    with pytest.raises(RuntimeError):
        async with in_transaction():
            assert await next_seq(organisation.id, 2026) == 2
            raise RuntimeError("the submission failed after taking its number")
    assert await next_seq(organisation.id, 2026) == 2


async def test_the_first_number_of_a_database_from_before_counters_follows_its_matters(db: None) -> None:
    organisation = await org()
    unit = await Unit.create(organisation=organisation, code="bureau", name="局机关")
    department = await Department.create(organisation=organisation, unit=unit, code="ysk", name="运输管理股")
    person = await Person.create(organisation=organisation, unit=unit, handle="zhangwei", name="张伟")
    for seq in (1, 2, 7):
        await Matter.create(
            organisation=organisation, number=format_number(2026, seq), year=2026, seq=seq, unit_id=unit.id,
            department=department, submitter=person, applicant="张三", applicant_phone="13800000000",
            subject="道路运输经营许可", reason="材料不全", state="pending", level=2, submitted_at=AT, due_at=AT,
        )  # fmt: skip
    assert not await MatterCounter.exists()
    assert await next_seq(organisation.id, 2026) == 8
    assert await next_seq(organisation.id, 2025) == 1


def test_numbers_read_as_people_type_them() -> None:
    assert normalise_number("tj-2026-7") == "TJ-2026-0007"
    assert normalise_number("TJ－2026－0012") == "TJ-2026-0012"
    assert normalise_number("2026-7") is None
