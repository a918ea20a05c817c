"""Request bodies as Slack sends them to an app's Request URL.

* Slash commands: ``application/x-www-form-urlencoded`` fields in Slack's order (token,
  team_id, team_domain, channel_id, channel_name, user_id, user_name, command, text,
  api_app_id, is_enterprise_install, response_url, trigger_id).
* Interactions (``block_actions``, ``view_submission``): form-encoded, one field ``payload``
  holding the JSON. A block action on a message carries ``container`` (type ``message``),
  ``channel``, ``message`` (left out when the message is ephemeral, as Slack does),
  ``response_url`` and ``state``; one in a modal or the Home tab carries ``container`` (type
  ``view``) and ``view`` instead, and no response_url.
* Events (``event_callback`` such as ``app_home_opened``, ``url_verification``): JSON with
  ``Content-Type: application/json``.

``state.values`` follows Slack's nesting, ``{block_id: {action_id: {"type": …, <value>}}}``,
with one value key per element type: ``value`` (plain_text_input, number_input, email and URL
inputs), ``selected_option`` (static_select, radio_buttons, external_select, overflow),
``selected_options`` (checkboxes, multi-selects), ``selected_user(s)``,
``selected_conversation(s)``, ``selected_channel(s)``, ``selected_date``, ``selected_time``,
``selected_date_time``. Every stateful element appears, unset ones as ``null``/``[]`` unless
they have an initial value, which Slack then reports. An option is echoed as the view defines
it, so a value the view does not offer is refused here (``ValueError``) rather than sent.
"""

from __future__ import annotations

import copy
import json
import secrets
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from .models import JSON, Team
from .signing import signed_headers

FORM = "application/x-www-form-urlencoded"
JSON_TYPE = "application/json"

_VALUE_FIELD_OF: Mapping[str, str] = {
    "plain_text_input": "value",
    "number_input": "value",
    "email_text_input": "value",
    "url_text_input": "value",
    "static_select": "selected_option",
    "external_select": "selected_option",
    "radio_buttons": "selected_option",
    "multi_static_select": "selected_options",
    "multi_external_select": "selected_options",
    "checkboxes": "selected_options",
    "users_select": "selected_user",
    "multi_users_select": "selected_users",
    "conversations_select": "selected_conversation",
    "multi_conversations_select": "selected_conversations",
    "channels_select": "selected_channel",
    "multi_channels_select": "selected_channels",
    "datepicker": "selected_date",
    "timepicker": "selected_time",
    "datetimepicker": "selected_date_time",
}
_INITIAL_FIELD_OF: Mapping[str, str] = {
    "value": "initial_value",
    "selected_option": "initial_option",
    "selected_options": "initial_options",
    "selected_user": "initial_user",
    "selected_users": "initial_users",
    "selected_conversation": "initial_conversation",
    "selected_conversations": "initial_conversations",
    "selected_channel": "initial_channel",
    "selected_channels": "initial_channels",
    "selected_date": "initial_date",
    "selected_time": "initial_time",
    "selected_date_time": "initial_date_time",
}


@dataclass(frozen=True, slots=True)
class SlackRequest:
    """A body and its content type, ready to sign and send."""

    body: bytes
    content_type: str

    @property
    def text(self) -> str:
        return self.body.decode()

    def payload(self) -> JSON:
        """The body as an app reads it (the ``payload`` field's JSON for interactions)."""
        if self.content_type == JSON_TYPE:
            loaded: JSON = json.loads(self.body)
            return loaded
        fields = dict(parse_qsl(self.text, keep_blank_values=True))
        if set(fields) == {"payload"}:
            loaded = json.loads(fields["payload"])
            return loaded
        return dict(fields)

    def headers(
        self,
        secret: str,
        *,
        timestamp: int | str | None = None,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
    ) -> dict[str, str]:
        return signed_headers(
            self.body,
            self.content_type,
            secret,
            timestamp=timestamp,
            retry_num=retry_num,
            retry_reason=retry_reason,
        )


@dataclass(frozen=True, slots=True)
class Actor:
    """The user who acts, as interaction payloads describe them."""

    id: str
    name: str
    team_id: str

    def to_slack(self) -> JSON:
        return {"id": self.id, "username": self.name, "name": self.name, "team_id": self.team_id}


def _form(fields: Sequence[tuple[str, str]]) -> SlackRequest:
    return SlackRequest(urlencode(list(fields)).encode(), FORM)


def _interaction(payload: JSON) -> SlackRequest:
    return _form([("payload", json.dumps(payload, separators=(",", ":")))])


def _team(team: Team) -> JSON:
    return {"id": team.id, "domain": team.domain}


def fake_trigger_id() -> str:
    """A well-formed trigger id the fake never issued (views.open: expired_trigger_id)."""
    return f"{int(time.time())}.{secrets.randbelow(10**9)}.{secrets.token_hex(16)}"


