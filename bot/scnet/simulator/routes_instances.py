"""Container instance routes under ``/ai/openapi/v2/instance-service`` (reference §5.5-5.12).

Parameter placement is the documented one: create and execute-script take a JSON body; list
takes a JSON body on ``GET …/task`` *and* the same fields as a query on ``GET …/task/list``;
restart takes ``?instanceServiceId=`` with an empty body; stop and delete take repeated
``?ids=a&ids=b`` (a comma list ``ids=a,b`` is read too, as Spring binds it).

Choices where the reference is silent:

* unknown id, or another user's id: ``config.not_found_code`` (10004) on every route.
* ``/url`` before Running: ``config.url_not_ready_code`` (10004).
* restart of an instance that is not Terminated/Failed/Completed: 716868.
* stop of an already terminal instance: success, nothing changes. ``data`` is null.
* delete of a Running instance: 716866 for the whole batch (stop first); Waiting and Deploying
  instances may be deleted. Afterwards the id is unknown (10004).
* execute-script on an instance that is not Running: 716864. ``data`` is null.
"""

from __future__ import annotations

import html
import logging

from aiohttp import web

from bot.scnet.simulator import fields as f
from bot.scnet.simulator.context import access_host, caller, simulator
from bot.scnet.simulator.create_request import SCRIPT_SCOPES, parse_create
from bot.scnet.simulator.lifecycle import RUNNING, Instance
from bot.scnet.simulator.middleware import json_body
from bot.scnet.simulator.queries import ListQuery, parse_list, query_fields
from bot.scnet.simulator.render import access_url, detail, page
from bot.scnet.simulator.wire import AI, MISSING_PARAM, ApiError, ok

logger = logging.getLogger(__name__)
routes = web.RouteTableDef()


@routes.post(f"{AI}/task")
async def create_instance(request: web.Request) -> web.Response:
    user = caller(request)
    sim = simulator(request)
    spec = parse_create(await json_body(request), sim.resource_groups)
    instance = sim.store.create(user.name, spec)
    logger.debug("instance %s created for %s", instance.id, user.name)
    if sim.config.create_shape == "object":
        return ok({"instanceServiceId": instance.id, "taskId": instance.notebook_id})
    return ok(instance.id)


@routes.get(f"{AI}/task")
async def list_by_body(request: web.Request) -> web.Response:
    return _list(request, f.as_fields(await json_body(request)))


@routes.get(f"{AI}/task/list")
async def list_by_query(request: web.Request) -> web.Response:
    return _list(request, query_fields(request.query))


def _list(request: web.Request, fields: f.Fields) -> web.Response:
    user = caller(request)
    sim = simulator(request)
    query = parse_list(fields)
    selected = [i for i in sim.store.list_for(user.name) if _selected(i, query)]
    if query.descending:
        selected.reverse()
    now, host = sim.clock(), access_host(request)
    items = [detail(i, now, host=host) for i in selected[query.start : query.start + query.limit]]
    return ok(page(items, len(selected), sim.config.list_shape))


def _selected(instance: Instance, query: ListQuery) -> bool:
    spec = instance.spec
    return (
        query.status in (None, instance.status.value)
        and query.task_type in (None, spec.task_type)
        and (not query.names or any(name in spec.name for name in query.names))
    )


@routes.get(f"{AI}/{{id}}/detail")
async def instance_detail(request: web.Request) -> web.Response:
    user = caller(request)
    sim = simulator(request)
    instance = sim.store.owned(user.name, request.match_info["id"])
    return ok(detail(instance, sim.clock(), host=access_host(request)), msg="SUCCESS")


@routes.get(f"{AI}/{{id}}/url")
async def instance_url(request: web.Request) -> web.Response:
    user = caller(request)
    sim = simulator(request)
    instance = sim.store.owned(user.name, request.match_info["id"])
    if instance.status is not RUNNING:
        raise ApiError(sim.config.url_not_ready_code, f"实例状态为 {instance.status}")
    host = access_host(request)
    return ok(access_url(instance, host, stray_spaces=sim.config.url_stray_spaces))


@routes.post(f"{AI}/task/actions/restart")
async def restart_instance(request: web.Request) -> web.Response:
    user = caller(request)
    instance_id = f.required_text(request.query, "instanceServiceId")
    instance = simulator(request).store.restart(user.name, instance_id)
    return ok(instance.id)


@routes.post(f"{AI}/task/actions/stop")
async def stop_instances(request: web.Request) -> web.Response:
    user = caller(request)
    simulator(request).store.stop(user.name, _ids(request))
    return ok(None)


@routes.delete(f"{AI}/task")
async def delete_instances(request: web.Request) -> web.Response:
    user = caller(request)
    simulator(request).store.delete(user.name, _ids(request))
    return ok(None)


@routes.post(f"{AI}/task/actions/execute-script")
async def execute_script(request: web.Request) -> web.Response:
    user = caller(request)
    fields = f.as_fields(await json_body(request))
    instance_id = f.required_text(fields, "id")
    script = f.required_text(fields, "startScriptContent")
    f.required_text(fields, "startScriptActionScope", choices=SCRIPT_SCOPES)
    simulator(request).store.execute_script(user.name, instance_id, script)
    return ok(None)


def _ids(request: web.Request) -> list[str]:
    ids = [
        part.strip()
        for value in request.query.getall("ids", [])
        for part in value.split(",")
        if part.strip()
    ]
    if not ids:
        raise ApiError(MISSING_PARAM, "ids")
    return ids


@routes.get("/jupyter-forward/{hex}/")
async def notebook_page(request: web.Request) -> web.Response:
    """A stand-in for the notebook behind an access URL, so the demo's links lead somewhere."""
    segment = request.match_info["hex"].strip()
    instance = simulator(request).store.by_access_hex(segment)
    token = request.query.get("token", "").strip()
    if instance is None or instance.status is not RUNNING or token != f"sothisai_{segment}":
        raise web.HTTPForbidden(text="403 Forbidden")
    name = html.escape(instance.spec.name)
    return web.Response(
        text=f"<html><body><h1>{name}</h1><p>SCNet simulator notebook</p></body></html>",
        content_type="text/html",
    )
