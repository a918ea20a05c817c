"""Outcomes of use cases that the user must hear about, each naming its catalog text.

::

    ServiceError              .message_key .params (filled into the catalog text)
    ├── LoginNeeded           the user has no usable login                    .reason
    ├── LoginRejected         what the user offered as a login is unusable    .detail
    ├── AdminOnly             only a team admin may do that
    ├── MemberNotMentioned    ``quota set user=`` names a member without an @mention
    ├── ChannelNotPicked      ``quota digest`` names a channel without Slack's # list
    ├── NotInChannel          ``links`` typed in a direct message
    ├── InstanceUnknown       no instance of the user matches the reference
    ├── InstanceAmbiguous     a prefix or name matches several                .candidates
    ├── ImageUnknown          no image has that version or path               .suggestions
    ├── ImageOtherAccelerator the image exists for another accelerator
    ├── AlreadyRunning        a restart of an instance that runs or is starting
    ├── NameTaken             the user already has an instance with that name   .instance_id
    ├── NoResourceGroup       no resource group serves that accelerator
    ├── OverNodeLimits        the request exceeds what one node has
    ├── LimitRefusal          a create refused by the team's policy, which an admin may
    │   │                     approve (``queueable``: it could fit once capacity frees)
    │   ├── QuotaExceeded     the create would pass the team's or member's limit  .excess
    │   └── BudgetSpent       the month's budget (the member's or the team's) is spent
    ├── UnknownResourceGroup  ``quota rate`` for a group SCNet does not offer      .known
    ├── ForceNotAllowed       ``--force`` past the limits is for admins
    ├── DigestChannelNeeded   the digest has no channel yet: name one
    ├── QueueNeverFits        a create larger than a limit itself: queueing cannot help
    ├── QueueFull             the member has as many creates queued as one may     .limit
    ├── QueueRequestUnknown   no queued request of the team has that id
    ├── QueueNotYours         only the requester may cancel a queued request
    └── QueueAlreadyLeft      the request was created, failed, cancelled or dropped .state

SCNet's own errors (``bot.scnet.errors``) pass through unchanged; they name their catalog text
the same way. Neither tree translates anything: the presentation layer (``bot.slack``) looks
the key up in the caller's language, so a console or any other entry point shows the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import ClassVar

from bot.domain.commands.model import MIN_PREFIX_CHARS
from bot.domain.identity import LoginRequiredReason
from bot.domain.quota import Excess


class ServiceError(Exception):
    message_key: str = "service.error"

    def __init__(self, description: str = "", /, **params: object) -> None:
        # ``description`` is for logs; like ``params`` it never holds a secret.
        self.params: dict[str, object] = params
        super().__init__(description or f"{type(self).__name__} {sorted(params)}")


class LoginNeeded(ServiceError):
    """The user has no usable login; the answer is "log in" (``{command} login``)."""

    message_key = "notice.not_logged_in"

    def __init__(self, reason: LoginRequiredReason) -> None:
        self.reason = reason
        super().__init__(f"login needed ({reason.value})")


class LoginRejected(ServiceError):
    """What the user offered as a login is unusable; ``message_key`` says why."""

    KEYS: ClassVar[frozenset[str]] = frozenset(
        {
            "login.platform_token",
            "login.token_refused",
            "login.keys_refused",
            "login.no_region",
            "login.not_a_token",
            "login.token_expired",
            "login.no_ai_service",
        }
    )

    def __init__(self, message_key: str, *, detail: str = "") -> None:
        if message_key not in self.KEYS:
            raise ValueError(f"no login refusal is called {message_key!r}")
        self.message_key = message_key
        self.detail = detail
        super().__init__(f"{message_key} {detail}".strip(), detail=detail or "-")


class AdminOnly(ServiceError):
    message_key = "notice.admin_only"


class MemberNotMentioned(ServiceError):
    message_key = "quota.member_by_mention"


class ChannelNotPicked(ServiceError):
    message_key = "quota.digest_by_mention"


class NotInChannel(ServiceError):
    message_key = "links.not_in_channel"


class InstanceUnknown(ServiceError):
    message_key = "notice.no_match"

    def __init__(self, *, part: str) -> None:
        # A few hex digits were probably meant as an id prefix, which needs 6 (InstanceRef).
        if len(part) < MIN_PREFIX_CHARS and all(c in "0123456789abcdef" for c in part.lower()):
            self.message_key = "notice.no_match_short_prefix"
        super().__init__(part=part, least=MIN_PREFIX_CHARS)


class InstanceAmbiguous(ServiceError):
    message_key = "notice.ambiguous_ref"

    def __init__(self, *, part: str, candidates: Sequence[str]) -> None:
        self.candidates = tuple(candidates)
        super().__init__(part=part, count=len(self.candidates))


class ImageUnknown(ServiceError):
    message_key = "image.unknown"

    def __init__(self, *, image: str, suggestions: Sequence[str]) -> None:
        self.suggestions = tuple(suggestions)
        if not self.suggestions:
            self.message_key = "image.unknown_no_match"
        super().__init__(image=image, suggestions=", ".join(self.suggestions[:5]))


class ImageOtherAccelerator(ServiceError):
    """The image exists, for another accelerator than the one asked for."""

    message_key = "image.other_accelerator"


class AlreadyRunning(ServiceError):
    """A restart of an instance that is running or on its way (SCNet's refusal is Chinese)."""

    message_key = "notice.already_running"


class NameTaken(ServiceError):
    """A create would give the user a second instance with a name they use already, and
    ``status <name>`` would then be ambiguous."""

    message_key = "notice.name_taken"

    def __init__(self, *, name: str, instance_id: str) -> None:
        self.instance_id = instance_id
        super().__init__(name=name, id=instance_id[:8])


class NoResourceGroup(ServiceError):
    message_key = "create.no_resource_group"


class OverNodeLimits(ServiceError):
    message_key = "create.over_node_limits"


class LimitRefusal(ServiceError):
    """A create the team's policy refuses (a limit, a budget): the refusal card offers to ask
    an admin, and to queue it when ``queueable`` (it could fit once others free capacity)."""

    queueable: bool = False


class QuotaExceeded(LimitRefusal):
    """``member``: the member's own limit is passed (checked first), else the team's."""

    def __init__(self, excess: Sequence[Excess], *, member: bool) -> None:
        self.excess = tuple(excess)
        self.member = member
        # A request larger than the limit itself never fits, however much others free.
        self.queueable = all(e.requested <= e.limit for e in self.excess)
        self.message_key = "quota.member_exceeded" if member else "notice.quota_exceeded"
        first = self.excess[0]
        super().__init__(
            resource=first.resource,
            used=first.used,
            limit=first.limit,
            requested=first.requested,
        )


class BudgetSpent(LimitRefusal):
    """The month's estimated spend reached the member's budget (checked first) or the
    team's. Not ``queueable``: no instance ending frees a budget, only a new month does."""

    def __init__(self, *, spent: Decimal, budget: Decimal, member: bool) -> None:
        self.member = member
        self.message_key = "costs.budget_spent_member" if member else "costs.budget_spent_team"
        super().__init__(spent=f"{spent:,.2f}", budget=f"{budget:,.2f}")


class UnknownResourceGroup(ServiceError):
    message_key = "costs.unknown_group"

    def __init__(self, *, group: str, known: str) -> None:
        self.known = known
        super().__init__(group=group[:80], known=known[:500])


class ForceNotAllowed(ServiceError):
    message_key = "notice.force_admin_only"


class DigestChannelNeeded(ServiceError):
    message_key = "quota.digest_no_channel"


class QueueNeverFits(ServiceError):
    message_key = "queue.never_fits"


class QueueFull(ServiceError):
    message_key = "queue.full"


class QueueRequestUnknown(ServiceError):
    message_key = "queue.unknown_request"


class QueueNotYours(ServiceError):
    message_key = "queue.not_yours"


class QueueAlreadyLeft(ServiceError):
    """The request left the queue before this (cancel pressed twice, or it was created)."""

    message_key = "queue.already_left"

    def __init__(self, *, state: str, name: str) -> None:
        self.state = state
        super().__init__(state=state, name=name)
