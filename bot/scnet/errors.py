"""Everything that can go wrong talking to SCNet, as one tree of exceptions with fields.

::

    ScnetError                      .code .message_key .retryable; never holds a secret
    ├── TransientError              no usable answer: worth retrying a *read*
    │   ├── NetworkError            connection refused/reset, DNS
    │   ├── RequestTimeout          no answer within the per-request timeout
    │   ├── UpstreamHttpError       HTTP 5xx, or a 4xx without SCNet's envelope  .status
    │   ├── MalformedResponse       a body that is not SCNet's JSON envelope
    │   └── UpstreamBusy            10001 internal, 10012 connection interrupted, 716020 DB
    ├── InputError                  10003 missing / 10004 invalid parameter (the caller's fault)
    ├── AuthError                   the token or the account
    │   ├── TokenInvalid            10008 (documented "no permission", used for expired tokens)
    │   ├── ApiForbidden            10009 no permission for this API
    │   └── AccountFrozen           10007
    ├── Refused                     any other non-zero code: a permanent business refusal
    │   ├── HttpRefused             HTTP 4xx without SCNet's envelope               .status
    │   ├── CreateFailed            716865
    │   ├── StartFailed             716868
    │   ├── DeleteFailed            716866
    │   └── InstanceNotFound        the id is unknown to this user (816822, or our own check)
    ├── CreateOutcomeUnknown        create sent, no answer: it may or may not exist
    └── ActionOutcomeUnknown        restart/stop/delete sent, no answer: it may have happened

Callers branch on the class and read fields, never the text. Each class names a catalog key
(``bot.domain.i18n``) and ``params`` fill it in; translating is the presentation layer's job.
"""

from __future__ import annotations

from typing import ClassVar


class ScnetError(Exception):
    message_key: ClassVar[str] = "scnet.refused"
    retryable: ClassVar[bool] = False

    def __init__(self, detail: str = "", *, code: str = "", endpoint: str = "") -> None:
        # ``detail`` is SCNet's msg or our own description; it never contains a header value,
        # a token or a URL query: the client builds it from the envelope and the path template.
        self.code = code
        self.detail = detail[:300]
        self.endpoint = endpoint
        parts = [type(self).__name__]
        if code:
            parts.append(f"code={code}")
        if endpoint:
            parts.append(f"endpoint={endpoint}")
        if self.detail:
            parts.append(self.detail)
        super().__init__(" ".join(parts))

    @property
    def params(self) -> dict[str, object]:
        """What ``message_key``'s text is filled with; the caller's layer translates it."""
        return {"code": self.code or "-", "detail": self.detail or "-"}


class TransientError(ScnetError):
    message_key = "scnet.unavailable"
    retryable = True


class NetworkError(TransientError):
    pass


class RequestTimeout(TransientError):
    pass


class UpstreamHttpError(TransientError):
    def __init__(
        self, detail: str = "", *, status: int, code: str = "", endpoint: str = ""
    ) -> None:
        self.status = status
        super().__init__(detail or f"HTTP {status}", code=code, endpoint=endpoint)


class MalformedResponse(TransientError):
    pass


class UpstreamBusy(TransientError):
    message_key = "scnet.internal"


class InputError(ScnetError):
    message_key = "scnet.bad_request"


class AuthError(ScnetError):
    message_key = "scnet.token_invalid"


class TokenInvalid(AuthError):
    pass


class ApiForbidden(AuthError):
    message_key = "scnet.forbidden"


class AccountFrozen(AuthError):
    message_key = "scnet.frozen"


class Refused(ScnetError):
    message_key = "scnet.refused"


class HttpRefused(Refused):
    """A 4xx without an envelope: 404/405 mean this deployment lacks the endpoint variant."""

    def __init__(self, detail: str = "", *, status: int, endpoint: str = "") -> None:
        self.status = status
        super().__init__(detail or f"HTTP {status}", code=f"HTTP {status}", endpoint=endpoint)

    @property
    def endpoint_missing(self) -> bool:
        """Whether the status says the route is not there (404, 405): another form may be."""
        return self.status in {404, 405}


class CreateFailed(Refused):
    message_key = "scnet.create_failed"


class StartFailed(Refused):
    message_key = "scnet.start_failed"


class DeleteFailed(Refused):
    message_key = "scnet.delete_failed"


class InstanceNotFound(Refused):
    message_key = "scnet.not_found"


class CreateOutcomeUnknown(ScnetError):
    """The create request went out but no answer came back; never retried automatically."""

    message_key = "scnet.create_unknown"


class ActionOutcomeUnknown(ScnetError):
    """A restart, stop or delete went out and no answer came back; never retried."""

    message_key = "scnet.action_unknown"


_BY_CODE: dict[str, type[ScnetError]] = {
    "10001": UpstreamBusy,
    "10003": InputError,
    "10004": InputError,
    "10007": AccountFrozen,
    "10008": TokenInvalid,
    "10009": ApiForbidden,
    "10010": Refused,
    "10011": Refused,
    "10012": UpstreamBusy,
    "716020": UpstreamBusy,
    "716864": Refused,
    "716865": CreateFailed,
    "716866": DeleteFailed,
    "716868": StartFailed,
    "716870": Refused,
    "816822": InstanceNotFound,
}


def error_for_code(code: str, detail: str, *, endpoint: str) -> ScnetError:
    """The exception for a non-zero business ``code`` from SCNet's envelope."""
    return _BY_CODE.get(code, Refused)(detail, code=code, endpoint=endpoint)
