"""``/public/{org}`` (公示, policy §二.1 and §一.2): what the bureau must do, open to anyone without
an account — the catalog of matters (only items marked public), each section's chain and phone, the
首问负责制 rules and each unit's 制度 (its public parts), how to complain (with the form), the
progress lookup, and what of a complaint becomes public and what does not."""

from __future__ import annotations

from aiohttp import web

from bot.org.public_info import FIRST_CONTACT, load_public_info
from bot.runtime.resources import RESOURCES
from bot.web.pages import render_page
from handlers.web.public.complaint_form import form_context, public_organisation

routes = web.RouteTableDef()


@routes.get("/public/{org}")
async def public_page(request: web.Request) -> web.Response:
    """The organisation's public page, the complaint form at its end."""
    organisation = await public_organisation(request)
    context = await form_context(request)
    context.update(
        org=organisation,
        info=await load_public_info(organisation),
        first_contact=FIRST_CONTACT,
        settings=request.app[RESOURCES].settings,
        viewer=None,
    )
    return await render_page(request, "public/index.html.j2", context)
