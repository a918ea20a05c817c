"""A faithful fake of SCNet's OpenAPI on aiohttp.web, for tests, benchmarks and the demo.

It speaks the real wire format of ``/work/shared/reference/scnet-openapi.md`` (``token`` header,
string ``code`` envelope, GET-with-body, repeated ``ids=``, …) so a client that passes against
it should pass against SCNet. Modules:

``server``        ``ScnetSimulator`` (the facade) and ``serve`` (the CLI entry)
``config``        wire-format knobs (shapes of contradictory responses, error codes, TTLs)
``faults``        the fault plan: injected codes, HTTP statuses, hangs, malformed bodies, latency
``requests_log``  what the client sent, per request and per route
``accounts``      users and their regions, HS256 tokens (``jwt``), AK/SK and password logins
``catalog``       the default world: two regions, resource groups, images
``state``         instances by id/owner, ownership, capacity queue; ``lifecycle`` moves status
``routes_*``      the HTTP routes; ``routes_control`` is the ``/_sim`` control surface

Error codes where the reference is silent: unknown or foreign instance id → 10004
(``config.not_found_code``); ``/url`` before Running → 10004 (``config.url_not_ready_code``);
delete of a Running instance → 716866; restart of a non-terminal one → 716868;
execute-script on a non-Running one → 716864; AK/SK bad signature → 10009, stale timestamp →
10004.
"""

from bot.scnet.simulator.accounts import User, sign, signature_message, signature_messages
from bot.scnet.simulator.catalog import REGIONS, ImageRecord, Region, ResourceGroup
from bot.scnet.simulator.clock import Clock, ManualClock
from bot.scnet.simulator.config import SimulatorConfig
from bot.scnet.simulator.faults import Fault, FaultPlan
from bot.scnet.simulator.lifecycle import Delays, Instance
from bot.scnet.simulator.requests_log import RecordedRequest, RequestLog
from bot.scnet.simulator.server import ScnetSimulator, serve

__all__ = [
    "REGIONS",
    "Clock",
    "Delays",
    "Fault",
    "FaultPlan",
    "ImageRecord",
    "Instance",
    "ManualClock",
    "RecordedRequest",
    "Region",
    "RequestLog",
    "ResourceGroup",
    "ScnetSimulator",
    "SimulatorConfig",
    "User",
    "serve",
    "sign",
    "signature_message",
    "signature_messages",
]
