"""``/healthz`` (the process is up), ``/readyz`` (it can do its work: ``bot.health.checks``) and
``/metrics`` (Prometheus text of this process's registry), and the count of platform callbacks.

The web app serves them on its port; `tiji worker` and `tiji dingtalk-stream` serve the same three
on ``TIJI_METRICS_PORT`` through ``ops_app``, so a container's HEALTHCHECK and Prometheus reach every
process the same way.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import hdrs, web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bot.health.checks import readiness
from bot.health.metrics import Metrics, WebMetrics
from bot.runtime.resources import RESOURCES, Resources
from bot.web.request_ids import request_id_middleware
from models.enums import Platform

METRICS = web.AppKey("metrics", Metrics)
WEB_METRICS = web.AppKey("web_metrics", WebMetrics)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
CALLBACK_PREFIXES = {f"/{p.value}/": p for p in (Platform.WECOM, Platform.DINGTALK)}
CALLBACK_STARTS = tuple(CALLBACK_PREFIXES)  # one ``startswith`` for the paths that are none


async def healthz(request: web.Request) -> web.Response:
    """The process is up and serving (it checks nothing else: that is ``/readyz``)."""
    return web.json_response({"ok": True})


async def readyz(request: web.Request) -> web.Response:
    """200 when every check passes, 503 with the failed ones otherwise (each says what to fix)."""
    checks = await readiness(request.app[RESOURCES])
    ok = all(check.ok for check in checks)
    failed = "；".join(f"{check.title}：{check.detail}" for check in checks if not check.ok)
    body = {
        "ok": ok,
        "message": f"未就绪：{failed}" if failed else "就绪",
        "checks": [c.as_json() for c in checks],
    }
    return web.json_response(
        body, status=web.HTTPOk.status_code if ok else web.HTTPServiceUnavailable.status_code
    )


async def metrics(request: web.Request) -> web.Response:
    registry = request.app[METRICS]
    await registry.refresh(request.app[RESOURCES])
    return web.Response(
        body=generate_latest(registry.registry), headers={"Content-Type": CONTENT_TYPE_LATEST}
    )


def callback_result(status: int) -> str:
    if status < web.HTTPBadRequest.status_code:
        return "accepted"
    if status in (web.HTTPUnauthorized.status_code, web.HTTPForbidden.status_code):
        return "refused"
    if status < web.HTTPInternalServerError.status_code:
        return "invalid"
    return "error"


def _callback_platform(path: str) -> Platform | None:
    if not path.startswith(CALLBACK_STARTS):
        return None
    return next(p for prefix, p in CALLBACK_PREFIXES.items() if path.startswith(prefix))


@web.middleware
async def callback_metrics_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Count each POST to a platform's callback path by its answer (accepted, refused, invalid,
    error); everything else passes untouched."""
    platform = _callback_platform(request.path)
    if platform is None or request.method != hdrs.METH_POST:
        return await handler(request)
    registry = request.app.get(WEB_METRICS)
    if registry is None:  # an app built without the health routes (tests of one route)
        return await handler(request)
    try:
        response = await handler(request)
    except web.HTTPException as error:
        registry.count_callback(platform.value, callback_result(error.status))
        raise
    except Exception:
        registry.count_callback(platform.value, "error")
        raise
    registry.count_callback(platform.value, callback_result(response.status))
    return response


def add_health_routes(app: web.Application, registry: Metrics) -> None:
    app[METRICS] = registry
    if isinstance(registry, WebMetrics):
        app[WEB_METRICS] = registry
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)


def ops_app(resources: Resources, registry: Metrics) -> web.Application:
    """The three routes alone, for a process without a web app (a worker, the Stream process)."""
    app = web.Application(middlewares=[request_id_middleware])
    app[RESOURCES] = resources
    add_health_routes(app, registry)
    return app
