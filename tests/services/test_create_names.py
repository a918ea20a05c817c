"""A create may not give a user a second instance with a name they already use: ``status
<name>`` would then be ambiguous. The bot's own records raise the question (no SCNet read for
a new name); SCNet's list answers it."""

from __future__ import annotations

import pytest

from bot.domain.commands import Create
from bot.domain.secret import Secret
from bot.services.errors import NameTaken
from bot.store.identity import SlackUser
from tests.services.conftest import ALICE, BOB, Services

IMAGE = "jupyter:4.4-py3.7-cpu"
AI = "/ai/openapi/v2/instance-service"


async def log_in(services: Services, user: SlackUser, scnet_user: str) -> None:
    token = Secret(services.scnet.sim.issue_token(scnet_user))
    await services.accounts.login_with_token(user, token)


async def create(services: Services, user: SlackUser, name: str) -> str:
    command = Create(image=IMAGE, name=name, gpus=1, cpus=2, ram_mb=4096)
    return (await services.instances.create(user, command, origin=None)).instance_id


def sent(services: Services) -> list[str]:
    return [f"{entry.method} {entry.template}" for entry in services.scnet.sim.requests]


async def test_a_second_instance_with_the_same_name_is_refused_naming_the_first(
    services: Services,
) -> None:
    await log_in(services, ALICE, "alice")
    first = await create(services, ALICE, "nb")
    with pytest.raises(NameTaken) as caught:
        await create(services, ALICE, "nb")
    assert caught.value.params == {"name": "nb", "id": first[:8]}
    assert list(services.scnet.sim.instances) == [first]  # SCNet was not asked to create


async def test_a_new_name_costs_no_more_scnet_requests_than_before(services: Services) -> None:
    await log_in(services, ALICE, "alice")
    await create(services, ALICE, "first")
    services.scnet.sim.requests.clear()
    await create(services, ALICE, "second")
    assert not services.scnet.sim.requests.matching("GET", f"{AI}/task*")  # no list read
    assert len(services.scnet.sim.requests.matching("POST", f"{AI}/task")) == 1


async def test_a_name_freed_by_a_delete_can_be_used_again(services: Services) -> None:
    await log_in(services, ALICE, "alice")
    first = await create(services, ALICE, "nb")
    await services.client.delete_instances(services.scnet.caller("alice"), [first])  # web UI
    second = await create(services, ALICE, "nb")  # the bot's record was stale: SCNet decides
    assert list(services.scnet.sim.instances) == [second]


async def test_two_users_may_use_the_same_name(services: Services) -> None:
    services.scnet.sim.add_user("bob")
    await log_in(services, ALICE, "alice")
    await log_in(services, BOB, "bob")
    await create(services, ALICE, "nb")
    await create(services, BOB, "nb")
    assert len(services.scnet.sim.instances) == 2
