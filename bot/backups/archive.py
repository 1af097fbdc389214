"""The backup file: JSON lines — a header, one line per row, and an end line with a checksum.

```
{"format": "tiji-backup", "version": 1, "organisation": "tongbai-jt", "created_at": "…", "counts": {"unit": 3, …}}
{"table": "unit", "row": {"id": 1, …}}
…
{"end": true, "rows": 1234, "sha256": "<of every line above, newlines included>"}
```

A file cut short has no end line (or counts that do not add up); a file changed anywhere has a
checksum that does not match. Either is refused before anything is stored.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

FORMAT = "tiji-backup"
VERSION = 1


class BackupError(Exception):
    """A backup that cannot be written or restored; the message is for the admin, in Chinese."""


def dumps(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n"


class Writer:
    """Accumulates the lines and the checksum of a backup as they are written."""

    def __init__(self) -> None:
        self.digest = hashlib.sha256()
        self.rows = 0

    def line(self, value: dict[str, Any]) -> str:
        text = dumps(value)
        self.digest.update(text.encode())
        return text

    def row(self, table: str, row: dict[str, Any]) -> str:
        self.rows += 1
        return self.line({"table": table, "row": row})

    def end(self) -> str:
        return dumps({"end": True, "rows": self.rows, "sha256": self.digest.hexdigest()})


@dataclass
class Archive:
    """A backup file read and checked: its header and its rows per table, in file order."""

    header: dict[str, Any]
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def organisation(self) -> str:
        return str(self.header["organisation"])


def _parsed(number: int, line: str) -> dict[str, Any]:
    try:
        value = json.loads(line)
    except (ValueError, RecursionError):
        raise BackupError(f"备份文件第 {number} 行已损坏（不是完整的 JSON），未恢复任何数据") from None
    if not isinstance(value, dict):
        raise BackupError(f"备份文件第 {number} 行已损坏（不是 JSON 对象），未恢复任何数据")
    return value


def _header(lines: list[str]) -> dict[str, Any]:
    if not lines or not lines[0].strip():
        raise BackupError("备份文件是空的，未恢复任何数据")
    header = _parsed(1, lines[0])
    if header.get("format") != FORMAT:
        raise BackupError("这不是 tiji 的备份文件（第 1 行不是备份头），未恢复任何数据")
    if header.get("version") != VERSION:
        raise BackupError(
            f"备份格式版本 {header.get('version')} 不受支持（本版本的 tiji 读取版本 {VERSION}）"
        )
    if not isinstance(header.get("organisation"), str) or not isinstance(header.get("counts"), dict):
        raise BackupError("备份头缺少单位或行数，文件已损坏，未恢复任何数据")
    return header


def _rows(lines: list[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, line in enumerate(lines[1:-1], start=2):
        value = _parsed(number, line)
        if not isinstance(value.get("table"), str) or not isinstance(value.get("row"), dict):
            raise BackupError(f"备份文件第 {number} 行已损坏（缺少表名或数据），未恢复任何数据")
        yield number, value


def read_archive(text: str) -> Archive:
    """Parse and check a whole backup file; raises ``BackupError`` for a corrupt or partial one."""
    lines = text.splitlines(keepends=True)
    archive = Archive(header=_header(lines))
    try:
        end = _parsed(len(lines), lines[-1]) if len(lines) > 1 else {}
    except BackupError:  # the last line cut in the middle: a partial file
        end = {}
    if end.get("end") is not True or not lines[-1].endswith("\n"):
        raise BackupError("备份文件不完整：缺少结尾行（可能在写入或复制时被截断），未恢复任何数据")
    for _, value in _rows(lines):
        archive.tables.setdefault(value["table"], []).append(value["row"])
    digest = hashlib.sha256("".join(lines[:-1]).encode()).hexdigest()
    if end.get("sha256") != digest:
        raise BackupError("备份文件已损坏：校验和不符（内容在备份后被改动过），未恢复任何数据")
    found = {table: len(rows) for table, rows in archive.tables.items()}
    expected = {str(t): int(n) for t, n in archive.header["counts"].items() if n}
    if found != expected or end.get("rows") != sum(found.values()):
        missing = next((t for t in expected if found.get(t, 0) != expected[t]), "?")
        raise BackupError(
            f"备份文件不完整：表 {missing} 应有 {expected.get(missing, 0)} 行，实际 {found.get(missing, 0)} 行，"
            "未恢复任何数据"
        )
    return archive
