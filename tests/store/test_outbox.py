"""The outbox: idempotent enqueue, leased claims, and the three ways a notice ends."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.domain.identity import NoticeTarget
from bot.store import outbox
from bot.store.database import Database, Session
from bot.store.tables import OutboxRow
from tests.store.fakes import NOW

LEASE = timedelta(minutes=2)
TEAM = "T0TEAM"


async def _enqueue(
    session: Session, key: str, *, target: NoticeTarget | None = None, **extra: object
) -> bool:
    return await outbox.enqueue(
        session,
        key,
        team_id=TEAM,
        target=target or NoticeTarget.dm("U0ALICE"),
        kind="instance.ready",
        payload={"instance_id": key.split(":")[0]},
        now=extra.pop("now", NOW),  # type: ignore[arg-type]
        **extra,  # type: ignore[arg-type]
    )


async def test_enqueueing_the_same_key_twice_makes_one_row(database: Database) -> None:
    async with database.transaction() as session:
        first = await _enqueue(session, "i-1:ready:1")
    async with database.transaction() as session:
        second = await _enqueue(session, "i-1:ready:1", target=NoticeTarget.channel("C0CHAN"))
        third = await _enqueue(session, "i-1:ready:2")
        count = (await session.execute(select(func.count()).select_from(OutboxRow))).scalar()
        notice = await outbox.get_notice(session, "i-1:ready:1")

    assert (first, second, third) == (True, False, True)
    assert count == 2
    assert notice is not None
    assert notice.target == NoticeTarget.dm("U0ALICE")  # the first one stands
    assert notice.status == "pending"
    assert dict(notice.payload) == {"instance_id": "i-1"}


async def test_claim_returns_due_notices_and_leases_them(database: Database) -> None:
    async with database.transaction() as session:
        await _enqueue(session, "a:ready:1", now=NOW - timedelta(minutes=1))
        await _enqueue(
            session,
            "b:ready:1",
            target=NoticeTarget.channel("C0CHAN", thread_ts="1700000000.000100"),
        )
        await _enqueue(session, "later:ready:1", deliver_at=NOW + timedelta(hours=1))

    async with database.transaction() as session:
        claimed = await outbox.claim_due(session, now=NOW, lease_for=LEASE)
    async with database.transaction() as session:
        while_leased = await outbox.claim_due(
            session, now=NOW + timedelta(minutes=1), lease_for=LEASE
        )
    async with database.transaction() as session:
        after_lease = await outbox.claim_due(session, now=NOW + LEASE, lease_for=LEASE)

    assert [n.dedupe_key for n in claimed] == ["a:ready:1", "b:ready:1"]
    assert all(n.attempts == 1 for n in claimed)
    assert all(n.next_attempt_at == NOW + LEASE for n in claimed)
    assert claimed[1].target == NoticeTarget.channel("C0CHAN", "1700000000.000100")
    assert while_leased == []
    # A sender that died mid-send gets its notices back after the lease.
    assert [n.dedupe_key for n in after_lease] == ["a:ready:1", "b:ready:1"]
    assert all(n.attempts == 2 for n in after_lease)


async def test_claim_respects_the_limit(database: Database) -> None:
    async with database.transaction() as session:
        for n in range(5):
            await _enqueue(session, f"i-{n}:ready:1")

    async with database.transaction() as session:
        first = await outbox.claim_due(session, now=NOW, lease_for=LEASE, limit=3)
        rest = await outbox.claim_due(session, now=NOW, lease_for=LEASE, limit=3)

    assert [n.dedupe_key for n in first] == ["i-0:ready:1", "i-1:ready:1", "i-2:ready:1"]
    assert [n.dedupe_key for n in rest] == ["i-3:ready:1", "i-4:ready:1"]


async def test_mark_sent_settles_a_notice_once(database: Database) -> None:
    async with database.transaction() as session:
        await _enqueue(session, "i-1:ready:1")
        (notice,) = await outbox.claim_due(session, now=NOW, lease_for=LEASE)

    async with database.transaction() as session:
        sent = await outbox.mark_sent(session, notice.id, now=NOW + timedelta(seconds=1))
        again = await outbox.mark_sent(session, notice.id, now=NOW + timedelta(seconds=2))
        later = await outbox.claim_due(session, now=NOW + timedelta(days=1), lease_for=LEASE)
        stored = await outbox.get_notice(session, "i-1:ready:1")
        requeued = await _enqueue(session, "i-1:ready:1")

    assert (sent, again) == (True, False)
    assert later == []
    assert stored is not None
    assert stored.status == "sent"
    assert stored.sent_at == NOW + timedelta(seconds=1)
    assert not requeued  # a sent notice is not sent again for the same key


async def test_reschedule_keeps_the_error_and_retries_later(database: Database) -> None:
    async with database.transaction() as session:
        await _enqueue(session, "i-1:ready:1")
        (notice,) = await outbox.claim_due(session, now=NOW, lease_for=LEASE)
        retry_at = NOW + timedelta(seconds=30)
        assert await outbox.reschedule(
            session, notice.id, error="ratelimited " + "x" * 1000, next_attempt_at=retry_at
        )

    async with database.transaction() as session:
        early = await outbox.claim_due(
            session, now=retry_at - timedelta(seconds=1), lease_for=LEASE
        )
        due = await outbox.claim_due(session, now=retry_at, lease_for=LEASE)

    assert early == []
    assert [n.id for n in due] == [notice.id]
    assert due[0].attempts == 2
    assert due[0].last_error is not None
    assert due[0].last_error.startswith("ratelimited")
    assert len(due[0].last_error) == outbox.ERROR_LIMIT


async def test_mark_dead_gives_up_for_good(database: Database) -> None:
    async with database.transaction() as session:
        await _enqueue(session, "i-1:ready:1")
        (notice,) = await outbox.claim_due(session, now=NOW, lease_for=LEASE)
        assert await outbox.mark_dead(session, notice.id, error="channel_not_found", now=NOW)

    async with database.transaction() as session:
        later = await outbox.claim_due(session, now=NOW + timedelta(days=1), lease_for=LEASE)
        stored = await outbox.get_notice(session, "i-1:ready:1")
        sent = await outbox.mark_sent(session, notice.id, now=NOW)

    assert later == []
    assert stored is not None
    assert (stored.status, stored.last_error) == ("dead", "channel_not_found")
    assert not sent


def test_a_target_is_a_user_or_a_channel() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        NoticeTarget()
    with pytest.raises(ValueError, match="exactly one"):
        NoticeTarget(user_id="U1", channel_id="C1")
    with pytest.raises(ValueError, match="thread"):
        NoticeTarget(user_id="U1", thread_ts="1.2")


@pytest.mark.postgres
@pytest.mark.parametrize("database_backend", ["postgres"], indirect=True)  # SQLite: one writer
async def test_concurrent_claims_on_postgres_skip_each_others_rows(database: Database) -> None:
    async with database.transaction() as session:
        for n in range(6):
            await _enqueue(session, f"i-{n}:ready:1")

    first_holds = asyncio.Event()
    second_done = asyncio.Event()

    async def first() -> list[int]:
        async with database.transaction() as session:
            claimed = await outbox.claim_due(session, now=NOW, lease_for=LEASE, limit=3)
            first_holds.set()
            await second_done.wait()  # keep the row locks until the other has claimed
            return [n.id for n in claimed]

    async def second() -> list[int]:
        await first_holds.wait()
        async with database.transaction() as session:
            claimed = await outbox.claim_due(session, now=NOW, lease_for=LEASE, limit=6)
        second_done.set()
        return [n.id for n in claimed]

    ours, theirs = await asyncio.wait_for(asyncio.gather(first(), second()), timeout=30)

    assert len(ours) == 3
    assert len(theirs) == 3
    assert not set(ours) & set(theirs)
