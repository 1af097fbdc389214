"""Applying one inbound event: resolve the sender, dedupe (inbox), run the handler in one
transaction, queue the reply, nudge delivery after commit. Bad input rolls everything back and
only the reply (and the inbox key) is stored."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from bot.audit import audit_at_commit, audit_via
from bot.complaints.taps import give_complaint_words, open_complaint_prompt
from bot.errors import AlreadyHandled, ConcurrentChange, UserError
from bot.events import CardAction, FileMessage, Reply, TextMessage
from bot.matters.comments import give_text
from bot.matters.lookups import event_lookups
from bot.outbox.batch import OutboxBatch
from bot.runtime.resources import Resources
from handlers.cards import CardRouter
from handlers.commands import Commands, split_command
from handlers.context import HandlerContext
from handlers.files import file_reply
from handlers.people import resolve_person
from models.matter import Matter, TextPrompt
from models.messaging import InboxEntry
from models.org import Organisation, Person
from models.rows import db_time, fetch_rows

log = logging.getLogger(__name__)

# Numbers and the audit chain queue on row locks, so what is left to retry is a lost race on the
# same matter (its version) or on the same event (the inbox key): each retry re-reads and finds
# the winner's result. Bounded, with full jitter so the losers do not meet again.
ATTEMPTS = 8
RETRY_BASE = 0.005  # seconds; the n-th retry waits up to RETRY_BASE * 2**n, at most RETRY_CAP
RETRY_CAP = 0.2
# The database rolled the transaction back so that another could go on (serialization failure,
# deadlock): the driver's error carries the SQLSTATE.
RETRY_SQLSTATES = frozenset({"40001", "40P01"})
PROMPT_VALID_FOR = dt.timedelta(days=7)
# Precompiled: the first statement of every event.
CLAIM_INBOX = 'INSERT INTO "inbox" ("key", "received_at", "organisation_id") VALUES ($1, $2, $3)'
UNKNOWN_SENDER = (
    "您还未登记在本单位的说“不”提级组织架构中，暂不能使用。请联系办公室（管理员）在组织架构文件中添加您。"
)
DUPLICATE = "这条消息已处理过。"
BUSY = "系统繁忙，请稍后再试一次。"
PAGE_VIA = "web"  # the audit rows of a phone page's POST
PAGE_DUPLICATE = "此环节已处理：这次提交已经生效，无需重复提交。"
NONCE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")

Handler = Callable[[HandlerContext], Awaitable[str]]


def _lost_race(error: Exception) -> bool:
    """A conflict with a concurrent change that a fresh attempt resolves."""
    if isinstance(error, (ConcurrentChange, IntegrityError)):
        return True
    return any(getattr(e, "sqlstate", None) in RETRY_SQLSTATES for e in (error, error.__cause__))


class _AppliedBefore(Exception):
    """The event's inbox key is taken: the platform delivered an event already applied."""


async def _claim_inbox(key: str, organisation: Organisation | None, now: dt.datetime) -> None:
    """Claim the event's key, the transaction's first statement (one INSERT; a platform retry is
    the rare case, so it pays the rollback). A concurrent duplicate waits on the key until the first
    commits (then it is refused) or rolls back (then it is applied)."""
    try:
        await fetch_rows(
            InboxEntry, CLAIM_INBOX, [key, db_time(now), organisation.id if organisation else None]
        )
    except IntegrityError:
        raise _AppliedBefore(key) from None


