"""A photo or a file sent in chat: the bot keeps nothing from chat, and answers with the page
where it is attached — the person's latest open matter, or the form of a new one."""

from __future__ import annotations

from bot.events import FileKind, FileMessage
from bot.matters.attachments import MAX_FILES
from bot.matters.links import matter_url, page_url
from bot.matters.workflow import MatterState
from handlers.context import HandlerContext
from models.matter import Matter

OPEN_STATES = (MatterState.PENDING, MatterState.RESOLVED, MatterState.REFUSED)
NEW_PAGE = "/m/new"
WHAT = {FileKind.IMAGE: "照片", FileKind.FILE: "文件"}


async def file_reply(ctx: HandlerContext, event: FileMessage) -> str:
    """Where to attach what was sent (nothing is stored but the reply)."""
    what = WHAT[event.kind]
    matter = (
        await Matter.filter(
            organisation_id=ctx.organisation.id, submitter_id=ctx.person.id, state__in=OPEN_STATES
        )
        .order_by("-submitted_at", "-id")
        .first()
    )
    limits = f"JPG/PNG 照片或 PDF，最多 {MAX_FILES} 个，每个不超过 10 MB"
    public = ctx.resources.settings.public_url
    if not public:
        return (
            f"收到{what}，但聊天里发来的{what}不会保存到事项中。请在提级的事项页面上传附件（{limits}）；"
            "管理员尚未设置 TIJI_PUBLIC_URL，暂时无法给出页面链接。"
        )
    if matter is None:
        return (
            f"收到{what}，但聊天里发来的{what}不会保存。您目前没有进行中的事项：请打开下面的表单填写说“不”事项，"
            f"并在“附件”处选择这张{what}一起提交（{limits}）：\n{page_url(ctx.resources.settings, NEW_PAGE)}"
        )
    url = matter_url(ctx.resources.settings, matter.number)
    return (
        f"收到{what}，但聊天里发来的{what}不会保存。请打开您最近的事项 {matter.number}（{matter.subject[:30]}），"
        f"在“附件”处选择这张{what}上传（{limits}）：\n{url}\n要附到其他事项，请打开那个事项的页面上传。"
    )
