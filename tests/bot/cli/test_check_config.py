"""`tiji check-config` warns that DingTalk's HTTP mode is the weaker one and Stream the safe default."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main

DINGTALK = {
    "TIJI_DINGTALK_CLIENT_ID": "dingabc",
    "TIJI_DINGTALK_CLIENT_SECRET": "secret",
    "TIJI_DINGTALK_CARD_TEMPLATE_ID": "tpl.schema",
    "TIJI_DINGTALK_CORP_ID": "dingcorp123",
    "TIJI_PUBLIC_URL": "https://tiji.example.gov.cn",
}


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TIJI_DATA_DIR", str(tmp_path / "var"))
    for name, value in DINGTALK.items():
        monkeypatch.setenv(name, value)
    return monkeypatch


def test_http_mode_is_flagged_with_stream_mode_as_the_safe_default(
    environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    environment.setenv("TIJI_DINGTALK_MODE", "http")
    environment.setenv("TIJI_PUBLIC_URL", "https://tiji.example.gov.cn")
    assert main(["check-config"]) == 0
    out = capsys.readouterr().out
    assert "警告：钉钉使用 HTTP 模式" in out
    assert "签名只覆盖时间戳" in out
    assert "请改用 Stream 模式" in out


def test_stream_mode_has_no_such_warning(
    environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check-config"]) == 0
    assert "HTTP 模式" not in capsys.readouterr().out


def test_a_configured_platform_without_a_public_url_is_told_it_needs_one(
    environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    environment.delenv("TIJI_PUBLIC_URL")
    assert main(["check-config"]) != 0
    assert "缺少 TIJI_PUBLIC_URL" in capsys.readouterr().out
