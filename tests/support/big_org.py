"""A generated organisation many times a county bureau's size, for the scale-out tests and the bench.

``big_org(units=10, sections=4, staff=11)`` has one principal and two deputies per unit, and per
section a head and ``staff`` members: 10 × (3 + 4 × 12) = 510 people over 40 sections, all on
WeCom (user id = handle). Handles: ``u03``, ``u03d1``, ``u03s2h`` (head), ``u03s2m07`` (staff).
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml


@dataclass(frozen=True)
class BigOrg:
    units: int = 10
    sections: int = 4
    staff: int = 11

    def principal(self, u: int) -> str:
        return f"u{u:02d}"

    def deputy(self, u: int, d: int) -> str:
        return f"u{u:02d}d{d}"

    def head(self, u: int, s: int) -> str:
        return f"u{u:02d}s{s}h"

    def member(self, u: int, s: int, m: int) -> str:
        return f"u{u:02d}s{s}m{m:02d}"

    def section_deputy(self, u: int, s: int) -> str:
        return self.deputy(u, 1 + s % 2)

    def submitters(self) -> list[tuple[str, str, str]]:
        """(staff member, their head, their deputy) for every staff member."""
        return [
            (self.member(u, s, m), self.head(u, s), self.section_deputy(u, s))
            for u in range(self.units)
            for s in range(self.sections)
            for m in range(self.staff)
        ]

    def people_count(self) -> int:
        return self.units * (3 + self.sections * (1 + self.staff))

    def to_yaml(self) -> str:
        units, people = [], []
        serial = iter(range(10**6))

        def person(handle: str, unit: str, title: str, department: str | None = None) -> None:
            entry = {"handle": handle, "name": f"测试{handle}", "title": title,
                     "phone": f"139{next(serial):08d}", "unit": unit, "platform": "wecom", "wecom_userid": handle}  # fmt: skip
            if department:
                entry |= {"department": department, "roles": ["staff"]}
            people.append(entry)

        for u in range(self.units):
            code = f"unit{u:02d}"
            departments = [{"code": f"{code}-s{s}", "name": f"第{u}单位第{s}股", "head": self.head(u, s),
                            "deputy": self.section_deputy(u, s)} for s in range(self.sections)]  # fmt: skip
            units.append({"code": code, "name": f"第{u}单位", "kind": "bureau" if u == 0 else "subordinate",
                          "principal": self.principal(u), "departments": departments})  # fmt: skip
            person(self.principal(u), code, "主要领导")
            for d in (1, 2):
                person(self.deputy(u, d), code, "分管领导")
            for s in range(self.sections):
                person(self.head(u, s), code, "股长", f"{code}-s{s}")
                for m in range(self.staff):
                    person(self.member(u, s, m), code, "科员", f"{code}-s{s}")
        office = people[3]
        office["roles"] = [*office.get("roles", []), "office"]
        document = {
            "organisation": {"code": "big", "name": "压力测试局", "default_platform": "wecom"},
            "units": units,
            "people": people,
            "groups": [
                {"code": "office", "name": "活动办公室", "kind": "office", "wecom_chat_id": "bigOffice"}
            ],
        }
        return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
