"""XML → neutral events, and what malformed or hostile XML does."""

from __future__ import annotations

from xml.etree.ElementTree import tostring

import pytest
from defusedxml.ElementTree import fromstring

from bot.events import CardAction, TextMessage
from bot.messengers.wecom.crypto import CallbackRejected
from bot.messengers.wecom.parse import _root, parse_envelope, parse_message
from tests.fakes.wecom_callback import card_event_xml, text_xml


def test_text_message() -> None:
    xml = text_xml("ww1", "zhangsan", "说不\n事项：x", msg_id="77", create_time=1700000000, agent_id=1)
    event = parse_message(xml).event
    assert isinstance(event, TextMessage)
    assert (event.text, event.dedupe_key) == ("说不\n事项：x", "wecom:msg:77")
    assert (event.sender.platform, event.sender.user_id) == ("wecom", "zhangsan")


def test_card_click_with_a_single_selected_item_still_gives_the_choice() -> None:
    xml = card_event_xml("ww1", "lisi", task_id="tjAbC-d_e@0123456789", event_key="confirm_no",
                         response_code="RC1", create_time=1700000001, agent_id=1,
                         selected={"refusal_category": ["law"]})  # fmt: skip
    inbound = parse_message(xml)
    assert isinstance(inbound.event, CardAction)
    assert inbound.event.card_ref == "tjAbC-d_e"
    assert inbound.event.key == "confirm_no"
    assert dict(inbound.event.selected) == {"refusal_category": "law"}
    assert inbound.response_code == "RC1"
    assert inbound.task_id == "tjAbC-d_e@0123456789"
    assert inbound.dedupe_key == "wecom:card:lisi:1700000001:tjAbC-d_e@0123456789:confirm_no"


def test_several_selected_items() -> None:
    xml = card_event_xml("ww1", "lisi", task_id="t@1", event_key="k", response_code="R", create_time=1,
                         agent_id=1, selected={"a": ["x"], "b": ["y", "z"]})  # fmt: skip
    event = parse_message(xml).event
    assert isinstance(event, CardAction)
    assert dict(event.selected) == {"a": "x", "b": "y"}


def test_other_events_are_acknowledged_without_an_event() -> None:
    xml = ("<xml><ToUserName>ww1</ToUserName><FromUserName>u</FromUserName><CreateTime>5</CreateTime>"
           "<MsgType>event</MsgType><Event>enter_agent</Event></xml>")  # fmt: skip
    inbound = parse_message(xml)
    assert inbound.event is None and inbound.event_name == "enter_agent"


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<xml><MsgType>text</MsgType><FromUserName>&lol2;</FromUserName><CreateTime>1</CreateTime><MsgId>1</MsgId></xml>"""


@pytest.mark.parametrize(
    "xml",
    [
        "<xml><MsgType>text</MsgType>",  # truncated
        "<notxml/>",
        BILLION_LAUGHS,
        '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><Content>&e;</Content></xml>',
        "<xml><MsgType>text</MsgType><FromUserName>u</FromUserName><CreateTime>x</CreateTime></xml>",
        "<xml><MsgType>text</MsgType><FromUserName>u</FromUserName><CreateTime>1</CreateTime></xml>",  # no MsgId
        "<xml><MsgType>event</MsgType><Event>template_card_event</Event><FromUserName>u</FromUserName>"
        "<CreateTime>1</CreateTime><EventKey>k</EventKey></xml>",  # no TaskId
    ],
)
def test_malformed_or_hostile_xml_is_rejected(xml: str) -> None:
    with pytest.raises(CallbackRejected):
        parse_message(xml)


def test_envelope_needs_an_encrypt_element() -> None:
    with pytest.raises(CallbackRejected):
        parse_envelope(b"<xml><ToUserName>ww</ToUserName></xml>")
    assert parse_envelope(b"<xml><Encrypt><![CDATA[abc]]></Encrypt></xml>").encrypt == "abc"


def test_overlong_keys_are_hashed_to_fit_the_inbox() -> None:
    xml = card_event_xml("ww1", "u" * 64, task_id="t" * 120, event_key="k" * 300, response_code="R",
                         create_time=1, agent_id=1)  # fmt: skip
    assert len(parse_message(xml).dedupe_key) <= 255


def test_a_button_that_carries_its_option_gives_the_action_and_the_choice() -> None:
    xml = card_event_xml("ww1", "lisi", task_id="tjAbC-d_e@0123456789",
                         event_key="confirm_no?refusal_category=conditions", response_code="RC1",
                         create_time=1700000001, agent_id=1)  # fmt: skip
    inbound = parse_message(xml)
    assert isinstance(inbound.event, CardAction)
    assert (inbound.event.key, dict(inbound.event.selected)) == (
        "confirm_no",
        {"refusal_category": "conditions"},
    )


@pytest.mark.parametrize(
    "xml",
    [
        "<xml><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[说]]>不<![CDATA[ & <b>]]></Content></xml>",
        "<xml><!-- a comment --><MsgType>event</MsgType><?pi ignored?><Event>enter_agent</Event></xml>",
        "<xml><Content>&amp;&lt;&#x4e2d;&#25991;</Content><A x='1' y=\"&quot;\"/></xml>",
        '<?xml version="1.0" encoding="UTF-8"?>\n<xml>\n  <MsgType>text</MsgType>\n</xml>',
    ],
)
def test_the_tree_is_the_one_defusedxml_reads(xml: str) -> None:
    assert tostring(_root(xml)) == tostring(fromstring(xml, forbid_dtd=True))
    assert tostring(_root(xml.encode())) == tostring(fromstring(xml.encode(), forbid_dtd=True))


@pytest.mark.parametrize(
    "xml",
    [
        b'<!DOCTYPE xml SYSTEM "http://attacker.example/x.dtd"><xml/>',  # an external DTD
        b'<!DOCTYPE x [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]><xml/>',  # a parameter entity
        b"",
        b"<xml>\xff</xml>",  # not UTF-8
        b"<xml><a>1</a></xml><xml/>",  # two roots
    ],
)
def test_an_envelope_with_a_dtd_or_broken_bytes_is_rejected(xml: bytes) -> None:
    with pytest.raises(CallbackRejected):
        parse_envelope(xml)
