"""The weekly 预警 pass (`bot.reports.warnings` says what it sends, to whom and when; the card is
`bot.reports.warning_card`): once per leader per ISO week, from 09:00 of the week's first working day."""

from __future__ import annotations

from dataclasses import replace

from bot.cards import Card
from bot.jobs.duty import Duty
from bot.matters.scoping import leader_scope, matters_in
from bot.outbox.batch import OutboxBatch
from bot.reports.warning_card import weekly_card
from bot.reports.warnings import WEEKLY_KIND, leader_ids, warned_items, week_period, weekly_moment
from models.enums import CardKind
from models.org import Person


async def send_weekly_warnings(duty: Duty) -> None:
    """The week's 预警 card to every leader who has not had this week's yet (see the module)."""
    moment = weekly_moment(duty.calendar, duty.today)
    if moment is None or duty.now < moment:
        return
    period = week_period(duty.today)
    organisation_id = duty.organisation.id
    leaders = await leader_ids(organisation_id)
    done = await duty.done(WEEKLY_KIND, [f"person:{i}" for i in leaders], period)
    for person_id in leaders:
        subject = f"person:{person_id}"
        if subject in done:
            continue
        scope = await leader_scope(organisation_id, person_id, duty.today)
        items = await warned_items(
            organisation_id,
            matters_in(organisation_id, scope),
            matters_in(organisation_id, scope, "matter__"),
            duty.calendar,
            duty.now,
        )
        person = await Person.get(id=person_id)
        card = weekly_card(person, items, week=period, settings=duty.resources.settings) if items else None

        async def write(
            batch: OutboxBatch, person: Person = person, card: Card | None = card, period: str = period
        ) -> None:
            if card is None:
                return  # nothing red or yellow: the run is recorded, nothing is sent this week
            instance = await batch.new_card(CardKind.WEEKLY_WARNING, person.id, person)
            await batch.card(
                instance, replace(card, ref=instance.ref), dedupe_key=f"weekly:{period}:person:{person.id}"
            )

        await duty.once(WEEKLY_KIND, subject, period, write)
