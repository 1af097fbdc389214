"""The complaints ledger's figures of a quarter (the 季度汇总's 投诉台账 lines and sheet).

Like the matters' figures: the complaints **registered** in the quarter, as they stood at its
cutoff (the quarter's end, or now), read from their timeline (`models.complaints.ComplaintEvent`:
``answer`` / ``assign`` / ``merge`` / ``finish`` rows up to the cutoff), so a past quarter's
figures never change. Each row adds up:

    登记 = 答疑 + 交办 + 并单 + 待分流          交办 = 按时办结 + 逾期办结 + 超期未办结 + 办理中

督办 counts those told “no” with no matter on file; 移送纪检组 those referred to discipline by the
cutoff. A complaint counts for its 承办股室; one never assigned counts in ``unassigned``.
A quarter's ledger is a few hundred rows at most: the few columns needed are read with
``values()`` in two queries and counted here.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, fields

from bot.reports.figures import Window, utc
from models.complaints import Complaint, ComplaintEvent
from models.discipline import DisciplineCase

COUNTED_EVENTS = ("answer", "assign", "merge", "finish")


@dataclass
class LedgerCounts:
    received: int = 0  # 登记
    answered: int = 0  # 答疑（不属受理范围）
    assigned: int = 0  # 交办股室
    merged: int = 0  # 并单
    untriaged: int = 0  # 待分流
    done_on_time: int = 0  # 按时办结
    done_late: int = 0  # 逾期办结
    overdue: int = 0  # 超期未办结
    in_progress: int = 0  # 办理中（未到期）
    supervised: int = 0  # 督办：无事项登记即说“不”
    referred: int = 0  # 移送纪检组

    def add(self, other: LedgerCounts) -> None:
        for name in (f.name for f in fields(self)):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class LedgerStats:
    """A quarter's ledger figures per 承办股室 id, and those never assigned."""

    sections: dict[int, LedgerCounts] = field(default_factory=lambda: defaultdict(LedgerCounts))
    unassigned: LedgerCounts = field(default_factory=LedgerCounts)

    def section(self, department_id: int) -> LedgerCounts:
        return self.sections.get(department_id) or LedgerCounts()

    def total(self, department_ids: list[int] | None = None) -> LedgerCounts:
        """The sum over ``department_ids`` (every section and the unassigned when None)."""
        total = LedgerCounts()
        ids = list(self.sections) if department_ids is None else department_ids
        for dept in ids:
            total.add(self.section(dept))
        if department_ids is None:
            total.add(self.unassigned)
        return total


def _count(counts: LedgerCounts, happened: dict[str, dt.datetime], deadline: dt.datetime | None,
           cutoff: dt.datetime) -> None:  # fmt: skip
    counts.received += 1
    if "merge" in happened:
        counts.merged += 1
    elif "answer" in happened:
        counts.answered += 1
    elif "assign" not in happened:
        counts.untriaged += 1
    else:
        counts.assigned += 1
        done, due = happened.get("finish"), None if deadline is None else utc(deadline)
        if done is not None:
            on_time = due is None or utc(done) <= due
            counts.done_on_time += on_time
            counts.done_late += not on_time
        elif due is not None and due < cutoff:
            counts.overdue += 1
        else:
            counts.in_progress += 1


async def ledger_stats(organisation_id: int, window: Window) -> LedgerStats:
    """The ledger's figures of the complaints registered in ``window`` (see the module docstring)."""
    start, end, cutoff = utc(window.start), utc(window.end), utc(window.cutoff)
    registered = dict(created_at__gte=start, created_at__lt=end, created_at__lte=cutoff)
    rows = await Complaint.filter(organisation_id=organisation_id, **registered).values(
        "id", "department_id", "deadline_at", "no_matter_on_file"
    )
    happened: dict[int, dict[str, dt.datetime]] = defaultdict(dict)
    events = ComplaintEvent.filter(
        organisation_id=organisation_id, what__in=COUNTED_EVENTS, at__lte=cutoff,
        **{f"complaint__{k}": v for k, v in registered.items()},
    ).order_by("at", "id")  # fmt: skip
    for event in await events.values("complaint_id", "what", "at"):
        happened[int(event["complaint_id"])].setdefault(str(event["what"]), event["at"])
    referred = set(
        await DisciplineCase.filter(
            organisation_id=organisation_id, referred_at__lte=cutoff,
            **{f"complaint__{k}": v for k, v in registered.items()},
        ).values_list("complaint_id", flat=True)
    )  # fmt: skip
    stats = LedgerStats()
    for row in rows:
        dept = row["department_id"]
        counts = (
            stats.unassigned if dept is None or "assign" not in happened[row["id"]] else stats.sections[dept]
        )
        _count(counts, happened[row["id"]], row["deadline_at"], cutoff)
        counts.supervised += bool(row["no_matter_on_file"])
        counts.referred += row["id"] in referred
    stats.sections = dict(stats.sections)
    return stats
