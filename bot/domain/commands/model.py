"""What a parsed ``/scnet`` command is: one frozen dataclass per subcommand, or a usage error.

Every command carries ``public`` (the ``--public`` flag: reply in the channel rather than
ephemerally). ``None`` in a ``Create`` field means "not given": the defaults in ``bounds`` apply
when the instance spec is built, since some depend on the chosen image (gpus for a cpu image).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import time, timedelta
from enum import Enum
from typing import ClassVar, Final, Literal

from bot.domain.i18n import Locale, translate
from bot.domain.instances import (
    Accelerator,
    ImageType,
    Instance,
    MountSpec,
    PortSpec,
    TaskType,
)
from bot.domain.quota import QuotaLimits
from bot.domain.secret import MASK, Secret

from .bounds import EXCERPT_CHARS, REF_NAME_CHARS

# A subcommand's name; the names there are, and their grammar, are declared in ``registry``.
Subcommand = str
RefKind = Literal["id", "prefix", "name"]


class NotGiven(Enum):
    """Marks an option the user left out where ``None`` already means something (unlimited)."""

    NOT_GIVEN = "not given"


NOT_GIVEN: Final = NotGiven.NOT_GIVEN

ID_CHARS: Final = 32
_ID = re.compile(r"[0-9a-fA-F]{32}")
_HEX = re.compile(r"[0-9a-fA-F]+")
# Below this a hex string is too likely to be a word ("cafe", "bed") to be taken as an id prefix.
MIN_PREFIX_CHARS: Final = 6


@dataclass(frozen=True, slots=True)
class InstanceRef:
    """How the user named an instance: a full id, a unique id prefix, or its name."""

    kind: RefKind
    value: str  # lower case for "id" and "prefix"

    @classmethod
    def parse(cls, raw: str, *, max_name_chars: int = REF_NAME_CHARS) -> InstanceRef | None:
        """The reference ``raw`` stands for, or None when it cannot name an instance."""
        if _ID.fullmatch(raw):
            return cls("id", raw.lower())
        if _HEX.fullmatch(raw):
            if len(raw) > ID_CHARS:
                return None
            if len(raw) >= MIN_PREFIX_CHARS:
                return cls("prefix", raw.lower())
        if not raw or len(raw) > max_name_chars or not raw.isprintable():
            return None
        return cls("name", raw)

    def matches(self, instance: Instance) -> bool:
        if self.kind == "id":
            return instance.id.lower() == self.value
        if self.kind == "prefix":
            return instance.id.lower().startswith(self.value)
        return instance.name == self.value


@dataclass(frozen=True, slots=True)
class MemberRef:
    """A Slack user named in ``quota set ... user=``: a mention's user id, or a typed name."""

    kind: Literal["user_id", "name"]
    value: str


@dataclass(frozen=True, slots=True)
class ChannelRef:
    """A channel named in ``quota digest``: a mention's channel id, or a typed ``#name``."""

    kind: Literal["channel_id", "name"]
    value: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Command:
    """What every command has: its subcommand's name and the ``--public`` flag."""

    subcommand: ClassVar[Subcommand]
    public: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Help(Command):
    subcommand: ClassVar[Subcommand] = "help"
    topic: Subcommand | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Login(Command):
    """``login`` with a pasted token, or without one (the bot opens the login modal)."""

    subcommand: ClassVar[Subcommand] = "login"
    token: Secret | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Logout(Command):
    subcommand: ClassVar[Subcommand] = "logout"


@dataclass(frozen=True, slots=True, kw_only=True)
class WhoAmI(Command):
    subcommand: ClassVar[Subcommand] = "whoami"


@dataclass(frozen=True, slots=True, kw_only=True)
class ListImages(Command):
    subcommand: ClassVar[Subcommand] = "images"
    accelerator: Accelerator | None = None
    image_type: ImageType | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Create(Command):
    """``create``; ``image`` None opens the create modal (prefilled with any options given)."""

    subcommand: ClassVar[Subcommand] = "create"
    image: str | None = None  # an image version (name:tag) or a full image path
    name: str | None = None
    task_type: TaskType | None = None
    accelerator: Accelerator | None = None  # None: the image's
    gpus: int | None = None
    cpus: int | None = None
    ram_mb: int | None = None
    resource_group: str | None = None
    tasks: int | None = None
    timeout: timedelta | NotGiven | None = NOT_GIVEN  # None: unlimited
    ports: tuple[PortSpec, ...] = ()
    mounts: tuple[MountSpec, ...] = ()
    script: str | None = None
    description: str | None = None
    force: bool = False
    ask: bool = False  # ``--ask``: past the team's limits, ask an admin instead of refusing
    queue: bool = False  # ``--queue``: past the team's limits, wait in the team's queue


