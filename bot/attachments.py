"""A file sent with a message (the quarterly 汇总表 .xlsx): neutral, so reports can attach one without
knowing any messenger."""

from __future__ import annotations

from dataclasses import dataclass

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content: bytes
    content_type: str = XLSX_TYPE
