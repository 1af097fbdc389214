"""Stand-ins (代理): while a leader is away, their open steps and cards go to the stand-in
(`bot.matters.holders`). One home for both ways of setting one, sharing the rules (no overlap with
another range of the same leader, at most a year; ending a begun range makes yesterday its last
day, a range not begun is removed). In the console the office sets or ends anyone's, checked as
the org file is, and audits the returned :class:`Change`. On ``/m/stand-in`` a section head,
deputy or principal names their own from today on, checked field by field (:class:`FormErrors`),
audited here, the stand-in and the office groups told through the outbox; ``set_own_stand_in`` /
``end_own_stand_in`` lock the leader's row so two submissions cannot overlap. Callers open the
transaction; nothing is stored on a refusal.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bot.audit import append_audit
from bot.errors import UserError
from bot.org.changes import Change, OrgEditError, clean_text
from bot.outbox.batch import OutboxBatch
from models.enums import GroupKind
from models.org import GroupChannel, Person, Role, StandIn

LEADER_ROLES = frozenset({Role.SECTION_HEAD, Role.DEPUTY, Role.PRINCIPAL})
MAX_DAYS = 366  # a stand-in of more than a year is a new section head, not a stand-in
MAX_REASON = 200  # StandIn.reason's column


async def _overlapping(organisation_id: int, person_id: int, first: dt.date, last: dt.date) -> StandIn | None:
    """The earliest range of the leader that shares a day with ``first``..``last``."""
    return (
        await StandIn.filter(
            organisation_id=organisation_id, person_id=person_id, start_date__lte=last, end_date__gte=first
        )
        .order_by("start_date", "id")
        .select_related("stand_in")
        .first()
    )


async def _cut_short(row: StandIn, today: dt.date) -> bool:
    """End ``row`` now (from today the leader's steps come back); True when it was removed."""
    if row.start_date >= today:
        await row.delete()
        return True
    row.end_date = today - dt.timedelta(days=1)
    await row.save(update_fields=["end_date"])
    return False


DATE_ERROR = "日期格式应为 YYYY-MM-DD，例如 2026-12-01"


def parse_date(value: object, label: str) -> dt.date:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise OrgEditError(f"请填写{label}")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise OrgEditError(f"{label}“{text[:20]}”不对：{DATE_ERROR}") from None


def stand_in_values(row: StandIn) -> dict[str, object]:
    return {"person": row.person_id, "stand_in": row.stand_in_id, "from": row.start_date.isoformat(),
            "to": row.end_date.isoformat(), "reason": row.reason}  # fmt: skip


async def set_stand_in(organisation_id: int, person_id: int | None, stand_in_id: int | None, start: object,
                       end: object, reason: object, *, today: dt.date) -> Change:  # fmt: skip
    """Record a new stand-in after checking it as the org file would."""
    person = await Person.get_or_none(id=person_id or 0, organisation_id=organisation_id)
    if person is None:
        raise OrgEditError("请选择外出的领导")
    deputy = await Person.get_or_none(id=stand_in_id or 0, organisation_id=organisation_id)
    if deputy is None:
        raise OrgEditError("请选择代理人")
    if deputy.id == person.id:
        raise OrgEditError("代理人不能是本人")
    if not deputy.active:
        raise OrgEditError(f"{deputy.name}已停用，不能代理审批")
    first, last = parse_date(start, "开始日期"), parse_date(end, "结束日期")
    why = clean_text(reason, "事由", max_length=200)
    if last < first:
        raise OrgEditError(f"结束日期 {last} 早于开始日期 {first}")
    if last < today:
        raise OrgEditError(f"结束日期 {last} 已经过去，代理安排要从今天或以后结束")
    if (last - first).days >= MAX_DAYS:
        raise OrgEditError("代理时间不能超过一年；长期由他人负责请在组织与链条中改任")
    clash = await _overlapping(organisation_id, person.id, first, last)
    if clash is not None:
        raise OrgEditError(
            f"{person.name}在 {clash.start_date} 至 {clash.end_date} 已有代理安排，与所选日期重叠；请先结束它"
        )
    row = await StandIn.create(organisation_id=organisation_id, person_id=person.id, stand_in_id=deputy.id,
                               start_date=first, end_date=last, reason=why)  # fmt: skip
    return Change("org.stand_in.set", f"stand_in:{row.id}", {}, stand_in_values(row))


async def end_stand_in(organisation_id: int, stand_in_row_id: int | None, *, today: dt.date) -> Change:
    """End a stand-in now: its last day becomes yesterday (today's cards go to the leader again);
    one that starts today or later is removed."""
    row = await StandIn.get_or_none(id=stand_in_row_id or 0, organisation_id=organisation_id)
    if row is None:
        raise OrgEditError("没有这条代理安排（可能已被删除），请刷新页面")
    before = stand_in_values(row)
    if row.end_date < today:
        raise OrgEditError(f"这条代理安排已于 {row.end_date} 结束，无需再结束")
    removed = await _cut_short(row, today)
    return Change("org.stand_in.end", f"stand_in:{row.id}", before, {} if removed else stand_in_values(row))


class FormErrors(UserError):
    """The form's fields that need fixing: field name → what to fix (Chinese)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("；".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class StandInForm:
    """The raw fields of the form (as typed)."""

    stand_in: str = ""  # the stand-in's handle
    start: str = ""  # YYYY-MM-DD
    end: str = ""
    reason: str = ""


@dataclass(frozen=True)
class StandInRange:
    """A current or coming range of mine, for the page."""

    id: int
    stand_in: str  # the stand-in's name
    start: dt.date
    end: dt.date
    current: bool


@dataclass
class Checked:
    stand_in: Person | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    errors: dict[str, str] = field(default_factory=dict)


def may_have_stand_in(person: Person) -> bool:
    """Leaders (股室负责人, 分管领导, 主要领导) name their own stand-ins."""
    return any(person.has_role(role) for role in LEADER_ROLES)


async def eligible_stand_ins(person: Person) -> list[Person]:
    """Who may stand in for ``person``: the other active people of the organisation."""
    return (
        await Person.filter(organisation_id=person.organisation_id, active=True)
        .exclude(id=person.id)
        .order_by("department_id", "name", "id")
    )


async def my_ranges(person: Person, today: dt.date) -> list[StandInRange]:
    """My current and coming stand-ins, the earliest first."""
    rows = (
        await StandIn.filter(person_id=person.id, end_date__gte=today)
        .order_by("start_date", "id")
        .select_related("stand_in")
    )
    return [
        StandInRange(r.id, r.stand_in.name, r.start_date, r.end_date, r.start_date <= today) for r in rows
    ]


def _date(raw: str, label: str, errors: dict[str, str], key: str) -> dt.date | None:
    text = raw.strip()
    if not text:
        errors[key] = f"请填写{label}"
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        errors[key] = f"{label}格式不正确，请按“2026-12-01”填写"
        return None


async def check_form(person: Person, form: StandInForm, today: dt.date) -> Checked:
    """Every field's problem at once (none stored yet)."""
    checked = Checked()
    errors = checked.errors
    handle = form.stand_in.strip()
    if not handle:
        errors["stand_in"] = "请选择代理人"
    elif handle == person.handle:
        errors["stand_in"] = "不能选择自己作为代理人"
    else:
        checked.stand_in = await Person.get_or_none(
            organisation_id=person.organisation_id, handle=handle[:64], active=True
        )
        if checked.stand_in is None:
            errors["stand_in"] = "代理人须是本单位在职人员，请从列表中选择"
    checked.start = _date(form.start, "开始日期", errors, "start")
    checked.end = _date(form.end, "结束日期", errors, "end")
    start, end = checked.start, checked.end
    if start is not None and start < today:
        errors["start"] = f"开始日期不能早于今天（{today.isoformat()}）"
    if start is not None and end is not None and "start" not in errors:
        if end < start:
            errors["end"] = "结束日期不能早于开始日期"
        elif (end - start).days + 1 > MAX_DAYS:
            errors["end"] = f"代理期限最长 {MAX_DAYS} 天，请缩短"
    if len(form.reason.strip()) > MAX_REASON:
        errors["reason"] = f"事由最多 {MAX_REASON} 字"
    if not errors and start is not None and end is not None:
        clash = await _overlapping(person.organisation_id, person.id, start, end)
        if clash is not None:
            errors["start"] = (
                f"与已设置的代理（{clash.stand_in.name}，{clash.start_date.isoformat()} 至 "
                f"{clash.end_date.isoformat()}）时间重叠，请先结束那一条或另选日期"
            )
    return checked


async def _lock(person: Person) -> None:
    """Serialise the leader's own changes (PostgreSQL row lock; SQLite writes one at a time)."""
    await Person.filter(id=person.id).select_for_update().first()


async def set_own_stand_in(batch: OutboxBatch, person: Person, form: StandInForm, today: dt.date) -> StandIn:
    """Store the range (or raise ``FormErrors``), audit it, tell the stand-in and the office."""
    if not may_have_stand_in(person):
        raise UserError("只有股室负责人、分管领导和主要领导可以设置代理")
    await _lock(person)
    checked = await check_form(person, form, today)
    if checked.errors or checked.stand_in is None or checked.start is None or checked.end is None:
        raise FormErrors(checked.errors)
    stand_in, start, end = checked.stand_in, checked.start, checked.end
    row = await StandIn.create(
        organisation_id=person.organisation_id,
        person_id=person.id,
        stand_in_id=stand_in.id,
        start_date=start,
        end_date=end,
        reason=form.reason.strip(),
    )
    span = f"{start.isoformat()} 至 {end.isoformat()}"
    await _audit(batch, person, "stand_in_set", stand_in=stand_in.handle, start=start, end=end)
    note = f"（事由：{row.reason}）" if row.reason else ""
    await batch.text(
        stand_in,
        f"{person.name}已设置您为其代理人，{span}{note}。期间其待审批的说“不”事项由您审批，审批卡片会发给您。",
        dedupe_key=f"stand_in:{row.id}:set:stand_in",
    )
    await _tell_office(
        batch, f"【代理】{person.name}设置代理：{stand_in.name}，{span}{note}", f"stand_in:{row.id}:set"
    )
    return row


async def end_own_stand_in(batch: OutboxBatch, person: Person, range_id: int, today: dt.date) -> str:
    """End one of my ranges: a coming one is removed, a current one ends yesterday (so from today
    my steps come back to me). Returns the message for the page."""
    await _lock(person)
    row = await StandIn.get_or_none(id=range_id, person_id=person.id).select_related("stand_in")
    if row is None or row.end_date < today:
        raise UserError("找不到这条代理，或它已经结束。请刷新页面后再试。")
    stand_in: Person = row.stand_in
    span = f"{row.start_date.isoformat()} 至 {row.end_date.isoformat()}"
    await _cut_short(row, today)
    await _audit(
        batch, person, "stand_in_end", stand_in=stand_in.handle, start=row.start_date, end=row.end_date
    )
    key = f"stand_in:{range_id}:end:{today.isoformat()}"
    await batch.text(
        stand_in,
        f"{person.name}已结束由您代理（原定 {span}），其待审批事项今后不再发给您。",
        dedupe_key=f"{key}:stand_in",
    )
    await _tell_office(batch, f"【代理】{person.name}已结束代理：{stand_in.name}（原定 {span}）", key)
    return f"已结束由{stand_in.name}代理，待审批事项今后发给您本人。"


async def _audit(batch: OutboxBatch, person: Person, action: str, **data: object) -> None:
    await append_audit(
        person.organisation_id,
        at=batch.now,
        actor=person.handle,
        action=action,
        subject=person.handle,
        data={key: value.isoformat() if isinstance(value, dt.date) else value for key, value in data.items()},
    )


async def _tell_office(batch: OutboxBatch, text: str, key: str) -> None:
    groups = await GroupChannel.filter(organisation_id=batch.organisation.id, kind=GroupKind.OFFICE).order_by(
        "id"
    )
    for group in groups:
        await batch.group(group, text, dedupe_key=f"{key}:group:{group.id}")
