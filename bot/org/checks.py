"""Checks across the org file that a schema cannot state: references between rows, unique codes,
platform ids, phone numbers and stand-in ranges."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.org.schema import (
    CODE_RE,
    HANDLE_RE,
    HOTLINE_RE,
    LANDLINE_RE,
    MOBILE_RE,
    PLATFORMS,
    UNIT_KINDS,
    WECOM_CHAT_ID_RE,
    DepartmentSpec,
    OrgFile,
    Path,
    UnitSpec,
    format_path,
)
from models.catalog import CATALOG_CATEGORIES
from models.enums import GroupKind
from models.org import Role


@dataclass(frozen=True)
class OrgFileProblem:
    line: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"第 {self.line} 行 {self.path}" if self.path else f"第 {self.line} 行"
        return f"{where}: {self.message}"


class Checker:
    """Checks what the types cannot: references, uniqueness, formats, the four-level chain."""

    def __init__(self, org: OrgFile) -> None:
        self.org = org
        self.problems: list[OrgFileProblem] = []
        self.people = {p.handle: p for p in org.people}

    def add(self, path: Path, message: str) -> None:
        self.problems.append(OrgFileProblem(self.org.line_of(path), format_path(path), message))

    def run(self) -> list[OrgFileProblem]:
        self._organisation()
        self._people()
        self._units()
        self._groups()
        self._catalog()
        self._stand_ins()
        return self.problems

    def _code(self, path: Path, value: str, seen: dict[str, Path], what: str) -> None:
        if not CODE_RE.fullmatch(value):
            self.add(path, f"编码 {value!r} 只能用字母、数字和 _ . -")
        if value in seen:
            self.add(path, f"{what}编码 {value} 重复（第 {self.org.line_of(seen[value])} 行已用过）")
        else:
            seen[value] = path

    def _platform(self, path: Path, value: str | None) -> None:
        if value is not None and value not in PLATFORMS:
            self.add(path, f"平台 {value!r} 不存在，应为 wecom（企业微信）或 dingtalk（钉钉）")

    def _person_ref(self, path: Path, handle: str) -> bool:
        if handle not in self.people:
            self.add(path, f"没有 handle 为 {handle} 的人员")
            return False
        return True

    def _holder_ref(self, path: Path, handle: str) -> bool:
        """A person holding a level of the chain: listed, and not 停用 (active: false)."""
        if not self._person_ref(path, handle):
            return False
        if not self.people[handle].active:
            self.add(path, f"{handle} 已停用（active: false），不能担任负责人、分管领导或主要领导")
            return False
        return True

    def _organisation(self) -> None:
        o = self.org.organisation
        base: Path = ("organisation",)
        if not CODE_RE.fullmatch(o.code):
            self.add((*base, "code"), f"编码 {o.code!r} 只能用字母、数字和 _ . -")
        self._platform((*base, "default_platform"), o.default_platform)
        phone = o.complaint_phone
        if phone and not (_is_phone(phone) or HOTLINE_RE.fullmatch(phone)):
            self.add(
                (*base, "complaint_phone"),
                f"{phone!r} 不是有效的电话号码（手机 11 位，座机带区号，或 12345 这类热线）",
            )

    def _units(self) -> None:
        unit_codes: dict[str, Path] = {}
        dept_codes: dict[str, Path] = {}
        for u, unit in enumerate(self.org.units):
            base: Path = ("units", u)
            self._code((*base, "code"), unit.code, unit_codes, "单位")
            if unit.kind not in UNIT_KINDS:
                self.add(
                    (*base, "kind"), f"{unit.kind!r} 不对，应为 bureau（局机关）或 subordinate（局属单位）"
                )
            self._holder_ref((*base, "principal"), unit.principal)
            for d, dept in enumerate(unit.departments):
                self._department((*base, "departments", d), unit, dept, dept_codes)

    def _department(self, base: Path, unit: UnitSpec, dept: DepartmentSpec, seen: dict[str, Path]) -> None:
        self._code((*base, "code"), dept.code, seen, "股室")
        if not dept.head:
            self.add((*base, "head"), f"股室 {dept.name} 没有负责人（head），四级责任链条缺第 2 级")
        elif self._holder_ref((*base, "head"), dept.head) and dept.head == unit.principal:
            self.add((*base, "head"), f"{dept.head} 是本单位主要领导，不能同时担任股室负责人")
        if not dept.deputy:
            self.add((*base, "deputy"), f"股室 {dept.name} 没有分管领导（deputy），四级责任链条缺第 3 级")
        elif self._holder_ref((*base, "deputy"), dept.deputy):
            if dept.deputy == dept.head:
                self.add((*base, "deputy"), "分管领导和股室负责人不能是同一人")
            elif dept.deputy == unit.principal:
                self.add((*base, "deputy"), f"{dept.deputy} 是本单位主要领导，不能同时担任分管领导")

    def _people(self) -> None:
        handles: dict[str, Path] = {}
        units = {u.code: u for u in self.org.units}
        dept_unit = {d.code: u.code for u, d in self.org.departments()}
        wecom: dict[str, Path] = {}
        dingtalk: dict[str, Path] = {}
        for i, p in enumerate(self.org.people):
            base: Path = ("people", i)
            if not HANDLE_RE.fullmatch(p.handle):
                self.add((*base, "handle"), f"handle {p.handle!r} 只能用小写字母、数字和 _ . -")
            if p.handle in handles:
                self.add(
                    (*base, "handle"),
                    f"handle {p.handle} 重复（第 {self.org.line_of(handles[p.handle])} 行已用过）",
                )
            else:
                handles[p.handle] = base
            if p.unit not in units:
                self.add((*base, "unit"), f"没有编码为 {p.unit} 的单位")
            if p.department is not None:
                if p.department not in dept_unit:
                    self.add((*base, "department"), f"没有编码为 {p.department} 的股室")
                elif p.unit in units and dept_unit[p.department] != p.unit:
                    self.add(
                        (*base, "department"),
                        f"股室 {p.department} 属于单位 {dept_unit[p.department]}，不属于 {p.unit}",
                    )
            for r, role in enumerate(p.roles):
                if role not in {r.value for r in Role}:
                    allowed = ", ".join(r.value for r in Role)
                    self.add((*base, "roles", r), f"角色 {role!r} 不存在，可用：{allowed}")
            self._platform((*base, "platform"), p.platform)
            if p.phone and not _is_phone(p.phone):
                self.add(
                    (*base, "phone"),
                    f"{p.phone!r} 不是有效的电话号码（手机 11 位，座机带区号如 0377-68123456）",
                )
            for field, seen in (("wecom_userid", wecom), ("dingtalk_userid", dingtalk)):
                value = getattr(p, field)
                if not value:
                    continue
                if value in seen:
                    self.add(
                        (*base, field),
                        f"{value} 已用于第 {self.org.line_of(seen[value])} 行的人员，每人的账号必须不同",
                    )
                else:
                    seen[value] = (*base, field)

    def _groups(self) -> None:
        codes: dict[str, Path] = {}
        units = {u.code for u in self.org.units}
        office: Path | None = None
        unit_groups: dict[str, Path] = {}
        for g, group in enumerate(self.org.groups):
            base: Path = ("groups", g)
            self._code((*base, "code"), group.code, codes, "群")
            self._platform((*base, "platform"), group.platform)
            if group.wecom_chat_id and not WECOM_CHAT_ID_RE.fullmatch(group.wecom_chat_id):
                self.add((*base, "wecom_chat_id"), "企业微信群 chatid 只能是字母和数字，最多 32 个")
            if group.kind == GroupKind.OFFICE:
                if group.unit is not None:
                    self.add((*base, "unit"), "活动办公室群不属于某个单位，请删掉 unit")
                if office is not None:
                    self.add(
                        (*base, "kind"), f"只能有一个活动办公室群（第 {self.org.line_of(office)} 行已有）"
                    )
                office = base
            elif group.kind == GroupKind.UNIT:
                if group.unit is None:
                    self.add((*base, "unit"), "单位群要写明所属单位（unit）")
                elif group.unit not in units:
                    self.add((*base, "unit"), f"没有编码为 {group.unit} 的单位")
                elif group.unit in unit_groups:
                    self.add(
                        (*base, "unit"),
                        f"单位 {group.unit} 已有工作群（第 {self.org.line_of(unit_groups[group.unit])} 行），每个单位只能有一个",
                    )
                else:
                    unit_groups[group.unit] = base
            else:
                self.add(
                    (*base, "kind"), f"{group.kind!r} 不对，应为 office（活动办公室群）或 unit（单位群）"
                )

    def _catalog(self) -> None:
        codes: dict[str, Path] = {}
        depts = {d.code for _, d in self.org.departments()}
        for c, item in enumerate(self.org.catalog):
            base: Path = ("catalog", c)
            self._code((*base, "code"), item.code, codes, "事项")
            if item.department not in depts:
                self.add((*base, "department"), f"没有编码为 {item.department} 的股室")
            if item.category not in CATALOG_CATEGORIES:
                self.add(
                    (*base, "category"), f"类别 {item.category!r} 不对，应为：{'、'.join(CATALOG_CATEGORIES)}"
                )

    def _stand_ins(self) -> None:
        spans: dict[str, list[tuple[dt.date, dt.date, Path]]] = {}
        for s, item in enumerate(self.org.stand_ins):
            base: Path = ("stand_ins", s)
            ok = self._person_ref((*base, "person"), item.person)
            ok = self._person_ref((*base, "stand_in"), item.stand_in) and ok
            if ok and item.person == item.stand_in:
                self.add((*base, "stand_in"), "代理人不能是本人")
            if item.start > item.end:
                self.add((*base, "to"), f"结束日期 {item.end} 早于开始日期 {item.start}")
                continue
            for start, end, other in spans.get(item.person, []):
                if item.start <= end and start <= item.end:
                    self.add(
                        (*base, "from"), f"与第 {self.org.line_of(other)} 行 {item.person} 的代理时间重叠"
                    )
                    break
            spans.setdefault(item.person, []).append((item.start, item.end, base))


def _is_phone(value: str) -> bool:
    return bool(MOBILE_RE.fullmatch(value) or LANDLINE_RE.fullmatch(value))
