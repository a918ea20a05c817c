"""Asking an admin, through the real Bolt app, the fake Slack and the SCNet simulator.

A create past the team's limits is refused with [Ask an admin]; the press files a request
posted where the admins look, whose [Approve] creates the instance as the requester and whose
[Deny] asks for a reason in a modal. The requester hears the outcome in a DM (through the
outbox, delivered here by the real notify service and Slack sender); the admins' message is
updated in place.
"""

from __future__ import annotations

import asyncio
import copy
import json
from contextlib import AsyncExitStack
from dataclasses import dataclass, replace
from urllib.parse import parse_qs, urlencode

import pytest

from bot.domain.commands import Create
from bot.domain.identity import SlackUser
from bot.domain.quota import QuotaLimits
from bot.services.notify import DeliveryPolicy, NotifyService
from bot.slack.blocks import ids
from bot.store import approvals as approval_rows
from bot.store import audit
from bot.wiring import slack_sender
from tests.fake_slack import Message, SlackRequest, User
from tests.fake_slack.models import JSON
from tests.slack_app.conftest import LEAD_ID, SlackWorld

CREATE = "create jupyter:4.4-py3.7-cpu cpus=4 ram=4G"


@dataclass
class Approvals:
    world: SlackWorld
    boss: User  # a workspace admin
    lead: User  # an admin through BOT_ADMINS only
    channel: str  # where requests are posted

    @property
    def team(self) -> str:
        return self.world.slack.team.id

    async def refusal(self, name: str = "big") -> Message:
        """alice's create past the limits, refused with the card's buttons."""
        replies = await self.world.command(self.world.alice, f"{CREATE} name={name}")
        return replies[-1]

    async def press(self, user: User, action_id: str, message: Message, **options: object) -> None:
        before = len(self.world.slack.response_posts())
        request = self.world.slack.block_action(user.id, action_id, message=message, **options)  # type: ignore[arg-type]
        assert (await self.world.send(request)).status == 200
        await self.world.settle()
        assert len(self.world.slack.response_posts()) >= before

    async def ask(self, name: str = "big") -> Message:
        """alice presses [Ask an admin]; the request as posted in the approvals channel."""
        card = await self.refusal(name)
        await self.press(self.world.alice, ids.ASK_ADMIN, card)
        posted = [m for m in self.world.slack.messages_to(self.channel) if not m.ephemeral]
        assert posted, "no request was posted in the approvals channel"
        # As first posted: Slack keeps showing its buttons to a client not yet refreshed.
        return copy.deepcopy(posted[-1])

    def current(self, message: Message) -> Message:
        assert message.channel is not None
        return self.world.slack.message(message.channel, message.ts)

    async def deliver(self) -> int:
        """Send what the outbox holds, as the leader's notify job would."""
        async with AsyncExitStack() as stack:
            notifier = NotifyService(
                db=self.world.runtime.db,
                accounts=self.world.runtime.accounts,
                client=self.world.runtime.client,
                sender=slack_sender(self.world.runtime.settings, stack),
                now=self.world.runtime.now,
                policy=DeliveryPolicy(post_interval=0),
            )
            return await notifier.deliver_due()

    def dms(self, user: User) -> list[Message]:
        """The notices the bot sent ``user`` in their DM (each carries its outbox key)."""
        dm = self.world.slack.dm_channel(user.id)
        return [m for m in self.world.slack.messages_to(dm) if not m.ephemeral and m.metadata]

    def requests_in_dm(self, user: User) -> list[Message]:
        dm = self.world.slack.dm_channel(user.id)
        return [
            copy.deepcopy(m)
            for m in self.world.slack.messages_to(dm)
            if not m.ephemeral and ids.APPROVE in buttons(m)
        ]

    def private_to(self, user: User) -> list[Message]:
        return [m for m in self.world.slack.messages_to(user.id) if m.ephemeral]

    async def audit_actions(self) -> list[tuple[str, str, str]]:
        async with self.world.runtime.db.transaction() as session:
            entries = await audit.latest(session, self.team, limit=50)
        return [(e.action, e.outcome, e.actor.user_id) for e in reversed(entries)]


