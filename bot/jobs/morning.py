"""The leader's morning card: from ``Settings.morning_card_at`` (08:30) to the end of office on
each working day, every person holding open steps gets one card listing them, most urgent first
(at most ``LISTED``, then “还有 N 件”), linking to ``/m/todo``. Nobody holding nothing gets one.

Unique per person per day through ``DutyRun(kind="morning_card", subject="person:<id>", period=
<day>)``; once the day's pass is through, a ``morning_cards`` row for the organisation makes every
later run of the pass that day a single lookup.

The open steps are read in chunks of whole matters by SQL over the indexed ``(organisation_id,
status)`` of ``decision_step``, only the columns the card shows; who holds each step is
`workflow.assign_holders` with the day's stand-ins (`bot.matters.holders`'s rule), per chunk.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from bot.cards import Card, CardField
from bot.jobs.duty import Duty
from bot.matters.chain import stand_ins_on
from bot.matters.links import todo_links
from bot.matters.todo import hours_text
from bot.matters.workflow import OPEN_STEP_STATUSES, MatterState, assign_holders
from bot.outbox.batch import OutboxBatch
from models.enums import CardKind
from models.matter import DecisionStep
from models.org import Person

KIND = "morning_card"
ORG_KIND = "morning_cards"
LISTED = 5  # WeCom and DingTalk show six fields: five steps and “还有 N 件”
CHUNK = 500
SOURCE = "说“不”事项提级"
COLUMNS = ("id", "matter_id", "approver_id", "on_behalf_of_id", "matter__number", "matter__subject",
           "matter__due_at", "matter__submitter_id")  # fmt: skip


@dataclass(frozen=True, order=True)
class Entry:
    """One open step on someone's list (ordered by urgency: the earliest deadline first)."""

    due_at: dt.datetime
    number: str
    subject: str = field(compare=False)


@dataclass
class Lists:
    """Per holder: how many open steps, and the ``LISTED`` most urgent (a short list is kept, not
    every step)."""

    counts: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    top: dict[int, list[Entry]] = field(default_factory=lambda: defaultdict(list))

    def add(self, holder: int, entry: Entry) -> None:
        self.counts[holder] += 1
        kept = self.top[holder]
        kept.append(entry)
        if len(kept) > 4 * LISTED:
            kept.sort()
            del kept[LISTED:]

    def entries(self, holder: int) -> list[Entry]:
        return sorted(self.top[holder])[:LISTED]


async def send_morning_cards(duty: Duty) -> None:
    """The morning cards due now (nothing before 08:30, after office or on a day off)."""
    today = duty.today
    period = today.isoformat()
    calendar = duty.calendar
    starts = calendar.at_local(today, duty.resources.settings.morning_card_at)
    if not calendar.is_workday(today) or not starts <= duty.now < calendar.end_of_office(today):
        return
    if await duty.done(ORG_KIND, ["organisation"], period):
        return
    lists = await open_lists(duty.organisation.id, today)
    people = sorted(lists.counts)
    done = await duty.done(KIND, [f"person:{p}" for p in people], period)
    for person_id in people:
        if f"person:{person_id}" in done:
            continue
        person = await Person.get_or_none(id=person_id, active=True)
        if person is None:
            continue
        card = morning_card(duty, lists.entries(person_id), lists.counts[person_id])

        async def write(batch: OutboxBatch, person: Person = person, card: Card = card) -> None:
            instance = await batch.new_card(CardKind.MORNING, person.id, person)
            await batch.card(
                instance, replace(card, ref=instance.ref), dedupe_key=f"morning:{person.id}:{period}"
            )

        await duty.once(KIND, f"person:{person_id}", period, write)

    async def nothing(batch: OutboxBatch) -> None:
        return None

    await duty.once(ORG_KIND, "organisation", period, nothing)


async def open_lists(organisation_id: int, day: dt.date) -> Lists:
    """Every open step of the organisation's pending matters by its holder on ``day``."""
    lists = Lists()
    last_matter = 0
    while True:
        rows: list[dict[str, Any]] = (
            await DecisionStep.filter(
                organisation_id=organisation_id,
                status__in=list(OPEN_STEP_STATUSES),
                matter__state=MatterState.PENDING,
                matter_id__gt=last_matter,
            )
            .order_by("matter_id", "id")
            .limit(CHUNK)
            .values(*COLUMNS)
        )
        full = len(rows) == CHUNK
        if full and rows[0]["matter_id"] != rows[-1]["matter_id"]:
            # The last matter may go on in the next chunk: read it whole there.
            rows = [r for r in rows if r["matter_id"] != rows[-1]["matter_id"]]
        await _add_chunk(lists, rows, day)
        if not full:
            return lists
        last_matter = rows[-1]["matter_id"]


async def _add_chunk(lists: Lists, rows: list[dict[str, Any]], day: dt.date) -> None:
    by_matter: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_matter[row["matter_id"]].append(row)
    leaders = [r["on_behalf_of_id"] or r["approver_id"] for r in rows]
    stand_ins = await stand_ins_on(leaders, day)
    for steps in by_matter.values():
        held = assign_holders(
            [r["on_behalf_of_id"] or r["approver_id"] for r in steps],
            steps[0]["matter__submitter_id"],
            stand_ins,
        )
        for row, holder in zip(steps, held, strict=True):
            lists.add(holder, Entry(row["matter__due_at"], row["matter__number"], row["matter__subject"]))


def morning_card(duty: Duty, entries: list[Entry], count: int) -> Card:
    """The card: one field per listed step (hours left, number and matter), then the overflow."""
    fields = []
    for entry in entries:
        overdue = entry.due_at <= duty.now
        hours = duty.calendar.working_hours_between(duty.now, entry.due_at)
        label = "已逾期" if overdue else f"剩{hours_text(hours)}时"
        fields.append(CardField(f"step:{entry.number}", label, f"{entry.number} {entry.subject}"))
    if count > len(entries):
        fields.append(CardField("more", "还有", f"{count - len(entries)} 件，请打开我的待办"))
    return Card(
        ref="",
        source=SOURCE,
        title=f"今日待审批 {count} 件",
        fields=tuple(fields),
        body="按剩余工时排列，最急的在前。打开“我的待办”查看全部并处理。",
        status=duty.today.strftime("%m月%d日"),
        links=todo_links(duty.resources.settings),
    )
