"""What asking an admin can answer besides its result (``bot.services.approvals``).

Apart from the use case so that the Slack layer can tell them apart without loading the
store::

    ServiceError
    ├── ApprovalUnknown       no such request (a stale button)
    ├── ApprovalDecided       it left pending already: .request (its state, who decided)
    ├── ApprovalNotAdmin      only admins can approve
    ├── ApprovalNotRequester  only the requester may cancel
    ├── ApprovalAlreadyAsked  the same create is pending already: .request_id
    ├── ApprovalNoAdmin       no channel set and no admin to DM
    └── ApprovalSpecInvalid   the request's create no longer reads as one
"""

from __future__ import annotations

from bot.domain.approvals import FAILED_NO_ADMIN, ApprovalRequest
from bot.services.errors import ServiceError


class ApprovalUnknown(ServiceError):
    message_key = "approval.unknown"


class ApprovalDecided(ServiceError):
    """The request is no longer pending; the catalog key says how it ended and who did it."""

    def __init__(self, request: ApprovalRequest) -> None:
        self.request = request
        self.message_key = f"approval.already.{request.state}"
        super().__init__(
            id=request.id,
            decided_by=f"<@{request.decided_by}>" if request.decided_by else "-",
        )


class ApprovalNotAdmin(ServiceError):
    message_key = "approval.admins_only"


class ApprovalNotRequester(ServiceError):
    message_key = "approval.requester_only"


class ApprovalAlreadyAsked(ServiceError):
    message_key = "approval.already_asked"

    def __init__(self, request: ApprovalRequest) -> None:
        self.request_id = request.id
        super().__init__(id=request.id)


class ApprovalNoAdmin(ServiceError):
    message_key = FAILED_NO_ADMIN


class ApprovalSpecInvalid(ServiceError):
    message_key = "approval.spec_invalid"
