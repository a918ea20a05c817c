"""Fixtures for the simulator's own tests: a running simulator on loopback, raw HTTP to it.

These tests deliberately use a bare ``aiohttp.ClientSession`` (not the bot's client), so what
they pin is the wire format itself.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest

from bot.scnet.simulator import Delays, ManualClock, ScnetSimulator

AI = "/ai/openapi/v2/instance-service"
AC = "/ac/openapi/v2"


def create_body(**overrides: Any) -> dict[str, Any]:
    """The create seed's request body (jupyter instead of ssh), with overrides."""
    body: dict[str, Any] = {
        "instanceServiceName": "Instances_2205113838",
        "description": "",
        "taskType": "jupyter",
        "acceleratorType": "gpu",
        "version": "jupyter:4.4-py3.7-cpu",
        "imagePath": "10.0.35.26:5000/gpu/admin/base/jupyter:4.4-py3.7-cpu",
        "timeoutLimit": "unlimited",
        "taskNumber": 1,
        "resourceGroup": "TeslaM40",
        "useStartScript": False,
        "startScriptActionScope": "all",
        "startScriptContent": "",
        "cpuNumber": 3,
        "ramSize": 15360,
        "gpuNumber": 1,
        "mountInfoList": [
            {"sourcePath": "/public/home/alice/data", "targetPath": "/mnt/data", "type": "data"}
        ],
        "containerPortInfoList": [{"protocolType": "HTTP", "containerPort": "18888"}],
    }
    body.update(overrides)
    return body


@dataclass
class Reply:
    status: int
    body: Any
    text: str
    content_type: str

    @property
    def code(self) -> Any:
        return self.body["code"]

    @property
    def data(self) -> Any:
        return self.body["data"]


class Api:
    """Raw requests to the simulator as one user: the token goes in the ``token`` header."""

    def __init__(self, http: aiohttp.ClientSession, base: str, token: str | None) -> None:
        self.http = http
        self.base = base
        self.token = token

    async def call(self, method: str, path: str, **kwargs: Any) -> Reply:
        headers = dict(kwargs.pop("headers", {}))
        if self.token is not None:
            headers.setdefault("token", self.token)
        async with self.http.request(
            method, self.base + path, headers=headers, **kwargs
        ) as response:
            text = await response.text()
            try:
                body = await response.json(content_type=None)
            except ValueError:
                body = None
            return Reply(response.status, body, text, response.content_type)

    async def get(self, path: str, **kwargs: Any) -> Reply:
        return await self.call("GET", path, **kwargs)

    async def post(self, path: str, **kwargs: Any) -> Reply:
        return await self.call("POST", path, **kwargs)

    async def delete(self, path: str, **kwargs: Any) -> Reply:
        return await self.call("DELETE", path, **kwargs)

    async def create(self, **overrides: Any) -> str:
        reply = await self.post(f"{AI}/task", json=create_body(**overrides))
        assert reply.code == "0", reply.body
        instance_id = reply.data
        assert isinstance(instance_id, str)
        return instance_id

    async def detail(self, instance_id: str) -> dict[str, Any]:
        reply = await self.get(f"{AI}/{instance_id}/detail")
        assert reply.code == "0", reply.body
        detail: dict[str, Any] = reply.data
        return detail


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def sim(clock: ManualClock) -> AsyncIterator[ScnetSimulator]:
    simulator = ScnetSimulator(clock=clock, delays=Delays(waiting=2, deploying=3))
    simulator.add_user("alice", password="alice-pw", access_key="ak-alice", secret_key="sk-alice")
    simulator.add_user("bob", password="bob-pw")
    async with simulator:
        yield simulator


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
        yield session


@pytest.fixture
def base(sim: ScnetSimulator) -> str:
    assert sim.base_url is not None
    return sim.base_url


@pytest.fixture
def alice(sim: ScnetSimulator, http: aiohttp.ClientSession, base: str) -> Api:
    return Api(http, base, sim.issue_token("alice"))


@pytest.fixture
def bob(sim: ScnetSimulator, http: aiohttp.ClientSession, base: str) -> Api:
    return Api(http, base, sim.issue_token("bob"))


@pytest.fixture
def anonymous(http: aiohttp.ClientSession, base: str) -> Api:
    return Api(http, base, None)
