"""Approval requests, the messages that show them, and each team's approvals channel.

A request is decided by ``decide``: one conditional UPDATE from ``pending`` (and, for an
admin's decision, not past its expiry), so when two admins press at once the database lets
exactly one of them through; the other's UPDATE matches no row and they are told who
decided it. ``settle`` records what an approved request became (its instance, or why the
create failed), again only from ``approved``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select, update

from bot.domain.approvals import (
    ApprovalRequest,
    ApprovalState,
    PostedMessage,
    Refusal,
    SpecSummary,
    Standing,
    failure_detail_from,
    parse_state,
    refusal_from,
    spec_from,
    standing_from,
    summary_json,
)
from bot.domain.i18n import Locale, parse_locale
from bot.domain.identity import SlackOrigin, SlackUser
from bot.store.database import Session, affected_rows
from bot.store.tables import ApprovalChannelRow, ApprovalMessageRow, ApprovalRequestRow
from bot.store.upserts import insert_for


def _request(row: ApprovalRequestRow, messages: Sequence[ApprovalMessageRow]) -> ApprovalRequest:
    summary = row.summary
    return ApprovalRequest(
        id=row.id,
        requester=SlackUser(row.team_id, row.requester_user_id),
        command_text=row.command_text,
        spec=spec_from(summary),
        standing=standing_from(summary),
        refusal=refusal_from(summary),
        state=parse_state(row.state),
        created_at=row.created_at,
        expires_at=row.expires_at,
        origin_channel_id=row.origin_channel_id,
        origin_thread_ts=row.origin_thread_ts,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        reason=row.reason,
        instance_id=row.instance_id,
        failure=row.failure,
        failure_detail=failure_detail_from(summary),
        messages=tuple(
            PostedMessage(
                channel_id=m.channel_id,
                ts=m.ts,
                locale=m.locale,
                shown_state=parse_state(m.shown_state),
            )
            for m in messages
        ),
    )


async def add_request(
    session: Session,
    requester: SlackUser,
    *,
    command_text: str,
    spec: SpecSummary,
    standing: Sequence[Standing],
    refusal: Refusal,
    origin: SlackOrigin | None,
    now: datetime,
    expires_at: datetime,
) -> ApprovalRequest:
    row = ApprovalRequestRow(
        team_id=requester.team_id,
        requester_user_id=requester.user_id,
        command_text=command_text,
        summary=summary_json(spec, standing, refusal),
        origin_channel_id=origin.channel_id if origin else None,
        origin_thread_ts=origin.thread_ts if origin else None,
        state="pending",
        created_at=now,
        expires_at=expires_at,
    )
    session.add(row)
    await session.flush()
    return _request(row, ())


async def get_request(session: Session, request_id: int) -> ApprovalRequest | None:
    row = await session.get(ApprovalRequestRow, request_id, populate_existing=True)
    if row is None:
        return None
    return _request(row, await _messages(session, [request_id]))


async def _messages(session: Session, request_ids: Sequence[int]) -> list[ApprovalMessageRow]:
    if not request_ids:
        return []
    statement = (
        select(ApprovalMessageRow)
        .where(ApprovalMessageRow.request_id.in_(request_ids))
        .order_by(ApprovalMessageRow.request_id, ApprovalMessageRow.channel_id)
    )
    return list((await session.execute(statement)).scalars())


async def _with_messages(
    session: Session, rows: Sequence[ApprovalRequestRow]
) -> list[ApprovalRequest]:
    messages = await _messages(session, [row.id for row in rows])
    return [_request(row, [m for m in messages if m.request_id == row.id]) for row in rows]


async def pending_like(
    session: Session, requester: SlackUser, *, command_text: str
) -> ApprovalRequest | None:
    """The requester's pending request for the very same create, if they asked already."""
    statement = (
        select(ApprovalRequestRow)
        .where(
            ApprovalRequestRow.team_id == requester.team_id,
            ApprovalRequestRow.requester_user_id == requester.user_id,
            ApprovalRequestRow.state == "pending",
        )
        .order_by(ApprovalRequestRow.id)
    )
    for row in (await session.execute(statement)).scalars():
        if row.command_text == command_text:
            return _request(row, await _messages(session, [row.id]))
    return None


async def decide(
    session: Session,
    request_id: int,
    *,
    to: ApprovalState,
    by: str | None,
    now: datetime,
    reason: str | None = None,
    unexpired: bool = True,
) -> bool:
    """Move a pending request to ``to``; False when it was not pending (decided already,
    by someone else a moment ago included) or, with ``unexpired``, is past its expiry."""
    conditions = [ApprovalRequestRow.id == request_id, ApprovalRequestRow.state == "pending"]
    if unexpired:
        conditions.append(ApprovalRequestRow.expires_at > now)
    statement = (
        update(ApprovalRequestRow)
        .where(*conditions)
        .values(state=to, decided_by=by, decided_at=now, reason=reason)
        .execution_options(synchronize_session=False)
    )
    return affected_rows(await session.execute(statement)) == 1


