"""A person added in the console (新增人员): the same rules as a person of the org file — an
account (handle) unique in the organisation, a unit and (for staff) a section of it, a valid phone,
roles the console may give (the chain's roles come from assignments, not from here) — so the next
`tiji org export` writes them and an import of that file changes nothing."""

from __future__ import annotations

from collections.abc import Iterable

from bot.org.changes import Change, OrgEditError, clean_phone, clean_text
from bot.org.people import canonical_roles, parse_roles
from bot.org.schema import HANDLE_RE
from models.org import Department, Person, Unit

MAX_ID_DIGITS = 9  # a row id; a longer number is nobody's


def _place(raw: object) -> tuple[str, int] | None:
    """``d:<id>`` (a section) or ``u:<id>`` (a unit, for its leaders) from the form's list."""
    text = raw.strip() if isinstance(raw, str) else ""
    kind, _, number = text.partition(":")
    if kind not in ("d", "u") or not number.isdigit() or len(number) > MAX_ID_DIGITS:
        return None
    return kind, int(number)


async def unit_and_section(organisation_id: int, raw: object) -> tuple[Unit, Department | None]:
    """The unit and section (None: the unit's leaders) a form's ``place`` names; refuses another
    organisation's or a missing one."""
    place = _place(raw)
    if place is None:
        raise OrgEditError("请选择所在单位或股室")
    kind, number = place
    if kind == "d":
        dept = await Department.get_or_none(id=number, organisation_id=organisation_id)
        if dept is None:
            raise OrgEditError("所选股室不存在，请重新选择")
        return await Unit.get(id=dept.unit_id), dept
    unit = await Unit.get_or_none(id=number, organisation_id=organisation_id)
    if unit is None:
        raise OrgEditError("所选单位不存在，请重新选择")
    return unit, None


async def places(organisation_id: int) -> list[tuple[str, str]]:
    """The forms' list of where a person works (``place``): each unit (its leaders), then its sections."""
    found = []
    for unit in await Unit.filter(organisation_id=organisation_id).order_by("id"):
        found.append((f"u:{unit.id}", f"{unit.name}（单位领导，不在股室）"))
        for dept in await Department.filter(unit_id=unit.id).order_by("id"):
            found.append((f"d:{dept.id}", f"{unit.name} · {dept.name}"))
    return found


def place_of(person: Person) -> str:
    """The ``place`` value of where ``person`` works now."""
    return f"d:{person.department_id}" if person.department_id else f"u:{person.unit_id}"


def _platform_id(value: object, label: str) -> str | None:
    text = clean_text(value, label, max_length=64)
    return text or None


async def add_person(
    organisation_id: int, *, handle: object, name: object, title: object, phone: object, place: object,
    roles: Iterable[str], wecom_userid: object = "", dingtalk_userid: object = "",
) -> Change:  # fmt: skip
    """Create the person; refuses bad input (nothing stored) with what to fix."""
    account = clean_text(handle, "账号", max_length=64, required=True).lower()
    if not HANDLE_RE.fullmatch(account):
        raise OrgEditError("账号只能用小写字母、数字和 . _ -，例如 zhangsan")
    if await Person.filter(organisation_id=organisation_id, handle=account).exists():
        raise OrgEditError(f"账号 {account} 已有人使用，请换一个")
    new_name = clean_text(name, "姓名", max_length=64, required=True)
    new_title = clean_text(title, "职务", max_length=64)
    new_phone = clean_phone(phone)
    unit, dept = await unit_and_section(organisation_id, place)
    chosen = parse_roles(roles)
    person = await Person.create(
        organisation_id=organisation_id, unit=unit, department=dept, handle=account, name=new_name,
        title=new_title, phone=new_phone, roles=canonical_roles(chosen, ()),
        wecom_userid=_platform_id(wecom_userid, "企业微信账号"),
        dingtalk_userid=_platform_id(dingtalk_userid, "钉钉账号"),
    )  # fmt: skip
    after = {"handle": account, "name": new_name, "title": new_title, "phone": new_phone,
             "unit": unit.name, "section": dept.name if dept else "", "roles": list(person.roles)}  # fmt: skip
    return Change("org.person_add", f"person:{person.id}", {}, after)
