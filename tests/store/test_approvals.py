"""Approval requests in the store, on SQLite and PostgreSQL: one decision per request."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.domain.approvals import PostedMessage, Refusal, SpecSummary, Standing
from bot.store import approvals
from bot.store.database import Database
from tests.store.fakes import ALICE, BOB, NOW

SPEC = SpecSummary(
    name="big",
    image="jupyter:4.4-py3.7-cpu",
    task_type="jupyter",
    accelerator="cpu",
    gpus=0,
    cpus=4,
    ram_mb=4096,
    tasks=1,
    resource_group="kshcpu",
)
STANDING = (Standing("team", "cpus", used=1, requested=4, limit=2),)
REFUSAL = Refusal("notice.quota_exceeded", {"resource": "cpus", "used": 1, "limit": 2})


async def _request(database: Database) -> int:
    async with database.transaction() as session:
        request = await approvals.add_request(
            session,
            ALICE,
            command_text="create jupyter:4.4-py3.7-cpu name=big cpus=4",
            spec=SPEC,
            standing=STANDING,
            refusal=REFUSAL,
            origin=None,
            now=NOW,
            expires_at=NOW + timedelta(hours=24),
        )
    return request.id


async def test_a_request_keeps_its_spec_numbers_and_refusal(database: Database) -> None:
    request_id = await _request(database)
    async with database.transaction() as session:
        stored = await approvals.get_request(session, request_id)
    assert stored is not None
    assert (stored.spec, stored.standing, stored.refusal) == (SPEC, STANDING, REFUSAL)
    assert stored.state == "pending"
    assert stored.standing[0].over


async def test_a_request_is_decided_once(database: Database) -> None:
    request_id = await _request(database)
    async with database.transaction() as session:
        first = await approvals.decide(session, request_id, to="approved", by="U1", now=NOW)
    async with database.transaction() as session:
        second = await approvals.decide(session, request_id, to="denied", by="U2", now=NOW)
        stored = await approvals.get_request(session, request_id)
    assert (first, second) == (True, False)
    assert stored is not None
    assert (stored.state, stored.decided_by) == ("approved", "U1")


async def test_two_decisions_at_once_let_one_through(database: Database) -> None:
    request_id = await _request(database)

    async def decide(admin: str) -> bool:
        async with database.transaction() as session:
            return await approvals.decide(session, request_id, to="approved", by=admin, now=NOW)

    outcomes = await asyncio.gather(*(decide(f"U{n}") for n in range(8)))
    assert sorted(outcomes) == [False] * 7 + [True]


async def test_an_admin_cannot_decide_a_request_past_its_time(database: Database) -> None:
    request_id = await _request(database)
    late = NOW + timedelta(hours=25)
    async with database.transaction() as session:
        assert await approvals.due_to_expire(session, now=NOW) == []
        assert not await approvals.decide(session, request_id, to="approved", by="U1", now=late)
        assert await approvals.due_to_expire(session, now=late) == [request_id]
        expired = await approvals.decide(
            session, request_id, to="expired", by=None, now=late, unexpired=False
        )
        assert expired
        assert await approvals.due_to_expire(session, now=late) == []


async def test_an_approved_request_settles_once(database: Database) -> None:
    request_id = await _request(database)
    async with database.transaction() as session:
        assert not await approvals.settle(session, request_id, instance_id="i-1")  # pending
        await approvals.decide(session, request_id, to="approved", by="U1", now=NOW)
        assert await approvals.settle(session, request_id, instance_id="i-1")
        assert not await approvals.settle(session, request_id, failure="approval.failed.login")
        stored = await approvals.get_request(session, request_id)
    assert stored is not None
    assert (stored.state, stored.instance_id, stored.failure) == ("approved", "i-1", None)


async def test_messages_lagging_their_request_are_listed_until_shown(database: Database) -> None:
    request_id = await _request(database)
    async with database.transaction() as session:
        for channel in ("C1", "D2"):
            await approvals.add_message(session, request_id, PostedMessage(channel, "1.0"))
        assert await approvals.stale_messages(session) == []
        await approvals.decide(session, request_id, to="denied", by="U1", now=NOW, reason="no")
        (stale,) = await approvals.stale_messages(session)
        assert [m.channel_id for m in stale.messages] == ["C1", "D2"]
        await approvals.mark_shown(session, request_id, channel_id="C1", state="denied")
        (still,) = await approvals.stale_messages(session)
        await approvals.mark_shown(session, request_id, channel_id="D2", state="denied")
        assert await approvals.stale_messages(session) == []
    assert [m.shown_state for m in still.messages] == ["denied", "pending"]


async def test_pending_requests_are_listed_per_requester(database: Database) -> None:
    request_id = await _request(database)
    async with database.transaction() as session:
        mine = await approvals.list_for_requester(session, ALICE)
        others = await approvals.list_for_requester(session, BOB)
    assert [r.id for r in mine] == [request_id]
    assert others == []
