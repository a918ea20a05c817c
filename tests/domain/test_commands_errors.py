"""Bad input gives a usage error that names what was wrong, never an exception or an echo of
a token or of kilobytes of junk."""

from __future__ import annotations

import pytest

from bot.domain.commands import (
    MAX_TEXT_CHARS,
    Subcommand,
    UsageError,
    parse_command,
)
from bot.domain.commands.bounds import EXCERPT_CHARS
from bot.domain.i18n import LOCALES

from .tokens import fake_token


def error_for(text: str) -> UsageError:
    result = parse_command(text)
    assert isinstance(result, UsageError), result
    return result


@pytest.mark.parametrize(
    ("text", "key", "subcommand", "part"),
    [
        ("lsit", "usage.unknown_subcommand_suggest", None, "lsit"),
        ("frobnicate", "usage.unknown_subcommand", None, "frobnicate"),
        ("list --verbose", "usage.unknown_flag", "list", "--verbose"),
        ("list --force", "usage.flag_not_allowed", "list", "--force"),
        ("url train --public", "usage.flag_not_allowed", "url", "--public"),
        ("list extra", "usage.unexpected_argument", "list", "extra"),
        ("logout now", "usage.unexpected_argument", "logout", "now"),
        ("whoami x", "usage.unexpected_argument", "whoami", "x"),
        ("help nosuch", "usage.unknown_topic", "help", "nosuch"),
        ("help list create", "usage.unexpected_argument", "help", "create"),
        ("images tpu", "usage.bad_images_filter", "images", "tpu"),
        ("images gpu dcu", "usage.unexpected_argument", "images", "dcu"),
        ("status", "usage.missing_ref", "status", None),
        ("stop a b", "usage.unexpected_argument", "stop", "b"),
        ("delete name=x", "usage.unexpected_argument", "delete", "name=x"),
        ("status " + "a" * 33, "usage.bad_ref", "status", "a" * 33),
        ("watch bad\x01name", "usage.bad_ref", "watch", "bad name"),
        ("create x y", "usage.unexpected_argument", "create", "y"),
        ("create x =2", "usage.malformed_option", "create", "=2"),
        ("create x gp-us=2", "usage.malformed_option", "create", "gp-us=2"),
        ("create x gpu=1", "usage.unknown_key_suggest", "create", "gpu"),
        ("create x colour=red", "usage.unknown_key", "create", "colour"),
        ("create x gpus=1 gpus=2", "usage.duplicate_key", "create", "gpus=2"),
        ("create x name=", "usage.empty_value", "create", "name="),
        ("create x gpus=two", "usage.not_a_number", "create", "two"),
        ("create x gpus=１", "usage.not_a_number", "create", "１"),
        ("create x gpus=65", "usage.out_of_range", "create", "65"),
        ("create x gpus=-1", "usage.out_of_range", "create", "-1"),
        ("create x cpus=0", "usage.out_of_range", "create", "0"),
        ("create x cpus=257", "usage.out_of_range", "create", "257"),
        ("create x tasks=33", "usage.out_of_range", "create", "33"),
        ("create x cpus=" + "9" * 5000, "usage.too_long", None, None),
        ("create x cpus=" + "9" * 30, "usage.not_a_number", "create", "9" * 30),
        ("create x ram=256", "usage.out_of_range", "create", "256"),
        ("create x ram=3000G", "usage.out_of_range", "create", "3000G"),
        ("create x ram=lots", "usage.bad_ram", "create", "lots"),
        ("create x ram=1.0001G", "usage.bad_ram", "create", "1.0001G"),
        ("create x timeout=4h", "usage.bad_timeout", "create", "4h"),
        ("create x timeout=04:60:00", "usage.bad_timeout", "create", "04:60:00"),
        ("create x timeout=00:00:30", "usage.out_of_range", "create", "00:00:30"),
        ("create x timeout=721:00:00", "usage.out_of_range", "create", "721:00:00"),
        ("create x type=vnc", "usage.bad_choice", "create", "vnc"),
        ("create x accel=tpu", "usage.bad_choice", "create", "tpu"),
        ("create x port=http", "usage.bad_port", "create", "http"),
        ("create x port=0", "usage.out_of_range", "create", "0"),
        ("create x port=70000", "usage.out_of_range", "create", "70000"),
        ("create x port=8888/udp", "usage.bad_port_protocol", "create", "8888/udp"),
        ("create x port=22 port=22/ssh", "usage.duplicate_port", "create", "22/ssh"),
        ("create x mount=/only", "usage.bad_mount", "create", "/only"),
        ("create x mount=a:relative", "usage.bad_mount", "create", "a:relative"),
        ("create x mount=a:/b:c:d", "usage.bad_mount", "create", "a:/b:c:d"),
        ("create x mount=a:/b:disk", "usage.bad_mount_kind", "create", "a:/b:disk"),
        ("create x mount=a:/b mount=c:/b", "usage.duplicate_mount_target", "create", "c:/b"),
        ("create x name=-dash", "usage.bad_name", "create", "-dash"),
        ("create x name=a/b", "usage.bad_name", "create", "a/b"),
        ("create x name=" + "n" * 65, "usage.bad_name", "create", "n" * 39 + "…"),
        ("create x name=deadbeef", "usage.name_looks_like_id", "create", "deadbeef"),
        ("create bad|image", "usage.bad_image", "create", "bad|image"),
        ("create x group=a;b", "usage.bad_group", "create", "a;b"),
        ("create x desc=" + "d" * 501, "usage.value_too_long", "create", None),
        ('create x desc="unclosed', "usage.unbalanced_quote", "create", '"unclosed'),
        ("create x desc='unclosed", "usage.unbalanced_quote", "create", "'unclosed"),
        ("quota show", "usage.unknown_quota_action", "quota", "show"),
        ("quota set", "usage.quota_set_empty", "quota", None),
        ("quota set user=@bob", "usage.quota_set_empty", "quota", None),
        ("quota set gpus=8 disks=2", "usage.unknown_key", "quota", "disks"),
        ("quota set gpus=9999", "usage.out_of_range", "quota", "9999"),
        ("quota set gpus=8 user=@", "usage.bad_member", "quota", "@"),
        ("quota set gpus=8 extra", "usage.unexpected_argument", "quota", "extra"),
        ("quota digest general", "usage.bad_channel", "quota", "general"),
        ("quota digest #gpu at=25:00", "usage.bad_clock", "quota", "25:00"),
        ("quota digest #gpu at=9am", "usage.bad_clock", "quota", "9am"),
        ("quota digest #gpu tz=Mars/Olympus", "usage.bad_timezone", "quota", "Mars/Olympus"),
        (
            "quota digest #gpu tz=../../etc/passwd",
            "usage.bad_timezone",
            "quota",
            "../../etc/passwd",
        ),
        ("quota digest #gpu hours=0", "usage.out_of_range", "quota", "0"),
        ("quota digest #gpu every=day", "usage.unknown_key", "quota", "every"),
        ("quota digest off at=09:00", "usage.unexpected_argument", "quota", "at=09:00"),
        ("quota digest #a #b", "usage.unexpected_argument", "quota", "#b"),
        ("audit 0", "usage.out_of_range", "audit", "0"),
        ("audit 101", "usage.out_of_range", "audit", "101"),
        ("audit many", "usage.not_a_number", "audit", "many"),
        ("audit 1 2", "usage.unexpected_argument", "audit", "2"),
        ("lang", "usage.missing_locale", "lang", None),
        ("lang fr", "usage.bad_choice", "lang", "fr"),
        ("lang zh en", "usage.unexpected_argument", "lang", "en"),
        ("login --public", "usage.flag_not_allowed", "login", "--public"),
        ("login 'abc", "usage.unbalanced_quote", "login", "***"),
        ("login not-a-token", "usage.bad_token", "login", None),
        ("login a.b.c", "usage.bad_token", "login", None),
    ],
)
def test_bad_input_names_the_offending_part(
    text: str, key: str, subcommand: Subcommand | None, part: str | None
) -> None:
    error = error_for(text)
    assert error.key == key
    assert error.subcommand == subcommand
    assert error.param("part") == part
    for locale in LOCALES:
        message = error.message(locale)
        assert "{" not in message, message
        if part is not None:
            assert part in message


