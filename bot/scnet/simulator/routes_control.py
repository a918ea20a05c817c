"""``/_sim/…``: the same knobs as the Python API, over HTTP, for out-of-process users (the demo,
benchmarks, a simulator started with ``scnet-bot simulator``). Plain JSON in and out, snake_case
keys, no envelope, no auth: bind the simulator to loopback only.

=====================================  ===================================================
route                                  body / answer
=====================================  ===================================================
``POST /_sim/users``                   ``{user, password?, access_key?, secret_key?,
                                       frozen?, balance?, regions?}`` → ``{user}``
``POST /_sim/tokens``                  ``{user, ttl_seconds?, cluster_id?}`` → ``{token}``
``GET|POST /_sim/config``              knobs of ``SimulatorConfig`` by name → all knobs
``POST /_sim/capacity``                ``{capacity: int | null}``
``GET|POST /_sim/prices``              ``{gpu?, cpu?, ram?}`` (CNY per card-, core-, GB-hour,
                                       decimal strings) → the prices (``billing``)
``GET /_sim/users/{user}/balance``     ``{balance, charged}``
``POST /_sim/rules``                   ``{pattern, waiting?, deploying?, fail?}``
``POST /_sim/faults``                  ``{kind, method, path, times?, code?, status?,
                                       seconds?, malformation?, after_handler?}``
``DELETE /_sim/faults``                clears faults and latency
``POST /_sim/latency``                 ``{seconds, method?, path?}``
``GET /_sim/instances``                ``[{id, owner, name, status}]``
``POST /_sim/instances/{id}/status``   ``{status}``
``GET|DELETE /_sim/requests``          ``{counts, entries}`` (last ``limit``, default 200) /
                                       clear
``POST /_sim/clock/advance``           ``{seconds}`` (only with a ``ManualClock``; else 409)
=====================================  ===================================================

Bad input answers 400 with ``{"error": "..."}``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import TypeVar

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.domain.instances import InstanceStatus
from bot.scnet.simulator.billing import Prices
from bot.scnet.simulator.clock import ManualClock
from bot.scnet.simulator.context import simulator
from bot.scnet.simulator.faults import Fault, FaultKind, Malformation
from bot.scnet.simulator.wire import json_response

routes = web.RouteTableDef()
SIM = "/_sim"


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UserBody(_Body):
    user: str
    password: str | None = None
    access_key: str | None = None
    secret_key: str | None = None
    frozen: bool = False
    balance: str = "1000.00"
    regions: list[str] | None = None


class TokenBody(_Body):
    user: str
    ttl_seconds: float | None = None
    cluster_id: str | None = None


class CapacityBody(_Body):
    capacity: int | None


class PricesBody(_Body):
    gpu: Decimal | None = Field(default=None, ge=0)
    cpu: Decimal | None = Field(default=None, ge=0)
    ram: Decimal | None = Field(default=None, ge=0)


class RuleBody(_Body):
    pattern: str
    waiting: float | None = None
    deploying: float | None = None
    fail: bool | None = None


class FaultBody(_Body):
    kind: FaultKind
    method: str = "*"
    path: str
    times: int | None = 1
    code: str = "10001"
    status: int = 500
    seconds: float = 30.0
    malformation: Malformation = "html"
    after_handler: bool = False


class LatencyBody(_Body):
    seconds: float
    method: str = "*"
    path: str | None = None


class StatusBody(_Body):
    status: InstanceStatus


class AdvanceBody(_Body):
    seconds: float


_BodyT = TypeVar("_BodyT", bound=_Body)
Route = Callable[[web.Request], Awaitable[web.Response]]


def _guarded(handler: Route) -> Route:
    """Bad control input is the operator's mistake: answer 400 with the reason."""

    async def wrapper(request: web.Request) -> web.Response:
        try:
            return await handler(request)
        except (ValidationError, ValueError, KeyError) as error:
            return json_response({"error": str(error)}, status=400)

    return wrapper


async def _read(request: web.Request, model: type[_BodyT]) -> _BodyT:
    return model.model_validate_json(await request.read() or b"{}")


@routes.post(f"{SIM}/users")
@_guarded
async def add_user(request: web.Request) -> web.Response:
    body = await _read(request, UserBody)
    simulator(request).add_user(**body.model_dump())
    return json_response({"user": body.user})


@routes.post(f"{SIM}/tokens")
@_guarded
async def issue_token(request: web.Request) -> web.Response:
    body = await _read(request, TokenBody)
    sim = simulator(request)
    ttl = body.ttl_seconds if body.ttl_seconds is not None else sim.config.token_ttl_seconds
    token = sim.issue_token(body.user, ttl_seconds=ttl, cluster_id=body.cluster_id)
    return json_response({"token": token})


