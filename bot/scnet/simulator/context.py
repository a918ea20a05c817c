"""What a route handler needs from its request: the simulator and the authenticated caller."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from bot.scnet.simulator.accounts import Scope, User
from bot.scnet.simulator.keys import CLAIMS, SIMULATOR

if TYPE_CHECKING:
    from bot.scnet.simulator.server import ScnetSimulator


def simulator(request: web.Request) -> ScnetSimulator:
    return request.app[SIMULATOR]


def caller(request: web.Request, *, scope: Scope = "container", allow_frozen: bool = False) -> User:
    """The user behind the ``token`` header (decoded once by the middleware)."""
    claims = request.get(CLAIMS)
    return simulator(request).accounts.caller(claims, scope=scope, allow_frozen=allow_frozen)


def origin(request: web.Request) -> str:
    """``scheme://host:port`` as the client reached us: the base advertised in ``center``."""
    return str(request.url.origin())


def access_host(request: web.Request) -> str:
    return simulator(request).config.url_host or origin(request)
