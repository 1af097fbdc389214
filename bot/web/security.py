"""Security headers on every answer: a Content Security Policy without inline script, no MIME
sniffing, no referrer to other sites, and framing only by ourselves and the WeCom / DingTalk web
clients (so no ``X-Frame-Options``, which cannot name them)."""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping

from aiohttp import web
from aiohttp.typedefs import Handler

# Who may show our pages in a frame: WeCom's and DingTalk's web and desktop clients.
FRAME_ANCESTORS = (
    "'self'",
    "https://work.weixin.qq.com",
    "https://*.work.weixin.qq.com",
    "https://*.dingtalk.com",
)

# Everything from our own origin, nothing inline (no <script> blocks, no on… attributes, no style
# attributes), nothing from another host: pages work on a closed network and an injected snippet
# cannot run. ``data:`` images cover the blank favicon.
CONTENT_SECURITY_POLICY: Mapping[str, str] = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": " ".join(FRAME_ANCESTORS),
}

SECURITY_HEADERS: Mapping[str, str] = {
    "Content-Security-Policy": "; ".join(f"{k} {v}" for k, v in CONTENT_SECURITY_POLICY.items()),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    # Pages show live data and the API is polled: a browser revalidates (ETag) instead of showing
    # a stale copy. A handler that wants caching sets its own Cache-Control.
    "Cache-Control": "no-cache",
}


def add_security_headers(headers: MutableMapping[str, str]) -> None:
    """Set each security header that the handler did not set itself."""
    for name, value in SECURITY_HEADERS.items():
        headers.setdefault(name, value)


@web.middleware
async def security_headers_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """``SECURITY_HEADERS`` on every response, including raised ones (redirects). A response the
    handler streamed itself (prepared already) has sent its headers and must carry its own."""
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        add_security_headers(exc.headers)
        raise
    if not response.prepared:
        add_security_headers(response.headers)
    return response
