"""What an import changed, per kind of row, and its Chinese summary (what `tiji org import` prints)."""

from __future__ import annotations

from dataclasses import dataclass, field

#: Kinds of rows, in the order the summary lists them, with their Chinese names.
KINDS: dict[str, str] = {
    "organisation": "组织",
    "units": "单位",
    "departments": "股室",
    "people": "人员",
    "groups": "群",
    "catalog": "事项清单",
    "stand_ins": "代理安排（领导外出时由谁代批）",
}


@dataclass
class ImportReport:
    """What an import changed, per kind of row (keys of :data:`KINDS`)."""

    organisation_code: str
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    deactivated: list[str] = field(default_factory=list)
    removed: dict[str, int] = field(default_factory=dict)
    organisation_name: str = ""

    @property
    def changed(self) -> bool:
        counts = (*self.created.values(), *self.updated.values(), *self.removed.values())
        return any(counts) or bool(self.deactivated)

    def summary(self) -> str:
        """Chinese, one line per kind; ``无变化`` when the import changed nothing."""
        who = (
            f"{self.organisation_name}（{self.organisation_code}）"
            if self.organisation_name
            else self.organisation_code
        )
        if not self.changed:
            return f"组织 {who}：无变化"
        lines = [f"组织 {who}导入完成："]
        for kind, label in KINDS.items():
            parts = []
            if n := self.created.get(kind, 0):
                parts.append(f"新增 {n}")
            if n := self.updated.get(kind, 0):
                parts.append(f"更新 {n}")
            if kind == "people" and self.deactivated:
                parts.append(f"停用 {len(self.deactivated)}（{'、'.join(self.deactivated)}）")
            if n := self.removed.get(kind, 0):
                parts.append(f"删除 {n}")
            lines.append(f"{label}：{'，'.join(parts) if parts else '无变化'}")
        return "\n".join(lines)
