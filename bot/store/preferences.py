"""Per-user preferences that hold with or without an SCNet login (the answer language).

Kept apart from ``accounts`` so that logging out (which deletes the account row) does not
reset the language a user picked.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bot.domain.i18n import Locale, parse_locale
from bot.domain.identity import SlackUser
from bot.store.database import Session
from bot.store.tables import UserPreferenceRow
from bot.store.upserts import insert_for


async def get_locale(session: Session, user: SlackUser) -> Locale | None:
    """The user's chosen locale, or None to follow Slack's (or the default)."""
    statement = select(UserPreferenceRow.locale).where(
        UserPreferenceRow.team_id == user.team_id, UserPreferenceRow.user_id == user.user_id
    )
    raw = (await session.execute(statement)).scalar_one_or_none()
    return parse_locale(raw)


async def set_locale(
    session: Session, user: SlackUser, *, locale: Locale | None, now: datetime
) -> None:
    """Override the locale; None goes back to following Slack."""
    insert = insert_for(session, UserPreferenceRow).values(
        team_id=user.team_id, user_id=user.user_id, locale=locale, updated_at=now
    )
    statement = insert.on_conflict_do_update(
        index_elements=["team_id", "user_id"], set_={"locale": locale, "updated_at": now}
    )
    await session.execute(statement)
