"""The org file (``org.yaml``): its shape, and validation that names the line of every problem.

``parse_org`` is pure: YAML text in, a validated :class:`OrgFile` out, or :class:`OrgFileError`
listing every problem as ``第 N 行 path: 说明``. Line numbers come from the YAML composer's node
marks, mapped to each field's path (``units[0].departments[1].head``).

Scalars are taken as written (``phone: 13800000001`` is the text ``"13800000001"``, a DingTalk id
``0123`` stays ``"0123"``): YAML's implicit int/bool/octal typing would silently change ids and
phone numbers, so every field is text unless the schema says otherwise (dates).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, ValidationError
from pydantic import StringConstraints as S

from models.catalog import CATALOG_CATEGORIES
from models.org import Role

PLATFORMS = ("wecom", "dingtalk")
UNIT_KINDS = ("bureau", "subordinate")
GROUP_KINDS = ("office", "unit")

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
    default_platform: Annotated[str, S(min_length=1)] = "wecom"
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
    kind: str = "bureau"
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
    kind: str = "unit"
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
        return _line_of(self._lines, path)

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


@dataclass(frozen=True)
class OrgFileProblem:
    line: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"第 {self.line} 行 {self.path}" if self.path else f"第 {self.line} 行"
        return f"{where}: {self.message}"


class OrgFileError(ValueError):
    """The org file has problems. The message is one line per problem (``第 N 行 path: 说明``);
    ``problems`` has them as data, ``source`` names the file."""

    def __init__(self, problems: list[OrgFileProblem], *, source: str = "org.yaml") -> None:
        self.problems = sorted(problems, key=lambda p: (p.line, p.path))
        self.source = source
        super().__init__("\n".join(str(p) for p in self.problems))


def format_path(path: Path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _line_of(lines: dict[Path, int], path: Path) -> int:
    # A missing field has no line of its own: use the nearest enclosing item's line.
    for end in range(len(path), -1, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return 1


# --- YAML nodes → plain data, with the line of every field -----------------------------------


class _Loader:
    def __init__(self) -> None:
        self.lines: dict[Path, int] = {}
        self.problems: list[OrgFileProblem] = []
        self._open: set[int] = set()

    def load(self, node: yaml.Node, path: Path) -> Any:
        if id(node) in self._open:  # an alias pointing at its own ancestor
            self.problems.append(
                OrgFileProblem(node.start_mark.line + 1, format_path(path), "不支持循环引用（锚点 &/别名 *）")
            )
            return None
        self._open.add(id(node))
        try:
            return self._load(node, path)
        finally:
            self._open.discard(id(node))

    def _load(self, node: yaml.Node, path: Path) -> Any:
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            first_line: dict[str, int] = {}
            for key_node, value_node in node.value:
                line = key_node.start_mark.line + 1
                if not isinstance(key_node, yaml.ScalarNode):
                    self.problems.append(OrgFileProblem(line, format_path(path), "字段名必须是简单文本"))
                    continue
                key = str(key_node.value)
                if key in first_line:
                    self.problems.append(
                        OrgFileProblem(
                            line,
                            format_path((*path, key)),
                            f"字段重复（第 {first_line[key]} 行已写过），请只保留一个",
                        )
                    )
                    continue
                first_line[key] = line
                self.lines[(*path, key)] = line
                out[key] = self.load(value_node, (*path, key))
            return out
        if isinstance(node, yaml.SequenceNode):
            items = []
            for index, item in enumerate(node.value):
                self.lines[(*path, index)] = item.start_mark.line + 1
                items.append(self.load(item, (*path, index)))
            return items
        if node.tag == "tag:yaml.org,2002:null":
            return None
        return str(node.value)


# --- pydantic errors → Chinese ----------------------------------------------------------------


def _model_at(loc: Path) -> type[BaseModel] | None:
    """The spec class whose field ``loc[-1]`` is (for listing the allowed fields)."""
    model: type[BaseModel] = OrgFile
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = next((f for n, f in model.model_fields.items() if (f.alias or n) == part), None)
        if field is None:
            return None
        inner = _spec_class(field.annotation)
        if inner is None:
            return None
        model = inner
    return model


def _spec_class(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (list, typing.Union, types.UnionType, Annotated):
        for arg in typing.get_args(annotation):
            found = _spec_class(arg)
            if found is not None:
                return found
    return None


def _pydantic_message(error: Any, loc: Path) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return "缺少必填字段"
    if kind == "extra_forbidden":
        model = _model_at(loc)
        if model is None:
            return "未知字段（拼写错误？）"
        names = [f.alias or n for n, f in model.model_fields.items()]
        close = difflib.get_close_matches(str(loc[-1]), names, n=1)
        guess = f"是不是 {close[0]}？" if close else ""
        return f"未知字段（拼写错误？）{guess}可用的字段：{', '.join(names)}"
    if kind == "string_type":
        return "不能为空" if error.get("input") is None else "应为文本，不能是列表或映射"
    if kind == "string_too_short":
        return "不能为空"
    if kind == "string_too_long":
        return f"太长，最多 {ctx.get('max_length')} 个字符"
    if kind == "list_type":
        return "应为列表：写成 [a, b]，或每项一行、以 - 开头"
    if kind == "too_short":
        return "至少要有一项"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return "应为映射（字段: 值）"
    if kind.startswith("date"):
        return "日期格式应为 YYYY-MM-DD，例如 2026-12-01"
    return str(error.get("msg", kind))


# --- meaning: references, codes, phones, the chain --------------------------------------------


class _Checker:
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
            self._person_ref((*base, "principal"), unit.principal)
            for d, dept in enumerate(unit.departments):
                self._department((*base, "departments", d), unit, dept, dept_codes)

    def _department(self, base: Path, unit: UnitSpec, dept: DepartmentSpec, seen: dict[str, Path]) -> None:
        self._code((*base, "code"), dept.code, seen, "股室")
        if not dept.head:
            self.add((*base, "head"), f"股室 {dept.name} 没有负责人（head），四级责任链条缺第 2 级")
        elif self._person_ref((*base, "head"), dept.head) and dept.head == unit.principal:
            self.add((*base, "head"), f"{dept.head} 是本单位主要领导，不能同时担任股室负责人")
        if not dept.deputy:
            self.add((*base, "deputy"), f"股室 {dept.name} 没有分管领导（deputy），四级责任链条缺第 3 级")
        elif self._person_ref((*base, "deputy"), dept.deputy):
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
            if group.kind == "office":
                if group.unit is not None:
                    self.add((*base, "unit"), "活动办公室群不属于某个单位，请删掉 unit")
                if office is not None:
                    self.add(
                        (*base, "kind"), f"只能有一个活动办公室群（第 {self.org.line_of(office)} 行已有）"
                    )
                office = base
            elif group.kind == "unit":
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


def parse_org(text: str, *, source: str = "org.yaml") -> OrgFile:
    """Validate an org file. Raises :class:`OrgFileError` naming the line and field of each problem.

    Shape problems (unknown or missing fields, wrong types) are reported together; references,
    codes, phones and the chain are checked once the shape is right, and reported together too.
    """
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        detail = " ".join(str(x) for x in (exc.context, exc.problem) if x)
        raise OrgFileError(
            [OrgFileProblem(line, "", f"YAML 格式错误（{detail}），请检查缩进、冒号和引号")], source=source
        ) from None
    except yaml.YAMLError as exc:
        raise OrgFileError([OrgFileProblem(1, "", f"YAML 格式错误：{exc}")], source=source) from None
    if root is None:
        raise OrgFileError([OrgFileProblem(1, "", "文件是空的")], source=source)
    if not isinstance(root, yaml.MappingNode):
        raise OrgFileError(
            [OrgFileProblem(root.start_mark.line + 1, "", "文件顶层应为映射：organisation、units、people …")],
            source=source,
        )
    loader = _Loader()
    data = loader.load(root, ())
    problems = list(loader.problems)
    org: OrgFile | None = None
    try:
        org = OrgFile.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            loc = tuple(error["loc"])
            problems.append(
                OrgFileProblem(_line_of(loader.lines, loc), format_path(loc), _pydantic_message(error, loc))
            )
    if org is not None:
        org._lines = loader.lines
        problems.extend(_Checker(org).run())
    if problems:
        raise OrgFileError(problems, source=source)
    assert org is not None
    return org
