"""The org file's shape (``org.yaml``): pydantic specs of the organisation, units, sections, people,
groups, catalog and stand-ins, and the patterns their fields must match."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Annotated, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr
from pydantic import StringConstraints as S

from models.enums import GroupKind, Platform, UnitKind
from models.org import Role

# The org file names the real platforms only (the simulator reaches everyone in `tiji dev`).
PLATFORMS = tuple(p.value for p in Platform if p is not Platform.SIMULATOR)
UNIT_KINDS = tuple(k.value for k in UnitKind)
GROUP_KINDS = tuple(k.value for k in GroupKind)

HANDLE_RE = re.compile(r"[a-z0-9_.-]+")
CODE_RE = re.compile(r"[A-Za-z0-9_.-]+")
MOBILE_RE = re.compile(r"1[3-9]\d{9}")
LANDLINE_RE = re.compile(r"0\d{2,3}-?\d{7,8}(?:-\d{1,6})?")
WECOM_CHAT_ID_RE = re.compile(r"[0-9A-Za-z]{1,32}")  # appchat/create: at most 32 letters or digits
HOTLINE_RE = re.compile(r"12\d{3}")  # 12345 政务服务便民热线, 12328 交通运输服务监督电话

Path = tuple[str | int, ...]


def _none_to_empty(value: object) -> object:
    return "" if value is None else value


def _none_to_list(value: object) -> object:
    return [] if value is None else value


# ``title:`` with nothing after it means "no title", and ``stand_ins:`` means none; not errors.
Text = Annotated[str, BeforeValidator(_none_to_empty)]
T = TypeVar("T")
Items = Annotated[list[T], BeforeValidator(_none_to_list)]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class OrganisationSpec(_Spec):
    code: Annotated[str, S(min_length=1, max_length=64)]
    name: Annotated[str, S(min_length=1, max_length=200)]
    default_platform: Annotated[str, S(min_length=1)] = Platform.WECOM.value
    complaint_phone: Annotated[Text, S(max_length=64)] = ""
    complaint_address: Annotated[Text, S(max_length=200)] = ""


class DepartmentSpec(_Spec):
    code: Annotated[str, S(min_length=1, max_length=64)]
    name: Annotated[str, S(min_length=1, max_length=200)]
    # Optional here so that a missing head gets its own message (the chain needs level 2 and 3).
    head: str | None = None
    deputy: str | None = None


class UnitSpec(_Spec):
    code: Annotated[str, S(min_length=1, max_length=64)]
    name: Annotated[str, S(min_length=1, max_length=200)]
    kind: str = UnitKind.BUREAU.value
    principal: Annotated[str, S(min_length=1)]
    departments: Items[DepartmentSpec] = []


class PersonSpec(_Spec):
    handle: Annotated[str, S(min_length=1, max_length=64)]
    name: Annotated[str, S(min_length=1, max_length=64)]
    title: Annotated[Text, S(max_length=64)] = ""
    phone: Annotated[Text, S(max_length=32)] = ""
    unit: Annotated[str, S(min_length=1)]
    department: str | None = None
    roles: Items[str] = []
    # Left out of the file: keep what the database has (``tiji org sync`` fills these in).
    wecom_userid: Annotated[str, S(max_length=64)] | None = None
    dingtalk_userid: Annotated[str, S(max_length=64)] | None = None
    platform: str | None = None


class GroupSpec(_Spec):
    code: Annotated[str, S(min_length=1, max_length=64)]
    name: Annotated[str, S(min_length=1, max_length=200)]
    kind: str = GroupKind.UNIT.value
    unit: str | None = None
    platform: str | None = None
    wecom_chat_id: Annotated[str, S(max_length=64)] | None = None
    wecom_robot_key: Annotated[str, S(max_length=128)] | None = None
    dingtalk_conversation_id: Annotated[str, S(max_length=128)] | None = None
    dingtalk_webhook: Annotated[str, S(max_length=500)] | None = None
    dingtalk_webhook_secret: Annotated[str, S(max_length=200)] | None = None


class CatalogSpec(_Spec):
    code: Annotated[str, S(min_length=1, max_length=32)]
    department: Annotated[str, S(min_length=1)]
    name: Annotated[str, S(min_length=1, max_length=200)]
    category: Annotated[str, S(min_length=1)]
    description: Text = ""
    legal_basis: Text = ""
    time_limit: Annotated[str, S(max_length=64)] = ""
    materials: Text = ""
    steps: Text = ""
    public: bool = True


class StandInSpec(_Spec):
    person: Annotated[str, S(min_length=1)]
    stand_in: Annotated[str, S(min_length=1)]
    start: dt.date = Field(alias="from")
    end: dt.date = Field(alias="to")
    reason: Annotated[Text, S(max_length=200)] = ""


class OrgFile(_Spec):
    """A validated org file. ``line_of(path)`` gives the line a field was written on."""

    organisation: OrganisationSpec
    units: Annotated[Items[UnitSpec], Field(min_length=1)]
    people: Annotated[Items[PersonSpec], Field(min_length=1)]
    groups: Items[GroupSpec] = []
    catalog: Items[CatalogSpec] = []
    stand_ins: Items[StandInSpec] = []

    _lines: dict[Path, int] = PrivateAttr(default_factory=dict)

    def line_of(self, path: Path) -> int:
        return line_of_path(self._lines, path)

    def departments(self) -> Iterator[tuple[UnitSpec, DepartmentSpec]]:
        for unit in self.units:
            for dept in unit.departments:
                yield unit, dept

    def derived_roles(self) -> dict[str, set[Role]]:
        """handle → the roles the structure gives (principal of a unit, deputy or head of a section)."""
        derived: dict[str, set[Role]] = {}
        for unit in self.units:
            derived.setdefault(unit.principal, set()).add(Role.PRINCIPAL)
        for _, dept in self.departments():
            if dept.head:
                derived.setdefault(dept.head, set()).add(Role.SECTION_HEAD)
            if dept.deputy:
                derived.setdefault(dept.deputy, set()).add(Role.DEPUTY)
        return derived

    def roles_of(self, person: PersonSpec, derived: dict[str, set[Role]] | None = None) -> list[str]:
        """The roles stored for a person: those the file states plus those the structure gives
        (``derived``, from :meth:`derived_roles`). Nobody is left without one: else ``staff``.
        """
        derived = self.derived_roles() if derived is None else derived
        wanted = {Role(r) for r in person.roles} | derived.get(person.handle, set())
        return [role.value for role in Role if role in wanted] or [Role.STAFF.value]


def line_of_path(lines: dict[Path, int], path: Path) -> int:
    # A missing field has no line of its own: use the nearest enclosing item's line.
    for end in range(len(path), -1, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return 1


def format_path(path: Path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out
