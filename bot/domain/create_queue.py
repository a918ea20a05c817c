"""The team's queue of creates waiting for capacity, and which one goes next. Pure.

A create over the team's limit (or the member's own) may wait in the team's queue instead of
being refused. Requests are served first come first served per team, with one exception the
issue asks for ("a member's own limit applies to their own requests only"): a request that
waits only because its member holds too much of their own limit does not hold up anyone
else's; a request that waits for the team's capacity holds up everyone behind it, or small
requests would overtake a large one forever.

States::

    queued --claim--> claimed --SCNet answered--> created | failed
       |                 |  \\--outcome unknown / crash: lease runs out--> claimed again,
       |                 |     which first looks for the instance by name (never two creates)
       |                 \\--nothing was sent (a read failed)--> queued
       +--> cancelled (the requester), expired (QUEUE_TTL_HOURS), failed (login or image gone)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal

from bot.domain.identity import SlackOrigin, SlackUser
from bot.domain.instances import Resources
from bot.domain.quota import Excess, Holding, QuotaLimits, Usage, excesses

QueueState = Literal["queued", "claimed", "created", "failed", "cancelled", "expired"]
QUEUE_STATES: Final[tuple[QueueState, ...]] = (
    "queued",
    "claimed",
    "created",
    "failed",
    "cancelled",
    "expired",
)
WAITING_STATES: Final[frozenset[QueueState]] = frozenset({"queued", "claimed"})


@dataclass(frozen=True, slots=True)
class QueuedCreate:
    """One request in a team's queue (``bot.store.create_queue`` keeps them)."""

    id: int
    requester: SlackUser
    command_text: str  # the whole ``create``, its instance name fixed when it was queued
    name: str
    image: str
    resources: Resources
    origin: SlackOrigin | None
    locale: str | None
    state: QueueState
    attempts: int  # creates begun for it; more than 0 means: look for it before trying again
    created_at: datetime
    updated_at: datetime
    lease_owner: str | None = None
    lease_until: datetime | None = None
    instance_id: str | None = None
    outcome: str | None = None
    ended_at: datetime | None = None

    @property
    def team_id(self) -> str:
        return self.requester.team_id

    @property
    def waiting(self) -> bool:
        return self.state in WAITING_STATES

    def usage(self) -> Usage:
        return Usage.of(self.resources)


@dataclass(frozen=True, slots=True)
class TeamCapacity:
    """What a team holds now (instances the bot knows of, and creates under way) and its
    limits; ``member_limits`` only for members with limits of their own."""

    holdings: Sequence[Holding]
    team_limits: QuotaLimits | None
    member_limits: Mapping[str, QuotaLimits]


def _used(
    capacity: TeamCapacity, claimed: Iterable[QueuedCreate]
) -> tuple[Usage, dict[str, Usage]]:
    team = Usage()
    members: dict[str, Usage] = {}
    held = [(h.owner_user_id, Usage.of(h.resources)) for h in capacity.holdings]
    held += [(c.requester.user_id, c.usage()) for c in claimed]
    for owner, usage in held:
        team = team.plus(usage)
        members[owner] = members.get(owner, Usage()).plus(usage)
    return team, members


def blocking_excess(
    request: QueuedCreate, capacity: TeamCapacity, *, claimed: Iterable[QueuedCreate] = ()
) -> tuple[Literal["member", "team"], tuple[Excess, ...]] | None:
    """What keeps ``request`` waiting now: its member's own limit (checked first, as a create
    is) or the team's; None when it fits. ``claimed``: creates under way, which hold their
    resources already though no instance shows them yet."""
    team_used, members_used = _used(capacity, claimed)
    wanted = request.usage()
    member_limits = capacity.member_limits.get(request.requester.user_id)
    member_used = members_used.get(request.requester.user_id, Usage())
    over_member = excesses(member_limits, member_used, wanted)
    if over_member:
        return "member", tuple(over_member)
    over_team = excesses(capacity.team_limits, team_used, wanted)
    if over_team:
        return "team", tuple(over_team)
    return None


def next_to_create(waiting: Sequence[QueuedCreate], capacity: TeamCapacity) -> QueuedCreate | None:
    """The first queued request that fits now, in queue order: one blocked by its member's
    own limit is passed over, one blocked by the team's limit stops the search (nobody
    behind it may take the capacity it waits for). None when nothing may go now."""
    claimed = [r for r in waiting if r.state == "claimed"]
    for request in sorted(waiting, key=lambda r: r.id):
        if request.state != "queued":
            continue
        blocked = blocking_excess(request, capacity, claimed=claimed)
        if blocked is None:
            return request
        if blocked[0] == "team":
            return None
    return None


def never_fits(
    resources: Resources, *, team: QuotaLimits | None, member: QuotaLimits | None
) -> bool:
    """True when the request alone passes a limit: no amount of freed capacity lets it in."""
    wanted = Usage.of(resources)
    return bool(excesses(team, Usage(), wanted) or excesses(member, Usage(), wanted))


def positions(waiting: Sequence[QueuedCreate]) -> dict[int, int]:
    """Each waiting request's place in its team's queue, from 1 (claimed ones count: they
    are next in line being served)."""
    ordered = sorted((r for r in waiting if r.waiting), key=lambda r: r.id)
    return {request.id: place for place, request in enumerate(ordered, start=1)}
