"""A team's and its channels' choices: where the digest goes, who may see full URLs.

By default a channel only learns that an instance is ready, never its access URL (DESIGN.md:
the URL path carries the token). A channel may opt in to full URLs; that choice is stored
per channel so it cannot leak to another one.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bot.store.database import Session
from bot.store.tables import ChannelSettingRow, TeamSettingRow
from bot.store.upserts import insert_for


async def get_digest_channel(session: Session, team_id: str) -> str | None:
    statement = select(TeamSettingRow.digest_channel_id).where(TeamSettingRow.team_id == team_id)
    return (await session.execute(statement)).scalar_one_or_none()


async def set_digest_channel(
    session: Session, team_id: str, *, channel_id: str | None, now: datetime
) -> None:
    """Post the team's digest in ``channel_id``; None turns the digest off."""
    insert = insert_for(session, TeamSettingRow).values(
        team_id=team_id, digest_channel_id=channel_id, updated_at=now
    )
    statement = insert.on_conflict_do_update(
        index_elements=["team_id"], set_={"digest_channel_id": channel_id, "updated_at": now}
    )
    await session.execute(statement)


async def shares_access_urls(session: Session, team_id: str, *, channel_id: str) -> bool:
    """Whether the channel opted in to full access URLs (False unless it did)."""
    statement = select(ChannelSettingRow.share_access_urls).where(
        ChannelSettingRow.team_id == team_id, ChannelSettingRow.channel_id == channel_id
    )
    return bool((await session.execute(statement)).scalar_one_or_none())


async def set_share_access_urls(
    session: Session, team_id: str, *, channel_id: str, enabled: bool, now: datetime
) -> None:
    insert = insert_for(session, ChannelSettingRow).values(
        team_id=team_id, channel_id=channel_id, share_access_urls=enabled, updated_at=now
    )
    statement = insert.on_conflict_do_update(
        index_elements=["team_id", "channel_id"],
        set_={"share_access_urls": enabled, "updated_at": now},
    )
    await session.execute(statement)
