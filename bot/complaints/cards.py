"""The section's complaint card: 签收 / 办结 (with feedback) / 申请延期 (with a reason), linking to
the complaint's page. Issued to the section head when the office assigns the complaint."""

from __future__ import annotations

from enum import StrEnum

from bot.cards import ButtonStyle, Card, CardField, CardKindSpec
from bot.complaints.workflow import CHANNEL_TITLES, STATE_TITLES, ComplaintState
from bot.matters.links import card_link
from bot.outbox.batch import OutboxBatch
from bot.settings import Settings
from bot.texts import format_local
from models.attachments import Attachment
from models.cards import CardInstance
from models.complaint_feedback import ComplaintAppeal, ComplaintFeedback
from models.complaints import Complaint
from models.enums import CardKind
from models.org import Department, Person

CARD_SOURCE = "办不成事投诉台账"


class ComplaintCardAction(StrEnum):
    SIGN = "sign"  # 签收
    FINISH = "finish"  # 办结 (asks for the feedback)
    EXTEND = "extend"  # 申请延期 (asks for the reason)
    APPEAL = "appeal"  # 申诉 against a 差评 (asks for the evidence)


COMPLAINT_CARD: CardKindSpec[ComplaintCardAction] = CardKindSpec(
    kind=CardKind.COMPLAINT,
    actions=ComplaintCardAction,
    titles={
        ComplaintCardAction.SIGN: "签收",
        ComplaintCardAction.FINISH: "办结",
        ComplaintCardAction.EXTEND: "申请延期",
        ComplaintCardAction.APPEAL: "申诉",
    },
    styles={ComplaintCardAction.SIGN: ButtonStyle.PRIMARY},
)
BUTTONS: dict[ComplaintState, tuple[ComplaintCardAction, ...]] = {
    ComplaintState.ASSIGNED: (
        ComplaintCardAction.SIGN,
        ComplaintCardAction.FINISH,
        ComplaintCardAction.EXTEND,
    ),
    ComplaintState.SIGNED: (ComplaintCardAction.FINISH, ComplaintCardAction.EXTEND),
    # 发回重办: 办结 once reworked, or 申诉 (once per 差评; the button goes after one).
    ComplaintState.REOPENED: (ComplaintCardAction.FINISH, ComplaintCardAction.APPEAL),
}
REWORK_STATES = frozenset({ComplaintState.REOPENED, ComplaintState.APPEALED})


def complaint_url(settings: Settings, complaint: Complaint) -> str:
    """The complaint's console page (``TIJI_PUBLIC_URL`` + the path; the path alone without one)."""
    return (settings.public_url or "").rstrip("/") + f"/admin/complaints/{complaint.number}"


COMPLAINT_PAGE = "/m/complaints/{number}"  # the section's phone page (the console's is the office's)
DETAIL_LABEL = "查看投诉详情"


async def build_complaint_card(
    complaint: Complaint, ref: str, settings: Settings, *, live: bool = True
) -> Card:
    """The card for ``complaint`` as it is now (its buttons follow its state; it links to the
    complaint's phone page, which the section's people may open with its materials); a card that is not
    ``live`` (an older one, after 发回重办 sent a fresh card) shows the state without buttons."""
    department = await Department.get_or_none(id=complaint.department_id or 0)
    has_materials = await Attachment.filter(complaint_id=complaint.id).exists()
    links = card_link(settings, DETAIL_LABEL + ("和材料" if has_materials else ""),
                      COMPLAINT_PAGE.format(number=complaint.number))  # fmt: skip
    actions = BUTTONS.get(complaint.state, ()) if live else ()
    flag = "（督办：被告知“不能办”但无事项登记）" if complaint.no_matter_on_file else ""
    rework = await ComplaintFeedback.filter(complaint_id=complaint.id).order_by("-round").first()
    reworking = complaint.state in REWORK_STATES and rework is not None
    if reworking and rework is not None and await ComplaintAppeal.exists(feedback_id=rework.id):
        actions = tuple(a for a in actions if a is not ComplaintCardAction.APPEAL)
    extra = (CardField("rework", "重办理由", rework.rework_reason[:300]),) if reworking and rework else ()
    return Card(
        ref=ref,
        source=CARD_SOURCE,
        title=f"{complaint.number} 投诉{'发回重办' if reworking else '交办'}{flag}",
        fields=(
            CardField("complainant", "投诉人", f"{complaint.complainant} {complaint.phone}"),
            CardField("content", "投诉内容", complaint.content[:300]),
            CardField("channel", "受理渠道", CHANNEL_TITLES[complaint.channel]),
            CardField("department", "承办股室", department.name if department else ""),
            CardField(
                "due",
                "整改期限" if reworking else "办结期限",
                format_local(complaint.deadline_at, settings.tz),
            ),
            *extra,
        ),
        body=f"[{links[0].label}]({links[0].url})" if links else "",
        buttons=COMPLAINT_CARD.controls(actions),
        status=STATE_TITLES[complaint.state],
        closed=not actions,
        reference=complaint.number,
        links=links,
    )


async def issue_complaint_card(batch: OutboxBatch, complaint: Complaint, head: Person) -> None:
    instance = await batch.new_card(CardKind.COMPLAINT, complaint.id, head)
    card = await build_complaint_card(complaint, instance.ref, batch.settings)
    await batch.card(instance, card, dedupe_key=f"complaint:{complaint.id}:card:{instance.id}")


async def refresh_complaint_cards(batch: OutboxBatch, complaint: Complaint) -> None:
    """Every card of the complaint shows its new state (and loses the buttons it no longer has);
    only the newest card has buttons, so a card closed before a 发回重办 never opens again."""
    instances = await CardInstance.filter(kind=CardKind.COMPLAINT, subject_id=complaint.id).order_by("id")
    for instance in instances:
        live = instance.id == instances[-1].id
        card = await build_complaint_card(complaint, instance.ref, batch.settings, live=live)
        key = f"complaint:{complaint.id}:card:{instance.id}:{complaint.state.value}:{batch.now.isoformat()}"
        await batch.card_update(instance, card, dedupe_key=key)
