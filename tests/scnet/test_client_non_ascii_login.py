"""The bot's client logs in with AK/SK for a user name that is not ASCII (reference §3.1).

The client signs the raw UTF-8 JSON (``ensure_ascii=False``); the doc's Python sample signs the
``\\uXXXX``-escaped form. The simulator accepts both, so the client's choice must work as is.
"""

from __future__ import annotations

import pytest

from bot.domain.secret import Secret
from bot.scnet.client import ScnetClient
from bot.scnet.errors import ApiForbidden
from bot.scnet.jwt import decode_claims
from tests.scnet_fixtures import SimulatedScnet


async def test_ak_sk_login_for_a_chinese_user_name(
    scnet: SimulatedScnet, client: ScnetClient
) -> None:
    scnet.sim.add_user("测试", access_key="AK-cn", secret_key="SK-cn-secret")

    regions = await client.tokens_with_keys(
        user="测试", access_key=Secret("AK-cn"), secret_key=Secret("SK-cn-secret")
    )

    tokens = [region.token for region in regions if not region.is_platform]
    assert tokens
    assert tokens[0] is not None
    assert decode_claims(tokens[0].reveal()).user == "测试"
    await client.check_token(tokens[0])


async def test_wrong_secret_for_a_chinese_user_name_is_refused(
    scnet: SimulatedScnet, client: ScnetClient
) -> None:
    scnet.sim.add_user("测试", access_key="AK-cn", secret_key="SK-cn-secret")
    with pytest.raises(ApiForbidden):
        await client.tokens_with_keys(
            user="测试", access_key=Secret("AK-cn"), secret_key=Secret("not-the-secret")
        )
