"""A matter's full timeline for the console: who did what, when and through which platform — the
submission, each level's card and decision, comments, additions, the 催办 reminders the bot sent
(its outbox rows, with whether they were delivered), the reply to the applicant, the withdrawal,
and what the office did in the console (典型案例, 通报). Read from the matter's tables, its audit
rows (``via``: the platform of the event, ``bot.audit.audit_via``) and the outbox."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from tortoise.expressions import Q

from bot.matters.views import LEVEL_TITLES
from models.audit import AuditEntry
from models.enums import (
    ACTION_TITLES,
    ADDITION_KIND_TITLES,
    REPLY_METHOD_TITLES,
    Action,
    Platform,
    StepStatus,
)
from models.matter import Addition, DecisionStep, Matter, ReplyRecord
from models.messaging import OutboxMessage, OutboxStatus
from models.notices import Notice
from models.org import GroupChannel, Person

PLATFORM_TITLES: Mapping[str, str] = {
    Platform.WECOM: "企业微信",
    Platform.DINGTALK: "钉钉",
    Platform.SIMULATOR: "模拟器",
    "console": "管理后台",
}
# The 催办 ladder's rungs (``bot.jobs.ladder.Rung`` values, the second part of their outbox keys).
RUNG_TITLES: Mapping[str, str] = {
    "pending_4h": "待审批提醒",
    "due_morning": "到期当日提醒",
    "deadline": "逾期催办",
    "overdue_daily": "逾期每日催办",
    "consultation_lapsed": "会商逾期转主要领导",
    "reply_due": "回复到期提醒",
    "reply_deadline": "回复逾期催办",
    "reply_overdue": "回复逾期每日催办",
    "nudge": "提交人催办",
}
DELIVERY_TITLES: Mapping[OutboxStatus, str] = {
    OutboxStatus.PENDING: "待发送",
    OutboxStatus.SENT: "已送达",
    OutboxStatus.FAILED: "发送失败",
    OutboxStatus.MERGED: "已送达",
}
STEP_END_TITLES: Mapping[StepStatus, str] = {
    StepStatus.PENDING: "待处理",
    StepStatus.AWAITING_TEXT: "待填写理由",
    StepStatus.SUPERSEDED: "已结束（未作决定）",
    StepStatus.OVERDUE: "逾期未答复",
}
CONSOLE_TITLES: Mapping[str, str] = {
    "console.showcase.mark": "标记为典型案例",
    "console.showcase.unmark": "取消典型案例",
    "console.showcase.edit": "修改典型案例说明",
    "console.notice.issue": "发出通报",
}


@dataclass(frozen=True)
class Event:
    """One line of the timeline. ``kind`` is its CSS class; ``via`` the platform's title."""

    at: dt.datetime
    kind: str
    who: str
    what: str
    detail: str = ""
    via: str = ""


@dataclass
class _People:
    by_id: dict[int, Person]
    by_handle: dict[str, Person]

    def name(self, person_id: int | None) -> str:
        person = self.by_id.get(person_id or 0)
        return person.name if person else ""

    def actor(self, actor: str) -> str:
        """An audit actor (a handle, ``person:<id>``, ``account:<username>`` or ``system``) in words."""
        if actor == "system":
            return "系统"
        if actor.startswith("person:") and actor[7:].isdigit():
            return self.name(int(actor[7:])) or actor
        if actor.startswith("account:"):
            return actor[8:]
        person = self.by_handle.get(actor)
        return person.name if person else actor


async def _people(matter: Matter, steps: list[DecisionStep], audit: list[AuditEntry]) -> _People:
    ids = {matter.submitter_id} | {
        i for s in steps for i in (s.approver_id, s.on_behalf_of_id, s.decided_by_id) if i
    }
    ids |= {int(a.actor[7:]) for a in audit if a.actor.startswith("person:") and a.actor[7:].isdigit()}
    handles = {a.actor for a in audit}
    rows = await Person.filter(
        Q(id__in=sorted(ids)) | Q(handle__in=sorted(handles)), organisation_id=matter.organisation_id
    )
    return _People({p.id: p for p in rows}, {p.handle: p for p in rows})


PAGE_VIA_TITLE = "手机页面"  # ``handlers.dispatch.PAGE_VIA``: decided or submitted on a phone page


def _via(row: AuditEntry | None) -> str:
    value = row.data.get("via") if row is not None else None
    if not value:
        return ""
    return PAGE_VIA_TITLE if value == "web" else PLATFORM_TITLES.get(str(value), "")


async def matter_timeline(matter: Matter) -> list[Event]:
    """Everything that happened to ``matter``, oldest first."""
    steps = await DecisionStep.filter(matter_id=matter.id).order_by("opened_at", "id")
    audit = await AuditEntry.filter(organisation_id=matter.organisation_id, subject=matter.number).order_by(
        "seq"
    )
    people = await _people(matter, steps, audit)
    first = {a.action: a for a in reversed(audit)}  # each action's first row
    by_step = {(a.action, a.data.get("step")): a for a in audit if a.data.get("step") is not None}
    events = [
        Event(
            matter.submitted_at,
            "submit",
            people.name(matter.submitter_id),
            "提交说“不”事项",
            f"拟说不理由：{matter.reason}",
            _via(first.get("submit")),
        ),
    ]
    for step in steps:
        events.extend(_step_events(step, people, by_step))
    events.extend(_audit_events(audit, people))
    events.extend(await _reply_events(matter, first))
    events.extend(await _reminder_events(matter, [s.id for s in steps], people))
    events.extend(await _notice_events(matter))
    if matter.withdrawn_at is not None:
        events.append(
            Event(
                matter.withdrawn_at,
                "withdraw",
                people.name(matter.submitter_id),
                "撤回",
                matter.withdraw_note,
                _via(first.get("withdraw")),
            )
        )
    return sorted(events, key=lambda e: e.at)


