"""The org file (``org.yaml``): its shape, and validation that names the line of every problem.

``parse_org`` is pure: YAML text in, a validated :class:`OrgFile` out, or :class:`OrgFileError`
listing every problem as ``第 N 行 path: 说明``. Line numbers come from the YAML composer's node
marks, mapped to each field's path (``units[0].departments[1].head``).

Scalars are taken as written (``phone: 13800000001`` is the text ``"13800000001"``, a DingTalk id
``0123`` stays ``"0123"``): YAML's implicit int/bool/octal typing would silently change ids and
phone numbers, so every field is text unless the schema says otherwise (dates).
"""

from __future__ import annotations

import difflib
import types
import typing
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ValidationError

from bot.org.checks import Checker, OrgFileProblem
from bot.org.schema import (
    OrgFile,
    Path,
    format_path,
    line_of_path,
)


class OrgFileError(ValueError):
    """The org file has problems. The message is one line per problem (``第 N 行 path: 说明``);
    ``problems`` has them as data, ``source`` names the file."""

    def __init__(self, problems: list[OrgFileProblem], *, source: str = "org.yaml") -> None:
        self.problems = sorted(problems, key=lambda p: (p.line, p.path))
        self.source = source
        super().__init__("\n".join(str(p) for p in self.problems))


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
                OrgFileProblem(
                    line_of_path(loader.lines, loc), format_path(loc), _pydantic_message(error, loc)
                )
            )
    if org is not None:
        org._lines = loader.lines
        problems.extend(Checker(org).run())
    if problems:
        raise OrgFileError(problems, source=source)
    if org is None:  # no problems means the file validated
        raise OrgFileError([], source=source)
    return org
