"""The bot picks its container token by ``clusterId``, whatever order the login answers in.

These drive the bot's own client (``tests.scnet_fixtures``) and its token choice
(``bot.services.accounts.pick_region_token``) against the simulator (reference §3.1).
"""

from __future__ import annotations

import pytest

from bot.domain.secret import Secret
from bot.scnet.client import ScnetClient
from bot.scnet.jwt import decode_claims
from bot.services.accounts import pick_region_token
from tests.scnet_fixtures import SimulatedScnet

ORDERS = pytest.mark.parametrize("platform_first", [False, True], ids=["documented", "reversed"])


def cluster_of(token: Secret | None) -> str:
    assert token is not None
    return decode_claims(token.reveal()).cluster_id


@ORDERS
async def test_the_region_token_is_picked_whatever_the_order(
    scnet: SimulatedScnet, client: ScnetClient, platform_first: bool
) -> None:
    scnet.sim.config.update({"platform_token_first": platform_first})
    by_keys = await client.tokens_with_keys(
        user="alice", access_key=Secret("AK-alice"), secret_key=Secret("SK-alice-secret")
    )
    by_password = await client.tokens_with_password(
        user="alice", password=Secret("pw-a"), org_id="org"
    )

    for regions in (by_keys, by_password):
        assert (regions[0].cluster_id == "0") is platform_first
        assert cluster_of(pick_region_token(regions, preferred_cluster=None)) == "11250"
        assert cluster_of(pick_region_token(regions, preferred_cluster="11250")) == "11250"
        # a preference for the platform is never honoured: it is not a container token
        assert cluster_of(pick_region_token(regions, preferred_cluster="0")) == "11250"
