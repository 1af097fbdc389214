"""The organisation rows one event reads again and again — sections, units, people, the stand-ins
of a day, the calendar — read once per event.

A decision re-reads the chain (section, unit, stand-ins) to check the tap, to address the next
level's card, to render every card it refreshes and to name who holds the matter now: without this
memo a tap costs a dozen identical SELECTs. The memo lives for one attempt of one event
(``event_lookups``, opened by ``handlers.dispatch`` inside the event's transaction), so a retry
reads afresh and nothing outlives the event: no stale organisation data across events or
processes. Outside an event (jobs, console pages) every lookup goes to the database as before.
The event's own writes of these rows drop what they change (``forget_stand_ins``).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from tortoise.exceptions import DoesNotExist

from bot.calendar.workdays import WorkCalendar, load_calendar
from bot.settings import Settings
from models.org import Department, Person, StandIn, Unit
from models.rows import attach, columns, fetch_models, fetch_rows, placeholders, split


@dataclass
class _Memo:
    departments: dict[int, Department] = field(default_factory=dict)
    units: dict[int, Unit] = field(default_factory=dict)
    people: dict[int, Person] = field(default_factory=dict)
    stand_ins: dict[tuple[frozenset[int], dt.date], dict[int, int]] = field(default_factory=dict)
    calendars: dict[int, WorkCalendar] = field(default_factory=dict)


_MEMO: contextvars.ContextVar[_Memo | None] = contextvars.ContextVar("tiji_event_lookups", default=None)


@contextlib.contextmanager
def event_lookups(*known: Person) -> Iterator[None]:
    """Memoise the lookups below until the block ends; ``known`` people are already loaded."""
    memo = _Memo(people={p.id: p for p in known})
    token = _MEMO.set(memo)
    try:
        yield
    finally:
        _MEMO.reset(token)


async def department(department_id: int) -> Department:
    """The section; in an event, read with its unit in one join (the chain needs both)."""
    memo = _MEMO.get()
    if memo is None:
        return await Department.get(id=department_id)
    if department_id not in memo.departments:
        sql = (
            f'SELECT {columns(Department)}, {columns(Unit, "u_")} FROM "department"'  # noqa: S608  # nosec B608: names from model metadata
            ' JOIN "unit" ON "unit"."id" = "department"."unit_id" WHERE "department"."id" = $1'
        )
        rows = await fetch_rows(Department, sql, [department_id])
        if not rows:
            raise DoesNotExist(Department)
        found = Department._init_from_db(**rows[0])
        found_unit = split(Unit, rows[0], "u_")
        attach(found, "unit", found_unit)
        memo.departments[department_id] = found
        if found_unit is not None:
            memo.units.setdefault(found.unit_id, found_unit)
    return memo.departments[department_id]


async def departments(department_ids: Iterable[int]) -> list[Department]:
    """The sections with these ids that exist, in the order given."""
    ids = list(department_ids)
    memo = _MEMO.get()
    known = {} if memo is None else memo.departments
    missing = set(ids) - known.keys()
    found = {d.id: d for d in await Department.filter(id__in=missing)} if missing else {}
    if memo is not None:
        memo.departments.update(found)
    return [d for i in ids if (d := known.get(i) or found.get(i)) is not None]


async def unit(unit_id: int) -> Unit:
    memo = _MEMO.get()
    if memo is None:
        return await Unit.get(id=unit_id)
    if unit_id not in memo.units:
        memo.units[unit_id] = await Unit.get(id=unit_id)
    return memo.units[unit_id]


async def person(person_id: int) -> Person:
    """The person with ``person_id`` (for reading: names, platform, roles)."""
    memo = _MEMO.get()
    if memo is None:
        return await Person.get(id=person_id)
    if person_id not in memo.people:
        memo.people[person_id] = await Person.get(id=person_id)
    return memo.people[person_id]


async def people(person_ids: Iterable[int]) -> dict[int, Person]:
    """Person id → person, for the ids that exist (one SELECT for those not read yet)."""
    ids = set(person_ids)
    memo = _MEMO.get()
    if memo is None:
        return {p.id: p for p in await Person.filter(id__in=ids)} if ids else {}
    missing = ids - memo.people.keys()
    if missing:
        sql = f'SELECT {columns(Person)} FROM "person" WHERE "id" IN ({placeholders(1, len(missing))})'  # noqa: S608  # nosec B608: names from model metadata, values are parameters
        memo.people.update({p.id: p for p in await fetch_models(Person, sql, sorted(missing))})
    return {i: memo.people[i] for i in ids if i in memo.people}


async def stand_ins_on(person_ids: Iterable[int], day: dt.date) -> dict[int, int]:
    """Leader id → the stand-in acting for them on ``day`` (the latest-starting range wins)."""
    ids = frozenset(person_ids)
    if not ids:
        return {}
    memo = _MEMO.get()
    if memo is not None:
        for (known, known_day), found in memo.stand_ins.items():
            if known_day == day and ids <= known:
                return {k: v for k, v in found.items() if k in ids}
    sql = (
        f'SELECT {columns(StandIn)} FROM "stand_in" WHERE "person_id" IN ({placeholders(1, len(ids))})'  # noqa: S608  # nosec B608: names from model metadata, values are parameters
        f' AND "start_date" <= ${len(ids) + 1} AND "end_date" >= ${len(ids) + 2} ORDER BY "start_date", "id"'
    )
    on = StandIn._meta.fields_map["start_date"].to_db_value(day, StandIn)  # SQLite: its text form
    rows = await fetch_models(StandIn, sql, [*sorted(ids), on, on])
    found = {row.person_id: row.stand_in_id for row in rows}
    if memo is not None:
        memo.stand_ins[(ids, day)] = found
    return dict(found)


def forget_stand_ins() -> None:
    """The event changed a stand-in range: the next lookup reads them again."""
    memo = _MEMO.get()
    if memo is not None:
        memo.stand_ins.clear()


async def calendar(settings: Settings, organisation_id: int, *, today: dt.date) -> WorkCalendar:
    """The organisation's working calendar (see ``bot.calendar.workdays.load_calendar``)."""
    memo = _MEMO.get()
    if memo is None:
        return await load_calendar(settings, organisation_id, today=today)
    if organisation_id not in memo.calendars:
        memo.calendars[organisation_id] = await load_calendar(settings, organisation_id, today=today)
    return memo.calendars[organisation_id]
