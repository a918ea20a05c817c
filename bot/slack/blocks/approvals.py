"""Approval requests as admins and requesters see them.

``build_approval_card``: the admins' message (who asks, the whole spec, the numbers against
the limits when asked, why it was refused) with [Approve] [Deny] while it is pending, and
the outcome in their place once it is not (the same builder renders the ``chat.update``).
``build_asked``: the requester's private answer with [Cancel request]. ``build_approval_notice``:
the requester's DM about the outcome (an outbox notice). ``build_deny_modal``: the optional
reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from bot.domain.approvals import (
    FAILED_IMAGE,
    FAILED_INTERRUPTED,
    FAILED_LOGIN,
    FAILED_OTHER,
    REASON_CHARS,
    ApprovalNotice,
    ApprovalRequest,
    Refusal,
    Standing,
)
from bot.domain.commands import Create, QuotaApprovals
from bot.domain.i18n import Locale, translate
from bot.domain.notices import Delivery

from . import ids, limits
from .display import ram_text, slack_time
from .elements import (
    Block,
    actions,
    button,
    context,
    field,
    fields_section,
    input_block,
    modal,
    section,
    text_input,
)
from .instances import build_created
from .limits import escape_mrkdwn
from .quota import RESOURCE_KEYS, amount_text, mention
from .reply import Message, ReplyContext, notice
from .wording import words, words_with

if TYPE_CHECKING:  # a result's type only; importing the use case would load the store
    from bot.services.approvals import Asked

CARD_BLOCK: Final = "approval.card"


def _code(text: str) -> str:
    return f"```{escape_mrkdwn(text)}```"


def _reason_text(key: str, params: Mapping[str, object], locale: Locale, command: str) -> str:
    """A stored catalog key and params as text; one the catalog lost reads as unexpected."""
    try:
        return translate(key, locale, command=command, **params)
    except Exception:  # a key from an older version, or params that no longer fit
        return translate("notice.unexpected", locale)


def failure_text(
    failure: str | None,
    detail: Refusal | None,
    *,
    image: str,
    locale: Locale,
    command: str,
    admin: bool,
) -> str:
    """Why an approved create was not made, for the requester or (``admin``) the admins."""
    suffix = ".admin" if admin else ""
    if failure in {FAILED_LOGIN, FAILED_IMAGE, FAILED_INTERRUPTED}:
        return translate(f"{failure}{suffix}", locale, command=command, image=image)
    why = _reason_text(detail.key, detail.params, locale, command) if detail else "-"
    return translate(f"{FAILED_OTHER}{suffix}", locale, detail=why)


def standing_line(standing: Standing, locale: Locale) -> str:
    after = standing.used + standing.requested
    line = words(
        "approval.card.standing_line",
        locale,
        scope=translate(f"approval.scope.{standing.scope}", locale),
        resource=translate(RESOURCE_KEYS[standing.resource], locale),
        used=amount_text(standing.resource, standing.used),
        requested=amount_text(standing.resource, standing.requested),
        after=amount_text(standing.resource, after),
        limit=amount_text(standing.resource, standing.limit),
    )
    return f"{line} :warning:" if standing.over else line


def outcome_line(request: ApprovalRequest, *, locale: Locale, command: str) -> str:
    """The line that replaces the buttons once the request is no longer pending."""
    admin = mention(request.decided_by) if request.decided_by else "-"
    markup = {"admin": admin}
    name = request.spec.name
    match request.state:
        case "approved" if request.instance_id:
            return words_with("approval.state.approved", locale, markup=markup, name=name)
        case "approved":
            return words_with("approval.state.approving", locale, markup=markup, name=name)
        case "denied" if request.reason:
            return words_with(
                "approval.state.denied_reason", locale, markup=markup, reason=request.reason
            )
        case "denied":
            return words_with("approval.state.denied", locale, markup=markup)
        case "expired":
            return words("approval.state.expired", locale)
        case "failed":
            why = failure_text(
                request.failure,
                request.failure_detail,
                image=request.spec.image,
                locale=locale,
                command=command,
                admin=True,
            )
            return words_with("approval.state.failed", locale, markup=markup, why=why)
        case "cancelled":
            return words("approval.state.cancelled", locale)
    return ""


def build_approval_card(
    request: ApprovalRequest, *, locale: Locale, command: str = "/scnet"
) -> list[Block]:
    """The admins' message about ``request``, as it stands."""
    spec = request.spec
    title = words_with(
        "approval.card.title",
        locale,
        markup={"requester": mention(request.requester.user_id)},
        name=spec.name,
    )
    resources = words(
        "approval.card.resources_line",
        locale,
        gpus=spec.gpus,
        cpus=spec.cpus,
        ram=ram_text(spec.ram_mb),
        tasks=spec.tasks,
    )
    blocks: list[Block] = [
        section(f":raising_hand: *{title}*", block_id=CARD_BLOCK),
        fields_section(
            [
                field(words("approval.card.image", locale), f"`{escape_mrkdwn(spec.image)}`"),
                field(words("approval.card.resources", locale), resources),
                field(
                    words("approval.card.group", locale),
                    escape_mrkdwn(spec.resource_group or "-"),
                ),
            ]
        ),
        section(
            limits.clip_mrkdwn(
                f"*{words('approval.card.command', locale)}*\n"
                f"{_code(command + ' ' + request.command_text)}",
                limits.SECTION_TEXT,
            )
        ),
    ]
    lines = [standing_line(s, locale) for s in request.standing]
    heading = f"*{words('approval.card.standing_title', locale)}*\n"
    body = "\n".join(lines) if lines else words("approval.card.no_standing", locale)
    blocks.append(section(limits.clip_mrkdwn(heading + body, limits.SECTION_TEXT)))
    refusal = _reason_text(request.refusal.key, request.refusal.params, locale, command)
    blocks.append(context(words("approval.card.refused", locale, reason=refusal)))
    if request.pending:
        value = str(request.id)
        blocks.append(
            actions(
                [
                    button(
                        translate("approval.button.approve", locale),
                        ids.APPROVE,
                        value=value,
                        style="primary",
                    ),
                    button(
                        translate("approval.button.deny", locale),
                        ids.DENY,
                        value=value,
                        style="danger",
                    ),
                ],
                block_id=f"approval.{request.id}",
            )
        )
        blocks.append(
            context(
                words_with(
                    "approval.card.expires",
                    locale,
                    markup={"time": slack_time(request.expires_at)},
                    id=request.id,
                )
            )
        )
    else:
        blocks.append(section(outcome_line(request, locale=locale, command=command)))
    return limits.message_blocks(blocks)


