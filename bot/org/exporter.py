"""`tiji org export`: the database → an org file that imports back to the same state."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

import yaml

from models.catalog import CatalogItem
from models.org import Department, GroupChannel, Organisation, Person, Role, StandIn, Unit


class OrgExportError(LookupError):
    """No organisation to export (unknown code, none imported yet, or several and no code given)."""


class _Flow(dict[str, Any]):
    """A row written on one line (``- {code: ysk, name: 运输管理股}``)."""


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Indent list items under their key, as people write them by hand.
        super().increase_indent(flow, False)


def _represent_flow(dumper: yaml.SafeDumper, data: _Flow) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=True)


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    # Ids and phone numbers made of digits are quoted, so that no YAML reader takes them for numbers.
    style = '"' if _NUMBER_LIKE.fullmatch(data) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_NUMBER_LIKE = re.compile(r"[-+0-9_.:eE]+")
_Dumper.add_representer(_Flow, _represent_flow)
_Dumper.add_representer(str, _represent_str)
# Stored enums (platform, kinds) are written as their plain value, as people type them.
_Dumper.add_multi_representer(StrEnum, lambda dumper, data: _represent_str(dumper, data.value))


def _row(values: dict[str, Any]) -> _Flow:
    # Empty optional fields are left out: they import back as the same empty value.
    return _Flow({k: v for k, v in values.items() if v not in (None, "", [])})


async def _organisation_for_export(code: str | None) -> Organisation:
    if code is not None:
        org = await Organisation.get_or_none(code=code)
        if org is None:
            raise OrgExportError(f"没有编码为 {code} 的组织")
        return org
    orgs = await Organisation.all().order_by("code")
    if not orgs:
        raise OrgExportError("还没有导入任何组织，请先运行 tiji org import FILE.yaml")
    if len(orgs) > 1:
        codes = "、".join(o.code for o in orgs)
        raise OrgExportError(f"有多个组织（{codes}），请指明要导出哪一个")
    return orgs[0]


async def export_org(organisation_code: str | None = None) -> str:
    """The org file of one organisation (``None``: the only one), which imports back to the same state."""
    org = await _organisation_for_export(organisation_code)
    units = await Unit.filter(organisation=org).order_by("id")
    depts = await Department.filter(organisation=org).order_by("id")
    everyone = await Person.filter(organisation=org).order_by("id")
    groups = await GroupChannel.filter(organisation=org).order_by("id")
    catalog = await CatalogItem.filter(organisation=org).order_by("id")
    stand_ins = await StandIn.filter(organisation=org).order_by("person_id", "start_date")

    handle = {p.id: p.handle for p in everyone}
    unit_code = {u.id: u.code for u in units}
    dept_code = {d.id: d.code for d in depts}
    structural: dict[int | None, set[str]] = {}
    for u in units:
        structural.setdefault(u.principal_id, set()).add(Role.PRINCIPAL.value)
    for d in depts:
        structural.setdefault(d.head_id, set()).add(Role.SECTION_HEAD.value)
        structural.setdefault(d.deputy_id, set()).add(Role.DEPUTY.value)
    # Inactive people stay out, unless the structure still names them (then the file must too).
    named = set(structural) | {s.person_id for s in stand_ins} | {s.stand_in_id for s in stand_ins}
    people = [p for p in everyone if p.active or p.id in named]

    doc: dict[str, Any] = {
        "organisation": dict(
            _row(
                {
                    "code": org.code,
                    "name": org.name,
                    "default_platform": org.default_platform,
                    "complaint_phone": org.complaint_phone,
                    "complaint_address": org.complaint_address,
                }
            )
        ),
        "units": [
            {
                "code": u.code,
                "name": u.name,
                "kind": u.kind,
                "principal": handle.get(u.principal_id) if u.principal_id else None,
                "departments": [
                    _row(
                        {
                            "code": d.code,
                            "name": d.name,
                            "head": handle.get(d.head_id) if d.head_id else None,
                            "deputy": handle.get(d.deputy_id) if d.deputy_id else None,
                        }
                    )
                    for d in depts
                    if d.unit_id == u.id
                ],
            }
            for u in units
        ],
        "people": [
            _row(
                {
                    "handle": p.handle,
                    "name": p.name,
                    "title": p.title,
                    "phone": p.phone,
                    "unit": unit_code.get(p.unit_id) if p.unit_id else None,
                    "department": dept_code.get(p.department_id) if p.department_id else None,
                    "roles": [r for r in (p.roles or []) if r not in structural.get(p.id, set())],
                    "platform": p.platform,
                    "wecom_userid": p.wecom_userid,
                    "dingtalk_userid": p.dingtalk_userid,
                }
            )
            for p in people
        ],
        "groups": [
            _row(
                {
                    "code": g.code,
                    "name": g.name,
                    "kind": g.kind,
                    "unit": unit_code.get(g.unit_id) if g.unit_id else None,
                    "platform": g.platform,
                    "wecom_chat_id": g.wecom_chat_id,
                    "wecom_robot_key": g.wecom_robot_key,
                    "dingtalk_conversation_id": g.dingtalk_conversation_id,
                    "dingtalk_webhook": g.dingtalk_webhook,
                    "dingtalk_webhook_secret": g.dingtalk_webhook_secret,
                }
            )
            for g in groups
        ],
        "catalog": [
            _row(
                {
                    "code": c.code,
                    "department": dept_code.get(c.department_id),
                    "name": c.name,
                    "category": c.category,
                    "description": c.description,
                    "legal_basis": c.legal_basis,
                    "time_limit": c.time_limit,
                    "materials": c.materials,
                    "steps": c.steps,
                    "public": None if c.public else False,  # left out when public (the default)
                }
            )
            for c in catalog
        ],
        "stand_ins": [
            _row(
                {
                    "person": handle.get(s.person_id),
                    "stand_in": handle.get(s.stand_in_id),
                    "from": s.start_date,
                    "to": s.end_date,
                    "reason": s.reason,
                }
            )
            for s in stand_ins
        ],
    }
    header = f"# {org.name}（{org.code}）组织架构，由 tiji org export 导出；修改后用 tiji org import 导入\n"
    body = yaml.dump(doc, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10_000)
    return header + body
