"""Builds callbacks exactly as WeCom does: XML, AES-256-CBC (WXBizMsgCrypt), ``msg_signature``.

Written from the protocol description, not from the adapter's code, so the two check each other
(and the official sample vectors check both).
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import struct
from dataclasses import dataclass
from xml.sax.saxutils import escape

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


def cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


@dataclass
class WeComSigner:
    token: str
    aes_key: str  # EncodingAESKey, 43 characters
    receive_id: str  # the CorpID

    @property
    def _key(self) -> bytes:
        return base64.b64decode(self.aes_key + "=")

    def sign(self, timestamp: str, nonce: str, encrypt: str) -> str:
        joined = "".join(sorted([self.token, timestamp, nonce, encrypt])).encode()
        return hashlib.sha1(joined).hexdigest()  # noqa: S324 - WeCom's signature scheme

    def encrypt(self, plaintext: str, *, receive_id: str | None = None, random16: bytes | None = None) -> str:
        msg = plaintext.encode()
        rid = (self.receive_id if receive_id is None else receive_id).encode()
        raw = (random16 or os.urandom(16)) + struct.pack(">I", len(msg)) + msg + rid
        pad = 32 - len(raw) % 32
        raw += bytes([pad]) * pad
        key = self._key
        enc = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
        return base64.b64encode(enc.update(raw) + enc.finalize()).decode()

    def decrypt(self, encrypt: str) -> tuple[str, str]:
        """(message, receive id): used to check the official vectors against this implementation."""
        key = self._key
        dec = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
        raw = dec.update(base64.b64decode(encrypt)) + dec.finalize()
        raw = raw[16 : -raw[-1]]
        (length,) = struct.unpack(">I", raw[:4])
        return raw[4 : 4 + length].decode(), raw[4 + length :].decode()

    def verify_query(self, echo: str, timestamp: str, nonce: str | None = None) -> dict[str, str]:
        """The GET query WeCom sends when the admin saves the callback URL."""
        nonce = nonce or str(secrets.randbelow(10**10))
        echostr = self.encrypt(echo)
        return {"msg_signature": self.sign(timestamp, nonce, echostr), "timestamp": timestamp,
                "nonce": nonce, "echostr": echostr}  # fmt: skip

    def envelope(self, plaintext: str, timestamp: str, agent_id: int, nonce: str | None = None,
                 **overrides: str) -> tuple[dict[str, str], bytes]:  # fmt: skip
        """(query, body) of a POST carrying ``plaintext``."""
        nonce = nonce or str(secrets.randbelow(10**10))
        encrypt = overrides.get("encrypt") or self.encrypt(plaintext)
        body = (
            f"<xml><ToUserName>{cdata(self.receive_id)}</ToUserName>"
            f"<AgentID>{cdata(str(agent_id))}</AgentID><Encrypt>{cdata(encrypt)}</Encrypt></xml>"
        )
        query = {
            "msg_signature": self.sign(timestamp, nonce, encrypt),
            "timestamp": timestamp,
            "nonce": nonce,
        }
        return query, body.encode()


def text_xml(
    corp_id: str, from_user: str, content: str, *, msg_id: str, create_time: int, agent_id: int
) -> str:
    return (
        f"<xml><ToUserName>{cdata(corp_id)}</ToUserName><FromUserName>{cdata(from_user)}</FromUserName>"
        f"<CreateTime>{create_time}</CreateTime><MsgType>{cdata('text')}</MsgType>"
        f"<Content>{cdata(content)}</Content><MsgId>{escape(msg_id)}</MsgId><AgentID>{agent_id}</AgentID></xml>"
    )


def card_event_xml(
    corp_id: str,
    from_user: str,
    *,
    task_id: str,
    event_key: str,
    response_code: str,
    create_time: int,
    agent_id: int,
    selected: dict[str, list[str]] | None = None,
) -> str:
    items = "".join(
        f"<SelectedItem><QuestionKey>{cdata(k)}</QuestionKey><OptionIds>"
        + "".join(f"<OptionId>{cdata(o)}</OptionId>" for o in opts)
        + "</OptionIds></SelectedItem>"
        for k, opts in (selected or {}).items()
    )
    return (
        f"<xml><ToUserName>{cdata(corp_id)}</ToUserName><FromUserName>{cdata(from_user)}</FromUserName>"
        f"<CreateTime>{create_time}</CreateTime><MsgType>{cdata('event')}</MsgType>"
        f"<Event>{cdata('template_card_event')}</Event><EventKey>{cdata(event_key)}</EventKey>"
        f"<TaskId>{cdata(task_id)}</TaskId><CardType>{cdata('button_interaction')}</CardType>"
        f"<ResponseCode>{cdata(response_code)}</ResponseCode><AgentID>{agent_id}</AgentID>"
        + (f"<SelectedItems>{items}</SelectedItems>" if items else "")
        + "</xml>"
    )


def image_xml(
    corp_id: str, from_user: str, *, media_id: str, msg_id: str, create_time: int, agent_id: int
) -> str:
    """A photo sent to the app (接收消息 · 图片消息: ``PicUrl``, ``MediaId``, ``MsgId``)."""
    pic_url = f"https://wework.qpic.cn/wwpic/{media_id}/0"
    return (
        f"<xml><ToUserName>{cdata(corp_id)}</ToUserName><FromUserName>{cdata(from_user)}</FromUserName>"
        f"<CreateTime>{create_time}</CreateTime><MsgType>{cdata('image')}</MsgType>"
        f"<PicUrl>{cdata(pic_url)}</PicUrl><MediaId>{cdata(media_id)}</MediaId>"
        f"<MsgId>{escape(msg_id)}</MsgId><AgentID>{agent_id}</AgentID></xml>"
    )


def file_xml(
    corp_id: str,
    from_user: str,
    *,
    media_id: str,
    filename: str,
    msg_id: str,
    create_time: int,
    agent_id: int,
) -> str:
    """A file sent to the app (``MsgType`` file with its ``MediaId``)."""
    return (
        f"<xml><ToUserName>{cdata(corp_id)}</ToUserName><FromUserName>{cdata(from_user)}</FromUserName>"
        f"<CreateTime>{create_time}</CreateTime><MsgType>{cdata('file')}</MsgType>"
        f"<MediaId>{cdata(media_id)}</MediaId><FileName>{cdata(filename)}</FileName>"
        f"<MsgId>{escape(msg_id)}</MsgId><AgentID>{agent_id}</AgentID></xml>"
    )
