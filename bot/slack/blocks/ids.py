"""Action, callback and block ids: the contract between the builders and the handlers.

Buttons about an instance carry the instance id, and nothing else, in their ``value``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

# Buttons on an instance card, list row or confirmation (value: the instance id).
OPEN_URL: Final = "instance.open_url"  # the bot DMs the access URL; the button holds no URL
REFRESH: Final = "instance.refresh"
RESTART: Final = "instance.restart"
# Stop and Delete act as soon as Slack sends the press: every button with these ids carries
# Slack's confirm dialog (``confirm.build_confirm_dialog``), so the user has confirmed already.
STOP: Final = "instance.stop"
DELETE: Final = "instance.delete"
WATCH: Final = "instance.watch"
UNWATCH: Final = "instance.unwatch"
SHOW_CARD: Final = "instance.show"
# The answer to a typed stop/delete, on the message that asks (no dialog): acts at once too.
CONFIRM_STOP: Final = "instance.stop.confirm"
CONFIRM_DELETE: Final = "instance.delete.confirm"
CANCEL: Final = "instance.cancel"
# A link button in the owner's private access-URL message; Slack still sends an action for it.
OPEN_LINK: Final = "instance.open_link"

# Buttons whose action id is not ``instance.<subcommand>``: the subcommand each one means.
_CARD_ALIASES: Final[Mapping[str, str]] = {
    OPEN_URL: "url",
    REFRESH: "status",
    SHOW_CARD: "status",
    CONFIRM_STOP: "stop",
    CONFIRM_DELETE: "delete",
}
_CARD_PREFIX: Final = "instance."


def card_action(subcommand: str) -> str:
    """The action id of the instance-card button for ``subcommand`` (see ``card_subcommand``)."""
    return _CARD_PREFIX + subcommand


def card_subcommand(action_id: str) -> str:
    """The subcommand an instance button means (``bot.domain.commands.card_command`` builds
    it from the button's value); "" for an action that is no instance button."""
    alias = _CARD_ALIASES.get(action_id)
    if alias is not None:
        return alias
    return action_id.removeprefix(_CARD_PREFIX) if action_id.startswith(_CARD_PREFIX) else ""


# Paging (value: the page number to show). Slack refuses two equal action ids in one block, so
# Previous and Next differ; a handler takes both with ``action_id in LIST_PAGE_ACTIONS``.
LIST_PREVIOUS_PAGE: Final = "list.page.previous"
LIST_NEXT_PAGE: Final = "list.page.next"
LIST_PAGE_ACTIONS: Final = frozenset({LIST_PREVIOUS_PAGE, LIST_NEXT_PAGE})

# Entry points (no value).
OPEN_LOGIN: Final = "login.open"
OPEN_CREATE: Final = "create.open"
LOGIN_SWITCH_MODE: Final = "login.switch_mode"  # value: the mode to switch to

# Modals: the callback id names the form; context (channel, mode) goes in private_metadata.
LOGIN_CALLBACK: Final = "login"
CREATE_CALLBACK: Final = "create"

# Every input element uses this action id; the block id says which field it is.
INPUT: Final = "value"
LOGIN_TOKEN_BLOCK: Final = "login.token"  # noqa: S105 - a block id, not a token
LOGIN_USER_BLOCK: Final = "login.user"
LOGIN_AK_BLOCK: Final = "login.access_key"
LOGIN_SK_BLOCK: Final = "login.secret_key"
LOGIN_KEEP_BLOCK: Final = "login.keep"  # checkbox: store AK/SK to mint new tokens
LOGIN_KEEP_VALUE: Final = "keep"
LOGIN_MODE_BLOCK: Final = "login.mode"
CREATE_IMAGE_BLOCK: Final = "create.image"
# The create modal's field blocks, keyed by the ``create`` option each one fills.
CREATE_FIELD_BLOCKS: Final[Mapping[str, str]] = {
    "name": "create.name",
    "type": "create.type",
    "gpus": "create.gpus",
    "cpus": "create.cpus",
    "ram": "create.ram",
    "timeout": "create.timeout",
    "group": "create.group",
    "tasks": "create.tasks",
    "port": "create.port",
    "mount": "create.mount",
    "script": "create.script",
    "desc": "create.desc",
}

# The create refusal card (``refusal.refusal_actions``; value: the create's command text).
ASK_ADMIN: Final = "approval.ask"
QUEUE_IT: Final = "queue.ask"  # the create queue's handler
# An approval request's buttons (value: the request id); Deny opens a modal for the reason.
APPROVE: Final = "approval.approve"
DENY: Final = "approval.deny"
DENY_CALLBACK: Final = "approval.deny"  # private_metadata: the request id
DENY_REASON_BLOCK: Final = "approval.reason"
# A queued create's Cancel button (/scnet queue, App Home, the "queued" answer; value: its id).
QUEUE_CANCEL: Final = "queue.cancel"
CANCEL_APPROVAL: Final = "approval.cancel"  # the requester takes it back (value: the request id)
