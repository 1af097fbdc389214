"""Delivering outbox rows through the messengers (the arq ``deliver`` job), and the sweeper.

A row is claimed by bumping its attempt counter with a conditional update, so a job duplicated by
the sweeper or by arq's at-least-once delivery sends it once. Transient failures retry with
back-off; permanent ones mark the row failed and tell the office group.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import logging
import time
from typing import Any

from arq import Retry
from tortoise.transactions import in_transaction

from bot.cards import Card
from bot.outbound import XLSX_TYPE, Attachment, DeliveryError, GroupTarget, Messenger, Recipient
from bot.outbox.batch import OutboxBatch
from bot.outbox.order import CardForm, card_turn, nudge_next
from bot.outbox.queue import enqueue_deliveries
from bot.outbox.record import record_sent
from bot.runtime.resources import Resources
from models.cards import CardInstance
from models.enums import GroupKind, Platform
from models.messaging import OutboxKind, OutboxMessage, OutboxStatus
from models.org import GroupChannel, Organisation, Person
from models.rows import db_time, fetch_rows

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# Every delivery's claim and record, precompiled (the worker runs them for each row it sends).
CLAIM = (
    'UPDATE "outbox" SET "attempts" = $1, "next_attempt_at" = $2'
    ' WHERE "id" = $3 AND "status" = $4 AND "attempts" = $5 AND "next_attempt_at" <= $6 RETURNING "id"'
)


def backoff_seconds(attempt: int, hint: float | None = None) -> float:
    """1, 2, 4, … seconds, capped at 5 minutes; a platform's own hint (rate limits) wins if longer."""
    base = float(min(2 ** max(attempt - 1, 0), 300))
    return max(base, hint or 0.0)


def recipient_for(person: Person, platform: Platform) -> Recipient:
    user_id = {
        Platform.SIMULATOR: person.handle,
        Platform.WECOM: person.wecom_userid,
        Platform.DINGTALK: person.dingtalk_userid,
    }.get(platform)
    if not user_id:
        raise DeliveryError(
            f"{person.name} 没有 {platform} 账号（请在组织架构文件中填写，或运行 tiji org sync {platform}）",
            transient=False,
        )
    return Recipient(person_id=person.id, user_id=user_id, name=person.name)


def group_target_for(group: GroupChannel, platform: Platform) -> GroupTarget:
    if platform is Platform.WECOM:
        chat_id, webhook, secret = group.wecom_chat_id, group.wecom_robot_key, None
    elif platform is Platform.DINGTALK:
        chat_id, webhook = group.dingtalk_conversation_id, group.dingtalk_webhook
        secret = group.dingtalk_webhook_secret
    else:
        chat_id, webhook, secret = str(group.id), None, None
    if not chat_id and not webhook:
        raise DeliveryError(f"群“{group.name}”没有配置 {platform} 群聊或群机器人", transient=False)
    return GroupTarget(group_id=group.id, code=group.code, name=group.name, chat_id=chat_id, webhook=webhook,
                       webhook_secret=secret)  # fmt: skip


async def _claim(row: OutboxMessage, now: dt.datetime, lease: dt.timedelta) -> bool:
    # The row must be due: an attempt in flight has pushed next_attempt_at a lease ahead, so a
    # duplicate job (sweeper, arq re-run) that read the row meanwhile cannot claim it too. The lease
    # is the delivery job's own time limit, so it only runs out once that attempt is over (or its
    # worker died).
    values = [
        row.attempts + 1,
        db_time(now + lease),
        row.id,
        OutboxStatus.PENDING.value,
        row.attempts,
        db_time(now),
    ]
    claimed = await fetch_rows(OutboxMessage, CLAIM, values)
    row.attempts += 1
    return len(claimed) == 1


def _attachment(payload: dict[str, Any]) -> Attachment | None:
    raw = payload.get("attachment")
    if not raw:
        return None
    return Attachment(
        filename=raw["filename"],
        content=base64.b64decode(raw["content_b64"]),
        content_type=raw.get("content_type", XLSX_TYPE),
    )


