"""``tiji org sync dingtalk``: fill Person.dingtalk_userid from DingTalk's contacts.

Departments are walked from the root (``department/listsub`` returns direct children only), users
listed per department (``user/list``, paged). A person is matched by mobile number first, then by a
name that is unique on both sides. Nothing is ever deleted or overwritten: people already linked
keep their id, and every person left unmatched is reported by name.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from tortoise.transactions import in_transaction

from bot.messengers.dingtalk.client import DingTalkClient
from bot.runtime.resources import Resources
from models.org import Organisation, Person

log = logging.getLogger(__name__)

ROOT_DEPARTMENT = 1
PAGE_SIZE = 100
DEPARTMENT_SCOPE = "qyapi_get_department_list（通讯录部门信息读权限）"
MEMBER_SCOPE = "qyapi_get_member（通讯录成员信息读权限）"


@dataclass(frozen=True, slots=True)
class DingTalkUser:
    userid: str
    name: str
    mobile: str


@dataclass
class SyncReport:
    """What a contacts sync did; ``summary()`` is shown to the admin."""

    organisation: str
    platform_users: int = 0
    linked: list[str] = field(default_factory=list)
    already_linked: int = 0
    unmatched: list[str] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = [
            f"钉钉通讯录同步（{self.organisation}）：钉钉中共 {self.platform_users} 人，"
            f"新关联 {len(self.linked)} 人，已关联 {self.already_linked} 人。"
        ]
        if self.linked:
            lines.append("新关联：" + "、".join(self.linked))
        if self.ambiguous:
            lines.append(
                "同名无法区分（请在组织文件中填写 dingtalk_userid 或手机号）：" + "、".join(self.ambiguous)
            )
        if self.unmatched:
            lines.append("钉钉中找不到（请核对姓名、手机号）：" + "、".join(self.unmatched))
        if self.stale:
            lines.append("已填写的 dingtalk_userid 在钉钉中不存在（请核对）：" + "、".join(self.stale))
        return "\n".join(lines)


MOBILE_DIGITS = 11  # a mainland mobile number; DingTalk may add +86 or separators


def _digits(phone: str) -> str:
    digits = re.sub(r"\D", "", phone or "")
    return digits[-MOBILE_DIGITS:] if len(digits) >= MOBILE_DIGITS else digits


async def fetch_users(client: DingTalkClient) -> list[DingTalkUser]:
    """Every user of every department (each user once)."""
    departments = [ROOT_DEPARTMENT]
    queue = [ROOT_DEPARTMENT]
    while queue:
        dept_id = queue.pop()
        data = await client.oapi(
            "/topapi/v2/department/listsub", {"dept_id": dept_id}, scope=DEPARTMENT_SCOPE
        )
        for child in data.get("result") or []:
            child_id = child.get("dept_id") if isinstance(child, dict) else None
            if isinstance(child_id, int) and child_id not in departments:
                departments.append(child_id)
                queue.append(child_id)
    users: dict[str, DingTalkUser] = {}
    for dept_id in departments:
        cursor: Any = 0
        while True:
            data = await client.oapi(
                "/topapi/v2/user/list",
                {"dept_id": dept_id, "cursor": cursor, "size": PAGE_SIZE, "language": "zh_CN"},
                scope=MEMBER_SCOPE,
            )
            result = data.get("result") or {}
            for item in result.get("list") or []:
                userid = item.get("userid") if isinstance(item, dict) else None
                if isinstance(userid, str) and userid:
                    users[userid] = DingTalkUser(
                        userid, str(item.get("name") or ""), str(item.get("mobile") or "")
                    )
            if not result.get("has_more"):
                break
            cursor = result.get("next_cursor")
    return list(users.values())


def match_people(people: list[Person], users: list[DingTalkUser], report: SyncReport) -> dict[int, str]:
    """person id → DingTalk userid for people not yet linked (phone first, then unique names)."""
    known = {user.userid for user in users}
    taken = {p.dingtalk_userid for p in people if p.dingtalk_userid}
    by_phone: dict[str, list[DingTalkUser]] = {}
    for user in users:
        if _digits(user.mobile):
            by_phone.setdefault(_digits(user.mobile), []).append(user)
    user_names = Counter(user.name for user in users)
    people_names = Counter(p.name for p in people if not p.dingtalk_userid)
    by_name = {user.name: user for user in users}
    matches: dict[int, str] = {}
    for person in people:
        if person.dingtalk_userid:
            if person.dingtalk_userid in known:
                report.already_linked += 1
            else:
                report.stale.append(person.name)
            continue
        candidates = by_phone.get(_digits(person.phone), []) if _digits(person.phone) else []
        chosen: DingTalkUser | None = None
        if len(candidates) == 1:
            chosen = candidates[0]
        elif user_names[person.name] == 1 and people_names[person.name] == 1:
            chosen = by_name[person.name]
        elif user_names[person.name] > 1 or people_names[person.name] > 1:
            report.ambiguous.append(person.name)
            continue
        if chosen is None or chosen.userid in taken:
            report.unmatched.append(person.name)
            continue
        taken.add(chosen.userid)
        matches[person.id] = chosen.userid
        report.linked.append(person.name)
    return matches


async def sync_contacts(resources: Resources, organisation_code: str) -> SyncReport:
    """Link the organisation's people to their DingTalk accounts (never deletes anything)."""
    organisation = await Organisation.get_or_none(code=organisation_code)
    if organisation is None:
        raise LookupError(f"没有代码为 {organisation_code} 的组织：请先导入组织文件")
    users = await fetch_users(DingTalkClient(resources))
    report = SyncReport(organisation=organisation.name, platform_users=len(users))
    people = await Person.filter(organisation=organisation, active=True).order_by("id")
    matches = match_people(people, users, report)
    async with in_transaction():
        for person_id, userid in matches.items():
            # Only fill an empty id: a concurrent edit of the org file wins.
            await Person.filter(id=person_id, dingtalk_userid=None).update(dingtalk_userid=userid)
    log.info("dingtalk contacts sync for %s: %d linked", organisation_code, len(matches))
    return report