def action_ts() -> str:
    return f"{time.time():.6f}"


def slash_command(
    *,
    team: Team,
    user_id: str,
    user_name: str,
    command: str,
    text: str,
    channel_id: str,
    channel_name: str,
    response_url: str,
    trigger_id: str,
) -> SlackRequest:
    return _form(
        [
            ("token", team.verification_token),
            ("team_id", team.id),
            ("team_domain", team.domain),
            ("channel_id", channel_id),
            ("channel_name", channel_name),
            ("user_id", user_id),
            ("user_name", user_name),
            ("command", command),
            ("text", text),
            ("api_app_id", team.app_id),
            ("is_enterprise_install", "false"),
            ("response_url", response_url),
            ("trigger_id", trigger_id),
        ]
    )


def block_actions(
    *,
    team: Team,
    user: Actor,
    actions: Sequence[Mapping[str, Any]],
    trigger_id: str,
    message: Mapping[str, Any] | None = None,
    channel: tuple[str, str] | None = None,
    is_ephemeral: bool = False,
    response_url: str | None = None,
    view: Mapping[str, Any] | None = None,
    values: Mapping[str, Any] | None = None,
) -> SlackRequest:
    """A ``block_actions`` interaction: on a message (give ``message`` and ``channel`` as
    ``(id, name)``) or in a view (give ``view``; ``values`` then fills its state)."""
    payload: JSON = {
        "type": "block_actions",
        "user": user.to_slack(),
        "api_app_id": team.app_id,
        "token": team.verification_token,
        "container": {},
        "trigger_id": trigger_id,
        "team": _team(team),
        "enterprise": None,
        "is_enterprise_install": False,
    }
    if view is not None:
        filled = _with_state(view, values or {})
        payload["container"] = {"type": "view", "view_id": filled["id"]}
        payload["view"] = filled
    elif message is not None and channel is not None:
        channel_id, channel_name = channel
        payload["container"] = {
            "type": "message",
            "message_ts": message["ts"],
            "channel_id": channel_id,
            "is_ephemeral": is_ephemeral,
        }
        payload["channel"] = {"id": channel_id, "name": channel_name}
        if not is_ephemeral:
            payload["message"] = copy.deepcopy(dict(message))
        payload["state"] = {"values": state_values(message.get("blocks") or [], values or {})}
        if response_url is not None:
            payload["response_url"] = response_url
    else:
        raise ValueError("a block action happens on a message (and channel) or in a view")
    payload["actions"] = [dict(action) for action in actions]
    return _interaction(payload)


def action_for(
    blocks: Sequence[Mapping[str, Any]],
    action_id: str,
    *,
    value: str | Sequence[str] | None = None,
    when: str | None = None,
    block_id: str | None = None,
) -> JSON:
    """The ``actions[]`` entry Slack sends when a user uses the element ``action_id``:
    a button press (its ``value``), a choice in a select/radio/overflow (``value`` names the
    option), or ticks in checkboxes/multi-selects (a list of option values)."""
    block_id, element = _find_element(blocks, action_id, block_id)
    kind = str(element.get("type"))
    action: JSON = {"type": kind, "action_id": action_id, "block_id": block_id}
    if kind == "button":
        action["text"] = copy.deepcopy(element.get("text"))
        if "value" in element:
            action["value"] = element["value"]
        if "style" in element:
            action["style"] = element["style"]
    elif kind == "overflow":
        action["selected_option"] = _option(element, _one(value, action_id))
    else:
        state = _element_state(element, _VALUE_FIELD_OF.get(kind, "value"), value, chosen=True)
        action.update(state)
        if "placeholder" in element:
            action["placeholder"] = copy.deepcopy(element["placeholder"])
    action["action_ts"] = when or action_ts()
    return action


def view_submission(
    *,
    team: Team,
    user: Actor,
    view: Mapping[str, Any],
    values: Mapping[str, Any],
    trigger_id: str,
) -> SlackRequest:
    """Submitting ``view`` (as Slack stored it: with ``id``, ``hash``, block ids), with the
    user's input by action_id: a string for text/number inputs and single choices (the
    option's value), a list of values for checkboxes and multi-selects."""
    payload: JSON = {
        "type": "view_submission",
        "team": _team(team),
        "user": user.to_slack(),
        "api_app_id": team.app_id,
        "token": team.verification_token,
        "trigger_id": trigger_id,
        "view": _with_state(view, values),
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }
    return _interaction(payload)


def state_values(blocks: Sequence[Mapping[str, Any]], values: Mapping[str, Any]) -> JSON:
    """``state.values`` for ``blocks`` with the user's input ``values``, keyed by action_id
    or, where several inputs share one action_id (as in a form), by their block_id."""
    stateful = list(_stateful(blocks))
    names = {action_id for _, action_id, _ in stateful} | {block_id for block_id, _, _ in stateful}
    unknown = set(values) - names
    if unknown:
        raise KeyError(f"no input element with action_id or block_id {sorted(unknown)}")
    state: JSON = {}
    for block_id, action_id, element in stateful:
        key = _VALUE_FIELD_OF[str(element["type"])]
        name = block_id if block_id in values else action_id
        given = name in values
        state.setdefault(block_id, {})[action_id] = _element_state(
            element, key, values.get(name), chosen=given
        )
    return state


