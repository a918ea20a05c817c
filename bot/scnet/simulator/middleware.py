"""The one middleware in front of every SCNet route: record, delay, misbehave, envelope errors.

Order per request under ``/ai/``, ``/ac/`` or ``/api/``: parse the body once (GET bodies
included: the old images and list forms send one), decode the token once, append to the
request log, sleep the configured latency, wait at a held gate (``FaultPlan.hold``), then
answer, either through the handler (an ``ApiError`` becomes an error envelope with
``config.error_http_status``) or through the fault the plan picked for this request. ``/_sim/…``
control routes and the placeholder notebook page pass straight through: they are neither
logged nor faulted.

A request no route serves, under any prefix (a doubled ``/ai/ai/…``, a base stripped of its
``/ai``, a wrong method), is logged like an API request (template = its path, ``code`` None),
waits the configured latency, and answers 404 or 405 (with ``Allow``) in the same JSON body as
an injected 404/405 (``{timestamp, status, error, path}``): what a gateway without the route
says. It carries no ``code`` on purpose: a client reads it as "endpoint missing" and may fall
back to another form, where an envelope would read as a business error. Faults are not taken
for it (there is no route to misbehave). An unknown ``/_sim/…`` path answers 404/405
``{"error": …}`` like the other control errors, unlogged.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.scnet.simulator.faults import Fault
from bot.scnet.simulator.keys import BODY, CLAIMS, CODE, SIMULATOR
from bot.scnet.simulator.requests_log import RecordedRequest
from bot.scnet.simulator.wire import INVALID_PARAM, ApiError, dumps, envelope, json_response

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
API_PREFIXES = ("/ai/", "/ac/", "/api/")
CONTROL_PREFIX = "/_sim/"
_NO_BODY = object()

_NGINX_PAGE = (
    "<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
    "<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)


async def json_body(request: web.Request) -> object:
    """The request's JSON body (None when absent); 10004 when it is not JSON."""
    if BODY not in request:
        request[BODY] = await _parse_body(request)
    body = request[BODY]
    if body is _NO_BODY:
        raise ApiError(INVALID_PARAM, "body is not JSON")
    return body


async def _parse_body(request: web.Request) -> object:
    raw = await request.read() if request.can_read_body else b""
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return _NO_BODY


def route_template(request: web.Request) -> str:
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else request.path


@web.middleware
async def simulator_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    unrouted = request.match_info.http_exception
    if request.path.startswith(CONTROL_PREFIX):
        return await handler(request) if unrouted is None else _control_miss(unrouted)
    if unrouted is not None:
        return await _unrouted(request, unrouted)
    if not request.path.startswith(API_PREFIXES):
        return await handler(request)
    sim = request.app[SIMULATOR]
    template = route_template(request)
    entry = await _record(request, template)
    delay = sim.faults.latency_for(request.method, template, request.path)
    if delay > 0:
        await asyncio.sleep(delay)
    gate = sim.faults.gate_for(request.method, template, request.path)
    if gate is not None:
        await sim.wait_open(gate)
    fault = sim.faults.take(request.method, template, request.path)
    response = await _answer(request, handler, fault)
    entry.http_status = response.status
    entry.code = response.get(CODE)
    return response


async def _unrouted(request: web.Request, miss: web.HTTPException) -> web.Response:
    sim = request.app[SIMULATOR]
    entry = await _record(request, request.path)
    delay = sim.faults.latency_for(request.method, request.path, request.path)
    if delay > 0:
        await asyncio.sleep(delay)
    response = _status_page(request, miss.status, allow=_allowed(miss))
    entry.http_status = response.status
    entry.code = None
    return response


def _control_miss(miss: web.HTTPException) -> web.Response:
    allow = _allowed(miss)
    headers = {"Allow": allow} if allow is not None else None
    body = {"error": f"no control route: {miss.reason}"}
    return web.Response(
        text=dumps(body), status=miss.status, content_type="application/json", headers=headers
    )


def _allowed(miss: web.HTTPException) -> str | None:
    if isinstance(miss, web.HTTPMethodNotAllowed):
        return ",".join(sorted(miss.allowed_methods))
    return None


async def _record(request: web.Request, template: str) -> RecordedRequest:
    sim = request.app[SIMULATOR]
    request[CLAIMS] = claims = sim.accounts.claims_or_none(request.headers.get("token"))
    try:
        body = await json_body(request)
    except ApiError:
        body = None
    user = claims.get("user") if claims else request.headers.get("user")
    entry = RecordedRequest(
        method=request.method,
        path=request.path,
        template=template,
        query=tuple(request.query.items()),
        user=user,
        at=sim.clock(),
        monotonic=time.monotonic(),
        body=body,
        header_names=frozenset(name.lower() for name in request.headers),
    )
    return sim.requests.record(entry)


async def _answer(request: web.Request, handler: Handler, fault: Fault | None) -> web.Response:
    if fault is None:
        return await _handle(request, handler)
    if fault.kind == "code":
        return _error(request, ApiError(fault.code, "injected"))
    if fault.kind == "status":
        return _status_page(request, fault.status)
    if fault.kind == "hang":
        return await _hang(request, handler, fault)
    return _malformed(await _handle(request, handler), fault)


async def _handle(request: web.Request, handler: Handler) -> web.Response:
    try:
        response = await handler(request)
    except ApiError as error:
        return _error(request, error)
    assert isinstance(response, web.Response)  # every SCNet route answers a whole body
    return response


def _error(request: web.Request, error: ApiError) -> web.Response:
    status = request.app[SIMULATOR].config.error_http_status
    return json_response(envelope(None, msg=error.msg, code=error.code), status=status)


def _status_page(request: web.Request, status: int, *, allow: str | None = None) -> web.Response:
    reason = web.Response(status=status).reason
    if status in (404, 405):
        body = {
            "timestamp": "2024-01-01T00:00:00.000+00:00",
            "status": status,
            "error": reason,
            "path": request.path,
        }
        headers = {"Allow": allow or "POST"} if status == 405 else None
        return web.Response(
            text=dumps(body), status=status, content_type="application/json", headers=headers
        )
    page = _NGINX_PAGE.format(status=status, reason=reason)
    return web.Response(text=page, status=status, content_type="text/html")


async def _hang(request: web.Request, handler: Handler, fault: Fault) -> web.Response:
    sim = request.app[SIMULATOR]
    if fault.after_handler:
        response = await _handle(request, handler)
        await sim.wait_closing(fault.seconds)
        return response
    await sim.wait_closing(fault.seconds)
    return await _handle(request, handler)


def _malformed(response: web.Response, fault: Fault) -> web.Response:
    kind = fault.malformation
    if kind == "not_json":
        return web.Response(text="Internal Server Error", status=200, content_type="text/plain")
    if kind == "html":
        page = _NGINX_PAGE.format(status=502, reason="Bad Gateway")
        return web.Response(text=page, status=200, content_type="text/html")
    text = response.text or ""
    if kind == "truncated":
        return web.Response(text=text[: len(text) // 2], content_type="application/json")
    body = json.loads(text)
    if kind == "no_code":
        body.pop("code", None)
    else:  # numeric_code
        body["code"] = int(body["code"])
    return json_response(body, status=response.status)
