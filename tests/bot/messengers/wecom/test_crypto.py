"""Callback crypto: the official WXBizMsgCrypt vectors, round trips, and tampering."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.messengers.wecom.crypto import CallbackRejected, WeComCrypto
from tests.fakes.wecom_callback import WeComSigner

# The official sample (WXBizMsgCrypt) of WeCom's callback documentation.
TOKEN = "QDG6eK"
KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
CORP = "wx5823bf96d3bd56c7"
GET_SIG, GET_TS, GET_NONCE = "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3", "1409659589", "263014780"
GET_ECHO = "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="
POST_SIG, POST_TS, POST_NONCE = "477715d11cdb4164915debcba66cb864d751f3e6", "1409659813", "1372623149"
POST_ENCRYPT = (
    "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvu"
    "JTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwG"
    "c2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9"
    "EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0"
    "lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q=="
)


def crypto() -> WeComCrypto:
    return WeComCrypto(TOKEN, KEY, CORP)


def test_official_url_verification_vector() -> None:
    assert crypto().decrypt(GET_SIG, GET_TS, GET_NONCE, GET_ECHO) == "1616140317555161061"


def test_official_message_vector() -> None:
    plaintext = crypto().decrypt(POST_SIG, POST_TS, POST_NONCE, POST_ENCRYPT)
    assert "<FromUserName><![CDATA[mycreate]]></FromUserName>" in plaintext
    assert "<Content><![CDATA[hello]]></Content>" in plaintext


def test_the_test_client_agrees_with_the_official_vectors() -> None:
    signer = WeComSigner(TOKEN, KEY, CORP)
    assert signer.sign(GET_TS, GET_NONCE, GET_ECHO) == GET_SIG
    assert signer.sign(POST_TS, POST_NONCE, POST_ENCRYPT) == POST_SIG
    assert signer.decrypt(GET_ECHO) == ("1616140317555161061", CORP)
    message, receive_id = signer.decrypt(POST_ENCRYPT)
    assert receive_id == CORP and "<MsgId>4561255354251345929</MsgId>" in message


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=3000))
def test_round_trip_from_the_test_client(text: str) -> None:
    signer = WeComSigner(TOKEN, KEY, CORP)
    enc = signer.encrypt(text)
    assert crypto().decrypt(signer.sign("1", "2", enc), "1", "2", enc) == text


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0), st.integers(min_value=1, max_value=255))
def test_any_flipped_ciphertext_byte_is_rejected_by_the_signature(position: int, flip: int) -> None:
    signer = WeComSigner(TOKEN, KEY, CORP)
    enc = signer.encrypt("<xml><a>1</a></xml>")
    sig = signer.sign("1", "2", enc)
    raw = bytearray(base64.b64decode(enc))
    raw[position % len(raw)] ^= flip
    with pytest.raises(CallbackRejected) as caught:
        crypto().decrypt(sig, "1", "2", base64.b64encode(bytes(raw)).decode())
    assert caught.value.reason == "bad signature"


@pytest.mark.parametrize(
    ("encrypt", "reason"),
    [
        ("not base64 at all!", "ciphertext is not base64"),
        (base64.b64encode(b"x" * 20).decode(), "ciphertext is not whole 32-byte blocks"),
        (base64.b64encode(bytes(64)).decode(), None),  # garbage of the right shape
    ],
)
def test_signed_garbage_is_rejected(encrypt: str, reason: str | None) -> None:
    signer = WeComSigner(TOKEN, KEY, CORP)
    with pytest.raises(CallbackRejected) as caught:
        crypto().decrypt(signer.sign("1", "2", encrypt), "1", "2", encrypt)
    if reason:
        assert caught.value.reason == reason


def test_another_corps_message_is_rejected() -> None:
    signer = WeComSigner(TOKEN, KEY, CORP)
    enc = signer.encrypt("<xml/>", receive_id="wwSomeoneElse00000")
    with pytest.raises(CallbackRejected) as caught:
        crypto().decrypt(signer.sign("1", "2", enc), "1", "2", enc)
    assert caught.value.reason == "receive id is not our CorpID"


def test_a_key_that_is_not_43_characters_is_refused() -> None:
    with pytest.raises(ValueError):
        WeComCrypto(TOKEN, KEY[:-1], CORP)
