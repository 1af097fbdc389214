"""The request bodies of the simulator's JSON API (DESIGN §4) as pydantic models.

Each validator refuses with the message the API has always given (``InputError``); a missing field
is validated as its empty default, so "missing" and "blank" read alike. Unknown fields are ignored
(callers may send more than the contract names).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field, field_validator, model_validator

from bot.web.inputs import InputError, required_text, storable
from handlers.web.sim.timeparse import parse_duration, parse_instant

MAX_TEXT = 4000


class MessageBody(BaseModel):
    """``POST /sim/api/messages``: ``{"from": handle, "text": str}``."""

    sender: str = Field("", alias="from", validate_default=True)
    text: str = Field("", validate_default=True)

    @field_validator("sender", mode="before")
    @classmethod
    def _sender(cls, value: object) -> str:
        return required_text(value, "from", "发送人账号")

    @field_validator("text", mode="before")
    @classmethod
    def _text(cls, value: object) -> str:
        if not isinstance(value, str) or not value.strip():
            raise InputError("消息内容为空：请填写 text，如 “帮助”")
        if len(value) > MAX_TEXT:
            raise InputError(f"消息太长：最多 {MAX_TEXT} 个字")
        return storable(value, "消息内容")  # kept as typed, blank lines and all


class ClickBody(BaseModel):
    """``POST /sim/api/cards/{ref}/click``: ``{"by": handle, "key": str, "selected": {key: id}}``."""

    by: str = Field("", validate_default=True)
    key: str = Field("", validate_default=True)
    selected: dict[str, str] = Field(default_factory=dict, validate_default=True)

    @field_validator("by", mode="before")
    @classmethod
    def _by(cls, value: object) -> str:
        return required_text(value, "by", "点击人账号")

    @field_validator("key", mode="before")
    @classmethod
    def _key(cls, value: object) -> str:
        return required_text(value, "key", "按钮")

    @field_validator("selected", mode="before")
    @classmethod
    def _selected(cls, value: object) -> dict[str, str]:
        value = value or {}  # null, [] and "" mean "nothing chosen"
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            raise InputError('selected 须是 {选项组: 选项} 形式的对象，如 {"refusal_category": "law"}')
        return {storable(k, "选项组"): storable(v, "选项") for k, v in value.items()}


class ClockBody(BaseModel):
    """``POST /sim/api/clock``: ``{"now": ISO-8601}`` or ``{"advance": ISO-8601 duration}``."""

    now: dt.datetime | None = None
    advance: dt.timedelta | None = None

    @model_validator(mode="before")
    @classmethod
    def _one_of(cls, data: Any) -> Any:
        if isinstance(data, dict):
            has_now, has_advance = "now" in data, "advance" in data
            if has_now == has_advance:
                raise InputError('请二选一：{"now": "2026-12-01T09:00:00+08:00"} 或 {"advance": "PT4H"}')
            if not isinstance(data["now" if has_now else "advance"], str):
                raise InputError('时间和时长须写成字符串，如 "2026-12-01T09:00:00+08:00" 或 "P1D"')
        return data

    @field_validator("now", mode="before")
    @classmethod
    def _now(cls, value: str) -> dt.datetime:
        return parse_instant(value)

    @field_validator("advance", mode="before")
    @classmethod
    def _advance(cls, value: str) -> dt.timedelta:
        return parse_duration(value)


class PhotoBody(BaseModel):
    """``POST /sim/api/photos``: ``{"from": handle}`` (a photo sent in chat)."""

    sender: str = Field("", alias="from", validate_default=True)

    @field_validator("sender", mode="before")
    @classmethod
    def _sender(cls, value: object) -> str:
        return required_text(value, "from", "发送人账号")
