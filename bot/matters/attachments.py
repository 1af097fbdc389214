"""Attachments of a matter: photos or PDFs of the applicant's documents.

An upload is streamed to a staging file under ``Settings.data_dir`` while its size and SHA-256 are
counted and its first bytes checked (the type is the content's, whatever the name or the browser
says); a refused upload leaves no file and no row. ``keep`` then gives the staged files their rows
and their place, in the caller's transaction, at most ``MAX_FILES`` per matter.

The web layer hands the upload over as an async iterator of byte chunks (this package knows no
aiohttp).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import re
import secrets
import shutil
import unicodedata
from collections.abc import AsyncIterable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote

from tortoise.transactions import in_transaction

from bot.errors import UserError
from bot.matters.access import open_step_of
from bot.matters.workflow import MatterState
from bot.settings import Settings
from models.attachments import Attachment
from models.matter import Matter
from models.org import Person

MAX_FILES = 6
MAX_BYTES = 10 * 1024 * 1024
MAX_NAME = 120  # characters of a kept file name
HEAD_BYTES = 16  # enough for every signature below
FOLDER = "attachments"
STAGING = "staging"
# (content type, extension, the check of the content's first bytes)
KINDS: tuple[tuple[str, str, re.Pattern[bytes]], ...] = (
    ("image/jpeg", "jpg", re.compile(rb"\A\xff\xd8\xff")),
    ("image/png", "png", re.compile(rb"\A\x89PNG\r\n\x1a\n")),
    ("application/pdf", "pdf", re.compile(rb"\A%PDF-")),
    ("image/webp", "webp", re.compile(rb"\ARIFF....WEBP", re.DOTALL)),
    ("image/heic", "heic", re.compile(rb"\A....ftyp(heic|heix|mif1)", re.DOTALL)),
)
EXTENSIONS = {content_type: ext for content_type, ext, _ in KINDS}
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")
KINDS_IN_WORDS = "JPG/PNG 照片或 PDF 文件"


class AttachmentRefused(UserError):
    """The upload is not kept; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class StagedFile:
    """An upload that passed the checks, not yet a matter's attachment."""

    filename: str
    content_type: str
    size: int
    sha256: str
    path: Path


def kind_of(head: bytes) -> str | None:
    """The content type the first bytes show, or None for anything but the kinds accepted."""
    return next((content_type for content_type, _, magic in KINDS if magic.match(head)), None)


def clean_filename(raw: str | None, content_type: str) -> str:
    """The uploader's file name without any folder, control characters or overlong tail; the
    extension always the content's."""
    name = raw or ""
    if _PERCENT.search(name):  # some clients send the name percent-encoded (aiohttp's does)
        with contextlib.suppress(UnicodeDecodeError):
            name = unquote(name, errors="strict")
    name = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = stem[:MAX_NAME].strip() or "附件"
    return f"{stem}.{EXTENSIONS[content_type]}"


def _root(settings: Settings) -> Path:
    return settings.data_dir / FOLDER


def file_of(settings: Settings, attachment: Attachment) -> Path:
    """Where an attachment's bytes are."""
    return _root(settings) / attachment.stored_path


def _open(path: Path) -> BinaryIO:
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.open("xb")


async def stage_upload(settings: Settings, filename: str | None, chunks: AsyncIterable[bytes]) -> StagedFile:
    """Stream one upload to a staging file, checking it on the way; ``AttachmentRefused`` (and
    no file left) when it is empty, over ``MAX_BYTES`` or not a kind accepted."""
    shown = (filename or "附件")[:40]
    path = _root(settings) / STAGING / secrets.token_hex(16)
    handle = await asyncio.to_thread(_open, path)
    digest, size, head, content_type = hashlib.sha256(), 0, b"", None
    try:
        async for chunk in chunks:
            if content_type is None:
                head += chunk[: HEAD_BYTES - len(head)]
                if len(head) >= HEAD_BYTES or not chunk:
                    content_type = _checked(head, shown)
            size += len(chunk)
            if size > MAX_BYTES:
                raise AttachmentRefused(f"“{shown}”超过 10 MB，请压缩或分页拍照后再上传")
            digest.update(chunk)
            await asyncio.to_thread(handle.write, chunk)
        if size == 0:
            raise AttachmentRefused(f"“{shown}”是空文件，请重新选择")
        content_type = content_type or _checked(head, shown)
    except BaseException:
        await asyncio.to_thread(handle.close)
        await asyncio.to_thread(path.unlink, missing_ok=True)
        raise
    await asyncio.to_thread(handle.close)
    return StagedFile(clean_filename(filename, content_type), content_type, size, digest.hexdigest(), path)