async def _text_then_file(
    messenger: Messenger, row: OutboxMessage, recipient: Recipient, attachment: Attachment | None
) -> None:
    """A text, and the file that goes with it: a retry after the text went out sends only the
    file (the row remembers ``text_sent``), so the text arrives once."""
    payload: dict[str, Any] = row.payload
    if not payload.get("text_sent"):
        await messenger.send_text(
            recipient, payload["text"], markdown=bool(payload.get("markdown")), dedupe_key=row.dedupe_key
        )
        if attachment is None:
            return
        payload = {**payload, "text_sent": True}
        await OutboxMessage.filter(id=row.id).update(payload=payload)
        row.payload = payload
    if attachment is not None:
        await messenger.send_file(recipient, attachment, dedupe_key=f"{row.dedupe_key}:file")


async def _send(
    resources: Resources, messenger: Messenger, row: OutboxMessage, person: Person | None
) -> dict[str, str] | None:
    payload: dict[str, Any] = row.payload
    attachment = _attachment(payload)
    if row.kind == OutboxKind.GROUP:
        group = await GroupChannel.get(id=row.group_id)
        await messenger.post_to_group(
            group_target_for(group, row.platform),
            payload["markdown"],
            attachment=attachment,
            dedupe_key=row.dedupe_key,
        )
        return None
    if row.person_id is None:  # an unregistered account, addressed by its platform id
        recipient = Recipient(person_id=0, user_id=str(payload["user_id"]), name=str(payload["user_id"]))
    else:
        recipient = recipient_for(person or await Person.get(id=row.person_id), row.platform)
    if row.kind == OutboxKind.TEXT:
        await _text_then_file(messenger, row, recipient, attachment)
        return None
    card = Card.from_dict(payload["card"])
    if row.kind == OutboxKind.CARD:  # a new card has no platform state yet: nothing to read first
        delivery = await messenger.send_card(recipient, card, dedupe_key=row.dedupe_key)
    else:
        instance = await CardInstance.get(id=row.card_id)
        delivery = await messenger.update_card(
            recipient, card, state=instance.platform_state or {}, dedupe_key=row.dedupe_key
        )
    return dict(delivery.state)


async def deliver(ctx: dict[str, Any], outbox_id: int) -> str:
    """arq job: send one outbox row (re-read from the database; the job carries only its id)."""
    return await deliver_row(ctx["resources"], await OutboxMessage.get_or_none(id=outbox_id))


async def deliver_row(
    resources: Resources, row: OutboxMessage | None, *, person: Person | None = None
) -> str:
    """`deliver` of a row already read (``bot.outbox.bulk`` reads a chunk's rows, and the people
    they are addressed to, at once)."""
    if row is None or row.status != OutboxStatus.PENDING:
        return "skipped"
    form = await card_turn(row)
    if form is None:
        return "waiting"  # bot.outbox.order: the earlier row's delivery nudges this one
    now = resources.clock.now()
    if not await _claim(row, now, dt.timedelta(seconds=resources.settings.delivery_lease_seconds)):
        return "not claimed"
    return await attempt(resources, row, person=person, form=form)


async def attempt(
    resources: Resources,
    row: OutboxMessage,
    *,
    person: Person | None = None,
    record: bool = True,
    form: CardForm | None = None,
) -> str:
    """Send a row this worker has claimed: "sent" (recorded, unless ``record`` is False and the
    caller records it, ``bot.outbox.bulk``), "failed", or ``Retry`` to come back later. ``form``:
    a card row's payload and merged updates as ``card_turn`` read them (a plain row sends its own)."""
    row.payload, merged = form if form is not None else (row.payload, [])
    messenger = resources.messengers.get(row.platform)
    try:
        if messenger is None:
            raise DeliveryError(
                f"消息平台 {row.platform} 未配置（检查 TIJI_ 设置，运行 tiji check-config）", transient=False
            )
        state = await _send(resources, messenger, row, person)
    except DeliveryError as error:
        if error.rate_limited:
            return await _wait_for_limit(resources, row, error)
        return await _failed(resources, row, error)
    except Exception as error:  # a bug or an unexpected answer: retry, then fail visibly
        log.exception("delivery of outbox %s crashed", row.id)
        return await _failed(
            resources, row, DeliveryError(f"{type(error).__name__}: {error}", transient=True)
        )
    if not record:
        return "sent"
    # Sent: record it even if this job is being cancelled now (a stop, its time limit), or the
    # platform would get the message a second time once the lease ran out.
    await asyncio.shield(record_sent(row, state, merged, resources.clock.now()))
    await nudge_next(resources, row)
    return "sent"


