"""The declarations of the team's subcommands and the caller's settings: quota (with its
forms), queue, audit, links, lang."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Final

from ..costs import QuotaBudget, QuotaRate
from ..dispatch import answer, call, notice, rendered
from ..model import (
    Audit,
    Command,
    Lang,
    Links,
    Quota,
    QuotaApprovals,
    QuotaDigest,
    QuotaSet,
    Subcommand,
)
from ..parser import no_arguments, parse_audit, parse_lang, parse_links, parse_quota
from ..text import audit_words, lang_words, links_words, no_words, quota_words
from . import ANSWERS, APPROVALS, COSTS, QUEUE, Declaration, HelpKeys


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueShow(Command):
    """``queue``: the team's queue of creates waiting for capacity."""

    subcommand: ClassVar[Subcommand] = "queue"


# The team's report, the caller's own figures in it (``quota``, and after ``quota set``).
_QUOTA_REPORT: Final = call("quota.report", "user.team_id", caller="user")
# ... with the length of the team's create queue in it.
_QUEUE_LENGTH: Final = call("queue.with_length", "result", "user.team_id")

# In the order the help overview lists them.
TEAM: Final[tuple[Declaration, ...]] = (
    Declaration(
        "quota",
        parse=parse_quota,
        words=quota_words,
        help=HelpKeys("help.quota.usage", "help.quota.summary", "help.quota.details"),
        answers=(
            answer(Quota, _QUOTA_REPORT, _QUEUE_LENGTH, reply=rendered(ANSWERS + "quota_report")),
            answer(
                QuotaSet,
                call("quota.apply_limits", "user", "command", is_admin="is_admin"),
                _QUOTA_REPORT,
                _QUEUE_LENGTH,
                reply=rendered(ANSWERS + "quota_report"),
            ),
            answer(
                QuotaDigest,
                call("quota.digest_for", "user", "command", is_admin="is_admin", locale="locale"),
                reply=rendered(ANSWERS + "digest"),
            ),
            answer(
                QuotaRate,
                call("costs.rates_for", "user", "command", is_admin="is_admin"),
                reply=rendered(COSTS + "rates_reply"),
            ),
            answer(
                QuotaBudget,
                call("costs.apply_budget", "user", "command", is_admin="is_admin"),
                reply=rendered(COSTS + "budget_reply"),
            ),
            answer(
                QuotaApprovals,
                call(
                    "approvals.set_channel",
                    "user",
                    "command.channel",
                    off="command.off",
                    is_admin="is_admin",
                    locale="locale",
                ),
                reply=rendered(APPROVALS + "channel_reply"),
            ),
        ),
    ),
    Declaration(
        "queue",
        parse=no_arguments(QueueShow),
        words=no_words,
        help=HelpKeys("help.queue.usage", "help.queue.summary", "help.queue.details"),
        answers=(
            answer(
                QueueShow, call("queue.view_for", "user"), reply=rendered(QUEUE + "queue_reply")
            ),
        ),
    ),
    Declaration(
        "audit",
        parse=parse_audit,
        words=audit_words,
        help=HelpKeys("help.audit.usage", "help.audit.summary", "help.audit.details"),
        answers=(
            answer(
                Audit,
                call("audit_log.latest_for", "user", limit="command.entries", is_admin="is_admin"),
                reply=rendered(ANSWERS + "audit"),
            ),
        ),
    ),
    Declaration(
        "links",
        parse=parse_links,
        words=links_words,
        help=HelpKeys("help.links.usage", "help.links.summary", "help.links.details"),
        answers=(
            answer(
                Links,
                call(
                    "channels.links",
                    "user",
                    "command",
                    channel_id="channel_id",
                    is_admin="is_admin",
                ),
                reply=rendered(ANSWERS + "links"),
            ),
        ),
    ),
    Declaration(
        "lang",
        parse=parse_lang,
        words=lang_words,
        help=HelpKeys("help.lang.usage", "help.lang.summary", "help.lang.details"),
        answers=(
            answer(
                Lang,
                call("preferences.set_locale", "user", "command.locale"),
                reply=notice("notice.lang_set", tone="success", locale="command.locale"),
            ),
        ),
    ),
)
