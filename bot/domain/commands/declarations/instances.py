"""The declarations of the subcommands about instances: images, create, and each instance's own
(list, status, url, restart, stop, delete, watch, unwatch)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Final

from ..bounds import MAX_TEXT_CHARS
from ..create import CreateFlags, parse_create
from ..dispatch import Answer, answer, call, notice, rendered
from ..model import (
    Command,
    Create,
    Delete,
    ListImages,
    ListInstances,
    Restart,
    Status,
    Stop,
    Unwatch,
    Url,
    UsageError,
    Watch,
)
from ..parser import Flags, by_ref, no_arguments, parse_images
from ..text import create_words, images_words, no_words, ref_words
from ..tokens import Word
from . import ANSWERS, APPROVALS, OF_REF, QUEUE, REFUSAL, Declaration, HelpKeys


def _parse_create(args: Sequence[Word], flags: Flags) -> Command | UsageError:
    return parse_create(args, CreateFlags(force=flags.force, public=flags.public))


def _without_image(command: Command) -> bool:
    return isinstance(command, Create) and command.image is None


def _asks(command: Command) -> bool:
    return isinstance(command, Create) and command.ask


def _confirmed(command: Command) -> bool:
    return isinstance(command, Stop | Delete) and command.confirmed


def _queues(command: Command) -> bool:
    return isinstance(command, Create) and command.queue


def _queue_it(value: str) -> Command | None:
    """The create a refusal card's [Queue it] carries, with ``--queue``; None when its value
    is no create with an image (a garbled or stale button: nothing to do)."""
    from ..registry import parse_command  # the whole grammar, derived from every declaration

    parsed = parse_command(value) if len(value) <= MAX_TEXT_CHARS else None
    if not isinstance(parsed, Create) or parsed.image is None:
        return None
    return replace(parsed, queue=True, ask=False, force=False)


QUEUE_IT: Final = "queue.ask"  # bot.slack.blocks.ids.QUEUE_IT: the refusal card's [Queue it]


def _asked_first(kind: type[Stop | Delete], use_case: str, done: str) -> tuple[Answer, Answer]:
    """Confirmed (a button: the user has confirmed once), it acts; typed, it asks first."""
    return (
        answer(
            kind,
            call(use_case, *OF_REF),
            reply=notice(done, tone="success", name="result.name"),
            when=_confirmed,
        ),
        answer(kind, call("instances.status", *OF_REF), reply=rendered(ANSWERS + "confirmation")),
    )


# In the order the help overview lists them.
INSTANCES: Final[tuple[Declaration, ...]] = (
    Declaration(
        "images",
        parse=parse_images,
        words=images_words,
        help=HelpKeys("help.images.usage", "help.images.summary", "help.images.details"),
        answers=(
            answer(
                ListImages,
                call(
                    "instances.images",
                    "user",
                    accelerator="command.accelerator",
                    image_type="command.image_type",
                ),
                reply=rendered(ANSWERS + "images"),
            ),
        ),
    ),
    Declaration(
        "create",
        parse=_parse_create,
        words=create_words,
        help=HelpKeys("help.create.usage", "help.create.summary", "help.create.details"),
        flags=("force", "ask", "queue"),
        exclusive=frozenset({"ask", "queue"}),
        answers=(
            answer(Create, reply=rendered(ANSWERS + "create_form"), when=_without_image),
            # ``--queue``: created if it fits now and nobody waits, else queued (``queue``).
            answer(
                Create,
                call(
                    "queue.create_or_queue",
                    "user",
                    "command",
                    origin="origin",
                    locale="locale",
                    is_admin="is_admin",
                ),
                reply=rendered(QUEUE + "create_or_queue_reply"),
                when=_queues,
            ),
            # ``--ask``: created if it fits now, else asked of an admin (``approvals``).
            answer(
                Create,
                call("approvals.ask", "user", "command", origin="origin", is_admin="is_admin"),
                reply=rendered(APPROVALS + "asked_reply"),
                when=_asks,
            ),
            answer(
                Create,
                call("instances.create", "user", "command", origin="origin", is_admin="is_admin"),
                reply=rendered(ANSWERS + "created"),
                # Refused by a limit: the notice with [Ask an admin] and [Queue it].
                refusal=rendered(REFUSAL + "refused_create"),
            ),
        ),
        # The refusal card's [Queue it]: its value is the create, queued as ``--queue`` would.
        buttons=((QUEUE_IT, _queue_it),),
    ),
    Declaration(
        "list",
        parse=no_arguments(ListInstances),
        words=no_words,
        help=HelpKeys("help.list.usage", "help.list.summary", "help.list.details"),
        answers=(
            answer(
                ListInstances,
                call("instances.list", "user"),
                reply=rendered(ANSWERS + "instance_list"),
            ),
        ),
    ),
    Declaration(
        "status",
        parse=by_ref(Status),
        words=ref_words,
        help=HelpKeys("help.status.usage", "help.status.summary", "help.status.details"),
        on_card=lambda ref: Status(ref=ref),
        answers=(
            answer(Status, call("instances.status", *OF_REF), reply=rendered(ANSWERS + "card")),
        ),
    ),
    Declaration(
        "url",
        parse=by_ref(Url),
        words=ref_words,
        help=HelpKeys("help.url.usage", "help.url.summary", "help.url.details"),
        private=True,
        on_card=lambda ref: Url(ref=ref),
        answers=(
            answer(Url, call("instances.access_url", *OF_REF), reply=rendered(ANSWERS + "url")),
        ),
    ),
    Declaration(
        "restart",
        parse=by_ref(Restart),
        words=ref_words,
        help=HelpKeys("help.restart.usage", "help.restart.summary", "help.restart.details"),
        on_card=lambda ref: Restart(ref=ref),
        answers=(
            answer(
                Restart,
                call("instances.restart", *OF_REF),
                reply=notice("notice.restarting", tone="success", name="result.name"),
            ),
        ),
    ),
    Declaration(
        "stop",
        parse=by_ref(Stop),
        words=ref_words,
        help=HelpKeys("help.stop.usage", "help.stop.summary", "help.stop.details"),
        # Every Stop button carries a confirm dialog or answers the typed stop's question.
        on_card=lambda ref: Stop(ref=ref, confirmed=True),
        answers=_asked_first(Stop, "instances.stop", "notice.stopping"),
    ),
    Declaration(
        "delete",
        parse=by_ref(Delete),
        words=ref_words,
        help=HelpKeys("help.delete.usage", "help.delete.summary", "help.delete.details"),
        on_card=lambda ref: Delete(ref=ref, confirmed=True),
        answers=_asked_first(Delete, "instances.delete", "notice.deleted"),
    ),
    Declaration(
        "watch",
        parse=by_ref(Watch),
        words=ref_words,
        help=HelpKeys("help.watch.usage", "help.watch.summary", "help.watch.details"),
        on_card=lambda ref: Watch(ref=ref),
        answers=(
            answer(
                Watch,
                call("instances.watch", *OF_REF, origin="origin"),
                reply=notice("notice.watching", tone="success", name="result.name"),
            ),
        ),
    ),
    Declaration(
        "unwatch",
        parse=by_ref(Unwatch),
        words=ref_words,
        help=HelpKeys("help.unwatch.usage", "help.unwatch.summary", "help.unwatch.details"),
        on_card=lambda ref: Unwatch(ref=ref),
        answers=(
            answer(
                Unwatch,
                call("instances.unwatch", *OF_REF),
                reply=notice("notice.unwatched", name="result.name"),
            ),
        ),
    ),
)
