"""Each unit's own 说“不”提级管理制度 (policy §一.4): read for the matter page and the public page,
edited in the console. The named holders of each level come from the chain, never retyped.

``rules_for_unit(unit_id)`` is what the matter page includes; ``UnitRulesView.public()`` is the
same view with only the parts marked public (for the public page)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace

from bot.org.changes import Change, OrgEditError, clean_text
from bot.org.directory import LEVEL_NAMES
from models.org import Department, Person, Unit
from models.unit_rules import UnitRules

LONG_TEXT = 6000
#: The editable parts: field → (Chinese title, hint).
PARTS: Mapping[str, tuple[str, str]] = {
    "scope": ("适用范围", "本制度适用于哪些单位、股室和事项"),
    "never_refuse": ("不得直接说“不”的情形", "每行一种情形，如：申请材料齐全、符合法定形式的"),
    "procedure": ("提级程序和条件", "逐级提级的程序、时限和条件"),
    "accountability": ("责任追究", "违反本制度的责任追究办法"),
}
PUBLIC_FLAGS = (
    "scope_public",
    "holders_public",
    "never_refuse_public",
    "procedure_public",
    "accountability_public",
)


@dataclass(frozen=True)
class LevelHolders:
    level: str
    names: tuple[str, ...]


@dataclass(frozen=True)
class UnitRulesView:
    unit_id: int
    unit_name: str
    scope: str
    holders: tuple[LevelHolders, ...]
    never_refuse: tuple[str, ...]
    procedure: str
    accountability: str
    public_flags: Mapping[str, bool]
    updated_at: dt.datetime | None = None

    @property
    def empty(self) -> bool:
        return not (self.scope or self.never_refuse or self.procedure or self.accountability)

    def public(self) -> UnitRulesView:
        """Only the parts marked public (the others empty)."""
        flag = self.public_flags.get
        return replace(
            self,
            scope=self.scope if flag("scope_public") else "",
            holders=self.holders if flag("holders_public") else (),
            never_refuse=self.never_refuse if flag("never_refuse_public") else (),
            procedure=self.procedure if flag("procedure_public") else "",
            accountability=self.accountability if flag("accountability_public") else "",
        )


async def unit_holders(unit: Unit) -> tuple[LevelHolders, ...]:
    """The holders of each level in the unit, from its chain: 首问责任人 are the sections' staff."""
    depts = await Department.filter(unit_id=unit.id).order_by("id")
    ids = {unit.principal_id} | {d.head_id for d in depts} | {d.deputy_id for d in depts}
    names = {p.id: p.name for p in await Person.filter(id__in=[i for i in ids if i is not None])}
    heads = tuple(f"{names[d.head_id]}（{d.name}）" for d in depts if d.head_id in names)
    by_deputy: dict[int, list[str]] = {}
    for d in depts:
        if d.deputy_id in names:
            by_deputy.setdefault(d.deputy_id, []).append(d.name)
    deputies = tuple(f"{names[pid]}（分管{'、'.join(ds)}）" for pid, ds in by_deputy.items())
    principal = (names[unit.principal_id],) if unit.principal_id in names else ()
    first = tuple(f"{d.name}工作人员" for d in depts)
    return tuple(
        LevelHolders(level, held)
        for level, held in zip(LEVEL_NAMES, (first, heads, deputies, principal), strict=True)
    )


def _view(unit: Unit, rules: UnitRules | None, holders: tuple[LevelHolders, ...]) -> UnitRulesView:
    row = rules or UnitRules(unit_id=unit.id)
    return UnitRulesView(
        unit_id=unit.id,
        unit_name=unit.name,
        scope=row.scope,
        holders=holders,
        never_refuse=tuple(line.strip() for line in row.never_refuse.splitlines() if line.strip()),
        procedure=row.procedure,
        accountability=row.accountability,
        public_flags={flag: bool(getattr(row, flag)) for flag in PUBLIC_FLAGS},
        updated_at=row.updated_at,
    )


async def rules_for_unit(unit_id: int) -> UnitRulesView | None:
    """The unit's 制度 as the matter page shows it; None when the unit has not written one yet."""
    unit = await Unit.get_or_none(id=unit_id)
    rules = await UnitRules.get_or_none(unit_id=unit_id)
    if unit is None or rules is None:
        return None
    return _view(unit, rules, await unit_holders(unit))


async def rules_page(organisation_id: int, unit_id: int) -> UnitRulesView | None:
    """The 制度 of a unit of the organisation for the console (empty parts when none is written)."""
    unit = await Unit.get_or_none(id=unit_id, organisation_id=organisation_id)
    if unit is None:
        return None
    return _view(unit, await UnitRules.get_or_none(unit_id=unit.id), await unit_holders(unit))


def _values(rules: UnitRules) -> dict[str, object]:
    return {name: getattr(rules, name) for name in (*PARTS, *PUBLIC_FLAGS)}


async def edit_rules(
    organisation_id: int, unit_id: int, form: Mapping[str, object], *, now: dt.datetime
) -> Change:
    """Save the unit's 制度 from the console's form; refuses text that is too long."""
    unit = await Unit.get_or_none(id=unit_id, organisation_id=organisation_id)
    if unit is None:
        raise OrgEditError("没有这个单位，请刷新页面")
    rules = await UnitRules.get_or_none(unit_id=unit.id)
    before = _values(rules) if rules is not None else {}
    row = rules or UnitRules(organisation_id=organisation_id, unit_id=unit.id)
    for name, (title, _) in PARTS.items():
        text = clean_text(form.get(name), title, max_length=LONG_TEXT)
        if name == "never_refuse":
            text = "\n".join(line.strip() for line in text.splitlines() if line.strip())
        setattr(row, name, text)
    for flag in PUBLIC_FLAGS:
        setattr(row, flag, form.get(flag) in ("on", "1", "true"))
    row.updated_at = now
    await row.save()
    return Change("rules.edit", f"unit_rules:{unit.id}", before, _values(row))
