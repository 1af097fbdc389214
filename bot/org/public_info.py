"""What the public 公示 page (policy §二.1, §一.2) shows of an organisation: the catalog items marked
public, each section's chain (the leaders' names, the section's phone) and each unit's 制度 — only
its public parts. Read-only, every query scoped by the organisation id; staff below the section
head are never named (首问责任人 is “本股室工作人员”)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.org.rules import UnitRulesView, rules_for_unit
from models.catalog import CATALOG_CATEGORIES, CatalogItem
from models.org import Department, Organisation, Person, Unit

FIRST_CONTACT = "本股室工作人员（您第一个找到的人）"


# Only a landline (区号-号码) is published as the section's phone: a head's mobile is personal, and
# the page then shows the complaints office's number instead.
OFFICE_PHONE = re.compile(r"0\d{2,3}-?\d{7,8}")


@dataclass(frozen=True)
class PublicSection:
    """A section as the public sees it: its chain's names and the number to call."""

    name: str
    unit_name: str
    head: str
    deputy: str
    principal: str
    phone: str


@dataclass(frozen=True)
class PublicCatalogGroup:
    """The public catalog items of one section."""

    section: str
    items: tuple[CatalogItem, ...]


@dataclass(frozen=True)
class PublicInfo:
    organisation: Organisation
    catalog: tuple[PublicCatalogGroup, ...]
    sections: tuple[PublicSection, ...]
    rules: tuple[UnitRulesView, ...]

    @property
    def item_count(self) -> int:
        return sum(len(g.items) for g in self.catalog)


def _category_order(item: CatalogItem) -> tuple[int, str]:
    rank = CATALOG_CATEGORIES.index(item.category) if item.category in CATALOG_CATEGORIES else 99
    return rank, item.code


async def organisation_by_code(code: str) -> Organisation | None:
    """The organisation whose public code is ``code`` (None for anything else)."""
    return await Organisation.get_or_none(code=code)


async def _sections(
    organisation_id: int, units: dict[int, Unit], depts: list[Department]
) -> list[PublicSection]:
    ids = {d.head_id for d in depts} | {d.deputy_id for d in depts} | {u.principal_id for u in units.values()}
    people = await Person.filter(organisation_id=organisation_id, id__in=[i for i in ids if i], active=True)
    by_id = {p.id: p for p in people}

    def name(person_id: int | None) -> str:
        person = by_id.get(person_id or 0)
        return person.name if person else "—"

    sections = []
    for d in depts:
        unit = units[d.unit_id]
        head = by_id.get(d.head_id or 0)
        sections.append(
            PublicSection(
                name=d.name,
                unit_name=unit.name,
                head=name(d.head_id),
                deputy=name(d.deputy_id),
                principal=name(unit.principal_id),
                phone=head.phone if head and OFFICE_PHONE.fullmatch(head.phone.strip()) else "",
            )
        )
    return sections


async def load_public_info(organisation: Organisation) -> PublicInfo:
    """Everything the public page shows of ``organisation``."""
    units = {u.id: u for u in await Unit.filter(organisation_id=organisation.id).order_by("id")}
    depts = await Department.filter(organisation_id=organisation.id).order_by("unit_id", "id")
    items = await CatalogItem.filter(organisation_id=organisation.id, public=True)
    by_dept: dict[int, list[CatalogItem]] = {}
    for item in sorted(items, key=_category_order):
        by_dept.setdefault(item.department_id, []).append(item)
    catalog = tuple(PublicCatalogGroup(d.name, tuple(by_dept[d.id])) for d in depts if d.id in by_dept)
    rules = []
    for unit_id in units:
        view = await rules_for_unit(unit_id)
        if view is not None:
            public = view.public()
            if not public.empty or public.holders:
                rules.append(public)
    return PublicInfo(
        organisation=organisation,
        catalog=catalog,
        sections=tuple(await _sections(organisation.id, units, depts)),
        rules=tuple(rules),
    )
