"""The complaints about a matter (linked to it in the ledger), for its phone page and its console
page and timeline: number, state, registration date — never the complainant's details, which stay
in the ledger — and whether the viewer may open the complaint there."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.complaints.queries import LedgerScope, complaints_in
from bot.complaints.workflow import CHANNEL_TITLES, STATE_TITLES
from bot.matters.timeline import Event
from models.complaints import Complaint, ComplaintEvent
from models.matter import Matter


@dataclass(frozen=True)
class ComplaintAbout:
    """One complaint about a matter as its pages show it; ``url`` is the ledger's page, or "" when
    the viewer may not see the ledger (or not that complaint)."""

    number: str
    state: str
    registered_at: dt.datetime
    channel: str
    url: str = ""


async def complaints_about(matter: Matter, ledger: LedgerScope | None) -> list[ComplaintAbout]:
    """The matter's complaints, oldest first; ``ledger`` is the viewer's ledger scope (None: the
    viewer has no console role, so no links)."""
    rows = await Complaint.filter(organisation_id=matter.organisation_id, matter_id=matter.id).order_by(
        "created_at", "id"
    )
    seen: set[int] = set()
    if ledger is not None and rows:
        rows_seen = await complaints_in(ledger).filter(matter_id=matter.id).values("id")
        seen = {int(row["id"]) for row in rows_seen}
    return [
        ComplaintAbout(
            c.number,
            STATE_TITLES[c.state],
            c.created_at,
            CHANNEL_TITLES[c.channel],
            f"/admin/complaints/{c.number}" if c.id in seen else "",
        )
        for c in rows
    ]


async def complaint_events(matter: Matter) -> list[Event]:
    """The matter's timeline lines for its complaints: each one's registration and its link to the
    matter (the ledger's own timeline rows), with the complaint's state now."""
    rows = await Complaint.filter(organisation_id=matter.organisation_id, matter_id=matter.id)
    by_id = {c.id: c for c in rows}
    links = await ComplaintEvent.filter(complaint_id__in=list(by_id) or [-1], what="link").order_by(
        "at", "id"
    )
    linked_at = {e.complaint_id: e.at for e in links if e.text.endswith(matter.number)}
    events = []
    for c in rows:
        what = f"投诉 {c.number}（{CHANNEL_TITLES[c.channel]}）"
        events.append(
            Event(
                c.created_at, "complaint", "投诉受理办公室", f"收到{what}", f"现状态：{STATE_TITLES[c.state]}"
            )
        )
        if c.id in linked_at:
            events.append(Event(linked_at[c.id], "complaint", "投诉受理办公室", f"{what}关联本事项"))
    return events
