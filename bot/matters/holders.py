"""Who holds an open step *at a given moment*: the chain's approver, or the stand-in (代理) active
then — never the matter's submitter, and never someone who already holds another step of the
matter. Decisions, card addressing and reminders all ask here, so a stand-in whose range has ended
stops holding the step and a stand-in whose range begins after the step opened starts holding it.
"""

from __future__ import annotations

import datetime as dt

from bot.matters import lookups
from bot.matters.store import matter_view
from bot.matters.workflow import holders
from models.matter import DecisionStep, Matter
from models.org import Person


def _day(at: dt.datetime, tz: dt.tzinfo | None) -> dt.date:
    return at.astimezone(tz).date() if tz is not None else at.date()


async def open_step_holders(
    matter: Matter,
    at: dt.datetime,
    *,
    tz: dt.tzinfo | None = None,
    steps: list[DecisionStep] | None = None,
) -> dict[int, int]:
    """Each open step of ``matter`` → the id of its holder at ``at`` (stand-in ranges are dates in
    ``tz``, normally ``settings.tz``; without it, in ``at``'s own zone). ``steps``: all of the
    matter's steps, when the caller has just read them."""
    return holders(await matter_view(matter, _day(at, tz), steps_read=steps))


async def step_holder(step: DecisionStep, at: dt.datetime, *, tz: dt.tzinfo | None = None) -> Person:
    """Who may decide ``step`` — and must be reminded of it — at ``at``. For a step no longer open,
    the leader it belongs to."""
    view = await matter_view(await Matter.get(id=step.matter_id), _day(at, tz))
    leader = step.on_behalf_of_id if step.on_behalf_of_id is not None else step.approver_id
    return await lookups.person(holders(view).get(step.id, leader))
