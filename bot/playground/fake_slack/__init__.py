"""A fake Slack for the bot's tests, benchmarks and the playground (``scnet-bot playground``):
the Web API and response URLs on loopback (port 0, aiohttp, no threads, no sleeps), plus signed
Request-URL traffic built the way Slack sends it. What passes against it should pass against
Slack: every answer, limit and error code here is one Slack documents (each module says where
from), and the tests in ``tests/fake_slack_tests/`` drive it with the real ``slack_sdk``
clients and verifier. ``tests/fake_slack`` re-exports it and holds its pytest fixtures.

Modules: ``server`` (``FakeSlack``: serving), ``recordings`` (what it saw), ``interactions``
(requests built from its state), ``webapi`` (the methods), ``response_urls``, ``blocks``
(Block Kit limits), ``faults``, ``wire`` (how requests arrive), ``workspace`` (state),
``models`` (records), ``payloads`` and ``signing`` (what Slack sends to the app),
``socket_mode`` (the same requests over a WebSocket, and their acks), ``clock``.
"""

from .blocks import check_blocks, check_view
from .clock import Clock, ManualClock
from .faults import Fault
from .models import RESPONSE_URL, Call, Channel, Message, ResponsePost, Team, User
from .payloads import (
    FORM,
    JSON_TYPE,
    Actor,
    SlackRequest,
    action_for,
    app_home_opened,
    block_actions,
    fake_trigger_id,
    slash_command,
    state_values,
    url_verification,
    view_submission,
)
from .server import FakeSlack
from .signing import SignedResponse, post_signed, sign, signature, signed_headers

__all__ = [
    "FORM",
    "JSON_TYPE",
    "RESPONSE_URL",
    "Actor",
    "Call",
    "Channel",
    "Clock",
    "FakeSlack",
    "Fault",
    "ManualClock",
    "Message",
    "ResponsePost",
    "SignedResponse",
    "SlackRequest",
    "Team",
    "User",
    "action_for",
    "app_home_opened",
    "block_actions",
    "check_blocks",
    "check_view",
    "fake_trigger_id",
    "post_signed",
    "sign",
    "signature",
    "signed_headers",
    "slash_command",
    "state_values",
    "url_verification",
    "view_submission",
]