@pytest.fixture
async def approvals(world: SlackWorld) -> Approvals:
    boss = world.slack.add_user("boss", is_admin=True)
    lead = world.slack.add_user("lead", id=LEAD_ID)
    channel = world.slack.add_channel("approvals", members=[boss.id, lead.id]).id
    await world.log_in(world.alice)
    team = world.slack.team.id
    await world.runtime.quota.set_limits(team, QuotaLimits(cpus=2), member_user_id=None)
    reply = (await world.command(boss, f"quota approvals <#{channel}|approvals>"))[-1]
    assert f"<#{channel}>" in reply.all_text()
    return Approvals(world=world, boss=boss, lead=lead, channel=channel)


def buttons(message: Message) -> list[str]:
    return [
        element.get("action_id", "")
        for block in message.blocks or []
        if block.get("type") == "actions"
        for element in block.get("elements", [])
    ]


async def test_the_refusal_card_offers_to_ask_an_admin(approvals: Approvals) -> None:
    card = await approvals.refusal()
    assert "limit" in card.all_text().lower()
    assert ids.ASK_ADMIN in buttons(card)
    # 4 CPUs never fit a 2-CPU limit, however much frees up: nothing to queue for.
    assert ids.QUEUE_IT not in buttons(card)
    assert not approvals.world.scnet.sim.instances


async def test_approve_creates_as_the_requester_and_tells_both_sides(
    approvals: Approvals,
) -> None:
    world = approvals.world
    request = await approvals.ask()
    text = request.all_text()
    assert f"<@{world.alice.id}>" in text
    assert "jupyter:4.4-py3.7-cpu" in text
    assert "name=big" in text  # the whole spec
    assert "0 in use + 4 asked = 4 of 2" in text  # the numbers against the team's limit
    assert buttons(request) == [ids.APPROVE, ids.DENY]
    asked = approvals.private_to(world.alice)[-1]
    assert "request #" in asked.all_text()
    assert ids.CANCEL_APPROVAL in buttons(asked)
    assert not world.scnet.sim.instances

    await approvals.press(approvals.boss, ids.APPROVE, request)

    (instance,) = world.scnet.sim.instances.values()
    assert instance.spec.name == "big"
    assert instance.owner == "alice"  # alice's own SCNet account, with her token
    shown = approvals.current(request)
    assert shown.edited
    assert ids.APPROVE not in buttons(shown)
    assert f"Approved by <@{approvals.boss.id}>" in shown.all_text()
    answer = approvals.private_to(approvals.boss)[-1]
    assert "being created" in answer.all_text()
    assert await approvals.deliver() >= 1
    dm = approvals.dms(world.alice)[-1]
    assert f"<@{approvals.boss.id}> approved your create `big`" in dm.all_text()
    watched = await world.runtime.instances.list(SlackUser(approvals.team, world.alice.id))
    assert [v.watching for v in watched] == [True]  # watched like any other create
    actions = await approvals.audit_actions()
    assert ("approval_ask", "ok", world.alice.id) in actions
    assert ("approval_approve", "decided", approvals.boss.id) in actions
    assert ("approval_approve", "ok", approvals.boss.id) in actions
    assert ("create", "ok", world.alice.id) in actions


async def test_deny_takes_a_reason_in_a_modal_and_the_requester_reads_it(
    approvals: Approvals,
) -> None:
    world = approvals.world
    request = await approvals.ask()
    await approvals.press(approvals.lead, ids.DENY, request)  # an admin by BOT_ADMINS
    (modal,) = world.slack.open_modals(approvals.lead.id)
    assert modal["callback_id"] == ids.DENY_CALLBACK
    submission = world.slack.view_submission(
        approvals.lead.id, modal["id"], {"value": "wait for Monday"}
    )
    assert (await world.send(submission)).status == 200
    await world.settle()
    assert not world.scnet.sim.instances
    shown = approvals.current(request)
    assert f"Denied by <@{approvals.lead.id}>: wait for Monday" in shown.all_text()
    assert ids.APPROVE not in buttons(shown)
    await approvals.deliver()
    dm = approvals.dms(world.alice)[-1]
    assert "denied your create `big`" in dm.all_text()
    assert "wait for Monday" in dm.all_text()
    assert ("approval_deny", "decided", approvals.lead.id) in await approvals.audit_actions()