def _step_events(
    step: DecisionStep, people: _People, by_step: Mapping[tuple[str, object], AuditEntry]
) -> list[Event]:
    level = LEVEL_TITLES.get(step.level, f"第{step.level}级")
    holder = people.name(step.approver_id)
    if step.on_behalf_of_id:
        holder += f"（代 {people.name(step.on_behalf_of_id)}）"
    state = "" if step.status == StepStatus.DECIDED else f"；{STEP_END_TITLES[StepStatus(step.status)]}"
    out = [Event(step.opened_at, "step", "系统", f"送{level}审批：{holder}{state}")]
    if step.status == StepStatus.DECIDED and step.decided_at is not None and step.decision is not None:
        decision = Action(step.decision)
        row = by_step.get((decision.value, step.id))
        what = f"{level}：{ACTION_TITLES[decision]}"
        detail = step.comment
        if step.way_forward:
            detail += f"；说“行”建议：{step.way_forward}"
        out.append(
            Event(step.decided_at, "decision", people.name(step.decided_by_id), what, detail, _via(row))
        )
    return out


def _audit_events(audit: list[AuditEntry], people: _People) -> list[Event]:
    out = []
    for row in audit:
        if row.action == "comment":
            out.append(
                Event(
                    row.at,
                    "comment",
                    people.actor(row.actor),
                    "研判意见",
                    str(row.data.get("text", "")),
                    _via(row),
                )
            )
        elif row.action in CONSOLE_TITLES:
            after = row.data.get("after")
            note = after.get("note", "") if isinstance(after, dict) else ""
            out.append(
                Event(
                    row.at,
                    "console",
                    people.actor(row.actor),
                    CONSOLE_TITLES[row.action],
                    str(note),
                    PLATFORM_TITLES["console"],
                )
            )
    return out


async def _reply_events(matter: Matter, first: Mapping[str, AuditEntry]) -> list[Event]:
    out = []
    replies = (
        await ReplyRecord.filter(matter_id=matter.id).order_by("recorded_at").prefetch_related("recorded_by")
    )
    for reply in replies:
        method = REPLY_METHOD_TITLES.get(reply.method, str(reply.method))
        callee = f"（{reply.callee_phone}）" if reply.callee_phone else ""
        out.append(
            Event(
                reply.recorded_at,
                "reply",
                reply.recorded_by.name,
                f"{method}回复申请人{callee}",
                reply.content,
                _via(first.get("record_reply")),
            )
        )
    additions = (
        await Addition.filter(matter_id=matter.id).order_by("added_at", "id").prefetch_related("person")
    )
    for addition in additions:
        kind = ADDITION_KIND_TITLES.get(addition.kind, str(addition.kind))
        out.append(Event(addition.added_at, "addition", addition.person.name, f"补充{kind}", addition.text))
    return out


def _reminder_filter(matter_id: int, step_ids: list[int]) -> Q:
    """The outbox rows of the matter's 催办: ``reminder:<rung>:step:<id>[:…]`` and
    ``reminder:<rung>:matter:<id>[:…]``, the 会商 lapse's notices and the submitter's 催办."""
    owned = Q(dedupe_key__startswith=f"notice:consultation_lapsed:{matter_id}:")
    owned |= Q(dedupe_key__startswith=f"nudge:{matter_id}:")
    for subject in [f"matter:{matter_id}", *(f"step:{i}" for i in step_ids)]:
        owned |= Q(dedupe_key__startswith="reminder:", dedupe_key__endswith=f":{subject}")
        owned |= Q(dedupe_key__startswith="reminder:", dedupe_key__contains=f":{subject}:")
    return owned


def _rung_of(key: str) -> str:
    parts = key.split(":")
    if parts[0] == "reminder" and len(parts) > 1:
        return parts[1]
    return "nudge" if parts[0] == "nudge" else "consultation_lapsed"


async def _reminder_events(matter: Matter, step_ids: list[int], people: _People) -> list[Event]:
    rows = await OutboxMessage.filter(
        _reminder_filter(matter.id, step_ids), organisation_id=matter.organisation_id
    ).order_by("created_at", "id")
    group_ids = sorted({r.group_id for r in rows if r.group_id})
    groups = {g.id: g.name for g in await GroupChannel.filter(id__in=group_ids)} if group_ids else {}
    missing = sorted({r.person_id for r in rows if r.person_id and r.person_id not in people.by_id})
    if missing:
        people.by_id.update({p.id: p for p in await Person.filter(id__in=missing)})
    grouped: dict[tuple[dt.datetime, str], list[str]] = {}
    for row in rows:
        to = groups.get(row.group_id or 0, "") + "群" if row.group_id else people.name(row.person_id)
        status = DELIVERY_TITLES.get(OutboxStatus(row.status), "")
        grouped.setdefault((row.created_at, _rung_of(row.dedupe_key)), []).append(f"{to}（{status}）")
    return [
        Event(
            at,
            "reminder",
            "系统",
            RUNG_TITLES.get(rung, "催办"),
            "发给 " + "、".join(sent),
            PLATFORM_TITLES.get(next((r.platform for r in rows if r.created_at == at), ""), ""),
        )
        for (at, rung), sent in grouped.items()
    ]


async def _notice_events(matter: Matter) -> list[Event]:
    notices = await Notice.filter(matter_id=matter.id).order_by("issued_at", "id").prefetch_related("group")
    return [
        Event(
            n.issued_at,
            "notice",
            n.issued_by,
            f"通报（发往 {n.group.name}）",
            n.text,
            PLATFORM_TITLES["console"],
        )
        for n in notices
    ]
