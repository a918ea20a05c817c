"""A team's and its channels' choices: where and when the digest goes, who may see full URLs.

By default a channel only learns that an instance is ready, never its access URL (DESIGN.md:
the URL path carries the token). A channel may opt in to full URLs; that choice is stored
per channel so it cannot leak to another one.
"""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import select

from bot.domain.digest import DigestSchedule, clock_text

# The domain's type; older code imports it from here.
from bot.domain.digest import TeamDigest as TeamDigest
from bot.domain.i18n import Locale, parse_locale
from bot.store.database import Session
from bot.store.tables import ChannelSettingRow, TeamSettingRow
from bot.store.upserts import insert_for


def _digest(row: TeamSettingRow) -> TeamDigest:
    hours, _, minutes = row.digest_time.partition(":")
    try:
        at = time(int(hours), int(minutes))
    except ValueError:
        at = DigestSchedule().at  # written by hand in the database: fall back to the default
    return TeamDigest(
        team_id=row.team_id,
        channel_id=row.digest_channel_id,
        schedule=DigestSchedule(
            at=at, timezone=row.digest_timezone, long_running_hours=row.digest_hours
        ),
        locale=parse_locale(row.digest_locale),
        updated_at=row.updated_at,
    )


async def get_digest(session: Session, team_id: str) -> TeamDigest | None:
    """The team's digest settings; None when it never had any."""
    statement = select(TeamSettingRow).where(TeamSettingRow.team_id == team_id)
    row = (await session.execute(statement)).scalar_one_or_none()
    return None if row is None else _digest(row)


async def set_digest(
    session: Session,
    team_id: str,
    *,
    channel_id: str | None,
    schedule: DigestSchedule,
    locale: Locale | None,
    now: datetime,
) -> None:
    """Replace the team's digest settings; ``channel_id`` None turns it off."""
    values = {
        "digest_channel_id": channel_id,
        "digest_time": clock_text(schedule.at),
        "digest_timezone": schedule.timezone,
        "digest_hours": schedule.long_running_hours,
        "digest_locale": locale,
        "updated_at": now,
    }
    insert = insert_for(session, TeamSettingRow).values(team_id=team_id, **values)
    statement = insert.on_conflict_do_update(index_elements=["team_id"], set_=values)
    await session.execute(statement)


async def list_digests(session: Session) -> list[TeamDigest]:
    """Every team whose digest is on, by team id."""
    statement = (
        select(TeamSettingRow)
        .where(TeamSettingRow.digest_channel_id.is_not(None))
        .order_by(TeamSettingRow.team_id)
    )
    return [_digest(row) for row in (await session.execute(statement)).scalars()]


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