async def _wait_for_limit(resources: Resources, row: OutboxMessage, error: DeliveryError) -> str:
    """Over a platform limit: give the claim back uncounted and come back when a slot frees."""
    delay = max(error.retry_after or 1.0, 0.05)
    await OutboxMessage.filter(id=row.id, attempts=row.attempts).update(
        attempts=row.attempts - 1,
        next_attempt_at=resources.clock.now() + dt.timedelta(seconds=delay),
        last_error=str(error)[:2000],
    )
    log.info("outbox %s waits %.1fs for the platform's limit: %s", row.id, delay, error)
    raise Retry(defer=delay)


async def _failed(resources: Resources, row: OutboxMessage, error: DeliveryError) -> str:
    now = resources.clock.now()
    if error.transient and row.attempts < MAX_ATTEMPTS:
        delay = backoff_seconds(row.attempts, error.retry_after)
        await OutboxMessage.filter(id=row.id).update(
            last_error=str(error)[:2000], next_attempt_at=now + dt.timedelta(seconds=delay)
        )
        log.warning("outbox %s attempt %d failed (%s); retrying in %.0fs", row.id, row.attempts, error, delay)
        raise Retry(defer=delay)
    await OutboxMessage.filter(id=row.id).update(status=OutboxStatus.FAILED, last_error=str(error)[:2000])
    log.error("outbox %s failed for good: %s", row.id, error)
    await alert_office(resources, row, str(error))
    return "failed"


async def alert_office(resources: Resources, row: OutboxMessage, reason: str) -> None:
    """Tell the office group that a message could not be delivered (never about its own alerts)."""
    organisation = await Organisation.get(id=row.organisation_id)
    office = await GroupChannel.filter(organisation_id=organisation.id, kind=GroupKind.OFFICE).first()
    if office is None or row.group_id == office.id:
        return
    target = "群“" + (await GroupChannel.get(id=row.group_id)).name + "”" if row.group_id else ""
    if row.person_id:
        person = await Person.get(id=row.person_id)
        target = f"{person.name}"
    kinds = {
        OutboxKind.TEXT: "消息" if not row.payload.get("attachment") else "消息（附文件）",
        OutboxKind.CARD: "审批卡片",
        OutboxKind.CARD_UPDATE: "审批卡片更新",
        OutboxKind.GROUP: "群消息",
    }
    text = f"**消息发送失败**\n发给 {target} 的{kinds.get(row.kind, '消息')}（第 {row.id} 号）未能送达：{reason}\n请核对后处理。"
    batch = OutboxBatch(resources.settings, organisation, resources.clock.now())
    async with in_transaction():
        await batch.group(office, text, dedupe_key=f"alert:delivery_failed:{row.id}")
    await batch.nudge(resources)


async def sweep_outbox(resources: Resources, *, limit: int = 5000) -> int:
    """Enqueue delivery for every pending row that is due (lost jobs, retries, a Redis restart)."""
    if resources.arq is None:
        return 0
    now = resources.clock.now()
    ids = (
        await OutboxMessage.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now)
        .order_by("id")
        .limit(limit)
        .values_list("id", flat=True)
    )
    await enqueue_deliveries(resources.arq, [int(str(i)) for i in ids], key=f"sweep:{int(time.time())}")
    return len(ids)