async def _run(
    resources: Resources,
    person: Person,
    dedupe_key: str,
    handler: Handler,
    *,
    reply_in_chat: bool = True,
    usages: tuple[str, ...] = (),
    for_page: bool = False,
    via: str = "",
) -> Reply:
    organisation: object = person.organisation  # loaded with the person by resolve_person
    if not isinstance(organisation, Organisation):
        organisation = await Organisation.get(id=person.organisation_id)
    for attempt in range(ATTEMPTS):
        now = resources.clock.now()
        # Deferred: the event's outbox rows (cards, notices, the reply) are one multi-row INSERT
        # at the end of the transaction instead of one statement each.
        batch = OutboxBatch(resources.settings, organisation, now, deferred=True)
        try:
            async with in_transaction(), audit_at_commit():
                await _claim_inbox(dedupe_key, organisation, now)
                ctx = HandlerContext(resources, organisation, person, now, batch, dedupe_key, usages)
                # every audit row of the event says its platform; org rows are read once per attempt
                with audit_via(via), event_lookups(person):
                    message = await handler(ctx)
                if reply_in_chat and message:
                    await batch.text(
                        person, message, dedupe_key=f"reply:{dedupe_key}", attachment=ctx.reply_file
                    )
                await batch.flush()  # before the audit rows: the chain's head stays locked last
            await batch.nudge(resources)
            return Reply(True, message)
        except _AppliedBefore:
            if for_page:
                raise
            return Reply(True, DUPLICATE)
        except UserError as error:
            if for_page or not reply_in_chat:  # the page shows it; nothing is stored, not even the key
                raise
            return await _reply_error(resources, organisation, person, dedupe_key, error.message)
        except Exception as error:
            if not _lost_race(error):
                raise
            # Someone changed the same matter first: re-read (their change included) and retry.
            cause = f"{type(error).__name__}: {error}"
            if attempt + 1 == ATTEMPTS:
                log.error(
                    "event %s lost its race %d times (last: %s); giving up", dedupe_key, ATTEMPTS, cause
                )
                break
            delay = random.uniform(0, min(RETRY_CAP, RETRY_BASE * 2**attempt))  # noqa: S311 (jitter)
            log.info(
                "event %s lost a race (%s); retry %d in %.0f ms", dedupe_key, cause, attempt + 1, delay * 1000
            )
            await asyncio.sleep(delay)
    if for_page:
        return Reply(False, BUSY)
    if not reply_in_chat:
        raise UserError(BUSY)
    return await _reply_error(resources, organisation, person, dedupe_key, BUSY)


async def _reply_error(
    resources: Resources, organisation: Organisation, person: Person, dedupe_key: str, message: str
) -> Reply:
    now = resources.clock.now()
    batch = OutboxBatch(resources.settings, organisation, now)
    try:
        async with in_transaction():
            await _claim_inbox(dedupe_key, organisation, now)
            await batch.text(person, message, dedupe_key=f"reply:{dedupe_key}")
    except (_AppliedBefore, IntegrityError):
        return Reply(True, DUPLICATE)
    await batch.nudge(resources)
    return Reply(False, message)


async def _reply_unknown(resources: Resources, event: TextMessage | CardAction | FileMessage) -> Reply:
    """Tell an unregistered account why nothing happens (once per event); store nothing else."""
    log.info("event from unregistered %s user %s", event.sender.platform, event.sender.user_id)
    organisation = await Organisation.all().order_by("id").first()
    if organisation is None or not event.sender.user_id:
        return Reply(False, UNKNOWN_SENDER)
    now = resources.clock.now()
    batch = OutboxBatch(resources.settings, organisation, now)
    try:
        async with in_transaction():
            await _claim_inbox(event.dedupe_key, organisation, now)
            await batch.text_to_address(
                event.sender.platform,
                event.sender.user_id,
                UNKNOWN_SENDER,
                dedupe_key=f"reply:{event.dedupe_key}",
            )
    except (_AppliedBefore, IntegrityError):
        return Reply(False, DUPLICATE)
    await batch.nudge(resources)
    return Reply(False, UNKNOWN_SENDER)


