"""Reading a page's ``multipart/form-data`` POST as a stream: text fields into memory (each bounded),
files straight to staging files through ``bot.matters.attachments.stage_upload`` (checked by
content, at most 10 MB each), the CSRF token checked before the first file is written.

The app's ``client_max_size`` (1 MB) bounds ``request.post()``; the upload routes read the body
with ``request.multipart()`` instead, which that limit does not cover, so their own bound is here:
``MAX_UPLOAD_BODY`` — room for six full files and the form — and nothing beyond it is read.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from aiohttp import BodyPartReader, web

from bot.matters.attachments import MAX_BYTES, MAX_FILES, AttachmentRefused, StagedFile, discard, stage_upload
from bot.settings import Settings
from bot.web.csrf import FIELD_NAME, check_csrf
from bot.web.errors import PageError

FILE_FIELD = "files"
MAX_FIELD_BYTES = 16 * 1024  # one text field (2000 Chinese characters are 6 KB)
MAX_PARTS = 64
MAX_UPLOAD_BODY = MAX_FILES * MAX_BYTES + 1024 * 1024
CHUNK = 64 * 1024
BAD_FORM = "提交的表单格式不对。请刷新页面后重新填写提交。"


@dataclass
class UploadForm:
    """What the POST carried: text fields by name (each value in order), the files that passed the
    checks (staged), and why each refused file was refused."""

    fields: dict[str, list[str]] = field(default_factory=dict)
    staged: list[StagedFile] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    over_room: bool = False  # more files came than there was room for
    noun: str = "每个事项"  # what holds the files, for the refusal's words

    def first(self, name: str) -> str:
        values = self.fields.get(name)
        return values[0] if values else ""

    def all(self, name: str) -> list[str]:
        return self.fields.get(name, [])


class _Budget:
    """The bytes this request may still send."""

    def __init__(self) -> None:
        self.left = MAX_UPLOAD_BODY

    def take(self, n: int) -> None:
        self.left -= n
        if self.left < 0:
            raise PageError(
                413, "内容太大", "一次提交的附件太多或太大：每个附件最多 10 MB，每个事项最多 6 个。"
            )


async def _chunks(part: BodyPartReader, budget: _Budget) -> AsyncIterator[bytes]:
    while chunk := await part.read_chunk(CHUNK):
        budget.take(len(chunk))
        yield chunk


async def _text(part: BodyPartReader, budget: _Budget) -> str:
    data = bytearray()
    async for chunk in _chunks(part, budget):
        data += chunk
        if len(data) > MAX_FIELD_BYTES:
            raise PageError(413, "内容太大", "填写的内容太长，请精简后再提交。")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise PageError(400, "填写有误", "提交的内容不是有效的文字。请刷新页面后重新填写。") from None


async def read_upload_form(
    request: web.Request, settings: Settings, *, room: int, noun: str = "每个事项"
) -> UploadForm:
    """The form of ``request``, with at most ``room`` files kept (a file beyond it is refused;
    ``noun`` names what holds them in that message). On any refusal of the whole request the
    staged files are removed before it is raised."""
    if request.content_type != "multipart/form-data":
        raise PageError(400, "填写有误", BAD_FORM)
    form = UploadForm(noun=noun)
    try:
        await _read_parts(request, settings, form, room)
    except BaseException:
        await discard(form.staged)
        raise
    return form


async def _read_parts(request: web.Request, settings: Settings, form: UploadForm, room: int) -> None:
    budget, checked, parts = _Budget(), False, 0
    try:
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            parts += 1
            if parts > MAX_PARTS or not isinstance(part, BodyPartReader):
                raise PageError(400, "填写有误", BAD_FORM)
            if part.filename is None:
                form.fields.setdefault(part.name or "", []).append(await _text(part, budget))
                continue
            if not checked:  # nothing is written for a request that is not the page's own
                await check_csrf(request, {FIELD_NAME: form.first(FIELD_NAME)})
                checked = True
            await _file(part, settings, form, room, budget)
    except (ValueError, AssertionError, LookupError):  # a malformed multipart body
        raise PageError(400, "填写有误", BAD_FORM) from None
    if not checked:
        await check_csrf(request, {FIELD_NAME: form.first(FIELD_NAME)})


async def _file(
    part: BodyPartReader, settings: Settings, form: UploadForm, room: int, budget: _Budget
) -> None:
    if part.name != FILE_FIELD or not part.filename:
        await _drain(part, budget)  # the empty part a browser sends when no file was chosen
        return
    if len(form.staged) >= room:
        if not form.over_room:
            form.over_room = True
            form.refusals.append(too_many(room, form.noun))
        await _drain(part, budget)
        return
    try:
        form.staged.append(await stage_upload(settings, part.filename, _chunks(part, budget)))
    except AttachmentRefused as refused:
        form.refusals.append(refused.message)
        await _drain(part, budget)


def too_many(room: int, noun: str = "每个事项") -> str:
    if room <= 0:
        return f"{noun}最多 {MAX_FILES} 个附件，已经有 {MAX_FILES} 个，不能再上传"
    return f"{noun}最多 {MAX_FILES} 个附件，这次最多还能上传 {room} 个，请少选几个"


async def _drain(part: BodyPartReader, budget: _Budget) -> None:
    async for _ in _chunks(part, budget):
        pass
