"""`tiji org import`: the org file → the database, idempotently.

Import upserts every row by (organisation, code) or (organisation, handle) in one transaction:
importing the same file twice changes no row. What the file no longer lists:

- people are marked inactive (never deleted: matters refer to them);
- catalog items and stand-ins are deleted (a matter keeps its text, its catalog link becomes empty);
- units, sections and groups are deleted only when nothing refers to them; a section that has
  matters, or a group that has messages, must stay in the file (the import says so and stores nothing).

Export writes a file that imports back to the same state.
"""

from __future__ import annotations

from typing import Any, TypeVar

from tortoise.models import Model
from tortoise.transactions import in_transaction

from bot.org.checks import OrgFileProblem
from bot.org.report import KINDS, ImportReport
from bot.org.schema import OrgFile, Path, format_path
from bot.org.validation import OrgFileError, parse_org
from models.catalog import CatalogItem
from models.matter import Matter
from models.messaging import OutboxMessage
from models.org import Department, GroupChannel, Organisation, Person, StandIn, Unit
from models.reports import ReportTask

M = TypeVar("M", bound=Model)


def _apply(obj: Model, values: dict[str, Any]) -> bool:
    """Set the fields that differ; True if any did (so an unchanged row is never written)."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


class _Importer:
    def __init__(self, spec: OrgFile, source: str) -> None:
        self.spec = spec
        self.source = source
        # Keys of the rows created / changed, per kind: a row counts once however many fields changed.
        self.created: dict[str, set[object]] = {kind: set() for kind in KINDS}
        self.updated: dict[str, set[object]] = {kind: set() for kind in KINDS}
        self.removed: dict[str, int] = {}
        self.deactivated: list[str] = []

    def _report(self) -> ImportReport:
        o = self.spec.organisation
        return ImportReport(
            organisation_code=o.code,
            organisation_name=o.name,
            created={k: len(v) for k, v in self.created.items() if v},
            updated={k: len(v - self.created[k]) for k, v in self.updated.items() if v - self.created[k]},
            deactivated=self.deactivated,
            removed=self.removed,
        )

    async def _upsert(
        self,
        kind: str,
        key: object,
        existing: M | None,
        model: type[M],
        values: dict[str, Any],
        new: dict[str, Any],
    ) -> M:
        """Create with ``new`` + ``values``, or write ``values`` where they differ."""
        if existing is None:
            self.created[kind].add(key)
            return await model.create(**new, **values)
        await self._update(kind, key, existing, values)
        return existing

    async def _update(self, kind: str, key: object, row: Model, values: dict[str, Any]) -> None:
        if _apply(row, values):
            await row.save()
            self.updated[kind].add(key)

    def _remove(self, kind: str) -> None:
        self.removed[kind] = self.removed.get(kind, 0) + 1

    async def run(self) -> ImportReport:
        o = self.spec.organisation
        org_values = {
            "name": o.name,
            "default_platform": o.default_platform,
            "complaint_phone": o.complaint_phone,
            "complaint_address": o.complaint_address,
        }
        found = await Organisation.get_or_none(code=o.code)
        org = await self._upsert("organisation", o.code, found, Organisation, org_values, {"code": o.code})
        old_units = {u.code: u for u in await Unit.filter(organisation=org)}
        old_depts = {d.code: d for d in await Department.filter(organisation=org)}
        old_groups = {g.code: g for g in await GroupChannel.filter(organisation=org)}
        await self._check_removals(org, old_units, old_depts, old_groups)

        units = await self._units(org, old_units)
        depts = await self._departments(org, old_depts, units)
        person_ids = await self._people(org, units, depts)
        await self._chain(units, depts, person_ids)
        await self._groups(org, old_groups, units)
        await self._catalog(org, depts)
        await self._stand_ins(org, person_ids)

        # Deletions last: a section moved to another unit has been moved before its old unit goes.
        for code, group in old_groups.items():
            if code not in {g.code for g in self.spec.groups}:
                await group.delete()
                self._remove("groups")
        for code, dept in old_depts.items():
            if code not in depts:
                await dept.delete()
                self._remove("departments")
        for code, unit in old_units.items():
            if code not in units:
                await unit.delete()
                self._remove("units")
        return self._report()

    async def _check_removals(
        self,
        org: Organisation,
        units: dict[str, Unit],
        depts: dict[str, Department],
        groups: dict[str, GroupChannel],
    ) -> None:
        """Refuse to drop a unit, section or group that records still point to."""
        problems: list[OrgFileProblem] = []

        def problem(path: Path, what: str) -> None:
            message = f"文件里没有已有的{what}，不能删除；请把它留在文件中"
            problems.append(OrgFileProblem(self.spec.line_of(path), format_path(path), message))

        file_depts = {d.code for _, d in self.spec.departments()}
        gone_depts = [d for code, d in depts.items() if code not in file_depts]
        consulted: set[int] = set()
        if gone_depts:
            for ids in await Matter.filter(organisation=org).values_list("co_department_ids", flat=True):
                consulted.update(ids or [])
        for dept in gone_depts:
            if dept.id in consulted or await Matter.filter(department=dept).exists():
                problem(("units",), f"股室 {dept.code}（{dept.name}），但已有事项由它承办或会商")
        file_units = {u.code for u in self.spec.units}
        for code, unit in units.items():
            if code in file_units:
                continue
            if await Matter.filter(unit=unit).exists() or await ReportTask.filter(unit=unit).exists():
                problem(("units",), f"单位 {code}（{unit.name}），但它已有事项或季度报告")
        file_groups = {g.code for g in self.spec.groups}
        for code, group in groups.items():
            if code not in file_groups and await OutboxMessage.filter(group=group).exists():
                problem(
                    ("groups",) if self.spec.groups else (), f"群 {code}（{group.name}），但它已有消息记录"
                )
        if problems:
            raise OrgFileError(problems, source=self.source)

    async def _units(self, org: Organisation, old: dict[str, Unit]) -> dict[str, Unit]:
        out: dict[str, Unit] = {}
        for spec in self.spec.units:
            values = {"name": spec.name, "kind": spec.kind}
            new = {"organisation": org, "code": spec.code}
            out[spec.code] = await self._upsert("units", spec.code, old.get(spec.code), Unit, values, new)
        return out

    async def _departments(
        self, org: Organisation, old: dict[str, Department], units: dict[str, Unit]
    ) -> dict[str, Department]:
        out: dict[str, Department] = {}
        for unit, spec in self.spec.departments():
            values = {"name": spec.name, "unit_id": units[unit.code].pk}
            new = {"organisation": org, "code": spec.code}
            out[spec.code] = await self._upsert(
                "departments", spec.code, old.get(spec.code), Department, values, new
            )
        return out

    async def _people(
        self, org: Organisation, units: dict[str, Unit], depts: dict[str, Department]
    ) -> dict[str, int]:
        old = {p.handle: p for p in await Person.filter(organisation=org)}
        ids: dict[str, int] = {}
        derived = self.spec.derived_roles()
        for spec in self.spec.people:
            values: dict[str, Any] = {
                "name": spec.name,
                "title": spec.title,
                "phone": spec.phone,
                "unit_id": units[spec.unit].pk,
                "department_id": depts[spec.department].pk if spec.department else None,
                "roles": self.spec.roles_of(spec, derived),
                "platform": spec.platform,
                "active": True,
            }
            # Ids the file leaves out are kept: `tiji org sync` may have filled them in.
            for name in ("wecom_userid", "dingtalk_userid"):
                if name in spec.model_fields_set:
                    values[name] = getattr(spec, name)
            new = {"organisation": org, "handle": spec.handle}
            person = await self._upsert("people", spec.handle, old.get(spec.handle), Person, values, new)
            ids[spec.handle] = person.pk
        for handle, person in old.items():
            if handle not in ids and person.active:
                person.active = False
                await person.save()
                self.deactivated.append(handle)
        return ids

    async def _chain(
        self, units: dict[str, Unit], depts: dict[str, Department], person_ids: dict[str, int]
    ) -> None:
        """Principal, head and deputy ids, set once every person has an id."""
        for spec in self.spec.units:
            await self._update(
                "units", spec.code, units[spec.code], {"principal_id": person_ids[spec.principal]}
            )
        for _, dspec in self.spec.departments():
            if not (dspec.head and dspec.deputy):  # parse_org refuses a section without them
                raise ValueError(f"section {dspec.code} has no head or deputy")
            chain = {"head_id": person_ids[dspec.head], "deputy_id": person_ids[dspec.deputy]}
            await self._update("departments", dspec.code, depts[dspec.code], chain)

    async def _groups(self, org: Organisation, old: dict[str, GroupChannel], units: dict[str, Unit]) -> None:
        for spec in self.spec.groups:
            values: dict[str, Any] = {
                "name": spec.name,
                "kind": spec.kind,
                "unit_id": units[spec.unit].pk if spec.unit else None,
                "platform": spec.platform,
                "wecom_chat_id": spec.wecom_chat_id,
                "wecom_robot_key": spec.wecom_robot_key,
                "dingtalk_conversation_id": spec.dingtalk_conversation_id,
                "dingtalk_webhook": spec.dingtalk_webhook,
                "dingtalk_webhook_secret": spec.dingtalk_webhook_secret,
            }
            new = {"organisation": org, "code": spec.code}
            await self._upsert("groups", spec.code, old.get(spec.code), GroupChannel, values, new)

    async def _catalog(self, org: Organisation, depts: dict[str, Department]) -> None:
        old = {c.code: c for c in await CatalogItem.filter(organisation=org)}
        for spec in self.spec.catalog:
            values: dict[str, Any] = {
                "department_id": depts[spec.department].pk,
                "name": spec.name,
                "category": spec.category,
                "description": spec.description,
                "legal_basis": spec.legal_basis,
                "time_limit": spec.time_limit,
                "materials": spec.materials,
                "steps": spec.steps,
                "public": spec.public,
            }
            new = {"organisation": org, "code": spec.code}
            await self._upsert("catalog", spec.code, old.pop(spec.code, None), CatalogItem, values, new)
        for item in old.values():
            await item.delete()
            self._remove("catalog")

    async def _stand_ins(self, org: Organisation, person_ids: dict[str, int]) -> None:
        old = {(s.person_id, s.start_date): s for s in await StandIn.filter(organisation=org)}
        for spec in self.spec.stand_ins:
            key = (person_ids[spec.person], spec.start)
            values: dict[str, Any] = {
                "stand_in_id": person_ids[spec.stand_in],
                "end_date": spec.end,
                "reason": spec.reason,
            }
            new = {"organisation": org, "person_id": key[0], "start_date": spec.start}
            await self._upsert("stand_ins", key, old.pop(key, None), StandIn, values, new)
        for row in old.values():
            await row.delete()
            self._remove("stand_ins")


async def import_org(text: str, *, source: str = "org.yaml") -> ImportReport:
    """Validate and store an org file in one transaction; on any error nothing is stored."""
    spec = parse_org(text, source=source)
    async with in_transaction():
        return await _Importer(spec, source).run()
