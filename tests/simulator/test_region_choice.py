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


@ORDERS
async def test_the_center_chosen_is_the_users_region_not_the_first(
    scnet: SimulatedScnet, client: ScnetClient, platform_first: bool
) -> None:
    """erin has an account in the second region only: her login and center are that region's."""
    scnet.sim.config.update({"platform_token_first": platform_first})
    scnet.sim.add_user("erin", access_key="AK-erin", secret_key="SK-erin", regions=["11276"])

    regions = await client.tokens_with_keys(
        user="erin", access_key=Secret("AK-erin"), secret_key=Secret("SK-erin")
    )
    token = pick_region_token(regions, preferred_cluster=None)
    assert token is not None
    center = await client.get_center(token)

    assert cluster_of(token) == "11276"
    assert (center.region_id, center.region_name) == ("11276", "西北一区【西安】")
    assert center.ai_url == scnet.base_url
    assert center.cluster_user == "erin"


@ORDERS
async def test_a_preferred_region_is_honoured_among_several(
    scnet: SimulatedScnet, client: ScnetClient, platform_first: bool
) -> None:
    """dave is in both regions: renewal by AK/SK keeps the region he logged in to."""
    scnet.sim.config.update({"platform_token_first": platform_first})
    scnet.sim.add_user(
        "dave", access_key="AK-dave", secret_key="SK-dave", regions=["11250", "11276"]
    )
    regions = await client.tokens_with_keys(
        user="dave", access_key=Secret("AK-dave"), secret_key=Secret("SK-dave")
    )

    first = pick_region_token(regions, preferred_cluster=None)
    preferred = pick_region_token(regions, preferred_cluster="11276")
    assert preferred is not None

    assert cluster_of(first) == "11250"
    assert cluster_of(preferred) == "11276"
    assert (await client.get_center(preferred)).region_id == "11276"
    assert (await client.get_center(first)).region_id == "11250"
