"""Paths and methods no route serves: a JSON 404/405 like the simulator's other HTTP errors,
and an entry in the request log, so a client's wrong path shows up in what the test reads.

The body is the gateway-style error of ``faults.unsupported`` (``{timestamp, status, error,
path}``, no ``code``): an envelope would read as a business error and defeat the bot client's
fallback on 404/405.
"""

from __future__ import annotations

import pytest

from bot.scnet.client import Caller
from bot.scnet.errors import HttpRefused
from bot.scnet.simulator import ScnetSimulator
from tests.scnet_fixtures import SimulatedScnet, make_client

from .conftest import AC, AI, Api

ERROR_KEYS = {"timestamp", "status", "error", "path"}


@pytest.mark.parametrize(
    "path",
    [
        f"{AI}/no-such-route",
        f"{AC}/nothing-here",
        "/ai/ai/openapi/v2/instance-service/task/list",  # prefix doubling (reference §1.2)
        "/openapi/v2/instance-service/task/list",  # a base stripped of too much
        "/",
    ],
)
async def test_unknown_path_is_a_json_404_and_logged(
    sim: ScnetSimulator, alice: Api, path: str
) -> None:
    reply = await alice.get(path, params={"limit": "5"})

    assert reply.status == 404
    assert reply.content_type == "application/json"
    assert set(reply.body) == ERROR_KEYS
    assert (reply.body["status"], reply.body["error"], reply.body["path"]) == (
        404,
        "Not Found",
        path,
    )
    [entry] = sim.requests.matching("GET", path)
    assert (entry.path, entry.http_status, entry.code) == (path, 404, None)
    assert entry.user == "alice"
    assert entry.query == (("limit", "5"),)
    assert sim.requests.count("GET", path) == 1


async def test_wrong_method_is_a_json_405_with_allow_and_logged(
    sim: ScnetSimulator, alice: Api
) -> None:
    reply = await alice.call("PUT", f"{AI}/task", json={"limit": 5})

    assert reply.status == 405
    assert reply.content_type == "application/json"
    assert set(reply.body) == ERROR_KEYS
    assert reply.body["status"] == 405
    assert reply.body["error"] == "Method Not Allowed"
    async with alice.http.put(alice.base + f"{AI}/task") as raw:
        assert set(raw.headers["Allow"].split(",")) == {"DELETE", "GET", "HEAD", "POST"}
    entries = sim.requests.matching("PUT", f"{AI}/task")
    assert [(e.http_status, e.body) for e in entries] == [(405, {"limit": 5}), (405, None)]


async def test_unknown_control_route_is_json_and_not_logged(
    sim: ScnetSimulator, anonymous: Api
) -> None:
    reply = await anonymous.get("/_sim/no-such-knob")
    assert reply.status == 404
    assert reply.content_type == "application/json"
    assert "error" in reply.body
    assert len(sim.requests) == 0


async def test_the_clients_fallback_still_runs_on_a_real_404(scnet: SimulatedScnet) -> None:
    """A base that doubles the ``/ai`` prefix: both list forms are unrouted, both are logged."""
    caller = Caller(token=scnet.caller().token, ai_base_url=scnet.base_url + "/ai")
    async with make_client(scnet.base_url, clock=scnet.clock) as client:
        with pytest.raises(HttpRefused) as caught:
            await client.list_instances(caller)

    assert caught.value.status == 404
    doubled = "/ai/ai/openapi/v2/instance-service"
    assert [(e.method, e.path, e.http_status) for e in scnet.sim.requests] == [
        ("GET", f"{doubled}/task", 404),  # the body form, then the client's fallback
        ("GET", f"{doubled}/task/list", 404),
    ]
