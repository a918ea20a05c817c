"""The catalog's texts for asking an admin to approve a create."""

# Merged into bot.domain.i18n.CATALOG.

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from bot.domain.i18n import Locale

ENTRIES: Final[Mapping[str, Mapping[Locale, str]]] = {
    # --- the refusal card ---------------------------------------------------------------------
    "approval.button.ask": {"en": "Ask an admin", "zh": "请管理员批准"},
    "approval.too_long_for_button": {
        "en": (
            "This create is too long to carry on a button: type it again with `--ask` to ask "
            "an admin (or `--queue` to wait for capacity)."
        ),
        "zh": (
            "此创建命令太长，无法放在按钮上：请重新输入并加上 `--ask` 请管理员批准"
            "（或加 `--queue` 排队等待资源）。"
        ),
    },
    # --- the requester's answers --------------------------------------------------------------
    "approval.asked": {
        "en": (
            "Asked the admins to approve `{name}` (request #{id}). You will get a DM when one "
            "decides; the request expires in {hours} h."
        ),
        "zh": (
            "已请管理员批准 `{name}`（申请 #{id}）。有管理员处理后您会收到私信；"
            "申请将在 {hours} 小时后过期。"
        ),
    },
    "approval.asked_fits": {
        "en": "It fits the team's limits now, so no admin is needed: created `{name}`.",
        "zh": "现在已在团队限额之内，无需管理员批准：已创建 `{name}`。",
    },
    "approval.button.cancel": {"en": "Cancel request", "zh": "撤回申请"},
    "approval.cancelled": {
        "en": "Request #{id} is cancelled.",
        "zh": "申请 #{id} 已撤回。",
    },
    "approval.already_asked": {
        "en": "You asked for this create already: request #{id} is waiting for an admin.",
        "zh": "您已申请过此创建：申请 #{id} 正在等待管理员处理。",
    },
    "approval.spec_invalid": {
        "en": "This request can no longer be read as a create. Run the create again.",
        "zh": "此申请已无法解析为创建命令，请重新运行创建命令。",
    },
    "approval.unknown": {
        "en": "This approval request no longer exists.",
        "zh": "此审批申请已不存在。",
    },
    # --- policy ----------------------------------------------------------------------------------
    "approval.admins_only": {
        "en": "Only admins can approve or deny requests.",
        "zh": "只有管理员可以批准或拒绝申请。",
    },
    "approval.requester_only": {
        "en": "Only the person who asked can cancel this request.",
        "zh": "只有申请人可以撤回此申请。",
    },
    "approval.already.approved": {
        "en": "Request #{id} was already approved by {decided_by}.",
        "zh": "申请 #{id} 已由 {decided_by} 批准。",
    },
    "approval.already.denied": {
        "en": "Request #{id} was already denied by {decided_by}.",
        "zh": "申请 #{id} 已被 {decided_by} 拒绝。",
    },
    "approval.already.failed": {
        "en": "Request #{id} was already approved by {decided_by}; its create failed.",
        "zh": "申请 #{id} 已由 {decided_by} 批准，但创建失败。",
    },
    "approval.already.expired": {
        "en": "Request #{id} has expired: no admin decided in time.",
        "zh": "申请 #{id} 已过期：没有管理员及时处理。",
    },
    "approval.already.cancelled": {
        "en": "Request #{id} was cancelled by the requester.",
        "zh": "申请 #{id} 已被申请人撤回。",
    },
    "approval.already.pending": {
        "en": "Request #{id} is still waiting for an admin.",
        "zh": "申请 #{id} 仍在等待管理员处理。",
    },
    # --- why an approved create was not made (requester / admin) ----------------------------
    "approval.failed.no_admin": {
        "en": (
            "No admin could be reached to approve it. An admin can name a channel for requests "
            "with `{command} quota approvals #channel`."
        ),
        "zh": (
            "无法联系到任何管理员来批准。管理员可以用 `{command} quota approvals #频道` "
            "指定接收申请的频道。"
        ),
    },
    "approval.failed.login": {
        "en": "you are no longer logged in to SCNet. Log in with `{command} login` and ask again.",
        "zh": "您已不再登录 SCNet。请用 `{command} login` 登录后重新申请。",
    },
    "approval.failed.login.admin": {
        "en": "the requester is no longer logged in to SCNet; they were told to log in again.",
        "zh": "申请人已不再登录 SCNet；已通知其重新登录。",
    },
    "approval.failed.image": {
        "en": "the image `{image}` no longer exists.",
        "zh": "镜像 `{image}` 已不存在。",
    },
    "approval.failed.image.admin": {
        "en": "the image `{image}` no longer exists.",
        "zh": "镜像 `{image}` 已不存在（已告知申请人）。",
    },
    "approval.failed.interrupted": {
        "en": "the bot was stopped while creating it, and SCNet has no such instance: ask again.",
        "zh": "创建时机器人被中断，SCNet 上也没有该实例：请重新申请。",
    },
    "approval.failed.interrupted.admin": {
        "en": "the bot was stopped while creating it, and SCNet has no such instance.",
        "zh": "创建时机器人被中断，SCNet 上也没有该实例（已告知申请人）。",
    },
    "approval.failed.other": {
        "en": "the create failed: {detail}",
        "zh": "创建失败：{detail}",
    },
    "approval.failed.other.admin": {
        "en": "the create failed: {detail}",
        "zh": "创建失败（已告知申请人）：{detail}",
    },
    # --- the admins' message ----------------------------------------------------------------
    "approval.card.title": {
        "en": "{requester} asks to create `{name}` past the team's limits",
        "zh": "{requester} 申请超出团队限额创建 `{name}`",
    },
    "approval.card.image": {"en": "Image", "zh": "镜像"},
    "approval.card.resources": {"en": "Resources", "zh": "资源"},
    "approval.card.group": {"en": "Resource group", "zh": "资源组"},
    "approval.card.resources_line": {
        "en": "{gpus} GPU · {cpus} CPU · {ram} × {tasks} task(s)",
        "zh": "{gpus} GPU · {cpus} CPU · {ram} × {tasks} 个任务",
    },
    "approval.card.command": {"en": "Full spec", "zh": "完整参数"},
    "approval.card.standing_title": {
        "en": "Against the limits, when asked",
        "zh": "申请时的限额使用情况",
    },
    "approval.card.standing_line": {
        "en": "{scope} {resource}: {used} in use + {requested} asked = {after} of {limit}",
        "zh": "{scope}·{resource}：已用 {used} + 申请 {requested} = {after}，限额 {limit}",
    },
    "approval.card.no_standing": {
        "en": "No limit is set that this request passes now.",
        "zh": "目前没有被此申请超出的限额。",
    },
    "approval.scope.team": {"en": "Team", "zh": "团队"},
    "approval.scope.member": {"en": "Their own", "zh": "个人"},
    "approval.card.refused": {"en": "Refused because: {reason}", "zh": "被拒原因：{reason}"},
    "approval.card.expires": {
        "en": "Request #{id} · expires {time}",
        "zh": "申请 #{id} · {time} 过期",
    },
    "approval.button.approve": {"en": "Approve", "zh": "批准"},
    "approval.button.deny": {"en": "Deny", "zh": "拒绝"},
    "approval.state.approved": {
        "en": ":white_check_mark: Approved by {admin}: `{name}` was created.",
        "zh": ":white_check_mark: 已由 {admin} 批准：`{name}` 已创建。",
    },
    "approval.state.approving": {
        "en": ":hourglass_flowing_sand: Approved by {admin}: creating `{name}`…",
        "zh": ":hourglass_flowing_sand: 已由 {admin} 批准：正在创建 `{name}`…",
    },
    "approval.state.denied": {
        "en": ":no_entry: Denied by {admin}.",
        "zh": ":no_entry: 已被 {admin} 拒绝。",
    },
    "approval.state.denied_reason": {
        "en": ":no_entry: Denied by {admin}: {reason}",
        "zh": ":no_entry: 已被 {admin} 拒绝：{reason}",
    },
    "approval.state.expired": {
        "en": ":clock3: Expired: no admin decided in time.",
        "zh": ":clock3: 已过期：没有管理员及时处理。",
    },
    "approval.state.failed": {
        "en": ":warning: Approved by {admin}, but nothing was created: {why}",
        "zh": ":warning: 已由 {admin} 批准，但未能创建：{why}",
    },
    "approval.state.cancelled": {
        "en": ":leftwards_arrow_with_hook: Cancelled by the requester.",
        "zh": ":leftwards_arrow_with_hook: 申请人已撤回。",
    },
    # --- the approver's private answers --------------------------------------------------
    "approval.approved_by_you": {
        "en": "Approved: `{name}` is being created for {requester}, who was told.",
        "zh": "已批准：正在为 {requester} 创建 `{name}`，已通知对方。",
    },
    "approval.approve_failed": {
        "en": "Approved, but nothing was created: {why}",
        "zh": "已批准，但未能创建：{why}",
    },
    "approval.denied_by_you": {
        "en": "Denied request #{id}; {requester} was told.",
        "zh": "已拒绝申请 #{id}，已通知 {requester}。",
    },
    # --- the deny modal -------------------------------------------------------------------
    "approval.deny.title": {"en": "Deny request", "zh": "拒绝申请"},
    "approval.deny.intro": {
        "en": "Deny {requester}'s request for `{name}`? They get a DM with your reason.",
        "zh": "拒绝 {requester} 创建 `{name}` 的申请？对方会收到附有您理由的私信。",
    },
    "approval.deny.reason": {"en": "Reason (optional)", "zh": "理由（可选）"},
    "approval.deny.submit": {"en": "Deny", "zh": "拒绝"},
    "approval.deny.close": {"en": "Back", "zh": "返回"},
    # --- the requester's DM -----------------------------------------------------------------
    "approval.result.approved": {
        "en": (
            "{admin} approved your create `{name}`: it is being created, and you will get "
            "its link when it runs."
        ),
        "zh": "{admin} 批准了您的创建 `{name}`：正在创建，运行后您会收到访问链接。",
    },
    "approval.result.denied": {
        "en": "{admin} denied your create `{name}`.",
        "zh": "{admin} 拒绝了您的创建 `{name}`。",
    },
    "approval.result.reason": {"en": "Reason: {reason}", "zh": "理由：{reason}"},
    "approval.result.expired": {
        "en": (
            "Your request to create `{name}` expired: no admin decided in time. Ask again if "
            "you still need it."
        ),
        "zh": "您创建 `{name}` 的申请已过期：没有管理员及时处理。如仍需要，请重新申请。",
    },
    "approval.result.failed": {
        "en": "{admin} approved your create `{name}`, but it could not be made: {why}",
        "zh": "{admin} 批准了您的创建 `{name}`，但未能创建：{why}",
    },
    "approval.result.cancelled": {
        "en": "You cancelled your request to create `{name}`.",
        "zh": "您已撤回创建 `{name}` 的申请。",
    },
    "approval.result.someone": {"en": "An admin", "zh": "管理员"},
    # --- App Home ----------------------------------------------------------------------------
    "approval.home.title": {"en": "Waiting for an admin", "zh": "等待管理员批准"},
    "approval.home.line": {
        "en": "`{name}` · request #{id} · expires {expires}",
        "zh": "`{name}` · 申请 #{id} · {expires} 过期",
    },
    # --- quota approvals ----------------------------------------------------------------------
    "approval.channel_set": {
        "en": "Approval requests are posted in {channel}. Invite the bot there if it is not yet.",
        "zh": "审批申请将发布在 {channel}。如机器人尚未加入该频道，请先邀请它。",
    },
    "approval.channel_dm": {
        "en": (
            "Approval requests go to each admin's DM. Name a channel with "
            "`{command} quota approvals #channel`."
        ),
        "zh": "审批申请将私信发送给每位管理员。可用 `{command} quota approvals #频道` 指定频道。",
    },
}
