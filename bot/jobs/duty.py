"""Scheduled work as “do what is due as of now” passes: the 催办 ladder, the 会商 deadline, the
quarterly digest and report-task reminders.

Every piece of work is keyed by a unique ``DutyRun(organisation, kind, subject, period)`` row
inserted in the same transaction as its outbox rows. A pass may run any number of times (arq
cron, a catch-up after downtime, the simulator's tick) and each piece of work is done once:
a second insert hits the unique key, the whole transaction rolls back (PostgreSQL aborts a
transaction on an IntegrityError anyway) and the pass moves on to the next item.

Kinds (subject; period):

- the 催办 ladder's rungs (`bot.jobs.ladder.Rung`; ``step:<id>`` or ``matter:<id>``; ``""``, or
  the local day for the daily rungs): ``pending_4h``, ``due_morning``, ``deadline`` and
  ``overdue_daily`` of an open step (`bot.jobs.step_reminders`); ``reply_due``,
  ``reply_deadline``, ``reply_overdue`` and ``reply_overdue_office`` of an owed reply
  (`bot.jobs.reply_reminders`);
- ``consultation_lapsed`` (``matter:<id>``): a 会商 passed its deadline with a deputy silent → the
  matter goes to the principal (`bot.jobs.consultations`);
- ``digest`` (``organisation``; ``2026Q3``): from 09:00 of the first working day of a quarter up
  to the report deadline, last quarter's digest goes to the office group (汇总表 attached) and to
  each unit's group, and the units' report tasks open (`bot.reports.digest.post_digest`). After the
  deadline a missed digest is not posted by itself (a deployment starting mid-quarter does not
  announce a stale report); `tiji digest --quarter … --post` posts it by hand;
- ``report_day4`` / ``report_day5`` (``unit:<id>``; quarter): from office start on the 4th and 5th
  working day of the quarter, units that have not confirmed last quarter's report are reminded
  in their group and their principal by text.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.models import Model
from tortoise.transactions import in_transaction

from bot.calendar.workdays import WorkCalendar
from bot.outbox.batch import OutboxBatch
from bot.runtime.resources import Resources
from models.org import Organisation
from models.reports import DutyRun

log = logging.getLogger(__name__)

CHUNK_TRIES = 3  # chunk transactions tried before falling back to one piece at a time
DISTINCT_UPDATES = 20  # distinct next reminder moments in a chunk stored one UPDATE each


Write = Callable[[OutboxBatch], Awaitable[None]]


@dataclass(frozen=True)
class Work:
    """One piece of scheduled work for `Duty.once_many`: its DutyRun key and what it writes."""

    kind: str
    subject: str
    period: str
    write: Write

    @property
    def key(self) -> tuple[str, str, str]:
        return self.kind, self.subject, self.period


@dataclass
class Duty:
    """One organisation's pass as of one moment."""

    resources: Resources
    organisation: Organisation
    calendar: WorkCalendar
    now: dt.datetime
    queued: int = 0  # outbox rows this pass's work wrote (the simulator's tick says who sent)

    @property
    def today(self) -> dt.date:
        return self.calendar.local_date(self.now)

    async def done(self, kind: str, subjects: list[str], period: str = "") -> set[str]:
        """Which of ``subjects`` already ran for ``kind`` and ``period`` (to skip work early)."""
        if not subjects:
            return set()
        rows = await DutyRun.filter(
            organisation_id=self.organisation.id, kind=kind, period=period, subject__in=subjects
        ).values_list("subject", flat=True)
        return {str(s) for s in rows}

    async def once(self, kind: str, subject: str, period: str, write: Write) -> bool:
        """Run ``write`` with its DutyRun row in one transaction; False if it had already run."""
        batch = OutboxBatch(self.resources.settings, self.organisation, self.now)
        try:
            async with in_transaction():
                await DutyRun.create(
                    organisation_id=self.organisation.id,
                    kind=kind,
                    subject=subject,
                    period=period,
                    ran_at=self.now,
                )
                await write(batch)
        except IntegrityError:
            # Another run did it first (or its outbox row exists): everything here rolled back.
            return False
        self.queued += len(batch.ids)
        await batch.nudge(self.resources)
        return True

    async def once_many(self, works: Sequence[Work]) -> int:
        """`once` for a chunk of work in one transaction: the DutyRun rows not there yet inserted
        together, every write collected and its outbox rows inserted together, one nudge. If a
        concurrent pass (two workers' crons, a catch-up) stored one of them meanwhile (a unique
        key), nothing of the chunk is kept and the chunk is tried again without what that pass
        did; after `CHUNK_TRIES`, each piece goes through `once` on its own. Returns how many
        pieces ran here."""
        unique = list({w.key: w for w in works}.values())
        for _ in range(CHUNK_TRIES):
            ran = await self._chunk_once(unique)
            if ran is not None:
                return ran
        log.info("passes keep colliding on %d pieces of work; one by one", len(unique))
        return sum([await self.once(w.kind, w.subject, w.period, w.write) for w in unique])

    async def _chunk_once(self, works: Sequence[Work]) -> int | None:
        """One try of `once_many`; None if a concurrent pass stored some of it first (everything
        here rolled back; that pass has committed, so the next try skips what it did)."""
        done = await self._done_keys(works)
        todo = [w for w in works if w.key not in done]
        if not todo:
            return 0
        batch = OutboxBatch(self.resources.settings, self.organisation, self.now, deferred=True)
        try:
            async with in_transaction():
                await insert_duty_runs(self.organisation.id, todo, self.now)
                for work in todo:
                    await work.write(batch)
                await batch.flush()
        except IntegrityError:
            log.info("a concurrent pass ran some of %d pieces of work first; trying again", len(todo))
            return None
        self.queued += len(batch.ids)
        await batch.nudge(self.resources)
        return len(todo)

    async def _done_keys(self, works: Sequence[Work]) -> set[tuple[str, str, str]]:
        by_kind: dict[tuple[str, str], list[str]] = defaultdict(list)
        for work in works:
            by_kind[work.kind, work.period].append(work.subject)
        done: set[tuple[str, str, str]] = set()
        for (kind, period), subjects in by_kind.items():
            done |= {(kind, s, period) for s in await self.done(kind, subjects, period)}
        return done


