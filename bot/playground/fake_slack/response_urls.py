"""POSTs to a response_url, answered in the incoming-webhook dialect Slack uses for them.

Slack documents the limit ("up to 5 times within 30 minutes of receiving the payload") but not
the refusal. Response URLs are served by the same hooks endpoint as incoming webhooks, whose
errors Slack documents (changelog 2016-05-17, "Improving error conditions for Incoming
Webhooks") as an HTTP status plus a bare string body: 400 ``invalid_payload``, 403
``action_prohibited``, 404 ``channel_not_found``, 410 ``channel_is_archived``, 500
``rollup_error``; success is HTTP 200 with the body ``ok``. The fake answers in that dialect:

========================  ======  ====================
situation                 status  body (text/html)
========================  ======  ====================
accepted                  200     ``ok``
sixth post on one URL     404     ``used_url``
older than 30 minutes     404     ``expired_url``
URL never issued          404     ``no_service``
body is not a JSON object 400     ``invalid_payload``
no text/blocks/attachmts  400     ``no_text``
bad blocks                400     ``invalid_blocks``
========================  ======  ====================

``used_url``/``expired_url`` are the codes developers report seeing; what matters to a client
(bolt's ``respond`` returns slack_sdk's ``WebhookResponse``) is a non-200 status with a short
reason. Only accepted posts count towards the five.

Effects: ``response_type: "in_channel"`` posts to the conversation; otherwise (the default)
the message is ephemeral to the user the URL was issued for. ``replace_original`` rewrites the
original message (for a block action, the message clicked; for a command, the last message
posted through this URL) and ``delete_original`` deletes it; with no original they do nothing
more than a post would (replace) or nothing at all (delete).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from . import blocks as bk
from .models import JSON, Message
from .workspace import RESPONSE_URL_LIFETIME, RESPONSE_URL_USES, ResponseUrl, Workspace


@dataclass(frozen=True, slots=True)
class HookAnswer:
    status: int
    text: str


def parse_body(raw: bytes) -> JSON | None:
    try:
        body = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


def post(ws: Workspace, path: str, body: JSON | None) -> HookAnswer:
    hook = ws.response_urls.get(path)
    if hook is None:
        return HookAnswer(404, "no_service")
    if ws.clock() - hook.created_at > RESPONSE_URL_LIFETIME:
        return HookAnswer(404, "expired_url")
    if hook.uses >= RESPONSE_URL_USES:
        return HookAnswer(404, "used_url")
    if body is None:
        return HookAnswer(400, "invalid_payload")
    delete = _truthy(body.get("delete_original"))
    has_content = bool(body.get("text")) or "blocks" in body or bool(body.get("attachments"))
    if not delete and not has_content:
        return HookAnswer(400, "no_text")
    if "blocks" in body and bk.check_blocks(body["blocks"], "message"):
        return HookAnswer(400, "invalid_blocks")
    hook.uses += 1
    _apply(ws, hook, body, delete=delete)
    return HookAnswer(200, "ok")


def _apply(ws: Workspace, hook: ResponseUrl, body: JSON, *, delete: bool) -> None:
    original = _original(ws, hook)
    if delete:
        if original is not None:
            original.deleted = True
        return
    blocks = ws.normalized_blocks(body["blocks"]) if "blocks" in body else None
    text = body.get("text") if isinstance(body.get("text"), str) else None
    if _truthy(body.get("replace_original")) and original is not None:
        original.history.append(original.to_slack(ws.team))
        original.text = text
        original.blocks = blocks
        original.edited = True
        original.at = ws.clock()
        return
    in_channel = body.get("response_type") == "in_channel"
    message = Message(
        channel=hook.channel_id,
        ts=ws.ids.ts(ws.clock()),
        text=text,
        blocks=blocks,
        via="response_url",
        at=ws.clock(),
        ephemeral=not in_channel,
        ephemeral_to=None if in_channel else hook.user_id,
        thread_ts=body.get("thread_ts") if isinstance(body.get("thread_ts"), str) else None,
        attachments=body["attachments"] if isinstance(body.get("attachments"), list) else None,
    )
    ws.store(message)
    if hook.path.startswith("/commands/"):
        hook.original_ts = message.ts


def _original(ws: Workspace, hook: ResponseUrl) -> Message | None:
    if hook.original_ts is None:
        return None
    for message in reversed(ws.messages):
        if message.ts == hook.original_ts and message.channel == hook.channel_id:
            return None if message.deleted else message
    return None


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.lower() in ("true", "1")
    return value is True