async def settle(
    session: Session,
    request_id: int,
    *,
    instance_id: str | None = None,
    failure: str | None = None,
    failure_detail: Refusal | None = None,
) -> bool:
    """Record what an approved request became: its instance, or (``failure``) why not."""
    row = await session.get(ApprovalRequestRow, request_id, populate_existing=True)
    if row is None or row.state != "approved" or row.instance_id is not None:
        return False
    values: dict[str, object] = {"instance_id": instance_id}
    if failure is not None:
        values.update(state="failed", failure=failure)
        if failure_detail is not None:
            summary = dict(row.summary)
            summary["failure_detail"] = {
                "key": failure_detail.key,
                "params": {str(k): str(v) for k, v in failure_detail.params.items()},
            }
            values["summary"] = summary
    statement = (
        update(ApprovalRequestRow)
        .where(ApprovalRequestRow.id == request_id, ApprovalRequestRow.state == "approved")
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return affected_rows(await session.execute(statement)) == 1


async def mark_failed(session: Session, request_id: int, *, failure: str, now: datetime) -> bool:
    """A pending request that never reached an admin (no channel, no admin to DM)."""
    statement = (
        update(ApprovalRequestRow)
        .where(ApprovalRequestRow.id == request_id, ApprovalRequestRow.state == "pending")
        .values(state="failed", failure=failure, decided_at=now)
        .execution_options(synchronize_session=False)
    )
    return affected_rows(await session.execute(statement)) == 1


async def due_to_expire(session: Session, *, now: datetime, limit: int = 100) -> list[int]:
    statement = (
        select(ApprovalRequestRow.id)
        .where(ApprovalRequestRow.state == "pending", ApprovalRequestRow.expires_at <= now)
        .order_by(ApprovalRequestRow.expires_at)
        .limit(limit)
    )
    return list((await session.execute(statement)).scalars())


async def stuck_approvals(
    session: Session, *, decided_before: datetime, limit: int = 100
) -> list[int]:
    """Approved requests that never got their outcome (the process died between the decision
    and the create's answer), decided before ``decided_before``."""
    statement = (
        select(ApprovalRequestRow.id)
        .where(
            ApprovalRequestRow.state == "approved",
            ApprovalRequestRow.instance_id.is_(None),
            ApprovalRequestRow.decided_at < decided_before,
        )
        .order_by(ApprovalRequestRow.id)
        .limit(limit)
    )
    return list((await session.execute(statement)).scalars())


async def stale_messages(session: Session, *, limit: int = 100) -> list[ApprovalRequest]:
    """Requests with a message that does not show their state yet (a chat.update that failed
    or never ran), oldest first."""
    lagging = (
        select(ApprovalMessageRow.request_id)
        .join(ApprovalRequestRow, ApprovalMessageRow.request_id == ApprovalRequestRow.id)
        .where(ApprovalMessageRow.shown_state != ApprovalRequestRow.state)
    )
    # By id, not DISTINCT over the rows: PostgreSQL has no equality for the JSON summary.
    statement = (
        select(ApprovalRequestRow)
        .where(ApprovalRequestRow.id.in_(lagging))
        .order_by(ApprovalRequestRow.id)
        .limit(limit)
    )
    return await _with_messages(session, list((await session.execute(statement)).scalars()))


async def add_message(session: Session, request_id: int, message: PostedMessage) -> None:
    insert = insert_for(session, ApprovalMessageRow).values(
        request_id=request_id,
        channel_id=message.channel_id,
        ts=message.ts,
        locale=message.locale,
        shown_state=message.shown_state,
    )
    await session.execute(insert.on_conflict_do_nothing())


async def mark_shown(
    session: Session, request_id: int, *, channel_id: str, state: ApprovalState
) -> None:
    await session.execute(
        update(ApprovalMessageRow)
        .where(
            ApprovalMessageRow.request_id == request_id,
            ApprovalMessageRow.channel_id == channel_id,
        )
        .values(shown_state=state)
        .execution_options(synchronize_session=False)
    )


async def list_for_requester(
    session: Session, requester: SlackUser, *, states: Sequence[ApprovalState] = ("pending",)
) -> list[ApprovalRequest]:
    statement = (
        select(ApprovalRequestRow)
        .where(
            ApprovalRequestRow.team_id == requester.team_id,
            ApprovalRequestRow.requester_user_id == requester.user_id,
            ApprovalRequestRow.state.in_(states),
        )
        .order_by(ApprovalRequestRow.id)
    )
    return await _with_messages(session, list((await session.execute(statement)).scalars()))


# --- where a team's requests go ------------------------------------------------------------


async def get_channel(session: Session, team_id: str) -> tuple[str, Locale | None] | None:
    row = await session.get(ApprovalChannelRow, team_id, populate_existing=True)
    if row is None:
        return None
    return row.channel_id, parse_locale(row.locale)


async def set_channel(
    session: Session, team_id: str, *, channel_id: str | None, locale: Locale, now: datetime
) -> None:
    """Post the team's requests in ``channel_id`` (in ``locale``); None: DM the admins."""
    if channel_id is None:
        await session.execute(
            delete(ApprovalChannelRow).where(ApprovalChannelRow.team_id == team_id)
        )
        return
    values = {"channel_id": channel_id, "locale": locale, "updated_at": now}
    insert = insert_for(session, ApprovalChannelRow).values(team_id=team_id, **values)
    await session.execute(insert.on_conflict_do_update(index_elements=["team_id"], set_=values))
