"""kill -9 between a poll and its delivery, and the leader killed among two replicas: real
processes against one database (the SQLite file or PostgreSQL), the simulator and the fake
Slack. Nothing is sent twice and nothing is lost."""

from __future__ import annotations

import pytest

from tests.watch.processes import cluster


async def test_a_notice_claimed_by_a_killed_process_is_delivered_once_by_the_next(
    database_url: str,
) -> None:
    async with cluster(database_url) as group:
        instance_id = await group.create("train")
        first = await group.replica(hang_on=(f"{instance_id}:ready:",))
        group.sim.set_status(instance_id, "Running")
        # The status is committed and the notice claimed; Slack has not seen it.
        await first.wait_for_line(f"SENDING {instance_id}:ready:1")
        await first.kill()
        assert group.slack.count("chat.postMessage") == 0
        notice = await group.notice(f"{instance_id}:ready:1")
        assert notice is not None
        assert notice.status == "pending"

        await group.replica()
        keys = [f"{instance_id}:ready:1", f"{instance_id}:ready-channel:1"]
        await group.wait_until_sent(keys)
        assert sorted(group.delivered_keys()) == sorted(keys)
        secret = group.sim.instance(instance_id).access_hex
        dms = group.slack.messages_to(group.owner.user_id)
        assert len(dms) == 1
        assert secret in str(dms[0].blocks)


# Several replicas need PostgreSQL; with SQLite the bot runs as one process.
@pytest.mark.postgres
@pytest.mark.parametrize("database_backend", ["postgres"], indirect=True)
async def test_when_the_leader_dies_the_other_replica_takes_over_without_duplicates(
    database_url: str,
) -> None:
    async with cluster(database_url) as group:
        first_wave = [await group.create(f"first-{n}") for n in range(3)]
        second_wave = [await group.create(f"second-{n}") for n in range(3)]
        doomed = second_wave[1]
        leader = await group.replica(hang_on=(f"{doomed}:ready:",))
        await leader.wait_for_line("now the leader")
        follower = await group.replica()
        await follower.wait_for_line("another replica is the leader")

        for instance_id in first_wave:
            group.sim.set_status(instance_id, "Running")
        first_keys = [f"{i}:ready{part}:1" for i in first_wave for part in ("", "-channel")]
        await group.wait_until_sent(first_keys)
        # The follower has run through the whole first wave (several leadership ticks): while
        # the leader lives, it must not have taken over.
        assert not follower.has_line("now the leader")

        for instance_id in second_wave:
            group.sim.set_status(instance_id, "Running")
        await leader.wait_for_line(f"SENDING {doomed}:ready:1")
        await leader.kill()  # mid-delivery: its notices stay claimed, its lock goes

        await follower.wait_for_line("now the leader")
        all_keys = first_keys + [
            f"{i}:ready{part}:1" for i in second_wave for part in ("", "-channel")
        ]
        await group.wait_until_sent(all_keys)
        delivered = group.delivered_keys()
        assert sorted(delivered) == sorted(all_keys)  # each once: none twice, none lost
        assert len(group.slack.messages_to(group.owner.user_id)) == 6
