"""The ledger's figures for the assessment (考核)."""

from __future__ import annotations

from collections.abc import Mapping

from tortoise.functions import Count

from bot.complaints.workflow import BAD_RATINGS
from models.complaint_feedback import AppealRuling, ComplaintAppeal, ComplaintFeedback
from models.complaints import Complaint, ComplaintState


async def complaints_against(organisation_id: int, year: int) -> Mapping[int, dict[str, int]]:
    """Per department id: ``total`` complaints assigned to it in ``year`` (merged ones excluded)
    and ``no_matter`` — those told “no” with no matter on file (督办)."""
    rows = (
        await Complaint.filter(organisation_id=organisation_id, year=year, department_id__isnull=False)
        .exclude(state=ComplaintState.MERGED)
        .group_by("department_id", "no_matter_on_file")
        .annotate(n=Count("id"))
        .values("department_id", "no_matter_on_file", "n")
    )
    counts: dict[int, dict[str, int]] = {}
    for row in rows:
        entry = counts.setdefault(int(row["department_id"]), {"total": 0, "no_matter": 0})
        entry["total"] += int(row["n"])
        if row["no_matter_on_file"]:
            entry["no_matter"] += int(row["n"])
    return counts


async def bad_ratings_against(organisation_id: int, year: int) -> Mapping[int, int]:
    """Per department id: the complaints of ``year`` assigned to it that got a 差评 (不满意 / 非常不满意)
    in any feedback round whose 申诉 was not upheld — a 申诉成立 keeps the rating on file but takes it
    off the section's count. A complaint rated badly twice counts once."""
    rated = ComplaintFeedback.filter(
        organisation_id=organisation_id, satisfaction__in=[s.value for s in BAD_RATINGS],
        complaint__year=year, complaint__department_id__isnull=False,
    ).exclude(complaint__state=ComplaintState.MERGED)  # fmt: skip
    rows = await rated.values("id", "complaint_id", "complaint__department_id")
    # Apart, not as a NOT over the joined appeal: that would also drop the rounds with no appeal (NULL).
    upheld = set(
        await ComplaintAppeal.filter(
            feedback_id__in=[r["id"] for r in rows] or [-1], ruling=AppealRuling.UPHELD
        ).values_list("feedback_id", flat=True)
    )
    counted: dict[int, set[int]] = {}
    for row in rows:
        if row["id"] not in upheld:
            counted.setdefault(int(row["complaint__department_id"]), set()).add(int(row["complaint_id"]))
    return {dept: len(ids) for dept, ids in counted.items()}
