"""The org file: import of the shipped example, idempotency, export round trip, and errors that
name the line and field and store nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from tortoise.models import Model

from bot import org as orgfile
from bot.org import OrgExportError, OrgFileError, export_org, import_org, parse_org
from models.catalog import CatalogItem
from models.matter import Matter
from models.messaging import OutboxMessage
from models.org import Department, GroupChannel, Organisation, Person, StandIn, Unit

EXAMPLE = (Path(__file__).resolve().parents[3] / "examples" / "org.yaml").read_text(encoding="utf-8")
ORG_MODELS: list[type[Model]] = [Organisation, Unit, Department, Person, GroupChannel, CatalogItem, StandIn]


async def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every org row, every column: equal snapshots mean no row changed."""
    return {m.__name__: await m.all().order_by("id").values() for m in ORG_MODELS}


def line_no(text: str, needle: str) -> int:
    """1-based number of the only line containing ``needle``."""
    hits = [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(hits) == 1, (needle, hits)
    return hits[0]


def edit(old: str, new: str, text: str = EXAMPLE) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def index_of(handle: str) -> int:
    return [p.handle for p in parse_org(EXAMPLE, source="x").people].index(handle)


async def person(handle: str) -> Person:
    return await Person.get(handle=handle)


# --- the shipped example --------------------------------------------------------------------


async def test_example_imports_with_the_whole_structure(db: None) -> None:
    report = await import_org(EXAMPLE, source="examples/org.yaml")

    assert report.organisation_code == "tongbai-jt"
    assert report.created == {
        "organisation": 1,
        "units": 3,
        "departments": 12,
        "people": 39,
        "groups": 4,
        "catalog": 17,
        "stand_ins": 1,
    }
    assert report.updated == {} and report.deactivated == []
    assert "人员：新增 39" in report.summary()

    org = await Organisation.get(code="tongbai-jt")
    assert org.name == "桐柏县交通运输局"
    assert org.default_platform == "wecom"
    assert await Unit.filter(kind="subordinate").count() == 2
    assert await CatalogItem.filter(organisation=org).count() >= 12
    assert {c.category for c in await CatalogItem.all()} == {
        "行政许可",
        "政务服务",
        "来信来访",
        "投诉咨询",
        "堵点断点",
    }

    # The chain of 运输管理股: 陈国庆 (股长) → 李明华 (分管副局长) → 王建国 (局长).
    ysk = await Department.get(code="ysk").prefetch_related("unit")
    head, deputy = await Person.get(id=ysk.head_id), await Person.get(id=ysk.deputy_id)
    principal = await Person.get(id=ysk.unit.principal_id)
    assert (head.name, deputy.name, principal.name) == ("陈国庆", "李明华", "王建国")
    assert (head.title, deputy.title) == ("股长", "党组成员、副局长")

    # 会商 across deputies: 安全监督股 answers to another deputy than 运输管理股.
    aqk = await Department.get(code="aqk")
    assert aqk.deputy_id != ysk.deputy_id
    assert ysk.unit_id == aqk.unit_id

    # Roles: structural ones derived, the file's own kept.
    assert (await person("chenguoqing")).roles == ["staff", "section_head"]
    assert (await person("liminghua")).roles == ["deputy"]
    assert (await person("wangjianguo")).roles == ["principal"]
    assert (await person("zhouwenbin")).roles == ["staff", "section_head", "office"]
    assert (await person("fengxue")).roles == ["staff", "office"]
    assert (await person("jiangtao")).roles == ["staff", "admin"]
    assert (await person("tangweidong")).roles == ["discipline"]
    assert (await person("zhangwei")).roles == ["staff"]

    # Platforms and ids as written (quoted digits stay text, a leading 0 survives).
    dingtalk = await Person.filter(platform="dingtalk").count()
    assert dingtalk >= 3 and await Person.filter(platform="wecom").count() > dingtalk
    hepeng = await person("hepeng")
    assert hepeng.dingtalk_userid and hepeng.dingtalk_userid.startswith("0")
    assert (await person("zhangwei")).phone == "13837701010"

    office = await GroupChannel.get(kind="office")
    assert office.unit_id is None and office.wecom_chat_id == "tijiOffice"
    assert await GroupChannel.filter(kind="unit").count() == 3

    stand_in = await StandIn.get().prefetch_related("person", "stand_in")
    assert (stand_in.person.handle, stand_in.stand_in.handle) == ("liminghua", "zhaozhiqiang")
    assert (stand_in.start_date, stand_in.end_date) == (dt.date(2027, 2, 1), dt.date(2027, 2, 5))


async def test_importing_twice_changes_nothing(db: None) -> None:
    await import_org(EXAMPLE)
    before = await snapshot()

    report = await import_org(EXAMPLE)

    assert not report.changed
    assert report.summary() == "组织 桐柏县交通运输局（tongbai-jt）：无变化"
    assert await snapshot() == before


async def test_export_imports_back_to_the_same_state(db: None) -> None:
    await import_org(EXAMPLE)
    before = await snapshot()

    exported = await export_org()
    report = await import_org(exported, source="export.yaml")

    assert report.summary().endswith("无变化"), report.summary()
    assert await snapshot() == before
    assert await export_org("tongbai-jt") == exported
    # A readable file: one line per person, Chinese as written, ids quoted so they stay text.
    assert "- {handle: chenguoqing, name: 陈国庆, title: 股长" in exported
    assert "roles: [staff]" in exported  # derived roles are not written back
    assert 'dingtalk_userid: "0125' in exported and 'complaint_phone: "0377-68123456"' in exported


async def test_export_into_a_fresh_database_gives_the_same_organisation(db: None) -> None:
    await import_org(EXAMPLE)
    exported = await export_org()
    parsed, original = parse_org(exported, source="export"), parse_org(EXAMPLE, source="example")
    assert parsed.model_dump() == original.model_dump()


# --- edits ------------------------------------------------------------------------------------


async def test_renaming_a_person_updates_one_row(db: None) -> None:
    await import_org(EXAMPLE)

    report = await import_org(edit("name: 张伟,", "name: 张炜,"))

    assert report.created == {} and report.updated == {"people": 1}
    assert "人员：更新 1" in report.summary() and "单位：无变化" in report.summary()
    assert (await person("zhangwei")).name == "张炜"


async def test_a_person_left_out_is_deactivated_not_deleted(db: None) -> None:
    await import_org(EXAMPLE)
    zhangwei = await person("zhangwei")
    without = "\n".join(line for line in EXAMPLE.splitlines() if "handle: zhangwei," not in line)

    report = await import_org(without)

    assert report.deactivated == ["zhangwei"]
    assert "停用 1（zhangwei）" in report.summary()
    again = await Person.get(id=zhangwei.id)
    assert again.active is False and again.name == "张伟"
    assert "zhangwei" not in await export_org()

    # Still gone: nothing more to do. Back in the file: active again.
    assert not (await import_org(without)).changed
    back = await import_org(EXAMPLE)
    assert back.updated == {"people": 1} and (await Person.get(id=zhangwei.id)).active


async def test_a_new_section_head_moves_the_role(db: None) -> None:
    await import_org(EXAMPLE)

    report = await import_org(edit("head: chenguoqing,", "head: zhangwei,"))

    assert report.updated == {"departments": 1, "people": 2}
    assert (await person("zhangwei")).roles == ["staff", "section_head"]
    assert (await person("chenguoqing")).roles == ["staff"]
    assert (await Department.get(code="ysk")).head_id == (await person("zhangwei")).id


async def test_ids_left_out_of_the_file_are_kept(db: None) -> None:
    """`tiji org sync` fills platform ids in; a file without them must not wipe them."""
    await import_org(EXAMPLE)
    before = await snapshot()
    row = next(line for line in EXAMPLE.splitlines() if "handle: zhangwei," in line)
    bare = row.replace(", wecom_userid: Zhangwei", "").split(", dingtalk_userid")[0] + "}"

    report = await import_org(edit(row, bare))

    assert not report.changed, report.summary()
    assert await snapshot() == before


async def test_stand_ins_and_catalog_items_left_out_are_removed(db: None) -> None:
    await import_org(EXAMPLE)
    lines = EXAMPLE.splitlines()
    trimmed = "\n".join(
        line for line in lines if "stand_in: zhaozhiqiang" not in line and "code: GC-02" not in line
    )

    report = await import_org(trimmed)

    assert report.removed == {"stand_ins": 1, "catalog": 1}
    assert "代理安排（领导外出时由谁代批）：删除 1" in report.summary()
    assert await StandIn.all().count() == 0
    assert not await CatalogItem.filter(code="GC-02").exists()


async def test_a_section_left_out_is_removed_unless_matters_refer_to_it(db: None) -> None:
    extra = edit(
        "      - {code: cwk,",
        "      - {code: tjk, name: 统计股, head: liqiang, deputy: sunlijuan}\n      - {code: cwk,",
    )
    await import_org(extra)
    assert (await person("liqiang")).roles == ["staff", "section_head"]

    report = await import_org(EXAMPLE)
    assert report.removed == {"departments": 1}
    assert (await person("liqiang")).roles == ["staff"]

    await import_org(extra)
    org, tjk, liqiang = await Organisation.get(), await Department.get(code="tjk"), await person("liqiang")
    await Matter.create(
        organisation=org, number="TJ-2026-0001", year=2026, seq=1, unit_id=tjk.unit_id, department=tjk,
        submitter=liqiang, applicant="张三", applicant_phone="13800000000", subject="统计数据查询",
        reason="材料不全", state="pending", level=2,
        submitted_at=dt.datetime(2026, 11, 30, 1, tzinfo=dt.UTC), due_at=dt.datetime(2026, 12, 3, 9, tzinfo=dt.UTC),
    )  # fmt: skip
    before = await snapshot()

    with pytest.raises(OrgFileError) as caught:
        await import_org(EXAMPLE)

    assert f"第 {line_no(EXAMPLE, 'units:')} 行 units: 文件里没有已有的股室 tjk（统计股）" in str(
        caught.value
    )
    assert await snapshot() == before


async def test_a_group_left_out_is_removed_unless_it_has_messages(db: None) -> None:
    await import_org(EXAMPLE)
    without = "\n".join(line for line in EXAMPLE.splitlines() if "code: glzx-group" not in line)
    group = await GroupChannel.get(code="glzx-group")
    await OutboxMessage.create(
        organisation_id=group.organisation_id, dedupe_key="digest:2026Q3:glzx", kind="group", platform="wecom",
        group=group, payload={"markdown": "汇总"}, next_attempt_at=dt.datetime(2026, 10, 8, tzinfo=dt.UTC),
        created_at=dt.datetime(2026, 10, 8, tzinfo=dt.UTC),
    )  # fmt: skip
    before = await snapshot()

    with pytest.raises(OrgFileError) as caught:
        await import_org(without)
    assert f"第 {line_no(without, 'groups:')} 行 groups: 文件里没有已有的群 glzx-group" in str(caught.value)
    assert await snapshot() == before

    await OutboxMessage.all().delete()
    report = await import_org(without)
    assert report.removed == {"groups": 1}
    assert "群：删除 1" in report.summary()
    assert await GroupChannel.filter(code="glzx-group").count() == 0


async def test_a_failure_half_way_stores_nothing(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The catalog is written after units, sections and people: a failure there undoes them."""
    await import_org(EXAMPLE)
    before = await snapshot()

    async def broken(*args: Any, **kwargs: Any) -> CatalogItem:
        raise RuntimeError("disk full")

    monkeypatch.setattr(CatalogItem, "create", broken)
    changed = edit("name: 张伟,", "name: 张炜,")
    changed = edit("code: YS-01\n", "code: YS-99\n", changed)
    with pytest.raises(RuntimeError):
        await import_org(changed)

    assert await snapshot() == before


async def test_several_organisations(db: None) -> None:
    with pytest.raises(OrgExportError, match="还没有导入任何组织"):
        await export_org()
    await import_org(EXAMPLE)
    other = edit("code: tongbai-jt", "code: other-jt")
    other = edit("name: 桐柏县交通运输局\n", "name: 另一县交通运输局\n", other)
    report = await import_org(other)

    assert report.created["people"] == 39
    assert await Person.all().count() == 78
    with pytest.raises(OrgExportError, match="有多个组织"):
        await export_org()
    with pytest.raises(OrgExportError, match="没有编码为 nowhere 的组织"):
        await export_org("nowhere")
    assert "code: other-jt" in await export_org("other-jt")
    assert not (await import_org(EXAMPLE)).changed


# --- errors: the line and field, and nothing stored ---------------------------------------------

ZHANGWEI = index_of("zhangwei")
WANGFANG = index_of("wangfang")
HEPENG = index_of("hepeng")

# (edit of the example, text on the line the error must name, field path, words of the message)
ERRORS = [
    pytest.param(
        ('phone: "13837701010"', 'phnoe: "13837701010"'),
        "handle: zhangwei,",
        f"people[{ZHANGWEI}].phnoe",
        "未知字段（拼写错误？）是不是 phone？",
        id="unknown-key",
    ),
    pytest.param(
        ("name: 张伟, ", ""),
        "handle: zhangwei,",
        f"people[{ZHANGWEI}].name",
        "缺少必填字段",
        id="missing-field",
    ),
    pytest.param(
        ("head: chenguoqing,", "head: chenguoqin,"),
        "code: ysk,",
        "units[0].departments[1].head",
        "没有 handle 为 chenguoqin 的人员",
        id="unknown-head",
    ),
    pytest.param(
        ("head: chenguoqing, ", ""), "code: ysk,", "units[0].departments[1].head", "没有负责人", id="no-head"
    ),
    pytest.param(
        (", deputy: gaoyonghong}\n      - {code: gl-lzg", "}\n      - {code: gl-lzg"),
        "code: gl-yhg,",
        "units[1].departments[0].deputy",
        "没有分管领导",
        id="no-deputy",
    ),
    pytest.param(
        ("principal: majianjun ", "principal: majj "),
        "principal: majj",
        "units[1].principal",
        "没有 handle 为 majj 的人员",
        id="unknown-principal",
    ),
    pytest.param(
        ("handle: wangfang,", "handle: zhangwei,"),
        "name: 王芳,",
        f"people[{WANGFANG}].handle",
        "重复",
        id="duplicate-handle",
    ),
    pytest.param(
        ("{code: xzsp,", "{code: ysk,"),
        "name: 行政审批股",
        "units[0].departments[2].code",
        "股室编码 ysk 重复",
        id="duplicate-code",
    ),
    pytest.param(
        ('phone: "13837701010"', 'phone: "1383770101"'),
        "handle: zhangwei,",
        f"people[{ZHANGWEI}].phone",
        "不是有效的电话号码",
        id="bad-phone",
    ),
    pytest.param(
        ("category: 行政许可, description: 大件运输", "category: 行政审批, description: 大件运输"),
        "code: XZ-01,",
        "catalog[4].category",
        "类别 '行政审批' 不对",
        id="bad-category",
    ),
    pytest.param(
        ("department: zf-zd1, name: 执法案件", "department: zf-zd9, name: 执法案件"),
        "code: ZD-01,",
        "catalog[15].department",
        "没有编码为 zf-zd9 的股室",
        id="unknown-department",
    ),
    pytest.param(
        ("from: 2027-02-01, to: 2027-02-05", "from: 2027-02-05, to: 2027-02-01"),
        "stand_in: zhaozhiqiang",
        "stand_ins[0].to",
        "早于开始日期",
        id="date-range",
    ),
    pytest.param(
        ("from: 2027-02-01,", "from: 2027-02-30,"),
        "stand_in: zhaozhiqiang",
        "stand_ins[0].from",
        "日期格式应为 YYYY-MM-DD",
        id="bad-date",
    ),
    pytest.param(
        (
            "unit: zfdd, department: zf-zd1, roles: [staff], platform: dingtalk, wecom_userid: Hepeng",
            "unit: zfdd, department: zf-zd1, roles: [staff], platform: dingding, wecom_userid: Hepeng",
        ),
        "handle: hepeng,",
        f"people[{HEPENG}].platform",
        "应为 wecom（企业微信）或 dingtalk（钉钉）",
        id="bad-platform",
    ),
    pytest.param(
        ("roles: [staff, admin]", "roles: [staff, adm1n]"),
        "handle: jiangtao,",
        f"people[{index_of('jiangtao')}].roles[1]",
        "角色 'adm1n' 不存在",
        id="bad-role",
    ),
    pytest.param(
        (
            "unit: bureau, department: ysk, roles: [staff], platform: wecom, wecom_userid: Zhangwei",
            "unit: glzx, department: ysk, roles: [staff], platform: wecom, wecom_userid: Zhangwei",
        ),
        "handle: zhangwei,",
        f"people[{ZHANGWEI}].department",
        "股室 ysk 属于单位 bureau，不属于 glzx",
        id="department-of-another-unit",
    ),
    pytest.param(
        (
            "    kind: subordinate\n    principal: xieyongqiang",
            "    kind: subordinate\n    kind: bureau\n    principal: xieyongqiang",
        ),
        "    kind: bureau\n    principal: xieyongqiang",
        "units[2].kind",
        "字段重复",
        id="duplicate-key",
    ),
    pytest.param(
        ("{code: gl-lzg, name: 路政股,", "{code: gl-lzg, name: 路政股"),
        "code: gl-lzg,",
        "",
        "YAML 格式错误",
        id="malformed-yaml",
    ),
]


@pytest.mark.parametrize(("change", "on_line", "path", "words"), ERRORS)
async def test_errors_name_the_line_and_field_and_store_nothing(
    db: None, change: tuple[str, str], on_line: str, path: str, words: str
) -> None:
    await import_org(EXAMPLE)
    before = await snapshot()
    bad = edit(*change)
    line = line_no(bad, on_line) if "\n" not in on_line else bad[: bad.index(on_line)].count("\n") + 1

    with pytest.raises(OrgFileError) as caught:
        await import_org(bad, source="org.yaml")

    problems = [(p.line, p.path) for p in caught.value.problems if words in p.message]
    assert problems == [(line, path)], str(caught.value)
    where = f"第 {line} 行 {path}:" if path else f"第 {line} 行:"
    assert where in str(caught.value)
    assert caught.value.source == "org.yaml"
    assert await snapshot() == before


def test_every_problem_is_listed_at_once() -> None:
    bad = edit('phone: "13837701010"', 'phone: "12"')
    bad = edit("category: 堵点断点, description: 乡镇", "category: 其他, description: 乡镇", bad)
    bad = edit("head: hexiaoyan,", "head: nobody,", bad)

    with pytest.raises(OrgFileError) as caught:
        parse_org(bad, source="org.yaml")

    lines = str(caught.value).splitlines()
    assert len(lines) == len(caught.value.problems) == 3
    assert lines[0].startswith(f"第 {line_no(bad, 'head: nobody')} 行 units[0].departments[2].head: ")
    assert lines[1].startswith(f"第 {line_no(bad, 'handle: zhangwei')} 行 people[{ZHANGWEI}].phone: ")
    assert lines[2].startswith(f"第 {line_no(bad, 'category: 其他')} 行 catalog[11].category: ")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "文件是空的"),
        ("- a\n- b\n", "顶层应为映射"),
        ("organisation: {code: x, name: y}\n", "units: 缺少必填字段"),
    ],
)
def test_files_without_the_basic_shape(text: str, words: str) -> None:
    with pytest.raises(OrgFileError, match=words):
        parse_org(text, source="org.yaml")


def test_the_module_api() -> None:
    assert orgfile.parse_org is parse_org
    assert issubclass(OrgFileError, ValueError)
