"""``/public/{org}``: anyone, without signing in, sees the catalog items marked public with their
legal basis, time limit and materials, each section's chain and phone, the 首问负责制, the public
parts of the unit's 制度, how to complain, the form and the lookup link; another code is a 404."""

from __future__ import annotations

from bot.runtime.resources import Resources
from models.org import Organisation, Person
from models.unit_rules import UnitRules
from tests.support.console import HTML, ConsoleOrg
from tests.support.public import public_client


async def _get(resources: Resources, path: str) -> tuple[int, str]:
    client = await public_client(resources)
    try:
        response = await client.get(path, headers=HTML)
        return response.status, await response.text()
    finally:
        await client.close()


async def test_anyone_sees_the_public_catalog_with_its_guide(resources: Resources, porg: ConsoleOrg) -> None:
    status, text = await _get(resources, "/public/tc")
    assert status == 200
    assert "桐城市交通运输局" in text and "道路运输经营许可" in text
    assert "《道路运输条例》第十条" in text and "法定20个工作日，承诺5个工作日" in text
    assert "营业执照复印件" in text and "行政许可" in text
    assert "内部核查事项" not in text  # not marked public
    assert "潜山的事项" not in text  # another organisation's


async def test_the_page_names_each_sections_chain_and_phone(resources: Resources, porg: ConsoleOrg) -> None:
    _, text = await _get(resources, "/public/tc")
    assert "运政股" in text and "李股长" in text and "钱副局" in text and "赵局长" in text
    assert "0556-7654321" in text  # the section head's phone
    assert "张三" not in text  # staff below the head are not named
    assert "0556-1234567" in text and "桐城市龙眠路 1 号一楼" in text  # the complaints office


async def test_a_section_heads_mobile_is_never_published(resources: Resources, porg: ConsoleOrg) -> None:
    await Person.filter(phone="0556-7654321").update(phone="13912345678")
    _, text = await _get(resources, "/public/tc")
    assert "13912345678" not in text and "李股长" in text
    assert text.count("0556-1234567") >= 2  # the office's number stands in for the section's


async def test_the_page_shows_only_the_public_parts_of_the_rules(
    resources: Resources, porg: ConsoleOrg
) -> None:
    _, text = await _get(resources, "/public/tc")
    assert (
        "首问负责制" in text and "局机关各股室受理的事项" in text and "申请材料齐全、符合法定形式的" in text
    )
    assert "内部追责细则" not in text  # accountability is not public by default
    await UnitRules.filter(unit_id=porg.bureau.id).update(accountability_public=True, scope_public=False)
    _, text = await _get(resources, "/public/tc")
    assert "内部追责细则" in text and "局机关各股室受理的事项" not in text


async def test_the_page_says_how_to_complain_and_what_is_public(
    resources: Resources, porg: ConsoleOrg
) -> None:
    _, text = await _get(resources, "/public/tc")
    assert 'action="/public/tc/complaint"' in text and 'name="csrf"' in text and 'name="started"' in text
    assert 'href="/public/tc/lookup"' in text
    assert "哪些内容公开，哪些不公开" in text and "不在任何页面公开" in text


async def test_the_page_has_no_external_resources_and_the_security_headers(
    resources: Resources, porg: ConsoleOrg
) -> None:
    client = await public_client(resources)
    try:
        response = await client.get("/public/tc", headers=HTML)
        text = await response.text()
    finally:
        await client.close()
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "http://" not in text and "https://" not in text and "<script" not in text


async def test_an_unknown_or_odd_code_is_a_chinese_404(resources: Resources, porg: ConsoleOrg) -> None:
    for path in ("/public/nope", "/public/" + "x" * 300, "/public/%00", "/public/nope/complaint"):
        status, text = await _get(resources, path)
        assert status == 404, path
        assert "没有这个单位的公示页面" in text or "没有这个地址" in text


async def test_the_names_of_the_catalog_are_shown_escaped(resources: Resources, porg: ConsoleOrg) -> None:
    await Organisation.filter(id=porg.organisation.id).update(complaint_address="<script>alert(1)</script>")
    _, text = await _get(resources, "/public/tc")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "<script>alert(1)" not in text
