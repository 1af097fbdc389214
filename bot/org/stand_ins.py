"""Stand-ins (代理) set and ended in the console: while a leader is away, their cards go to the
stand-in. The checks are those of the org file (`tiji org import`): both people exist, the
stand-in is not the person, the dates are in order and do not overlap another stand-in of the same
person. Ending one that has started sets its last day to yesterday; one that starts today or later
is removed. Callers open the transaction and audit the returned :class:`Change`."""

from __future__ import annotations

import datetime as dt

from bot.org.changes import Change, OrgEditError, clean_text
from models.org import Person, StandIn

MAX_DAYS = 366  # a stand-in of more than a year is a new section head, not a stand-in
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
    clash = await StandIn.filter(
        organisation_id=organisation_id, person_id=person.id, start_date__lte=last, end_date__gte=first
    ).first()
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
    if row.start_date >= today:
        await row.delete()
        return Change("org.stand_in.end", f"stand_in:{row.id}", before, {})
    row.end_date = today - dt.timedelta(days=1)
    await row.save(update_fields=["end_date"])
    return Change("org.stand_in.end", f"stand_in:{row.id}", before, stand_in_values(row))