def approval_card_text(request: ApprovalRequest, *, locale: Locale) -> str:
    """The card's fallback text (notifications, the console): who asks for what."""
    return translate(
        "approval.card.title",
        locale,
        requester=f"<@{request.requester.user_id}>",
        name=request.spec.name,
    )


def build_asked(request: ApprovalRequest, *, locale: Locale, hours: int) -> list[Block]:
    """To the requester: the admins were asked, and a button to take it back."""
    text = words("approval.asked", locale, name=request.spec.name, id=request.id, hours=hours)
    cancel = button(
        translate("approval.button.cancel", locale), ids.CANCEL_APPROVAL, value=str(request.id)
    )
    return [section(f":raising_hand: {text}"), actions([cancel])]


def build_decided(request: ApprovalRequest, *, locale: Locale) -> list[Block]:
    """To someone pressing a button of a request that is no longer pending: how it ended."""
    by = mention(request.decided_by) if request.decided_by else "-"
    text = words_with(
        f"approval.already.{request.state}", locale, markup={"decided_by": by}, id=request.id
    )
    return [section(f":information_source: {text}")]


def decided_text(request: ApprovalRequest, *, locale: Locale) -> str:
    by = f"<@{request.decided_by}>" if request.decided_by else "-"
    return translate(f"approval.already.{request.state}", locale, decided_by=by, id=request.id)


def build_approval_notice(
    delivery: Delivery, *, command: str = "/scnet"
) -> tuple[list[Block], str]:
    """The requester's DM: how their request ended (an ``approval.result`` notice)."""
    raw = delivery.payload.get("approval")
    notice = ApprovalNotice.from_json(raw if isinstance(raw, Mapping) else {})
    locale = delivery.locale
    admin = (
        mention(notice.decided_by)
        if notice.decided_by
        else words("approval.result.someone", locale)
    )
    plain_admin = f"<@{notice.decided_by}>" if notice.decided_by else "-"
    markup = {"admin": admin}
    name = notice.name
    extra: list[Block] = []
    params: dict[str, str] = {}
    match notice.state:
        case "approved":
            key = "approval.result.approved"
        case "denied":
            key = "approval.result.denied"
            if notice.reason:
                extra.append(context(words("approval.result.reason", locale, reason=notice.reason)))
        case "expired":
            key = "approval.result.expired"
        case "cancelled":
            key = "approval.result.cancelled"
        case _:
            why = failure_text(
                notice.failure,
                notice.failure_detail,
                image=notice.image,
                locale=locale,
                command=command,
                admin=False,
            )
            key, params = "approval.result.failed", {"why": why}
    needs_admin = key in {
        "approval.result.approved",
        "approval.result.denied",
        "approval.result.failed",
    }
    text = words_with(key, locale, markup=markup if needs_admin else {}, name=name, **params)
    fallback_params: dict[str, Any] = {"name": name, **params}
    if needs_admin:
        fallback_params["admin"] = plain_admin
    return [section(text), *extra], translate(key, locale, **fallback_params)