# A chunk's DutyRun rows in one statement on PostgreSQL (three arrays, no model object per row); a
# row some other pass stored meanwhile violates the unique key, as bulk_create's would.
INSERT_RUNS = (
    'INSERT INTO "duty_run" ("organisation_id", "kind", "subject", "period", "ran_at")'
    " SELECT $1, k, s, p, $5 FROM unnest($2::text[], $3::text[], $4::text[]) AS t(k, s, p)"
)


async def insert_duty_runs(organisation_id: int, works: Sequence[Work], now: dt.datetime) -> None:
    """The DutyRun rows of ``works`` (inside the caller's transaction); ``IntegrityError`` if one exists."""
    db = DutyRun._meta.db
    if db.capabilities.dialect == "postgres":
        columns = [[w.kind for w in works], [w.subject for w in works], [w.period for w in works]]
        await db.execute_query(INSERT_RUNS, [organisation_id, *columns, now])
        return
    await DutyRun.bulk_create(
        [DutyRun(organisation_id=organisation_id, kind=w.kind, subject=w.subject, period=w.period, ran_at=now)
         for w in works]
    )  # fmt: skip


async def store_next_reminders(model: type[Model], rows: Sequence[Any]) -> None:
    """Store each row's new ``next_reminder_at``: one UPDATE per distinct moment (a chunk's steps
    wait for the same few calendar moments, and tortoise's ``bulk_update`` builds a CASE over every
    row, costly to build for hundreds), or ``bulk_update`` when the moments are many."""
    ids_by_moment: dict[dt.datetime | None, list[int]] = defaultdict(list)
    for row in rows:
        ids_by_moment[row.next_reminder_at].append(row.id)
    if len(ids_by_moment) > DISTINCT_UPDATES:
        await model.bulk_update(list(rows), fields=["next_reminder_at"])
        return
    for moment, ids in ids_by_moment.items():
        await model.filter(id__in=ids).update(next_reminder_at=moment)
