"""Typed keys for what the aiohttp app and each request carry."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from bot.scnet.simulator.server import ScnetSimulator

SIMULATOR: web.AppKey[ScnetSimulator] = web.AppKey("scnet_simulator")
CLAIMS: web.RequestKey[dict[str, str] | None] = web.RequestKey("scnet_claims")
BODY: web.RequestKey[object] = web.RequestKey("scnet_body")
CODE: web.ResponseKey[str | None] = web.ResponseKey("scnet_code")
"""The envelope code a response carries (for the request log, without re-parsing the body)."""
