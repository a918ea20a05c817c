"""The Web API methods the bot uses, answered as Slack answers them.

Each handler takes the workspace and the parsed arguments and returns an ``Answer``. Shapes
follow the examples in Slack's method reference (mirrored in slack-ruby/slack-api-ref):
``chat.postMessage`` → ``channel``, ``ts``, ``message``; ``chat.postEphemeral`` →
``message_ts``; ``chat.update`` → ``channel``, ``ts``, ``text``, ``message``; ``chat.delete`` →
``channel``, ``ts``; ``views.*`` → ``view`` with ``id`` and ``hash``; ``users.info`` → ``user``
(``locale`` only with ``include_locale``); ``conversations.open`` → ``channel.id`` (the whole
IM with ``return_im``; ``no_op``/``already_open`` when it existed); ``conversations.info`` →
``channel``; ``auth.test`` → ``url``, ``team``, ``user``, ``team_id``, ``user_id``, ``bot_id``.

Errors, by the method reference's lists: a missing ``channel`` is ``channel_not_found``; no
``text``/``blocks``/``attachments`` is ``no_text``; bad blocks in a message are
``invalid_blocks`` (with ``errors`` and ``response_metadata.messages`` naming a JSON pointer)
and blocks that are not a JSON array ``invalid_blocks_format``; text over 40,000 characters is
``msg_too_long``; ``markdown_text`` (12,000 characters) beside ``text`` or ``blocks`` is
``markdown_text_conflict``. ``views.*`` list no ``invalid_blocks``: a bad view (too many
blocks, a long title, …) or a missing argument is ``invalid_arguments`` with the same pointer
messages; over 250 kB is ``view_too_large``. Trigger ids: malformed ``invalid_trigger_id``,
unknown or older than 3 s ``expired_trigger_id``, reused ``exchanged_trigger_id``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import blocks as bk
from .clock import Clock
from .models import JSON, Channel, Message, Via
from .wire import flag, text_arg
from .workspace import VIEW_STACK_LIMIT, Workspace

MAX_TEXT = 40_000
MAX_MARKDOWN = 12_000


@dataclass(frozen=True, slots=True)
class Answer:
    body: JSON
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)


def ok(**fields: Any) -> Answer:
    return Answer({"ok": True, **fields})


def fail(error: str, *messages: str, **extra: Any) -> Answer:
    body: JSON = {"ok": False, "error": error, **extra}
    if messages:
        body["response_metadata"] = {"messages": list(messages)}
    return Answer(body)


def invalid_blocks(problems: list[str]) -> Answer:
    errors = [problem.removeprefix("[ERROR] ") for problem in problems]
    return fail("invalid_blocks", *problems, errors=errors)


@dataclass(slots=True)
class Limits:
    """Knobs ``FakeSlack`` exposes: per-channel pacing of ``chat.postMessage``."""

    enforce_rate_limits: bool = False
    post_interval: float = 1.0
    # The pacing's clock when it is not the workspace's (a test's manual one, say).
    clock: Clock | None = None


Handler = Callable[[Workspace, dict[str, Any], Limits], Answer]


# -- auth ----------------------------------------------------------------------------------


def auth_test(ws: Workspace, args: dict[str, Any], limits: Limits) -> Answer:
    team = ws.team
    fields: JSON = {
        "url": team.url,
        "team": team.name,
        "user": team.bot_name,
        "team_id": team.id,
        "user_id": team.bot_user_id,
        "bot_id": team.bot_id,
        "is_enterprise_install": False,
    }
    if team.enterprise_id is not None:
        fields["enterprise_id"] = team.enterprise_id
    return ok(**fields)


# -- chat.* --------------------------------------------------------------------------------


def _content_problem(args: dict[str, Any]) -> Answer | None:
    text = text_arg(args, "text")
    has_blocks = "blocks" in args
    markdown = text_arg(args, "markdown_text")
    if markdown is not None:
        # markdown_text replaces text and blocks; Slack refuses it beside either.
        if text is not None or has_blocks:
            return fail("markdown_text_conflict")
        return fail("msg_too_long") if len(markdown) > MAX_MARKDOWN else None
    if not text and not has_blocks and not args.get("attachments"):
        return fail("no_text")
    if has_blocks:
        if not isinstance(args["blocks"], list):
            return fail("invalid_blocks_format")
        problems = bk.check_blocks(args["blocks"], "message")
        if problems:
            return invalid_blocks(problems)
    if text is not None and len(text) > MAX_TEXT:
        return fail("msg_too_long")
    return None


def _postable(ws: Workspace, args: dict[str, Any]) -> Channel | Answer:
    target = text_arg(args, "channel")
    if not target:
        return fail("channel_not_found")
    channel = ws.resolve_for_post(target)
    if channel is None:
        return fail("channel_not_found")
    if channel.is_archived:
        return fail("is_archived")
    if channel.kind != "im" and not channel.is_member:
        return fail("not_in_channel")
    return channel


def _new_message(ws: Workspace, args: dict[str, Any], channel: Channel, via: Via) -> Message:
    blocks = ws.normalized_blocks(args["blocks"]) if "blocks" in args else None
    attachments = args.get("attachments")
    metadata = args.get("metadata")
    return Message(
        channel=channel.id,
        ts=ws.ids.ts(ws.clock()),
        text=text_arg(args, "text") or text_arg(args, "markdown_text"),
        blocks=blocks,
        via=via,
        at=ws.clock(),
        thread_ts=text_arg(args, "thread_ts"),
        attachments=attachments if isinstance(attachments, list) else None,
        metadata=metadata if isinstance(metadata, dict) else None,
    )


def chat_post_message(ws: Workspace, args: dict[str, Any], limits: Limits) -> Answer:
    channel = _postable(ws, args)
    if isinstance(channel, Answer):
        return channel
    problem = _content_problem(args)
    if problem is not None:
        return problem
    now = (limits.clock or ws.clock)()
    if limits.enforce_rate_limits:
        last = ws.last_post.get(channel.id)
        if last is not None and now - last < limits.post_interval:
            wait = max(1, math.ceil(limits.post_interval - (now - last)))
            return Answer({"ok": False, "error": "ratelimited"}, 429, {"Retry-After": str(wait)})
    ws.last_post[channel.id] = now
    message = ws.store(_new_message(ws, args, channel, "chat.postMessage"))
    return ok(channel=channel.id, ts=message.ts, message=message.to_slack(ws.team))


def chat_post_ephemeral(ws: Workspace, args: dict[str, Any], limits: Limits) -> Answer:
    channel = _postable(ws, args)
    if isinstance(channel, Answer):
        return channel
    user_id = text_arg(args, "user")
    user = ws.users.get(user_id or "")
    if user is None or user.deleted:
        return fail("user_not_found")
    if not channel.has_member(user.id):
        return fail("user_not_in_channel")
    problem = _content_problem(args)
    if problem is not None:
        return problem
    message = _new_message(ws, args, channel, "chat.postEphemeral")
    message.ephemeral = True
    message.ephemeral_to = user.id
    ws.store(message)
    return ok(message_ts=message.ts)


def _existing(ws: Workspace, args: dict[str, Any]) -> Message | Answer:
    channel_id = text_arg(args, "channel")
    # chat.update/delete need the conversation id: a user id is not resolved to the DM.
    if not channel_id or ws.lookup_channel(channel_id) is None:
        return fail("channel_not_found")
    message = ws.posted(channel_id, text_arg(args, "ts") or "")
    return fail("message_not_found") if message is None else message


def chat_update(ws: Workspace, args: dict[str, Any], limits: Limits) -> Answer:
    message = _existing(ws, args)
    if isinstance(message, Answer):
        return message
    problem = _content_problem(args)
    if problem is not None:
        return problem
    message.history.append(message.to_slack(ws.team))
    message.text = text_arg(args, "text") or text_arg(args, "markdown_text")
    # As with attachments (documented), blocks left out of an update are kept.
    if "blocks" in args:
        message.blocks = ws.normalized_blocks(args["blocks"])
    if isinstance(args.get("attachments"), list):
        message.attachments = args["attachments"]
    message.edited = True
    message.at = ws.clock()
    return ok(
        channel=message.channel,
        ts=message.ts,
        text=message.text or "",
        message=message.to_slack(ws.team),
    )


def chat_delete(ws: Workspace, args: dict[str, Any], limits: Limits) -> Answer:
    message = _existing(ws, args)
    if isinstance(message, Answer):
        return message
    message.deleted = True
    return ok(channel=message.channel, ts=message.ts)


# -- views.* -------------------------------------------------------------------------------


def _view_arg(args: dict[str, Any], expected_type: str) -> JSON | Answer:
    view = args.get("view")
    if view is None:
        return fail("invalid_arguments", "[ERROR] missing required field: view")
    if not isinstance(view, dict):
        return fail("invalid_arguments", "[ERROR] must be an object [json-pointer:/view]")
    if view.get("type") != expected_type:
        return fail(
            "invalid_arguments",
            f"[ERROR] must be one of: {expected_type} [json-pointer:/view/type]",
        )
    if len(json.dumps(view)) > bk.MAX_VIEW_BYTES:
        return fail("view_too_large")
    problems = bk.check_view(view)
    if problems:
        return fail("invalid_arguments", *problems)
    return view


def _trigger(ws: Workspace, args: dict[str, Any]) -> tuple[str | None, str | None] | Answer:
    """``(user_id, view_id)`` the exchanged trigger was issued for."""
    trigger_id = text_arg(args, "trigger_id") or text_arg(args, "interactivity_pointer")
    if not trigger_id:
        return fail("invalid_arguments", "[ERROR] missing required field: trigger_id")
    outcome, trigger = ws.exchange_trigger(trigger_id)
    if outcome != "ok" or trigger is None:
        return fail(outcome)
    return trigger.user_id, trigger.view_id


def views_open(ws: Workspace, args: dict[str, Any], limits: Limits) -> Answer:
    view = _view_arg(args, "modal")
    if isinstance(view, Answer):
        return view
    if ws.view_by_external_id(view.get("external_id", "")) is not None:
        return fail("duplicate_external_id")
    trigger = _trigger(ws, args)
    if isinstance(trigger, Answer):
        return trigger
    user_id, _ = trigger
    return ok(view=ws.store_view(view, user_id=user_id))


def views_push(ws: Workspace, args: dict[str, Any], limits: Limits) -> Answer:
    view = _view_arg(args, "modal")
    if isinstance(view, Answer):
        return view
    trigger = _trigger(ws, args)
    if isinstance(trigger, Answer):
        return trigger
    user_id, from_view = trigger
    if from_view is not None and from_view in ws.views:
        under = ws.views[from_view]
    else:
        modals = ws.user_modals(user_id)
        if not modals:
            return fail("not_found")
        under = modals[-1]
    root = under["root_view_id"]
    if ws.stack_depth(root) >= VIEW_STACK_LIMIT:
        return fail("push_limit_reached")
    stored = ws.store_view(view, user_id=user_id, root_view_id=root, previous_view_id=under["id"])
    return ok(view=stored)


def views_update(ws: Workspace, args: dict[str, Any], limits: Limits) -> Answer:
    view_id = text_arg(args, "view_id")
    external_id = text_arg(args, "external_id")
    if not view_id and not external_id:
        return fail("invalid_arguments", "[ERROR] missing required field: view_id")
    current = ws.views.get(view_id or "") if view_id else ws.view_by_external_id(external_id or "")
    if current is None:
        return fail("not_found")
    view = _view_arg(args, current["type"])
    if isinstance(view, Answer):
        return view
    given_hash = text_arg(args, "hash")
    if given_hash and given_hash != current["hash"]:
        return fail("hash_conflict")
    if "external_id" not in view and current.get("external_id"):
        view = {**view, "external_id": current["external_id"]}
    stored = ws.store_view(
        view,
        user_id=ws.view_users.get(current["id"]),
        view_id=current["id"],
        root_view_id=current["root_view_id"],
        previous_view_id=current["previous_view_id"],
    )
    return ok(view=stored)


def views_publish(ws: Workspace, args: dict[str, Any], limits: Limits) -> Answer:
    user_id = text_arg(args, "user_id")
    if not user_id:
        return fail("invalid_arguments", "[ERROR] missing required field: user_id")
    user = ws.users.get(user_id)
    if user is None or user.deleted:
        return fail("user_not_found")
    view = _view_arg(args, "home")
    if isinstance(view, Answer):
        return view
    current_id = ws.home_views.get(user_id)
    given_hash = text_arg(args, "hash")
    if current_id is not None and given_hash and given_hash != ws.views[current_id]["hash"]:
        return fail("hash_conflict")
    stored = ws.store_view(view, user_id=user_id, view_id=current_id)
    ws.home_views[user_id] = stored["id"]
    return ok(view=stored)


# -- users.* and conversations.* -----------------------------------------------------------


def users_info(ws: Workspace, args: dict[str, Any], limits: Limits) -> Answer:
    user = ws.users.get(text_arg(args, "user") or "")
    if user is None:
        return fail("user_not_found")
    include_locale = flag(args, "include_locale")
    return ok(user=user.to_slack(ws.team, ws.clock(), include_locale=include_locale))


def conversations_open(ws: Workspace, args: dict[str, Any], limits: Limits) -> Answer:
    return_im = flag(args, "return_im")
    channel_id = text_arg(args, "channel")
    users_arg = text_arg(args, "users")
    if channel_id and not users_arg:
        channel = ws.channels.get(channel_id)
        if channel is None or channel.kind == "channel":
            return fail("channel_not_found")
        return ok(channel=_opened(channel, return_im), no_op=True, already_open=True)
    user_ids = [u.strip() for u in (users_arg or "").split(",") if u.strip()]
    if not user_ids:
        return fail("users_list_not_supplied")
    if len(user_ids) > 8:
        return fail("too_many_users")
    for user_id in user_ids:
        user = ws.users.get(user_id)
        if user is None:
            return fail("user_not_found")
        if user.deleted:
            return fail("user_disabled")
    if len(user_ids) == 1:
        channel, existed = ws.im_with(user_ids[0])
    else:
        channel, existed = _mpim(ws, user_ids)
    extra: JSON = {"no_op": True, "already_open": True} if existed else {}
    return ok(channel=_opened(channel, return_im), **extra)


def _mpim(ws: Workspace, user_ids: list[str]) -> tuple[Channel, bool]:
    members = {*user_ids, ws.team.bot_user_id}
    for channel in ws.channels.values():
        if channel.kind == "mpim" and channel.members == members:
            return channel, True
    names = "--".join(ws.users[u].name for u in sorted(members))
    channel = Channel(
        id=ws.ids.object_id("G"), name=f"mpdm-{names}-1", kind="mpim", members=members
    )
    return ws.add_channel(channel), False


def _opened(channel: Channel, return_im: bool) -> JSON:
    if return_im:
        return channel.to_slack(include_locale=False, include_num_members=False)
    return {"id": channel.id}


def conversations_info(ws: Workspace, args: dict[str, Any], limits: Limits) -> Answer:
    channel_id = text_arg(args, "channel")
    channel = ws.lookup_channel(channel_id) if channel_id else None
    if channel is None:
        return fail("channel_not_found")
    return ok(
        channel=channel.to_slack(
            include_locale=flag(args, "include_locale"),
            include_num_members=flag(args, "include_num_members"),
        )
    )


METHODS: Mapping[str, Handler] = {
    "auth.test": auth_test,
    "chat.postMessage": chat_post_message,
    "chat.postEphemeral": chat_post_ephemeral,
    "chat.update": chat_update,
    "chat.delete": chat_delete,
    "views.open": views_open,
    "views.push": views_push,
    "views.update": views_update,
    "views.publish": views_publish,
    "users.info": users_info,
    "conversations.open": conversations_open,
    "conversations.info": conversations_info,
}
