"""The public complaint form's checks: mobile and landline numbers pass, odd ones are named; the
per-phone limit counts a number however it is written; control characters never reach the ledger."""

from __future__ import annotations

import pytest

from bot.complaints.public_form import PublicComplaintErrors, parse_public_complaint
from models.complaints import ComplaintChannel

BASE = {"complainant": "刘先生", "content": "被拒"}


@pytest.mark.parametrize("phone", ["13800000000", "0377-68123456", "+86 138 0000 0000", "68123456"])
def test_mobile_and_landline_numbers_pass(phone: str) -> None:
    parsed = parse_public_complaint({**BASE, "phone": phone})
    assert parsed.form.channel is ComplaintChannel.WEB_FORM and parsed.form.phone == phone


@pytest.mark.parametrize("phone", ["123", "1380000000a", "--------", "1" * 21])
def test_odd_numbers_are_named_beside_the_phone(phone: str) -> None:
    with pytest.raises(PublicComplaintErrors) as caught:
        parse_public_complaint({**BASE, "phone": phone})
    assert list(caught.value.errors) == ["phone"] and "联系电话" in caught.value.errors["phone"]


def test_a_number_typed_full_width_is_taken_as_ascii() -> None:
    assert (
        parse_public_complaint({**BASE, "phone": "１３８－００００－００００"}).form.phone == "138-0000-0000"
    )


def test_the_per_phone_limit_counts_the_digits() -> None:
    one = parse_public_complaint({**BASE, "phone": "138-0000 0000"})
    two = parse_public_complaint({**BASE, "phone": "13800000000"})
    assert one.phone_key == two.phone_key == "13800000000"


def test_a_matter_number_is_normalised_and_control_characters_dropped() -> None:
    parsed = parse_public_complaint({**BASE, "phone": "13800000000", "matter": "tj-2026-7",
                                     "content": "被\x00拒\x1b\r\n第二行"})  # fmt: skip
    assert parsed.matter_number == "TJ-2026-0007"
    assert parsed.form.content == "被拒\n第二行"