@routes.get(f"{SIM}/config")
async def read_config(request: web.Request) -> web.Response:
    return json_response(simulator(request).config.as_dict())


@routes.post(f"{SIM}/config")
@_guarded
async def change_config(request: web.Request) -> web.Response:
    values = await request.json()
    if not isinstance(values, dict):
        raise ValueError("expected a JSON object of knobs")
    config = simulator(request).config
    config.update(values)
    return json_response(config.as_dict())


@routes.post(f"{SIM}/capacity")
@_guarded
async def set_capacity(request: web.Request) -> web.Response:
    body = await _read(request, CapacityBody)
    simulator(request).set_capacity(body.capacity)
    return json_response({"capacity": body.capacity})


def _prices_json(prices: Prices) -> dict[str, str]:
    return {"gpu": str(prices.gpu), "cpu": str(prices.cpu), "ram": str(prices.ram)}


@routes.get(f"{SIM}/prices")
async def get_prices(request: web.Request) -> web.Response:
    return json_response(_prices_json(simulator(request).prices))


@routes.post(f"{SIM}/prices")
@_guarded
async def set_prices(request: web.Request) -> web.Response:
    body = await _read(request, PricesBody)
    sim = simulator(request)
    now = sim.prices
    sim.prices = Prices(
        gpu=now.gpu if body.gpu is None else body.gpu,
        cpu=now.cpu if body.cpu is None else body.cpu,
        ram=now.ram if body.ram is None else body.ram,
    )
    return json_response(_prices_json(sim.prices))


@routes.get(f"{SIM}/users/{{user}}/balance")
@_guarded
async def user_balance(request: web.Request) -> web.Response:
    sim = simulator(request)
    name = request.match_info["user"]
    try:
        opening = sim.user(name).balance
    except KeyError:
        return json_response({"error": f"no user {name!r}"}, status=404)
    charged = sim.charged(name)
    return json_response(
        {"balance": sim.balance(name), "charged": str(charged), "opening": opening}
    )


@routes.post(f"{SIM}/rules")
@_guarded
async def add_rule(request: web.Request) -> web.Response:
    body = await _read(request, RuleBody)
    sim = simulator(request)
    delays = None
    if body.waiting is not None or body.deploying is not None:
        delays = sim.store.default_delays.updated(waiting=body.waiting, deploying=body.deploying)
    sim.add_rule(body.pattern, delays=delays, fail=body.fail)
    return json_response(body.model_dump())


@routes.post(f"{SIM}/faults")
@_guarded
async def add_fault(request: web.Request) -> web.Response:
    body = await _read(request, FaultBody)
    simulator(request).faults.add(Fault(**body.model_dump()))
    return json_response(body.model_dump())


@routes.delete(f"{SIM}/faults")
async def clear_faults(request: web.Request) -> web.Response:
    simulator(request).faults.clear()
    return json_response({"cleared": True})


@routes.post(f"{SIM}/latency")
@_guarded
async def set_latency(request: web.Request) -> web.Response:
    body = await _read(request, LatencyBody)
    faults = simulator(request).faults
    if body.path is None and body.method == "*":
        faults.latency = body.seconds
    else:
        faults.add_latency(body.seconds, method=body.method, path=body.path or "*")
    return json_response(body.model_dump())


@routes.get(f"{SIM}/instances")
async def list_instances(request: web.Request) -> web.Response:
    instances = simulator(request).instances.values()
    return json_response(
        [
            {"id": i.id, "owner": i.owner, "name": i.spec.name, "status": i.status.value}
            for i in instances
        ]
    )


@routes.post(f"{SIM}/instances/{{id}}/status")
@_guarded
async def set_status(request: web.Request) -> web.Response:
    body = await _read(request, StatusBody)
    instance = simulator(request).set_status(request.match_info["id"], body.status)
    return json_response({"id": instance.id, "status": instance.status.value})


@routes.get(f"{SIM}/requests")
@_guarded
async def read_requests(request: web.Request) -> web.Response:
    log = simulator(request).requests
    limit = int(request.query.get("limit", "200"))
    entries = list(log)[-limit:] if limit > 0 else []
    return json_response({"counts": log.counts, "entries": [entry.to_dict() for entry in entries]})


@routes.delete(f"{SIM}/requests")
async def clear_requests(request: web.Request) -> web.Response:
    simulator(request).requests.clear()
    return json_response({"cleared": True})


@routes.post(f"{SIM}/clock/advance")
@_guarded
async def advance_clock(request: web.Request) -> web.Response:
    body = await _read(request, AdvanceBody)
    clock = simulator(request).clock
    if not isinstance(clock, ManualClock):
        return json_response({"error": "the simulator runs on a real clock"}, status=409)
    return json_response({"now": clock.advance(body.seconds)})