async def test_two_admins_pressing_at_once_decide_it_once(approvals: Approvals) -> None:
    world = approvals.world
    request = await approvals.ask()
    presses = [
        world.slack.block_action(admin.id, ids.APPROVE, message=request)
        for admin in (approvals.boss, approvals.lead)
    ]
    answers = await asyncio.gather(*(world.send(p) for p in presses))
    assert [a.status for a in answers] == [200, 200]
    await world.settle()
    assert len(world.scnet.sim.instances) == 1  # one create on SCNet, not two
    async with world.runtime.db.transaction() as session:
        (stored,) = await approval_rows.list_for_requester(
            session, SlackUser(approvals.team, world.alice.id), states=("approved",)
        )
    winner = stored.decided_by
    loser = approvals.lead if winner == approvals.boss.id else approvals.boss
    told = approvals.private_to(loser)[-1].all_text()
    assert f"already approved by <@{winner}>" in told
    await approvals.deliver()
    assert len(approvals.dms(world.alice)) == 1  # one DM for the one decision


async def test_only_admins_may_decide_and_a_decided_request_says_so(
    approvals: Approvals,
) -> None:
    world = approvals.world
    request = await approvals.ask()
    await approvals.press(world.chen, ids.APPROVE, request)
    assert "管理员" in approvals.private_to(world.chen)[-1].all_text()  # chen reads Chinese
    await approvals.press(world.alice, ids.DENY, request)
    assert "Only admins can approve" in approvals.private_to(world.alice)[-1].all_text()
    assert world.slack.open_modals(world.alice.id) == []
    assert not world.scnet.sim.instances
    await approvals.press(approvals.boss, ids.APPROVE, request)
    assert len(world.scnet.sim.instances) == 1
    await approvals.press(approvals.lead, ids.DENY, request)  # decided already
    assert world.slack.open_modals(approvals.lead.id) == []
    told = approvals.private_to(approvals.lead)[-1].all_text()
    assert f"already approved by <@{approvals.boss.id}>" in told
    await approvals.press(approvals.boss, ids.APPROVE, request)  # and pressed twice
    assert len(world.scnet.sim.instances) == 1
    assert "already approved" in approvals.private_to(approvals.boss)[-1].all_text()


async def test_a_press_from_another_workspace_does_nothing(approvals: Approvals) -> None:
    world = approvals.world
    request = await approvals.ask()
    stranger = world.slack.add_user("stranger", is_admin=True)
    press = world.slack.block_action(stranger.id, ids.APPROVE, message=request)
    payload = press_payload(press.body)
    payload["team"] = {"id": "T0OTHER0001", "domain": "elsewhere"}
    payload["user"]["team_id"] = "T0OTHER0001"
    before = len(world.slack.response_posts())
    assert (await world.send(rebuilt(press, payload))).status == 200
    await world.settle()
    assert len(world.slack.response_posts()) == before
    assert not world.scnet.sim.instances
    assert ids.APPROVE in buttons(approvals.current(request))


async def test_a_request_expires_after_the_ttl_with_a_dm(approvals: Approvals) -> None:
    world = approvals.world
    request = await approvals.ask()
    world.scnet.clock.advance(23 * 3600)
    assert await world.runtime.approvals.expire_due() == 0
    world.scnet.clock.advance(3600 + 1)
    assert await world.runtime.approvals.expire_due() == 1
    assert await world.runtime.approvals.expire_due() == 0  # once
    shown = approvals.current(request)
    assert "Expired" in shown.all_text()
    assert ids.APPROVE not in buttons(shown)
    await approvals.deliver()
    (dm,) = approvals.dms(world.alice)
    assert "expired" in dm.all_text()
    await approvals.press(approvals.boss, ids.APPROVE, request)
    assert "has expired" in approvals.private_to(approvals.boss)[-1].all_text()
    assert not world.scnet.sim.instances
    assert ("approval_expire", "expired", world.alice.id) in await approvals.audit_actions()