def app_home_opened(
    *,
    team: Team,
    user_id: str,
    channel_id: str,
    view: Mapping[str, Any] | None = None,
    tab: str = "home",
    event_id: str | None = None,
    event_time: int | None = None,
) -> SlackRequest:
    """The ``event_callback`` envelope for ``app_home_opened`` (``view`` only once the app
    has published a Home tab for this user, as with Slack)."""
    now = int(time.time()) if event_time is None else event_time
    event: JSON = {
        "type": "app_home_opened",
        "user": user_id,
        "channel": channel_id,
        "tab": tab,
        "event_ts": f"{now}.{secrets.randbelow(10**6):06d}",
    }
    if view is not None:
        event["view"] = copy.deepcopy(dict(view))
    envelope: JSON = {
        "token": team.verification_token,
        "team_id": team.id,
        "context_team_id": team.id,
        "context_enterprise_id": team.enterprise_id,
        "api_app_id": team.app_id,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{secrets.token_hex(5).upper()}",
        "event_time": now,
        "authorizations": [
            {
                "enterprise_id": team.enterprise_id,
                "team_id": team.id,
                "user_id": team.bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-{secrets.token_urlsafe(24)}",
    }
    return SlackRequest(json.dumps(envelope).encode(), JSON_TYPE)


def url_verification(*, challenge: str, token: str = "") -> SlackRequest:
    body = {"token": token, "challenge": challenge, "type": "url_verification"}
    return SlackRequest(json.dumps(body).encode(), JSON_TYPE)


# -- element lookup and state --------------------------------------------------------------


def _elements(block: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for key in ("accessory", "element"):
        element = block.get(key)
        if isinstance(element, Mapping):
            yield element
    if block.get("type") == "actions":
        for element in block.get("elements") or []:
            if isinstance(element, Mapping):
                yield element


def _find_element(
    blocks: Sequence[Mapping[str, Any]], action_id: str, block_id: str | None = None
) -> tuple[str, Mapping[str, Any]]:
    for block in blocks:
        if block_id is not None and block.get("block_id") != block_id:
            continue
        for element in _elements(block):
            if element.get("action_id") == action_id:
                return str(block.get("block_id", "")), element
    raise KeyError(f"no element with action_id {action_id!r} in these blocks")


def _stateful(
    blocks: Sequence[Mapping[str, Any]],
) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    for block in blocks:
        for element in _elements(block):
            if element.get("type") in _VALUE_FIELD_OF and isinstance(element.get("action_id"), str):
                yield str(block.get("block_id", "")), element["action_id"], element


def _options(element: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    yield from element.get("options") or []
    for group in element.get("option_groups") or []:
        yield from group.get("options") or []


def _option(element: Mapping[str, Any], value: str) -> JSON:
    for option in _options(element):
        if option.get("value") == value:
            return copy.deepcopy(dict(option))
    offered = [option.get("value") for option in _options(element)]
    raise ValueError(f"{element.get('action_id')!r} offers no option {value!r} (has {offered})")


def _one(value: object, action_id: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{action_id!r} takes one value, got {value!r}")
    return value


def _element_state(element: Mapping[str, Any], key: str, value: object, *, chosen: bool) -> JSON:
    """``{"type": …, key: …}`` for one element: the user's choice, or else its initial value
    (Slack reports what the user sees), or else null / an empty list."""
    kind = str(element["type"])
    action_id = str(element.get("action_id"))
    plural = key.endswith("s")
    if not chosen or value is None:
        initial = element.get(_INITIAL_FIELD_OF[key])
        empty: list[Any] | None = [] if plural else None
        return {"type": kind, key: empty if initial is None else copy.deepcopy(initial)}
    if key == "selected_option":
        return {"type": kind, key: _option(element, _one(value, action_id))}
    if plural:
        if isinstance(value, str) or not isinstance(value, Sequence):
            raise ValueError(f"{action_id!r} takes a list, got {value!r}")
        if key == "selected_options":
            return {"type": kind, key: [_option(element, _one(v, action_id)) for v in value]}
        return {"type": kind, key: list(value)}
    if key == "selected_date_time":
        return {"type": kind, key: value}
    return {"type": kind, key: _one(value, action_id)}


def _with_state(view: Mapping[str, Any], values: Mapping[str, Any]) -> JSON:
    filled: JSON = copy.deepcopy(dict(view))
    filled["state"] = {"values": state_values(filled.get("blocks") or [], values)}
    return filled