def build_deny_modal(request: ApprovalRequest, *, locale: Locale, channel_id: str = "") -> Block:
    """Deny, with an optional reason the requester reads; ``private_metadata``: the request
    id and the channel the admin pressed Deny in (where the answer goes), ``<id>|<channel>``."""
    intro = words_with(
        "approval.deny.intro",
        locale,
        markup={"requester": mention(request.requester.user_id)},
        name=request.spec.name,
    )
    return modal(
        callback_id=ids.DENY_CALLBACK,
        title=translate("approval.deny.title", locale),
        blocks=[
            section(intro),
            input_block(
                ids.DENY_REASON_BLOCK,
                translate("approval.deny.reason", locale),
                text_input(multiline=True, max_length=REASON_CHARS),
                optional=True,
            ),
        ],
        submit=translate("approval.deny.submit", locale),
        close=translate("approval.deny.close", locale),
        private_metadata=f"{request.id}|{channel_id}",
    )


def read_deny_metadata(metadata: str) -> tuple[int | None, str | None]:
    """The request id and the channel that the deny modal's ``private_metadata`` holds."""
    raw_id, _, channel = metadata.partition("|")
    return (int(raw_id) if raw_id.isdigit() else None), (channel or None)


def read_deny_reason(values: Mapping[str, Any]) -> str | None:
    """The reason typed in the deny modal, if any."""
    block = values.get(ids.DENY_REASON_BLOCK) or {}
    raw = (block.get(ids.INPUT) or {}).get("value") if isinstance(block, Mapping) else None
    text = raw.strip() if isinstance(raw, str) else ""
    return text[:REASON_CHARS] or None


def asked_reply(ctx: ReplyContext, command: Create, asked: Asked) -> Message:
    """``create ... --ask`` and [Ask an admin]: the request filed (with [Cancel request]), or
    the instance created at once when it fits the limits now."""
    locale = ctx.locale
    if asked.created is not None:
        name = asked.created.spec.name
        blocks = build_created(instance_id=asked.created.instance_id, name=name, locale=locale)
        blocks.append(context(words("approval.asked_fits", locale, name=name)))
        return Message(blocks, translate("approval.asked_fits", locale, name=name))
    request = asked.request
    assert request is not None  # one of the two
    text = translate(
        "approval.asked", locale, name=request.spec.name, id=request.id, hours=asked.hours
    )
    return Message(build_asked(request, locale=locale, hours=asked.hours), text)


def channel_reply(ctx: ReplyContext, command: QuotaApprovals, channel_id: str | None) -> Message:
    """``quota approvals``: where the team's requests go now."""
    if channel_id is None:
        return notice(
            "approval.channel_dm",
            ctx.locale,
            tone="success" if command.off else "info",
            command=ctx.slash,
        )
    text = words_with(
        "approval.channel_set", ctx.locale, markup={"channel": f"<#{escape_mrkdwn(channel_id)}>"}
    )
    plain = translate("approval.channel_set", ctx.locale, channel=f"<#{channel_id}>")
    return Message([section(f":white_check_mark: {text}")], plain, public=command.public)


HOME_REQUESTS: Final = 5  # App Home stays far below its 100 blocks


def build_home_approvals(requests: Sequence[ApprovalRequest], *, locale: Locale) -> list[Block]:
    """App Home: the user's creates waiting for an admin, each with [Cancel request]."""
    if not requests:
        return []
    blocks: list[Block] = [section(f"*{words('approval.home.title', locale)}*")]
    for request in requests[:HOME_REQUESTS]:
        line = words_with(
            "approval.home.line",
            locale,
            markup={"expires": slack_time(request.expires_at)},
            name=request.spec.name,
            id=request.id,
        )
        cancel = button(
            translate("approval.button.cancel", locale),
            ids.CANCEL_APPROVAL,
            value=str(request.id),
        )
        blocks.append(section(line, accessory=cancel))
    return blocks
