"""``tiji org sync wecom``: fill people's WeCom user ids from the WeCom address book.

Departments come from ``department/list`` and their members from ``user/simplelist`` (which is not
recursive, so every department is read). A person without a user id gets the one WeCom member of
the same name; when there are several, or none, the person's phone decides (``user/getuserid``).
Ids already set are kept (and reported when WeCom does not know them); nobody is ever deleted.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field

from tortoise.transactions import in_transaction

from bot.messengers.wecom.client import WeComApiError, WeComClient
from bot.runtime.resources import Resources
from models.org import Organisation, Person

log = logging.getLogger(__name__)


@dataclass
class SyncReport:
    """What a sync did and every person it could not match."""

    organisation: str
    wecom_members: int = 0
    departments: int = 0
    filled: list[tuple[str, str]] = field(default_factory=list)  # (person, userid)
    already: int = 0
    unmatched: list[tuple[str, str]] = field(default_factory=list)  # (person, why)
    unknown_ids: list[tuple[str, str]] = field(default_factory=list)  # (person, userid kept)

    def summary(self) -> str:
        lines = [
            f"企业微信通讯录同步（{self.organisation}）：读取 {self.departments} 个部门、{self.wecom_members} 名成员。",
            f"新填写 {len(self.filled)} 人，已有账号 {self.already} 人，未匹配 {len(self.unmatched)} 人。",
        ]
        for name, userid in self.filled:
            lines.append(f"  已填写：{name} → {userid}")
        for name, why in self.unmatched:
            lines.append(f"  未匹配：{name}（{why}）")
        for name, userid in self.unknown_ids:
            lines.append(
                f"  请核对：{name} 的 wecom_userid {userid} 不在企业微信通讯录（应用可见范围）中，未改动"
            )
        if self.unmatched:
            lines.append(
                "未匹配的人请在 org 文件中手工填写 wecom_userid，或在企业微信中核对姓名和手机号后重新同步。"
            )
        return "\n".join(lines)


def contacts_client(resources: Resources) -> WeComClient:
    """The client for address-book reads: the 通讯录同步 secret when configured, else the app's."""
    s = resources.settings
    if not s.wecom_corp_id or not (s.wecom_contacts_secret or s.wecom_secret):
        raise ValueError("请先设置 TIJI_WECOM_CORP_ID 和 TIJI_WECOM_SECRET（或 TIJI_WECOM_CONTACTS_SECRET）")
    if s.wecom_contacts_secret:
        secret, setting = s.wecom_contacts_secret, "TIJI_WECOM_CONTACTS_SECRET"
    else:
        secret, setting = str(s.wecom_secret), "TIJI_WECOM_SECRET"
    return WeComClient(
        http=resources.http,
        redis=resources.redis,
        base_url=s.wecom_api_base,
        corp_id=s.wecom_corp_id,
        secret=secret,
        secret_setting=setting,
    )


async def read_members(client: WeComClient) -> tuple[int, dict[str, str]]:
    """(number of departments, userid → name) of everyone the secret can see."""
    data = await client.get("/cgi-bin/department/list")
    departments = data.get("department") or []
    members: dict[str, str] = {}
    for dept in departments:
        users = await client.get("/cgi-bin/user/simplelist", {"department_id": str(dept["id"])})
        for user in users.get("userlist") or []:
            members[str(user["userid"])] = str(user.get("name", "")).strip()
    return len(departments), members


async def _userid_by_phone(client: WeComClient, phone: str) -> str | None:
    try:
        data = await client.post("/cgi-bin/user/getuserid", {"mobile": phone})
    except WeComApiError as exc:
        if exc.transient:
            raise
        return None  # 46004 (no such member) and refusals alike: no match by phone
    return str(data.get("userid") or "") or None


async def sync_contacts(resources: Resources, organisation_code: str) -> SyncReport:  # noqa: PLR0912 - one branch per way a person is matched
    """Fill ``Person.wecom_userid`` of ``organisation_code``'s people; never deletes anyone."""
    organisation = await Organisation.get_or_none(code=organisation_code)
    if organisation is None:
        raise LookupError(f"没有编码为 {organisation_code} 的单位，请先导入 org 文件")
    client = contacts_client(resources)
    report = SyncReport(organisation=organisation.name)
    report.departments, members = await read_members(client)
    report.wecom_members = len(members)
    by_name: dict[str, list[str]] = defaultdict(list)
    for userid, name in members.items():
        by_name[name].append(userid)

    people = await Person.filter(organisation_id=organisation.id, active=True).order_by("id")
    taken = {p.wecom_userid for p in people if p.wecom_userid}
    assignments: list[tuple[Person, str]] = []
    for person in people:
        if person.wecom_userid:
            if person.wecom_userid in members:
                report.already += 1
            else:
                report.unknown_ids.append((person.name, person.wecom_userid))
            continue
        candidates = [u for u in by_name.get(person.name.strip(), []) if u not in taken]
        chosen: str | None = candidates[0] if len(candidates) == 1 else None
        if chosen is None and person.phone:
            by_phone = await _userid_by_phone(client, person.phone)
            if by_phone and by_phone not in taken and (by_phone in candidates or not candidates):
                chosen = by_phone
        if chosen is None:
            if len(candidates) > 1:
                why = f"企业微信中有 {len(candidates)} 名同名成员，手机号也无法区分"
            else:
                why = "企业微信通讯录（应用可见范围）中没有同名成员，手机号也未找到"
            report.unmatched.append((person.name, why))
            continue
        taken.add(chosen)
        assignments.append((person, chosen))

    async with in_transaction():
        for person, userid in assignments:
            # Only if still empty: an id typed in meanwhile wins over the sync.
            changed = await Person.filter(id=person.id, wecom_userid=None).update(wecom_userid=userid)
            if changed:
                report.filled.append((person.name, userid))
    log.info("wecom contacts sync: %s filled, %s unmatched", len(report.filled), len(report.unmatched))
    return report
