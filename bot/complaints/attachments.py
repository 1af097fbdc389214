"""A complaint's materials (材料): photos or PDFs the complainant brought or sent, kept as attachments
of the complaint (``Attachment.complaint``) with the matters' rules — staged and checked by content
(``bot.matters.attachments.stage_upload``), at most ``MAX_FILES`` per complaint, 10 MB each, a
refused or rolled-back upload leaving neither row nor file.

Who may open them: the office, 纪检组, the principals and admins of the organisation, and the
people of the section the complaint is assigned to (its members, its head and the deputy in charge
of it, who are chased by its 催办). Nobody of another organisation, whatever id they type.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from tortoise.transactions import in_transaction

from bot.complaints.events import record
from bot.matters.attachments import MAX_FILES, AttachmentRefused, StagedFile, link_into, settle
from bot.settings import Settings
from models.attachments import Attachment
from models.complaints import Complaint
from models.org import Department, Person, Role

MATERIAL_ROLES = frozenset({Role.OFFICE, Role.DISCIPLINE, Role.PRINCIPAL, Role.ADMIN})
NOUN = "每件投诉"


def room_left(count: int) -> str:
    return f"{NOUN}最多 {MAX_FILES} 个材料，已有 {count} 个" + (
        f"，还能再传 {MAX_FILES - count} 个" if count < MAX_FILES else "，不能再上传"
    )


async def keep_complaint_files(
    settings: Settings,
    complaint: Complaint,
    staged: Sequence[StagedFile],
    *,
    uploader: Person | None,
    actor: str,
    now: dt.datetime,
    linked: list[Path],
) -> list[Attachment]:
    """Give ``staged`` their rows under ``complaint``, in the caller's transaction (the complaint's
    row is locked first, so two uploads cannot pass the count together), and a timeline row naming
    the files. ``settle`` after the transaction removes what did not commit."""
    if not staged:
        return []
    await Complaint.filter(id=complaint.id).select_for_update().first()
    count = await Attachment.filter(complaint_id=complaint.id).count()
    if count + len(staged) > MAX_FILES:
        raise AttachmentRefused(room_left(count) + "。")
    kept = []
    for item in staged:
        folder = f"{complaint.organisation_id}/complaints/{complaint.id}"
        kept.append(
            await Attachment.create(
                organisation_id=complaint.organisation_id,
                complaint_id=complaint.id,
                uploader_id=uploader.id if uploader is not None else None,
                filename=item.filename,
                content_type=item.content_type,
                size=item.size,
                sha256=item.sha256,
                stored_path=await link_into(settings, item, folder, linked),
                uploaded_at=now,
            )
        )
    names = "、".join(a.filename for a in kept)
    await record(complaint, actor, "attach", f"上传材料 {len(kept)} 个：{names}", now)
    return kept


async def store_complaint_files(
    settings: Settings,
    complaint: Complaint,
    staged: Sequence[StagedFile],
    *,
    uploader: Person | None,
    actor: str,
    now: dt.datetime,
) -> list[Attachment]:
    """Files added to an existing complaint: all of them in one transaction, or none."""
    linked: list[Path] = []
    try:
        async with in_transaction():
            return await keep_complaint_files(
                settings, complaint, staged, uploader=uploader, actor=actor, now=now, linked=linked
            )
    finally:
        await settle(settings, staged, linked)


async def materials_of(complaint: Complaint) -> list[Attachment]:
    """The complaint's materials, oldest first."""
    return await Attachment.filter(complaint_id=complaint.id).order_by("id")


async def may_see_materials(complaint: Complaint, roles: frozenset[Role], person: Person | None) -> bool:
    """Whether someone holding ``roles`` (a person's, or a console account's) may open the
    complaint's materials; ``person`` is None for a console account, which is checked by its roles
    and organisation by the caller."""
    if not roles.isdisjoint(MATERIAL_ROLES):
        return person is None or (person.active and person.organisation_id == complaint.organisation_id)
    if person is None or not person.active or person.organisation_id != complaint.organisation_id:
        return False
    if complaint.department_id is None:
        return False
    if person.department_id == complaint.department_id:
        return True
    department = await Department.get_or_none(id=complaint.department_id)
    return department is not None and person.id in (department.head_id, department.deputy_id)


def person_roles(person: Person) -> frozenset[Role]:
    """A person's roles as the enum (unknown names left out)."""
    return frozenset(Role(r) for r in person.roles or [] if r in Role.__members__.values())