def _checked(head: bytes, shown: str) -> str:
    content_type = kind_of(head)
    if content_type is None:
        raise AttachmentRefused(f"“{shown}”不是 {KINDS_IN_WORDS}（按文件内容判断），请重新选择")
    return content_type


async def discard(staged: Iterable[StagedFile]) -> None:
    """Remove staging files that will not be kept."""
    for item in staged:
        await asyncio.to_thread(item.path.unlink, missing_ok=True)


def room_left(count: int) -> str:
    return f"每个事项最多 {MAX_FILES} 个附件，已有 {count} 个" + (
        f"，还能再传 {MAX_FILES - count} 个" if count < MAX_FILES else "，不能再上传"
    )


async def keep(
    settings: Settings,
    matter: Matter,
    uploader: Person,
    staged: Sequence[StagedFile],
    now: dt.datetime,
    linked: list[Path],
) -> list[Attachment]:
    """Give ``staged`` their rows and their place in the matter's folder, in the caller's
    transaction (the matter's row is locked first, so two uploads cannot pass the count together).

    Each file is hard-linked into place (its staging file stays, so a retried transaction can run
    this again) and the link added to ``linked``; after the transaction ``settle`` keeps the links
    that have a committed row and removes the rest and the staging files."""
    await Matter.filter(id=matter.id).select_for_update().first()
    count = await Attachment.filter(matter_id=matter.id).count()
    if count + len(staged) > MAX_FILES:
        raise AttachmentRefused(room_left(count) + "。")
    kept = []
    for item in staged:
        relative = await link_into(settings, item, f"{matter.organisation_id}/{matter.id}", linked)
        kept.append(
            await Attachment.create(
                organisation_id=matter.organisation_id,
                matter_id=matter.id,
                uploader_id=uploader.id,
                filename=item.filename,
                content_type=item.content_type,
                size=item.size,
                sha256=item.sha256,
                stored_path=relative,
                uploaded_at=now,
            )
        )
    return kept


async def link_into(settings: Settings, item: StagedFile, folder: str, linked: list[Path]) -> str:
    """Hard-link the staged ``item`` into ``folder`` (relative to the attachments' root), add the
    link to ``linked`` (for ``settle``) and give its path relative to the root (``stored_path``)."""
    relative = f"{folder}/{item.path.name}.{EXTENSIONS[item.content_type]}"
    target = _root(settings) / relative
    await asyncio.to_thread(_link, item.path, target)
    linked.append(target)
    return relative


def _link(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)  # left by an attempt that did not commit
    try:
        target.hardlink_to(source)
    except OSError:  # a file system without hard links: a copy does the same, slower
        shutil.copyfile(source, target)


async def settle(settings: Settings, staged: Iterable[StagedFile], linked: Iterable[Path]) -> None:
    """After the transaction of ``keep``: the links with a committed row stay, every other link
    and every staging file go."""
    targets = list(linked)
    if targets:
        relative = [str(t.relative_to(_root(settings))) for t in targets]
        rows = await Attachment.filter(stored_path__in=relative).values("stored_path")
        committed = {str(row["stored_path"]) for row in rows}
        for target, name in zip(targets, relative, strict=True):
            if name not in committed:
                await asyncio.to_thread(target.unlink, missing_ok=True)
    await discard(staged)


async def store_upload(
    settings: Settings,
    matter: Matter,
    uploader: Person,
    filename: str | None,
    chunks: AsyncIterable[bytes],
    now: dt.datetime,
) -> Attachment:
    """One upload to an existing matter: staged, checked, kept — or refused with nothing stored."""
    staged = await stage_upload(settings, filename, chunks)
    linked: list[Path] = []
    try:
        async with in_transaction():
            (attachment,) = await keep(settings, matter, uploader, [staged], now, linked)
    finally:
        await settle(settings, [staged], linked)
    return attachment


async def may_attach(person: Person, matter: Matter, at: dt.datetime, tz: dt.tzinfo) -> bool:
    """The submitter, or whoever holds one of its open steps at ``at``, adds documents while the
    matter is neither closed nor withdrawn (the matter's page offers the upload on the same rule)."""
    if (
        matter.state in (MatterState.CLOSED, MatterState.WITHDRAWN)
        or person.organisation_id != matter.organisation_id
    ):
        return False
    return person.id == matter.submitter_id or await open_step_of(person, matter, at=at, tz=tz) is not None


async def attachments_of(matter: Matter) -> list[Attachment]:
    """The matter's attachments, oldest first."""
    return await Attachment.filter(matter_id=matter.id).order_by("id")