async def test_a_requester_no_longer_logged_in_fails_clearly_to_both(
    approvals: Approvals,
) -> None:
    world = approvals.world
    request = await approvals.ask()
    await world.command(world.alice, "logout")
    await approvals.press(approvals.boss, ids.APPROVE, request)
    assert not world.scnet.sim.instances
    told = approvals.private_to(approvals.boss)[-1].all_text()
    assert "nothing was created" in told
    assert "no longer logged in" in told
    assert "no longer logged in" in approvals.current(request).all_text()
    await approvals.deliver()
    dm = approvals.dms(world.alice)[-1].all_text()
    assert "could not be made" in dm
    assert "/scnet login" in dm
    assert ("approval_fail", "LoginNeeded", approvals.boss.id) in await approvals.audit_actions()


async def test_the_requester_can_cancel_and_admins_hear_so(approvals: Approvals) -> None:
    world = approvals.world
    request = await approvals.ask()
    asked = approvals.private_to(world.alice)[-1]
    await approvals.press(world.alice, ids.CANCEL_APPROVAL, asked)
    assert "cancelled" in approvals.private_to(world.alice)[-1].all_text()
    assert "Cancelled by the requester" in approvals.current(request).all_text()
    await approvals.press(approvals.boss, ids.APPROVE, request)
    assert "cancelled" in approvals.private_to(approvals.boss)[-1].all_text()
    assert not world.scnet.sim.instances


async def test_without_a_channel_each_admin_gets_a_dm(approvals: Approvals) -> None:
    world = approvals.world
    off = (await world.command(approvals.boss, "quota approvals off"))[-1]
    assert "DM" in off.all_text()
    await world.log_in(approvals.boss, scnet_user="alice")  # the bot knows boss: logged in
    card = await approvals.refusal()
    await approvals.press(world.alice, ids.ASK_ADMIN, card)
    boss_dm = approvals.requests_in_dm(approvals.boss)
    lead_dm = approvals.requests_in_dm(approvals.lead)
    assert len(boss_dm) == len(lead_dm) == 1
    assert approvals.requests_in_dm(world.alice) == []  # alice is no admin
    await approvals.press(approvals.lead, ids.APPROVE, lead_dm[0])
    assert len(world.scnet.sim.instances) == 1
    for message in (boss_dm[0], lead_dm[0]):  # both admins' copies show the outcome
        assert f"Approved by <@{approvals.lead.id}>" in approvals.current(message).all_text()


async def test_only_admins_set_the_approvals_channel(approvals: Approvals) -> None:
    world = approvals.world
    refused = (await world.command(world.alice, f"quota approvals <#{world.channel}|x>"))[-1]
    assert "admin" in refused.all_text().lower()
    assert await world.runtime.approvals.channel(approvals.team) == approvals.channel
    shown = (await world.command(approvals.boss, "quota approvals"))[-1]
    assert f"<#{approvals.channel}>" in shown.all_text()


def press_payload(body: bytes) -> JSON:
    """The JSON payload of a block action as the fake signs and sends it."""
    return dict(json.loads(parse_qs(body.decode())["payload"][0]))


def rebuilt(request: SlackRequest, payload: JSON) -> SlackRequest:
    return replace(request, body=urlencode({"payload": json.dumps(payload)}).encode())


