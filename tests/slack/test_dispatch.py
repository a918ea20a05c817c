"""The registry's answers are well formed: every command has one, and every use case and
renderer they name exists and takes what they pass."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime

import pytest
from hypothesis import given

from bot.domain.commands import Command, Login
from bot.domain.commands.dispatch import Answer, NoticeReply, Rendered
from bot.domain.commands.registry import DECLARATIONS, answer_for
from bot.domain.identity import SlackUser
from bot.domain.secret import Secret
from bot.services.accounts import AccountService
from bot.services.approvals import ApprovalService
from bot.services.audit_log import AuditLog
from bot.services.channels import ChannelChoices
from bot.services.costs import CostService
from bot.services.create_queue import CreateQueue
from bot.services.errors import AdminOnly
from bot.services.instances import InstanceService
from bot.services.preferences import Preferences
from bot.services.quota import QuotaService
from bot.slack.dispatch import refusal, renderer, scope_of
from bot.slack.replies import Invocation, Message, ReplyContext, failure_message
from tests.domain.test_commands_properties import commands

# The use cases ``Conversation`` is given, by the names the registry's calls use.
SERVICES: dict[str, type] = {
    "accounts": AccountService,
    "instances": InstanceService,
    "quota": QuotaService,
    "preferences": Preferences,
    "channels": ChannelChoices,
    "audit_log": AuditLog,
    "costs": CostService,
    "queue": CreateQueue,
    "approvals": ApprovalService,
}
SCOPE = set(scope_of(Invocation(SlackUser("T1", "U1"), "en"), Login()))
NOW = datetime(2026, 1, 1, tzinfo=UTC)
ANSWERS: list[Answer] = [a for d in DECLARATIONS.values() for a in d.answers]


@given(commands)
def test_every_command_the_grammar_makes_has_an_answer(command: Command) -> None:
    assert answer_for(command) is not None


def test_a_login_with_a_token_is_answered_without_a_form() -> None:
    found = answer_for(Login(token=Secret("t")))
    assert found is not None
    assert found.runs


@pytest.mark.parametrize("answer", ANSWERS, ids=lambda a: a.command.__name__)
def test_each_use_case_named_exists_and_takes_the_arguments_given(answer: Answer) -> None:
    for call in answer.runs:
        service, _, name = call.use_case.partition(".")
        method = getattr(SERVICES[service], name)
        assert inspect.iscoroutinefunction(method), call.use_case
        inspect.signature(method).bind(
            None, *call.args, **{param: path for param, path in call.kwargs}
        )
        paths = [*call.args, *(path for _, path in call.kwargs)]
        assert {path.split(".")[0] for path in paths} <= SCOPE, call


@pytest.mark.parametrize("answer", ANSWERS, ids=lambda a: a.command.__name__)
def test_each_reply_named_exists(answer: Answer) -> None:
    reply = answer.reply
    if isinstance(reply, NoticeReply):
        heads = {path.split(".")[0] for _, path in reply.params} | {reply.locale.split(".")[0]}
        assert heads <= SCOPE
        if any(path.startswith("result") for _, path in reply.params):
            assert answer.runs, "a notice about a result needs a use case that gives one"
    else:
        assert isinstance(reply, Rendered)
        parameters = inspect.signature(renderer(reply)).parameters
        assert len([p for p in parameters.values() if p.default is p.empty]) == 3
    if answer.refusal is not None:
        parameters = inspect.signature(renderer(answer.refusal)).parameters
        assert len(parameters) == 4


def test_a_refusal_renderer_answers_a_refusal_and_gets_its_notice() -> None:
    """A use case's refusal reaches the answer's ``refusal`` renderer with the notice the
    error names; anything else (a bug) is the plain unexpected-error notice."""
    inv = Invocation(SlackUser("T1", "U1"), "en")
    declared = Answer(Login, Rendered("x:y"), refusal=Rendered(f"{__name__}:with_a_button"))
    told = refusal(declared, inv, Login(), AdminOnly(), NOW)
    assert told.text.startswith("refused: ")
    assert told.blocks[-1] == {"type": "actions", "elements": []}
    assert told.text.removeprefix("refused: ") == failure_message(AdminOnly(), inv).text
    bug = refusal(declared, inv, Login(), RuntimeError("boom"), NOW)
    assert bug == failure_message(RuntimeError("boom"), inv)


def with_a_button(
    _ctx: ReplyContext, _command: Command, _error: Exception, told: Message
) -> Message:
    return Message([*told.blocks, {"type": "actions", "elements": []}], f"refused: {told.text}")
