"""``check_config`` for WeCom: shapes only, no network."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.messengers.wecom import check_config
from bot.settings import Settings

GOOD: dict[str, object] = {
    "wecom_corp_id": "ww0123456789abcdef",
    "wecom_agent_id": 1000002,
    "wecom_secret": "Abc-def_0123456789abcdefghijklmnopqrstuvwxyz",
    "wecom_token": "QDG6eK",
    "wecom_aes_key": "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
    "public_url": "https://tiji.example.gov.cn",
}


def settings(tmp_path: Path, **values: object) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path, **values)  # type: ignore[call-arg, arg-type]


def test_unused_wecom_has_no_problems(tmp_path: Path) -> None:
    assert check_config(settings(tmp_path)) == []


def test_a_complete_configuration_passes(tmp_path: Path) -> None:
    assert (
        check_config(settings(tmp_path, **GOOD, wecom_robot_key="693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa")) == []
    )


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"wecom_aes_key": str(GOOD["wecom_aes_key"])[:-1]}, "43 个字符"),
        ({"wecom_aes_key": "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2+"}, "只能包含英文字母和数字"),
        ({"wecom_token": "has space"}, "TIJI_WECOM_TOKEN 只能是英文字母和数字"),
        ({"wecom_token": "x" * 33}, "最长 32"),
        ({"wecom_token": None}, "缺少 TIJI_WECOM_TOKEN"),
        ({"wecom_corp_id": "ww 123"}, "TIJI_WECOM_CORP_ID 格式不对"),
        ({"wecom_agent_id": None}, "缺少 TIJI_WECOM_AGENT_ID"),
        ({"wecom_secret": None}, "缺少 TIJI_WECOM_SECRET"),
        ({"public_url": None}, "可信域名"),
        ({"public_url": "tiji.example.gov.cn"}, "TIJI_PUBLIC_URL 不是有效的网址"),
        ({"wecom_api_base": "qyapi.weixin.qq.com"}, "TIJI_WECOM_API_BASE"),
        ({"wecom_robot_key": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"}, "key="),
    ],
)
def test_each_problem_is_named(tmp_path: Path, change: dict[str, object], expected: str) -> None:
    problems = check_config(settings(tmp_path, **{**GOOD, **change}))
    assert len(problems) == 1 and expected in problems[0], problems