async def test_an_image_gone_since_the_request_fails_clearly_to_both(
    approvals: Approvals,
) -> None:
    world = approvals.world
    request = await approvals.ask()
    sim = world.scnet.sim
    sim.images[:] = [i for i in sim.images if f"{i.name}:{i.tag}" != "jupyter:4.4-py3.7-cpu"]
    await approvals.press(approvals.boss, ids.APPROVE, request)
    assert not sim.instances
    told = approvals.private_to(approvals.boss)[-1].all_text()
    assert "image `jupyter:4.4-py3.7-cpu` no longer exists" in told
    assert "no longer exists" in approvals.current(request).all_text()
    await approvals.deliver()
    dm = approvals.dms(world.alice)[-1].all_text()
    assert "could not be made: the image `jupyter:4.4-py3.7-cpu` no longer exists" in dm


async def test_create_ask_files_a_request_past_the_limits_and_creates_within(
    approvals: Approvals,
) -> None:
    world = approvals.world
    asked = (await world.command(world.alice, f"{CREATE} name=typed --ask"))[-1]
    assert "Asked the admins to approve `typed`" in asked.all_text()
    assert not world.scnet.sim.instances
    posted = [m for m in world.slack.messages_to(approvals.channel) if not m.ephemeral]
    assert "name=typed" in posted[-1].all_text()
    assert "--ask" not in posted[-1].all_text()  # the spec, not how it was asked
    small = (await world.command(world.alice, "create jupyter:4.4-py3.7-cpu cpus=1 --ask"))[-1]
    assert "no admin is needed" in small.all_text()
    assert len(world.scnet.sim.instances) == 1
    assert len([m for m in world.slack.messages_to(approvals.channel) if not m.ephemeral]) == 1


async def test_asking_twice_for_the_same_create_is_refused(approvals: Approvals) -> None:
    world = approvals.world
    card = await approvals.refusal()
    await approvals.press(world.alice, ids.ASK_ADMIN, card)
    await approvals.press(world.alice, ids.ASK_ADMIN, card)
    assert "asked for this create already" in approvals.private_to(world.alice)[-1].all_text()
    posted = [m for m in world.slack.messages_to(approvals.channel) if not m.ephemeral]
    assert len(posted) == 1


async def test_quota_approvals_refuses_what_is_no_channel(approvals: Approvals) -> None:
    world = approvals.world
    for text, says in (
        ("quota approvals gpu-team", "`gpu-team` is not a channel"),
        ("quota approvals #a #b", "Unexpected argument `#b`"),
        ("quota approvals x=1", "Unexpected argument `x=1`"),
    ):
        refused = (await world.command(approvals.boss, text))[-1]
        assert says in refused.text
    assert await world.runtime.approvals.channel(approvals.team) == approvals.channel


async def test_a_channel_the_bot_cannot_post_in_falls_back_to_the_admins_dms(
    approvals: Approvals,
) -> None:
    world = approvals.world
    card = await approvals.refusal()
    world.slack.fail_next("chat.postMessage", "not_in_channel")
    await approvals.press(world.alice, ids.ASK_ADMIN, card)
    assert [m for m in world.slack.messages_to(approvals.channel) if not m.ephemeral] == []
    (in_dm,) = approvals.requests_in_dm(approvals.lead)  # BOT_ADMINS: an admin by setting
    await approvals.press(approvals.lead, ids.APPROVE, in_dm)
    assert len(world.scnet.sim.instances) == 1


async def test_no_admin_to_reach_fails_the_request_and_says_how_to_fix_it(
    approvals: Approvals,
) -> None:
    world = approvals.world
    await world.command(approvals.boss, "quota approvals off")
    # lead (BOT_ADMINS) has left the workspace; boss never logged in, so the bot knows no
    # other admin to DM.
    world.slack.workspace.users[LEAD_ID].deleted = True
    card = await approvals.refusal()
    await approvals.press(world.alice, ids.ASK_ADMIN, card)
    told = approvals.private_to(world.alice)[-1].all_text()
    assert "No admin could be reached" in told
    assert "quota approvals #channel" in told
    async with world.runtime.db.transaction() as session:
        failed = await approval_rows.list_for_requester(
            session, SlackUser(approvals.team, world.alice.id), states=("failed",)
        )
    assert len(failed) == 1


