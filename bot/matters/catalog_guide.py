"""首问负责制 “一次性告知”: what the first-contact person tells the applicant in one go when a
matter names a 事项清单 item — its time limit, the materials to bring and the steps."""

from __future__ import annotations

from dataclasses import dataclass

from models.catalog import CatalogItem


@dataclass(frozen=True)
class ApplicantGuide:
    code: str
    name: str
    time_limit: str
    materials: tuple[str, ...]
    steps: tuple[str, ...]


def applicant_guide(item: CatalogItem | None) -> ApplicantGuide | None:
    """The item's guide for the receipt; None without an item, or when its guide says nothing."""
    if item is None:
        return None
    guide = ApplicantGuide(
        item.code, item.name, item.time_limit, tuple(item.material_list()), tuple(item.step_list())
    )
    if not (guide.time_limit or guide.materials or guide.steps):
        return None
    return guide
