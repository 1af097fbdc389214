"""The ledger's 回访 columns (台账导出): for each complaint the office's report to the complainant,
the 好差评 rating and solved, who rated, the 追评, the 发回重办 a 差评 caused, and the section's 申诉
with the office's ruling. A complaint rated more than once (a 差评 reopens it) has one line per
round, ``第N轮：`` first, so the original rating stays beside the later ones."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.complaints.appeals import RULING_TITLES
from bot.complaints.workflow import SATISFACTION_TITLES, SOLVED_TITLES
from models.complaint_feedback import ComplaintAppeal, ComplaintFeedback, RatingSource
from models.enums import REPLY_METHOD_TITLES

SOURCE_TITLES = {RatingSource.OFFICE: "活动办公室回访", RatingSource.COMPLAINANT: "投诉人（查询页）"}
MOMENT = "%Y-%m-%d %H:%M"


@dataclass(frozen=True)
class FeedbackColumns:
    """The 回访 cells of one complaint's ledger row (empty strings where nothing happened)."""

    report: str = ""  # 回访方式·时间
    summary: str = ""  # 回访内容
    satisfaction: str = ""  # 好差评
    solved: str = ""  # 问题是否解决
    rated_by: str = ""  # 评价来源·时间
    follow_up: str = ""  # 追评
    rework: str = ""  # 发回重办：理由（整改期限）
    appeal: str = ""  # 申诉：证据（提出时间）
    ruling: str = ""  # 申诉裁定


def _at(moment: dt.datetime | None, tz: ZoneInfo) -> str:
    return "" if moment is None else f"{moment.astimezone(tz):{MOMENT}}"


def _round_cells(f: ComplaintFeedback, appeal: ComplaintAppeal | None, tz: ZoneInfo) -> tuple[str, ...]:
    rated = f"{SOURCE_TITLES[f.rating_source]}·{_at(f.rated_at, tz)}" if f.rating_source else ""
    rework = f"{f.rework_reason}（整改期限 {_at(f.rework_deadline_at, tz)}）" if f.rework_reason else ""
    ruling = ""
    if appeal is not None and appeal.ruling is not None:
        ruling = f"{RULING_TITLES[appeal.ruling]}·{_at(appeal.ruled_at, tz)}：{appeal.ruling_note}".rstrip(
            "："
        )
    return (
        f"{REPLY_METHOD_TITLES[f.method]}·{_at(f.told_at, tz)}",
        f.summary,
        SATISFACTION_TITLES[f.satisfaction] if f.satisfaction else "",
        SOLVED_TITLES[f.solved] if f.solved else "",
        rated,
        f.follow_up,
        rework,
        f"{appeal.evidence}（{_at(appeal.filed_at, tz)} 提出）" if appeal is not None else "",
        ruling,
    )


def _columns(
    rounds: list[ComplaintFeedback], appeals: dict[int, ComplaintAppeal], tz: ZoneInfo
) -> FeedbackColumns:
    cells = [_round_cells(f, appeals.get(f.id), tz) for f in rounds]
    several = len(rounds) > 1
    joined = [
        "\n".join(
            f"第{f.round}轮：{row[i]}" if several else row[i]
            for f, row in zip(rounds, cells, strict=True)
            if row[i]
        )
        for i in range(len(FeedbackColumns.__dataclass_fields__))
    ]
    return FeedbackColumns(*joined)


async def feedback_columns(complaint_ids: list[int], tz: ZoneInfo) -> dict[int, FeedbackColumns]:
    """The 回访 columns of ``complaint_ids`` (two queries); complaints without feedback are left out."""
    rounds: dict[int, list[ComplaintFeedback]] = defaultdict(list)
    for f in await ComplaintFeedback.filter(complaint_id__in=complaint_ids or [-1]).order_by("round", "id"):
        rounds[f.complaint_id].append(f)
    feedback_ids = [f.id for group in rounds.values() for f in group]
    appeals = {a.feedback_id: a for a in await ComplaintAppeal.filter(feedback_id__in=feedback_ids or [-1])}
    return {cid: _columns(group, appeals, tz) for cid, group in rounds.items()}
