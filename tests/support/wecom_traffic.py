"""What WeCom sends to a running `tiji serve`: encrypted chat messages and card clicks, posted to
``/wecom/callback`` over real HTTP, as the platform would (used by the fault tests and the bench)."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field

import aiohttp

from tests.fakes.wecom_api import Delivery, FakeWeCom
from tests.fakes.wecom_callback import WeComSigner, card_event_xml, text_xml

CALLBACK = "/wecom/callback"
FORM = "说不\n服务对象：某公司\n联系电话：13800001111\n事项：道路运输经营许可\n拟说不理由：材料不全"
_ids = itertools.count(int(time.time() * 1000))


@dataclass(frozen=True)
class Callback:
    """One encrypted POST: its query (signature, timestamp, nonce) and XML body."""

    query: dict[str, str]
    body: bytes


@dataclass
class WeComTraffic:
    api: FakeWeCom
    signer: WeComSigner
    now: float | None = None  # a fixed CreateTime/timestamp; None means the real time
    ids: itertools.count[int] = field(default_factory=lambda: _ids)

    def _ts(self) -> int:
        return int(self.now if self.now is not None else time.time())

    def text(self, userid: str, content: str) -> Callback:
        ts = self._ts()
        xml = text_xml(self.api.corp_id, userid, content, msg_id=str(next(self.ids)), create_time=ts,
                       agent_id=self.api.agent_id)  # fmt: skip
        query, body = self.signer.envelope(xml, str(ts), self.api.agent_id)
        return Callback(query, body)

    def click(
        self, userid: str, card: Delivery, key: str, selected: dict[str, str] | None = None
    ) -> Callback:
        """A tap on ``card``'s button ``key``; the fake issues the ResponseCode WeCom would."""
        ts = self._ts()
        task_id = str(card.card["task_id"])
        xml = card_event_xml(self.api.corp_id, userid, task_id=task_id, event_key=key,
                             response_code=self.api.click(task_id), create_time=ts,
                             agent_id=self.api.agent_id,
                             selected={k: [v] for k, v in (selected or {}).items()})  # fmt: skip
        query, body = self.signer.envelope(xml, str(ts), self.api.agent_id)
        return Callback(query, body)


async def post(http: aiohttp.ClientSession, base_url: str, callback: Callback) -> int:
    """POST one callback; the HTTP status (WeCom sees 200 with an empty body as accepted)."""
    async with http.post(f"{base_url}{CALLBACK}", params=callback.query, data=callback.body) as response:
        await response.read()
        return response.status


def button_key(card: Delivery, text: str) -> str:
    """The key of the button labelled ``text`` on a template card."""
    return str(next(b["key"] for b in card.card["button_list"] if b["text"] == text))
