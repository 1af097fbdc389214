"""The console's list of matters: a typed filter read from a page's query string (a Chinese message
for each bad value) and the query that applies it in the database, a page of 50 at a time.

::

    wanted = MatterFilter.from_params(request.query)          # FilterError says what to fix
    page = await search_matters(matters_in(org_id, viewer.scope), wanted, now=now, tz=tz)

The filter is also what a printed or saved list says it was made with (``describe``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import TypeVar
from zoneinfo import ZoneInfo

from tortoise.expressions import Q

from bot.calendar.quarters import Quarter, parse_quarter
from bot.errors import UserError
from bot.matters.views import LEVEL_TITLES, STATE_TITLES, Level
from models.enums import Action, MatterState
from models.matter import Matter

PAGE_SIZE = 50
MAX_PAGE = 10_000  # a page number beyond any real list (a bigger one is a typo)
MAX_QUERY = 100  # characters of the free-text search
MAX_ID = 2**31 - 1  # the database's integer ids
# A step still open or a reply still owed: these states can be past their deadline.
OWING_STATES = (MatterState.PENDING, MatterState.RESOLVED, MatterState.REFUSED)
STATE_CHOICES = "、".join(f"{s.value}（{t}）" for s, t in STATE_TITLES.items())
# How a matter was decided (``Matter.outcome``, kept after it closes).
OUTCOME_TITLES = {Action.CAN_DO: "能办", Action.CONFIRM_NO: "确认不能办"}


_T = TypeVar("_T")


class FilterError(UserError):
    """A query parameter the list cannot use; the message names each one and what to write."""


@dataclass(frozen=True)
class MatterFilter:
    """What the office asks of the list. Empty fields do not filter."""

    state: MatterState | None = None
    outcome: Action | None = None
    unit_id: int | None = None
    department_id: int | None = None
    level: Level | None = None
    quarter: Quarter | None = None
    overdue: bool = False  # an open step past its deadline, or a reply owed past it
    q: str = ""  # over applicant, subject and reason
    page: int = 1

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> MatterFilter:
        """The filter of a query string; raises ``FilterError`` listing every bad value."""
        problems: list[str] = []
        values: dict[str, object] = {}
        for name, parse in _PARSERS.items():
            raw = (params.get(name) or "").strip()
            if not raw:
                continue
            try:
                values[name] = parse(raw)
            except ValueError as error:
                problems.append(str(error))
        if problems:
            raise FilterError("筛选条件有误：" + "；".join(problems))
        return cls(
            state=_typed(values.get("state"), MatterState),
            outcome=_typed(values.get("outcome"), Action),
            unit_id=_typed(values.get("unit"), int),
            department_id=_typed(values.get("department"), int),
            level=_typed(values.get("level"), Level),
            quarter=_typed(values.get("quarter"), Quarter),
            overdue=values.get("overdue") is True,
            q=str(values.get("q") or ""),
            page=_typed(values.get("page"), int) or 1,
        )

    def params(self, *, page: int | None = None) -> dict[str, str]:
        """The query string of this filter (for paging links and the print view)."""
        out = {
            "state": self.state.value if self.state else "",
            "outcome": self.outcome.value if self.outcome else "",
            "unit": str(self.unit_id or ""),
            "department": str(self.department_id or ""),
            "level": str(int(self.level)) if self.level else "",
            "quarter": str(self.quarter or ""),
            "overdue": "1" if self.overdue else "",
            "q": self.q,
        }
        chosen = page if page is not None else self.page
        if chosen > 1:
            out["page"] = str(chosen)
        return {k: v for k, v in out.items() if v}

    def where(self, now: dt.datetime, tz: ZoneInfo) -> Q:
        """The filter as a database condition (on ``Matter``)."""
        conditions: list[Q] = []
        if self.state is not None:
            conditions.append(Q(state=self.state))
        if self.outcome is not None:
            conditions.append(Q(outcome=self.outcome))
        if self.unit_id is not None:
            conditions.append(Q(unit_id=self.unit_id))
        if self.department_id is not None:
            conditions.append(Q(department_id=self.department_id))
        if self.level is not None:
            conditions.append(Q(level=int(self.level)))
        if self.quarter is not None:
            conditions.append(
                Q(submitted_at__gte=self.quarter.start_at(tz), submitted_at__lt=self.quarter.end_at(tz))
            )
        if self.overdue:
            conditions.append(Q(state__in=list(OWING_STATES), due_at__lt=now))
        if self.q:
            # icontains is LIKE / ILIKE with the words' % and _ escaped: they match themselves.
            conditions.append(Q(applicant__icontains=self.q) | Q(subject__icontains=self.q)
                              | Q(reason__icontains=self.q))  # fmt: skip
        return Q(*conditions) if conditions else Q()

    def describe(self, units: Mapping[int, str], departments: Mapping[int, str]) -> str:
        """“筛选条件：状态 审批中；季度 2026年第4季度” (or “全部事项”), as the printed list shows it."""
        parts: list[str] = []
        if self.state is not None:
            parts.append(f"状态 {STATE_TITLES[self.state]}")
        if self.outcome is not None:
            parts.append(f"审批结果 {OUTCOME_TITLES[self.outcome]}")
        if self.unit_id is not None:
            parts.append(f"单位 {units.get(self.unit_id, '（不存在）')}")
        if self.department_id is not None:
            parts.append(f"股室 {departments.get(self.department_id, '（不存在）')}")
        if self.level is not None:
            parts.append(f"所在层级 {LEVEL_TITLES[self.level]}")
        if self.quarter is not None:
            parts.append(f"季度 {self.quarter.label}")
        if self.overdue:
            parts.append("仅逾期")
        if self.q:
            parts.append(f"含“{self.q}”")
        return "筛选条件：" + ("；".join(parts) if parts else "全部事项")

    @property
    def active(self) -> bool:
        return bool(replace(self, page=1).params())


def _typed(value: object, kind: type[_T]) -> _T | None:
    return value if isinstance(value, kind) else None


def _state(raw: str) -> MatterState:
    for state, title in STATE_TITLES.items():
        if raw in (state.value, title):
            return state
    raise ValueError(f"状态“{raw[:20]}”不存在，可选：{STATE_CHOICES}")


def _outcome(raw: str) -> Action:
    for outcome, title in OUTCOME_TITLES.items():
        if raw in (outcome.value, title):
            return outcome
    raise ValueError(f"审批结果“{raw[:20]}”不存在，可选：can_do（能办）、confirm_no（确认不能办）")


def _id(what: str) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        if not raw.isascii() or not raw.isdigit() or not 0 < int(raw) <= MAX_ID:
            raise ValueError(f"{what}须从列表中选择（收到“{raw[:20]}”）")
        return int(raw)

    return parse


def _level(raw: str) -> Level:
    if raw.isascii() and raw.isdigit() and int(raw) in {int(v) for v in Level}:
        return Level(int(raw))
    raise ValueError(
        f"层级只能是 1 到 4（1 首问责任人、2 股室负责人、3 分管领导、4 主要领导），收到“{raw[:20]}”"
    )


def _quarter(raw: str) -> Quarter:
    return parse_quarter(raw[:40])


def _overdue(raw: str) -> bool:
    if raw in {"1", "0"}:
        return raw == "1"
    raise ValueError(f"“仅逾期”只能是 1（是）或 0（否），收到“{raw[:20]}”")


def _text(raw: str) -> str:
    if len(raw) > MAX_QUERY:
        raise ValueError(f"搜索词最多 {MAX_QUERY} 个字，现在有 {len(raw)} 个")
    if "\x00" in raw or raw.encode("utf-8", "ignore").decode("utf-8") != raw:
        raise ValueError("搜索词含有无法识别的字符")
    return raw


def _page(raw: str) -> int:
    if not raw.isascii() or not raw.isdigit() or not 0 < int(raw) <= MAX_PAGE:
        raise ValueError(f"页码须是 1 到 {MAX_PAGE} 之间的整数，收到“{raw[:20]}”")
    return int(raw)


_PARSERS: Mapping[str, Callable[[str], object]] = {
    "state": _state,
    "outcome": _outcome,
    "unit": _id("单位"),
    "department": _id("股室"),
    "level": _level,
    "quarter": _quarter,
    "overdue": _overdue,
    "q": _text,
    "page": _page,
}


@dataclass(frozen=True)
class MatterPage:
    """One page of the list: its matters (unit, section and submitter loaded) and the whole count."""

    matters: list[Matter]
    total: int
    page: int
    page_size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def first_row(self) -> int:
        return (self.page - 1) * self.page_size + 1 if self.total else 0

    @property
    def last_row(self) -> int:
        return min(self.total, self.page * self.page_size)


async def search_matters(scope: Q, wanted: MatterFilter, *, now: dt.datetime, tz: ZoneInfo) -> MatterPage:
    """The matters within ``scope`` (``bot.matters.scoping.matters_in``) that ``wanted`` asks for,
    newest first; a page past the end shows the last page."""
    query = Matter.filter(scope, wanted.where(now, tz))
    total = await query.count()
    last = max(1, -(-total // PAGE_SIZE))
    page = min(wanted.page, last)
    matters = (
        await query.order_by("-submitted_at", "-id")
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
        .select_related("unit", "department", "submitter")
    )
    return MatterPage(matters=list(matters), total=total, page=page)
