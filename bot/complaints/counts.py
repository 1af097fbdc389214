"""The ledger's figures for the assessment (考核)."""

from __future__ import annotations

from collections.abc import Mapping

from tortoise.functions import Count

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
