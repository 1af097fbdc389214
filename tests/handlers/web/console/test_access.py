"""Who may open the console: anonymous browsers are sent to sign in, people without a console
role get 403 with no data, and each role sees its own organisation only."""

from __future__ import annotations

from yarl import URL

from bot.runtime.resources import Resources
from tests.support.console import HTML, ConsoleOrg, console_app
from tests.support.pages import signed_in_client


async def test_an_anonymous_browser_is_sent_to_the_console_sign_in(
    resources: Resources, corg: ConsoleOrg
) -> None:
    from tests.support.console import console_client

    client = await console_client(resources)
    try:
        response = await client.get("/admin?x=1", headers=HTML, allow_redirects=False)
        assert response.status == 302
        location = URL(response.headers["Location"])
        assert location.path == "/admin/signin" and location.query["next"] == "/admin?x=1"
    finally:
        await client.close()


async def test_staff_without_a_console_role_get_403_and_no_data(
    resources: Resources, corg: ConsoleOrg
) -> None:
    client = await signed_in_client(console_app(resources), corg.staff)
    try:
        response = await client.get("/admin", headers=HTML)
        assert response.status == 403
        text = await response.text()
        assert "没有权限" in text and "运政股" not in text
    finally:
        await client.close()


async def test_the_office_sees_the_overview_with_the_nav(resources: Resources, corg: ConsoleOrg) -> None:
    client = await signed_in_client(console_app(resources), corg.office)
    try:
        response = await client.get("/admin", headers=HTML)
        assert response.status == 200
        text = await response.text()
        for label in (
            "总览",
            "事项",
            "组织与链条",
            "事项清单",
            "季度报表",
            "分析研判",
            "考核",
            "典型案例",
            "通报",
            "日历",
            "台账",
            "变更记录",
        ):
            assert label in text
        assert "王办公" in text
    finally:
        await client.close()
