"""Every subcommand, parsed from the text people type into what the services receive."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from bot.domain.commands import (
    AUDIT_DEFAULT,
    NOT_GIVEN,
    Audit,
    ChannelRef,
    Command,
    Create,
    Delete,
    Help,
    InstanceRef,
    Lang,
    ListImages,
    ListInstances,
    Login,
    Logout,
    MemberRef,
    Quota,
    QuotaDigest,
    QuotaLimits,
    QuotaSet,
    Restart,
    Status,
    Stop,
    Unwatch,
    Url,
    UsageError,
    Watch,
    WhoAmI,
    parse_command,
    parse_slack_text,
)
from bot.domain.instances import MountSpec, PortSpec
from bot.domain.secret import Secret

from .tokens import fake_token

INSTANCE_ID = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"


def parsed(text: str) -> Command:
    result = parse_command(text)
    assert not isinstance(result, UsageError), result
    return result


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", Help()),
        ("   ", Help()),
        ("help", Help()),
        ("HELP Create", Help(topic="create")),
        ("help --public", Help(public=True)),
        ("logout", Logout()),
        ("whoami", WhoAmI()),
        ("list", ListInstances()),
        ("list --public", ListInstances(public=True)),
        ("images", ListImages()),
        ("images dcu", ListImages(accelerator="dcu")),
        ("images jupyterlab GPU", ListImages(accelerator="gpu", image_type="JupyterLab")),
        ("images Base mlu", ListImages(accelerator="mlu", image_type="Base")),
        ("quota", Quota()),
        ("audit", Audit(entries=AUDIT_DEFAULT)),
        ("audit 5", Audit(entries=5)),
        ("lang zh", Lang(locale="zh")),
        ("lang zh-CN", Lang(locale="zh")),
        ("lang EN", Lang(locale="en")),
        ("login", Login()),
    ],
)
def test_simple_subcommands(text: str, expected: Command) -> None:
    assert parsed(text) == expected


@pytest.mark.parametrize(
    ("word", "build"),
    [
        ("status", lambda ref: Status(ref=ref)),
        ("url", lambda ref: Url(ref=ref)),
        ("restart", lambda ref: Restart(ref=ref)),
        ("stop", lambda ref: Stop(ref=ref)),
        ("delete", lambda ref: Delete(ref=ref)),
        ("watch", lambda ref: Watch(ref=ref)),
        ("unwatch", lambda ref: Unwatch(ref=ref)),
    ],
)
@pytest.mark.parametrize(
    ("raw", "ref"),
    [
        (INSTANCE_ID, InstanceRef("id", INSTANCE_ID)),
        (INSTANCE_ID.upper(), InstanceRef("id", INSTANCE_ID)),
        ("0a1b2c", InstanceRef("prefix", "0a1b2c")),
        ("0A1B2C3D", InstanceRef("prefix", "0a1b2c3d")),
        ("train", InstanceRef("name", "train")),
        ("cafe", InstanceRef("name", "cafe")),  # too short to be a prefix
        ("训练-1", InstanceRef("name", "训练-1")),
        ('"my notebook"', InstanceRef("name", "my notebook")),
    ],
)
def test_instance_commands_take_an_id_prefix_or_name(
    word: str, build: object, raw: str, ref: InstanceRef
) -> None:
    assert callable(build)
    assert parsed(f"{word} {raw}") == build(ref)


def test_login_with_a_token_keeps_it_secret() -> None:
    token = fake_token()
    command = parsed(f"login {token}")
    assert command == Login(token=Secret(token))
    assert token not in repr(command)
    assert token not in str(command)


def test_create_with_every_option() -> None:
    text = (
        "create jupyter:4.4-py3.7-cpu name=train type=SSH accel=dcu gpus=2 cpus=16 ram=64G "
        "group=kshdtest tasks=2 timeout=12:30:00 port=8888 port=22/ssh port=6006/HTTP "
        "mount=/public/home/a/data:/data mount=work:/work:path "
        "script=\"pip install x && python a.py\" desc='first run' --force --public"
    )
    assert parsed(text) == Create(
        image="jupyter:4.4-py3.7-cpu",
        name="train",
        task_type="ssh",
        accelerator="dcu",
        gpus=2,
        cpus=16,
        ram_mb=64 * 1024,
        resource_group="kshdtest",
        tasks=2,
        timeout=timedelta(hours=12, minutes=30),
        ports=(PortSpec(8888, "HTTP"), PortSpec(22, "SSH"), PortSpec(6006, "HTTP")),
        mounts=(
            MountSpec("/public/home/a/data", "/data", "data"),
            MountSpec("work", "/work", "path"),
        ),
        script="pip install x && python a.py",
        description="first run",
        force=True,
        public=True,
    )


def test_create_leaves_what_was_not_given_unset() -> None:
    command = parsed("create registry.example.cn/ai/jupyterlab:1.0")
    assert command == Create(image="registry.example.cn/ai/jupyterlab:1.0")
    assert isinstance(command, Create)
    assert command.timeout is NOT_GIVEN
    assert command.gpus is None


def test_create_without_an_image_keeps_options_for_the_modal() -> None:
    assert parsed("create gpus=2 name=x1") == Create(gpus=2, name="x1")
    assert parsed("create") == Create()


@pytest.mark.parametrize(
    ("raw", "megabytes"),
    [("16384", 16384), ("16G", 16384), ("16g", 16384), ("16GB", 16384), ("1.5G", 1536)],
)
def test_ram_in_megabytes_or_gigabytes(raw: str, megabytes: int) -> None:
    assert parsed(f"create x ram={raw}") == Create(image="x", ram_mb=megabytes)


def test_unlimited_timeout_is_none_not_unset() -> None:
    assert parsed("create x timeout=UNLIMITED") == Create(image="x", timeout=None)


def test_quotes_escapes_and_curly_quotes() -> None:
    assert parsed(r'create x script="echo \"hi\"\nls"') == Create(image="x", script='echo "hi"\nls')
    assert parsed("create x desc=“smart quotes”") == Create(image="x", description="smart quotes")
    assert parsed("create x desc=‘it’") == Create(image="x", description="it")
    assert parsed("create x desc=Alice’s") == Create(image="x", description="Alice’s")


def test_flags_anywhere_and_as_dashes_from_autocorrect() -> None:
    assert parsed("--public list") == ListInstances(public=True)
    assert parsed("list —public") == ListInstances(public=True)
    assert parsed("create —force x") == Create(image="x", force=True)


def test_full_width_space_separates_words() -> None:
    assert parsed("status\u3000train") == Status(ref=InstanceRef("name", "train"))


def test_quota_set_for_the_team_and_for_a_member() -> None:
    assert parsed("quota set gpus=8 cpus=64 ram=256G instances=10") == QuotaSet(
        limits=QuotaLimits(gpus=8, cpus=64, ram_mb=256 * 1024, instances=10)
    )
    assert parsed("quota set gpus=4 user=@bob") == QuotaSet(
        limits=QuotaLimits(gpus=4), member=MemberRef("name", "bob")
    )
    assert parsed("quota set gpus=4 user=<@U024BE7LH|bob>") == QuotaSet(
        limits=QuotaLimits(gpus=4), member=MemberRef("user_id", "U024BE7LH")
    )


def test_quota_digest_takes_a_channel_mention_and_options() -> None:
    assert parse_slack_text(
        "quota digest <#C0GPU1234|gpu-team> at=9:30 tz=Europe/Berlin hours=48"
    ) == QuotaDigest(
        channel=ChannelRef("channel_id", "C0GPU1234"),
        at=time(9, 30),
        timezone="Europe/Berlin",
        hours=48,
    )
    assert parsed("quota digest <#C0GPU1234|>") == QuotaDigest(
        channel=ChannelRef("channel_id", "C0GPU1234")
    )
    assert parsed("quota digest #gpu-team") == QuotaDigest(channel=ChannelRef("name", "gpu-team"))
    assert parsed("quota digest at=18:00") == QuotaDigest(at=time(18, 0))
    assert parsed("quota digest OFF") == QuotaDigest(off=True)
    assert parsed("quota digest") == QuotaDigest()
    assert not QuotaDigest().changes


def test_slack_text_is_unescaped_before_parsing() -> None:
    command = parse_slack_text('create x script="a &amp;&amp; b &gt; log"')
    assert command == Create(image="x", script="a && b > log")


def test_instance_ref_matches_by_kind() -> None:
    from bot.domain.instances import Instance, Resources

    instance = Instance(
        id=INSTANCE_ID,
        name="train",
        status="Running",
        task_type="jupyter",
        accelerator="gpu",
        resources=Resources(cpus=1, gpus=0, ram_mb=1024),
    )
    assert InstanceRef("id", INSTANCE_ID).matches(instance)
    assert InstanceRef("prefix", "0a1b2c").matches(instance)
    assert InstanceRef("name", "train").matches(instance)
    assert not InstanceRef("prefix", "0a1b2d").matches(instance)
    assert not InstanceRef("name", "Train").matches(instance)