def test_unknown_subcommand_suggests_the_closest() -> None:
    assert error_for("craete x").param("suggestion") == "create"
    assert error_for("stauts x").param("suggestion") == "status"


def test_unknown_key_lists_the_valid_ones() -> None:
    valid = error_for("create x colour=red").param("valid") or ""
    assert "gpus" in valid
    assert "timeout" in valid


def test_six_kilobytes_of_junk_give_a_short_error() -> None:
    junk = "x" * 6 * 1024
    error = error_for(junk)
    assert error.key == "usage.too_long"
    assert error.param("length") == str(len(junk))
    assert all(len(value) <= EXCERPT_CHARS for _, value in error.params)
    assert len(error.message("en")) < 200


def test_a_long_offending_part_is_cut_to_an_excerpt() -> None:
    error = error_for("create " + "x" * 300 + "|")
    part = error.param("part") or ""
    assert len(part) == EXCERPT_CHARS
    assert part.endswith("…")


def test_just_under_the_length_limit_is_still_parsed() -> None:
    text = "create x desc=" + "d" * (MAX_TEXT_CHARS - len("create x desc="))
    assert error_for(text).key == "usage.value_too_long"


class TestTokensNeverLeak:
    def test_not_in_an_error_about_extra_arguments(self) -> None:
        token = fake_token()
        error = error_for(f"login {token} extra")
        assert error.key == "usage.login_extra"
        assert token not in repr(error)

    def test_not_in_an_unbalanced_quote_error(self) -> None:
        token = fake_token()
        error = error_for(f"login '{token}")
        assert error.key == "usage.unbalanced_quote"
        assert token[:20] not in repr(error)

    def test_not_when_pasted_without_login(self) -> None:
        token = fake_token()
        error = error_for(token)
        assert error.key == "usage.token_without_login"
        assert token[:20] not in repr(error)

    def test_not_when_pasted_into_another_command(self) -> None:
        token = fake_token()
        error = error_for(f"status {token}")
        assert token[:20] not in repr(error)
        assert token.split(".")[2] not in repr(error)
        error = error_for(f"--public '{token}")
        assert token[:20] not in repr(error)

    def test_not_when_the_token_is_malformed(self) -> None:
        token = fake_token() + "!"
        error = error_for(f"login {token}")
        assert error.key == "usage.bad_token"
        assert error.params == ()
