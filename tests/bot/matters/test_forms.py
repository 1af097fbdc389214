"""Parsing what people type on a phone: command words, ``字段：值`` forms, phone numbers, matter
numbers (pure functions, no database)."""

from __future__ import annotations

import pytest

from bot.errors import UserError
from bot.matters.forms import normalise_phone, parse_fields
from bot.matters.numbers import format_number, normalise_number
from handlers.commands.common import split_number
from handlers.commands.submit import FIELD_ALIASES

# --- 字段：值 ------------------------------------------------------------------------------------------


def test_parse_fields_colons_blank_lines_spaces() -> None:
    text = "\n 服务对象 ：张三 \n\n联系电话:13800000000\n\u3000事项\u3000：  许可  \n拟说不理由：材料不全\n"
    assert parse_fields(text, FIELD_ALIASES) == {
        "applicant": "张三",
        "phone": "13800000000",
        "subject": "许可",
        "reason": "材料不全",
    }


def test_parse_fields_continuation_lines_and_colons_in_values() -> None:
    text = "拟说不理由：\n材料不全\n缺少：营业执照\n事项：换证：遗失补办"
    assert parse_fields(text, FIELD_ALIASES) == {
        "reason": "材料不全\n缺少：营业执照",
        "subject": "换证：遗失补办",
    }


def test_parse_fields_quoted_and_spaced_labels() -> None:
    assert parse_fields("“服务对象”：张三\n服 务 电 话：x", FIELD_ALIASES) == {
        "applicant": "张三\n服 务 电 话：x"
    }
    assert parse_fields("服 务 对 象：张三", FIELD_ALIASES) == {"applicant": "张三"}


def test_parse_fields_empty_value_is_kept_empty() -> None:
    assert parse_fields("诉求：\n政策依据：", FIELD_ALIASES) == {"request": "", "policy_basis": ""}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("服务对象：张三\n服务对象：李四", "“服务对象”填写了两次"),
        ("服务对象：张三\n申请人：李四", "“申请人”填写了两次"),
        ("备注：无", "无法识别的字段“备注”"),
        ("随便写点什么", "无法识别这一行：“随便写点什么”"),
    ],
)
def test_parse_fields_errors_say_what_to_fix(text: str, message: str) -> None:
    with pytest.raises(UserError) as error:
        parse_fields(text, FIELD_ALIASES)
    assert message in error.value.message


def test_unknown_label_lists_the_known_ones() -> None:
    with pytest.raises(UserError) as error:
        parse_fields("备注：无", FIELD_ALIASES)
    assert "服务对象" in error.value.message and "协办股室" in error.value.message


# --- phone numbers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("13800000000", "13800000000"),
        ("138 0000 0000", "13800000000"),
        ("138-0000-0000", "13800000000"),
        ("+86 13800000000", "13800000000"),
        ("+86-138-0000-0000", "13800000000"),
        ("0377-8123456", "0377-8123456"),
        ("0377－68123456", "0377-68123456"),
        ("(0377)68123456", "037768123456"),
        ("010-12345678", "010-12345678"),
        ("0377-68123456-801", "0377-68123456-801"),
    ],
)
def test_phone_numbers_accepted(typed: str, stored: str) -> None:
    assert normalise_phone(typed) == stored


@pytest.mark.parametrize(
    "typed",
    ["", "12345", "1380000000", "138000000001", "12800000000", "23800000000", "电话", "0377", "8123456"],
)
def test_phone_numbers_refused(typed: str) -> None:
    assert normalise_phone(typed) is None


# --- matter numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("TJ-2026-0001", "TJ-2026-0001"),
        ("tj-2026-1", "TJ-2026-0001"),
        ("TJ2026-0012", "TJ-2026-0012"),
        ("TJ－2026－0003", "TJ-2026-0003"),
        (" TJ-2026-12345 ", "TJ-2026-12345"),
    ],
)
def test_normalise_number(typed: str, number: str) -> None:
    assert normalise_number(typed) == number


@pytest.mark.parametrize(
    "typed", ["", "2026-0001", "TJ-26-0001", "TJ-20260001", "TJ-2026-", "XJ-2026-0001", "TJ-2026-0001x"]
)
def test_malformed_numbers(typed: str) -> None:
    assert normalise_number(typed) is None


def test_format_number_pads_to_four() -> None:
    assert format_number(2026, 7) == "TJ-2026-0007" and format_number(2027, 12345) == "TJ-2027-12345"


def test_split_number_and_its_errors() -> None:
    assert split_number("tj-2026-2 电话 已告知", "用法") == ("TJ-2026-0002", "电话 已告知")
    assert split_number("TJ-2026-0002\n电话\n已告知", "用法") == ("TJ-2026-0002", "电话\n已告知")
    with pytest.raises(UserError, match="缺少事项编号。用法：查询 编号"):
        split_number("  ", "查询 编号")
    with pytest.raises(UserError, match="“0002”不是事项编号"):
        split_number("0002", "查询 编号")
