"""汇总: a quarter's digest on demand (office and leaders), and confirming a unit's 汇总表."""

from __future__ import annotations

from bot.calendar.quarters import parse_quarter, previous_quarter
from bot.errors import UserError
from bot.reports.digest import digest_answer
from bot.reports.tasks import confirm_report
from handlers.commands.registry import CommandRouter
from handlers.context import HandlerContext
from models.org import Role

router = CommandRouter()

ALLOWED = frozenset(
    {Role.OFFICE, Role.ADMIN, Role.PRINCIPAL, Role.DEPUTY, Role.SECTION_HEAD, Role.DISCIPLINE}
)
# confirm_report lets the unit principal and the office confirm (it says so to anyone else).
CONFIRMERS = frozenset({Role.PRINCIPAL, Role.OFFICE})


@router.command("汇总", "digest", usage="汇总 [2026Q3]：季度汇总", rank=90, roles=ALLOWED)
async def handle_digest(ctx: HandlerContext, body: str) -> str:

    words = body.split()
    if words and words[0] in ("确认", "报送", "confirm"):
        return await handle_confirm(ctx, " ".join(words[1:]))
    if not any(role in ALLOWED for role in ctx.person.roles or []):
        raise UserError("季度汇总仅向办公室和各级领导提供。")
    if words:
        try:
            quarter = parse_quarter(words[0])
        except ValueError:
            raise UserError(f"“{words[0]}”不是季度，请写成 2026Q3 的形式。") from None
    else:
        quarter = previous_quarter(ctx.now, ctx.resources.settings.tz)
    try:
        answer = await digest_answer(ctx.resources, ctx.organisation, quarter)
    except ValueError as error:
        raise UserError(str(error)) from None
    ctx.reply_file = answer.workbook
    return answer.text


@router.command(
    "报送",
    "confirm",
    usage="报送 [2026Q4]：确认本单位季度汇总表已报送（主要领导或办公室）",
    rank=100,
    roles=CONFIRMERS,
)
async def handle_confirm(ctx: HandlerContext, body: str) -> str:
    """报送 [2026Q4]: the unit principal (or office) confirms the unit's quarterly 汇总表."""

    quarter = body.split(maxsplit=1)[0] if body.split() else None
    try:
        return await confirm_report(ctx.resources, ctx.person, quarter)
    except ValueError as error:
        raise UserError(str(error)) from None
