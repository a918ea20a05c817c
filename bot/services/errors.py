"""Outcomes of use cases that the user must hear about, each naming its catalog text.

::

    ServiceError              .message_key .params
    ├── InstanceUnknown       no instance of the user matches the reference
    ├── InstanceAmbiguous     a prefix or name matches several      .candidates
    ├── ImageUnknown          no image has that version or path     .suggestions
    ├── NoResourceGroup       no resource group serves that accelerator
    ├── OverNodeLimits        the request exceeds what one node has
    └── NotOwner              the instance belongs to someone else

SCNet's own errors (``bot.scnet.errors``) and ``LoginNeeded`` pass through unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence


class ServiceError(Exception):
    message_key = "service.error"

    def __init__(self, **params: object) -> None:
        self.params = params
        super().__init__(f"{type(self).__name__} {sorted(params)}")


class InstanceUnknown(ServiceError):
    message_key = "notice.no_match"


class InstanceAmbiguous(ServiceError):
    message_key = "notice.ambiguous_ref"

    def __init__(self, *, part: str, candidates: Sequence[str]) -> None:
        self.candidates = tuple(candidates)
        super().__init__(part=part, count=len(self.candidates))


class ImageUnknown(ServiceError):
    message_key = "image.unknown"

    def __init__(self, *, image: str, suggestions: Sequence[str]) -> None:
        self.suggestions = tuple(suggestions)
        super().__init__(image=image, suggestions=", ".join(self.suggestions[:5]) or "-")


class NoResourceGroup(ServiceError):
    message_key = "create.no_resource_group"


class OverNodeLimits(ServiceError):
    message_key = "create.over_node_limits"


class NotOwner(ServiceError):
    message_key = "notice.not_owner"
