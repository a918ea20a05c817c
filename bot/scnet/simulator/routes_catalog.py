"""Container catalog routes: resource groups, node limits, mount dirs, images (reference §5.1-5.4).

``resources`` needs both ``acceleratorType`` and ``resourceGroup`` in the query (10003), and they
must name a group serving that accelerator (10004). ``allowed-mount-dir`` (undocumented shape)
answers a list of directory strings. Images come in both documented forms: the old
``GET …/instance-service/images`` reads a JSON body *on a GET* and answers a list (or, with
``old_images_shape="object"``, the first match as one object like the seed); the new
``POST /ai/openapi/v2/image/images`` answers ``{total, records}``. ``access="private"`` lists
the caller's own images (none unless added with ``ScnetSimulator.add_image``).
"""

from __future__ import annotations

from aiohttp import web

from bot.scnet.simulator import fields as f
from bot.scnet.simulator.catalog import ImageRecord
from bot.scnet.simulator.context import caller, simulator
from bot.scnet.simulator.middleware import json_body
from bot.scnet.simulator.queries import ImageQuery, parse_images
from bot.scnet.simulator.render import resource_groups
from bot.scnet.simulator.wire import AI, INVALID_PARAM, ApiError, ok

routes = web.RouteTableDef()


@routes.get(f"{AI}/resource-group")
async def list_resource_groups(request: web.Request) -> web.Response:
    caller(request)
    sim = simulator(request)
    as_strings = sim.config.resource_group_shape == "strings"
    return ok(resource_groups(list(sim.resource_groups.values()), as_strings=as_strings))


@routes.get(f"{AI}/resources")
async def node_limits(request: web.Request) -> web.Response:
    caller(request)
    accelerator = f.required_text(request.query, "acceleratorType")
    group = simulator(request).resource_groups.get(f.required_text(request.query, "resourceGroup"))
    if group is None or group.accelerator != accelerator:
        raise ApiError(INVALID_PARAM, "resourceGroup")
    return ok(group.limits())


@routes.get(f"{AI}/allowed-mount-dir")
async def allowed_mount_dirs(request: web.Request) -> web.Response:
    user = caller(request)
    return ok([user.home, f"/work/home/{user.name}"])


@routes.get(f"{AI}/images")
async def images_old_form(request: web.Request) -> web.Response:
    user = caller(request)
    fields = f.as_fields(await json_body(request))
    accelerator = f.text(fields, "acceleratorType", optional=True)
    image_type = f.text(fields, "imageType", optional=True)
    found = [
        image.to_wire()
        for image in simulator(request).images
        if _visible(image, user.name)
        and accelerator in (None, image.accelerator)
        and image_type in (None, image.type)
    ]
    if simulator(request).config.old_images_shape == "object":
        return ok(found[0] if found else None)
    return ok(found)


@routes.post("/ai/openapi/v2/image/images")
async def images_new_form(request: web.Request) -> web.Response:
    user = caller(request)
    query = parse_images(f.as_fields(await json_body(request)))
    found = [image for image in simulator(request).images if _selected(image, query, user.name)]
    found.sort(key=lambda image: image.created, reverse=query.descending)
    records = [image.to_wire() for image in found[query.start : query.start + query.limit]]
    return ok({"total": len(found), "records": records})


def _visible(image: ImageRecord, user: str) -> bool:
    return image.access == "public" or image.owner == user


def _selected(image: ImageRecord, query: ImageQuery, user: str) -> bool:
    if query.access == "public":
        access_ok = image.access == "public"
    else:
        access_ok = image.access == "private" and image.owner == user
    return (
        access_ok
        and (query.name is None or query.name in image.version)
        and query.type in (None, image.type)
        and query.accelerator in (None, image.accelerator)
    )