async def dispatch_text(resources: Resources, commands: Commands, event: TextMessage) -> Reply:
    person = await resolve_person(event.sender)
    if person is None:
        return await _reply_unknown(resources, event)
    word, body = split_command(event.text)
    spec = commands.get(word)

    async def handle(ctx: HandlerContext) -> str:
        if spec is not None:
            return await spec.handler(ctx, body)
        complaint = await open_complaint_prompt(ctx.person, ctx.now) if event.text.strip() else None
        if complaint is not None:
            return await give_complaint_words(ctx.batch, ctx.person, complaint, event.text)
        prompt = await _open_prompt(ctx)
        if prompt is not None and event.text.strip():
            matter = await Matter.get(id=prompt)
            return (await give_text(ctx.batch, ctx.person, matter, event.text)).message
        if not event.text.strip():
            raise UserError("消息是空的。发送“帮助”查看用法。")
        raise UserError(f"没有“{word[:20]}”这个命令。发送“帮助”查看用法，发送“说不”获取审批表模板。")

    return await _run(
        resources,
        person,
        event.dedupe_key,
        handle,
        usages=commands.usages(person.roles or []),
        via=str(event.sender.platform),
    )


async def _open_prompt(ctx: HandlerContext) -> int | None:
    """The matter whose words the bot is waiting for from this person, if any (the latest prompt)."""
    prompt = (
        await TextPrompt.filter(
            person_id=ctx.person.id, answered_at__isnull=True, created_at__gte=ctx.now - PROMPT_VALID_FOR
        )
        .order_by("-id")
        .select_related("step")
        .first()
    )
    return None if prompt is None else prompt.step.matter_id


async def dispatch_card_action(resources: Resources, cards: CardRouter, event: CardAction) -> Reply:
    """A tap, routed by the kind of the card it names (in the sender's organisation)."""
    person = await resolve_person(event.sender)
    if person is None:
        return await _reply_unknown(resources, event)

    async def handle(ctx: HandlerContext) -> str:
        return await cards.handle(ctx, event)

    return await _run(resources, person, event.dedupe_key, handle, via=str(event.sender.platform))


class PageStatus(StrEnum):
    DONE = "done"  # applied now
    HANDLED = "handled"  # 此环节已处理: this nonce was applied before, or someone decided first
    REFUSED = "refused"  # a UserError: nothing stored; the message says what to fix
    BUSY = "busy"  # lost its race every time: nothing stored; the same form may be sent again


@dataclass(frozen=True)
class PageReply:
    status: PageStatus
    message: str


async def dispatch_page_action(
    resources: Resources, person: Person, nonce: str, handler: Handler, *, purpose: str
) -> PageReply:
    """A POST of a phone page, applied once: the same one-transaction path as a tap (retries on a
    lost race, audit, outbox, delivery nudged after commit), with the inbox key made of the
    ``nonce`` the page was rendered with and the form's ``purpose`` (``decide``, ``reply`` …: one
    page's forms share the nonce, each is applied once; ``/m/new`` is ``new``). A double tap or a
    resubmitted form finds the key taken; a card tap that won the race leaves the step decided —
    both answer ``HANDLED``, not an error. Nothing is told in chat about the page's own result (the
    page shows it). An exception that is no ``UserError`` (a ``ChainError``, say) reaches the caller."""
    if not NONCE.fullmatch(nonce):
        return PageReply(PageStatus.REFUSED, "页面已过期，请刷新页面后重新提交。")
    try:
        reply = await _run(
            resources,
            person,
            f"page:{person.id}:{purpose}:{nonce}",
            handler,
            reply_in_chat=False,
            for_page=True,
            via=PAGE_VIA,
        )
    except _AppliedBefore:
        return PageReply(PageStatus.HANDLED, PAGE_DUPLICATE)
    except AlreadyHandled as error:
        return PageReply(PageStatus.HANDLED, f"此环节已处理：{error.message}")
    except UserError as error:
        return PageReply(PageStatus.REFUSED, error.message)
    if not reply.ok:  # gave up after lost races
        return PageReply(PageStatus.BUSY, reply.message)
    return PageReply(PageStatus.DONE, reply.message)


async def dispatch_file(resources: Resources, event: FileMessage) -> Reply:
    """A photo or file sent in chat: the reply names the page to attach it on."""
    person = await resolve_person(event.sender)
    if person is None:
        return await _reply_unknown(resources, event)

    async def handle(ctx: HandlerContext) -> str:
        return await file_reply(ctx, event)

    return await _run(resources, person, event.dedupe_key, handle, via=str(event.sender.platform))
