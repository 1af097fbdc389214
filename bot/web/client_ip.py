"""The client's address for the public pages' per-IP limits. Behind the reverse proxy of
``deploy/nginx.conf`` every request comes from nginx, so the address is taken from
``X-Forwarded-For`` — but only as many entries from its end as there are proxies of ours in front
(``Settings.forwarded_for_hops``): the entries before them are whatever the client sent, and a
client choosing its own address would choose a fresh one for every guess."""

from __future__ import annotations

from aiohttp import web

from bot.settings import Settings

MAX_ADDRESS = 64


def client_ip(request: web.Request, settings: Settings) -> str:
    """The address the last trusted proxy saw (``request.remote`` with no proxy configured)."""
    hops = settings.forwarded_for_hops
    if hops:
        chain = [
            part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",") if part.strip()
        ]
        if len(chain) >= hops:
            return chain[-hops][:MAX_ADDRESS]
    return (request.remote or "?")[:MAX_ADDRESS]
