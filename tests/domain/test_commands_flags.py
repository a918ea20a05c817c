"""Flags as a declaration states them: which apply, which exclude each other, what they set."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from bot.domain.commands import Command, UsageError
from bot.domain.commands.parser import Flags, no_arguments
from bot.domain.commands.registry import Declaration, HelpKeys, _parse_arguments
from bot.domain.commands.text import no_words


@dataclass(frozen=True, slots=True, kw_only=True)
class Go(Command):
    subcommand: ClassVar[str] = "go"
    fast: bool = False
    slow: bool = False


GO = Declaration(
    "go",
    parse=no_arguments(Go),
    words=no_words,
    help=HelpKeys("help.help.usage", "help.help.summary", "help.help.details"),
    flags=("fast", "slow"),
    exclusive=frozenset({"fast", "slow"}),
)


def test_a_declared_flag_sets_its_field() -> None:
    assert _parse_arguments(GO, [], Flags(frozenset({"fast", "public"}))) == Go(
        fast=True, public=True
    )


def test_two_exclusive_flags_are_refused_by_name() -> None:
    refused = _parse_arguments(GO, [], Flags(frozenset({"fast", "slow"})))
    assert isinstance(refused, UsageError)
    assert refused.key == "usage.flags_exclusive"
    assert {refused.param("part"), refused.param("other")} == {"--fast", "--slow"}


def test_a_flag_another_subcommand_takes_is_refused_here() -> None:
    refused = _parse_arguments(GO, [], Flags(frozenset({"force"})))
    assert isinstance(refused, UsageError)
    assert (refused.key, refused.param("part")) == ("usage.flag_not_allowed", "--force")