@dataclass(frozen=True, slots=True, kw_only=True)
class ListInstances(Command):
    subcommand: ClassVar[Subcommand] = "list"


@dataclass(frozen=True, slots=True, kw_only=True)
class RefCommand(Command):
    """What the commands about one instance share: the reference that names it."""

    ref: InstanceRef


@dataclass(frozen=True, slots=True, kw_only=True)
class Status(RefCommand):
    subcommand: ClassVar[Subcommand] = "status"


@dataclass(frozen=True, slots=True, kw_only=True)
class Url(RefCommand):
    """The access URL; always private, so ``--public`` is refused by the grammar."""

    subcommand: ClassVar[Subcommand] = "url"


@dataclass(frozen=True, slots=True, kw_only=True)
class Restart(RefCommand):
    subcommand: ClassVar[Subcommand] = "restart"


@dataclass(frozen=True, slots=True, kw_only=True)
class Stop(RefCommand):
    """``stop``: typed, it asks first; ``confirmed`` (a button, after Slack's dialog or the
    question) acts."""

    subcommand: ClassVar[Subcommand] = "stop"
    confirmed: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Delete(RefCommand):
    """Like ``Stop``: typed, it asks first; ``confirmed`` acts."""

    subcommand: ClassVar[Subcommand] = "delete"
    confirmed: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Watch(RefCommand):
    subcommand: ClassVar[Subcommand] = "watch"


@dataclass(frozen=True, slots=True, kw_only=True)
class Unwatch(RefCommand):
    subcommand: ClassVar[Subcommand] = "unwatch"


@dataclass(frozen=True, slots=True, kw_only=True)
class Quota(Command):
    subcommand: ClassVar[Subcommand] = "quota"


@dataclass(frozen=True, slots=True, kw_only=True)
class QuotaSet(Command):
    """``quota set``: the team's limits, or one member's when ``member`` is given (admins)."""

    subcommand: ClassVar[Subcommand] = "quota"
    limits: QuotaLimits
    member: MemberRef | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class QuotaApprovals(Command):
    """``quota approvals [#channel | off]``: where creates past the limits are asked of the
    admins (a channel; ``off``: each admin's DM); with neither, show it (admins only)."""

    subcommand: ClassVar[Subcommand] = "quota"
    channel: ChannelRef | None = None
    off: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class QuotaDigest(Command):
    """``quota digest``: show the daily digest's settings, change them, or turn it ``off``.

    A value left out (None) keeps what is set, or the default when nothing is (admins only).
    """

    subcommand: ClassVar[Subcommand] = "quota"
    channel: ChannelRef | None = None
    off: bool = False
    at: time | None = None
    timezone: str | None = None
    hours: int | None = None

    @property
    def changes(self) -> bool:
        return self.off or any(
            value is not None for value in (self.channel, self.at, self.timezone, self.hours)
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Audit(Command):
    subcommand: ClassVar[Subcommand] = "audit"
    entries: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Links(Command):
    """``links [on|off]``: whether this channel is told ready instances' full access links
    (admins set it; ``enabled=None`` asks)."""

    subcommand: ClassVar[Subcommand] = "links"
    enabled: bool | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Lang(Command):
    subcommand: ClassVar[Subcommand] = "lang"
    locale: Locale


InstanceCommand = RefCommand


@dataclass(frozen=True, slots=True)
class UsageError:
    """Why a command text was not understood: a catalog key, its params, and the subcommand.

    ``params`` hold at most an excerpt of the offending text (see ``excerpt``), never a token:
    the renderer shows the message and the subcommand's usage line.
    """

    key: str
    subcommand: Subcommand | None = None
    params: tuple[tuple[str, str], ...] = field(default=())

    def param(self, name: str) -> str | None:
        return dict(self.params).get(name)

    def message(self, locale: Locale) -> str:
        return translate(self.key, locale, **dict(self.params))


_JWT_LIKE = re.compile(r"eyJ[A-Za-z0-9_\-]*(?:\.[A-Za-z0-9_\-]*)*")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


def excerpt(text: str) -> str:
    """A short, single-line, token-free piece of user text that is safe to echo back."""
    masked = _JWT_LIKE.sub(MASK, text)
    flat = _CONTROL.sub(" ", masked)
    if len(flat) <= EXCERPT_CHARS:
        return flat
    return flat[: EXCERPT_CHARS - 1] + "…"


def usage(message_key: str, /, *, part: str | None = None, **params: object) -> UsageError:
    """A usage error; ``part`` is the offending user text and is always excerpted."""
    pairs = [(name, str(value)) for name, value in params.items()]
    if part is not None:
        pairs.append(("part", excerpt(part)))
    return UsageError(message_key, None, tuple(pairs))