async def test_a_create_past_a_spent_budget_is_approved_past_it_too(approvals: Approvals) -> None:
    world = approvals.world
    await world.command(approvals.boss, "quota set budget=0")
    card = (await world.command(world.alice, "create jupyter:4.4-py3.7-cpu name=broke"))[-1]
    assert "budget" in card.all_text()  # refused by the budget, before the CPU limit
    assert ids.ASK_ADMIN in buttons(card)
    assert ids.QUEUE_IT not in buttons(card)  # a new month frees a budget, not an instance
    await approvals.press(world.alice, ids.ASK_ADMIN, card)
    request = [m for m in world.slack.messages_to(approvals.channel) if not m.ephemeral][-1]
    await approvals.press(approvals.boss, ids.APPROVE, request)
    (instance,) = world.scnet.sim.instances.values()
    assert instance.spec.name == "broke"


async def _approved_without_outcome(approvals: Approvals) -> int:
    """A request approved by boss whose create never reported back (the process died)."""
    await approvals.ask()
    user = SlackUser(approvals.team, approvals.world.alice.id)
    async with approvals.world.runtime.db.transaction() as session:
        (request,) = await approval_rows.list_for_requester(session, user)
        assert await approval_rows.decide(
            session,
            request.id,
            to="approved",
            by=approvals.boss.id,
            now=approvals.world.runtime.now(),
        )
    return request.id


async def test_an_approval_cut_short_after_the_create_adopts_the_instance(
    approvals: Approvals,
) -> None:
    world = approvals.world
    request_id = await _approved_without_outcome(approvals)
    # SCNet did create it before the bot died: an instance of that name is in alice's list.
    await world.runtime.instances.create(
        SlackUser(approvals.team, world.alice.id),
        Create(image="jupyter:4.4-py3.7-cpu", name="big", cpus=1),
        origin=None,
        quota_checked=True,
    )
    before = len(world.scnet.sim.instances)
    await world.runtime.approvals.expire_due()  # too soon: it may still be creating
    assert (await world.runtime.approvals.get(request_id)).instance_id is None
    world.scnet.clock.advance(11 * 60)
    await world.runtime.approvals.expire_due()
    settled = await world.runtime.approvals.get(request_id)
    assert settled.state == "approved"
    assert settled.instance_id is not None
    assert len(world.scnet.sim.instances) == before  # found, not created again
    (posted,) = [m for m in world.slack.messages_to(approvals.channel) if not m.ephemeral]
    assert "`big` was created" in posted.all_text()
    await approvals.deliver()
    assert "approved your create `big`" in approvals.dms(world.alice)[-1].all_text()


async def test_an_approval_cut_short_before_the_create_fails_with_a_dm(
    approvals: Approvals,
) -> None:
    world = approvals.world
    request_id = await _approved_without_outcome(approvals)
    world.scnet.clock.advance(11 * 60)
    await world.runtime.approvals.expire_due()
    failed = await world.runtime.approvals.get(request_id)
    assert (failed.state, failed.failure) == ("failed", "approval.failed.interrupted")
    assert not world.scnet.sim.instances
    await approvals.deliver()
    assert "ask again" in approvals.dms(world.alice)[-1].all_text()


async def test_app_home_shows_my_requests_waiting_with_cancel(approvals: Approvals) -> None:
    world = approvals.world
    await approvals.ask()
    await world.send(world.slack.app_home_opened(world.alice.id))
    await world.settle()
    home = world.slack.home_view(world.alice.id)
    assert home is not None
    assert "Waiting for an admin" in str(home["blocks"])
    assert "`big` · request #1" in str(home["blocks"])
    press = world.slack.block_action(world.alice.id, ids.CANCEL_APPROVAL, view_id=home["id"])
    assert (await world.send(press)).status == 200
    await world.settle()
    dm = world.slack.messages_to(world.slack.dm_channel(world.alice.id))
    assert "Request #1 is cancelled" in dm[-1].all_text()  # Home has no response_url: a DM
    assert (await world.runtime.approvals.get(1)).state == "cancelled"
