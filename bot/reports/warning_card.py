"""The weekly 预警 card (`CardKind.WEEKLY_WARNING`, subject: the leader): the red and yellow items
in the leader's charge, most urgent first (at most ``LISTED``, then how many more), and one link to
the list behind it — the console's matters filtered ``warn=1`` (the leader's units and sections),
opened through the platform's sign-in like the morning card; a leader without a console role gets
我的待办 instead. Nothing to tap but the link: a tap on the card is answered, not acted on."""

from __future__ import annotations

from enum import StrEnum

from bot.calendar.warnings import Warn
from bot.cards import Card, CardField, CardKindSpec
from bot.matters.links import TODO_LABEL, TODO_PAGE, card_link
from bot.reports.warnings import WarnItem
from bot.settings import Settings
from models.enums import CardKind
from models.org import Person, Role

LISTED = 5  # WeCom and DingTalk show six fields: five items and “还有”
SOURCE = "说“不”事项提级"
LIST_PATH = "/admin/matters?mine=1&warn=1"
LIST_LABEL = "打开预警清单"
# Who may open the console's list (`bot.web.console.CONSOLE_ROLES`; the domain knows no web layer).
CONSOLE_ROLES = frozenset({Role.PRINCIPAL, Role.DEPUTY, Role.OFFICE, Role.DISCIPLINE, Role.ADMIN})
WARN_LABELS = {Warn.RED: "红色预警", Warn.YELLOW: "黄色预警"}
BODY = "红色：已超过期限；黄色：距期限不足 1 个工作日。点开预警清单查看全部并督办。"


class WeeklyWarningAction(StrEnum):
    """The weekly 预警 card has no buttons (it links to the list); a tap on it is refused."""

    OPEN = "open"


WEEKLY_WARNING_CARD: CardKindSpec[WeeklyWarningAction] = CardKindSpec(
    kind=CardKind.WEEKLY_WARNING, actions=WeeklyWarningAction, titles={}
)


def list_path(person: Person) -> tuple[str, str]:
    """(label, path) of the card's link: the console's 预警 list, or 我的待办 for someone the
    console would refuse."""
    if any(person.has_role(role) for role in CONSOLE_ROLES):
        return LIST_LABEL, LIST_PATH
    return TODO_LABEL, TODO_PAGE


def weekly_card(person: Person, items: list[WarnItem], *, week: str, settings: Settings) -> Card:
    """The card of ``items`` (red first, then yellow, each by deadline) for the week ``2026-W50``."""
    red = sum(1 for i in items if i.warn is Warn.RED)
    yellow = len(items) - red
    fields = [
        CardField(
            f"item:{n}:{i.number}",
            WARN_LABELS[i.warn],
            f"{i.number} {i.applicant}：待{i.waiting}，期限{i.due_at.astimezone(settings.tz):%m月%d日%H:%M}",
        )
        for n, i in enumerate(items[:LISTED], start=1)
    ]
    if len(items) > LISTED:
        rest = items[LISTED:]
        rest_red = sum(1 for i in rest if i.warn is Warn.RED)
        fields.append(CardField(
            "more", "还有", f"{len(rest)} 项（红色 {rest_red}、黄色 {len(rest) - rest_red}），请打开清单"
        ))  # fmt: skip
    year, _, number = week.partition("-W")
    label, path = list_path(person)
    return Card(
        ref="",
        source=SOURCE,
        title=f"本周预警：红色 {red} 项、黄色 {yellow} 项",
        fields=tuple(fields),
        body=BODY,
        status=f"{year}年第{int(number)}周",
        links=card_link(settings, label, path),
    )
