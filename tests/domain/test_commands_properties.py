"""Properties of the grammar: total on any text, and text written back parses to the same."""

from __future__ import annotations

import string
from datetime import time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.commands import (
    CREATE_BOUNDS,
    DECLARATIONS,
    DIGEST_HOURS,
    NOT_GIVEN,
    QUOTA_BOUNDS,
    SUBCOMMANDS,
    Audit,
    ChannelRef,
    Command,
    Create,
    Delete,
    Help,
    InstanceRef,
    Lang,
    Links,
    ListImages,
    ListInstances,
    Login,
    Logout,
    MemberRef,
    Quota,
    QuotaApprovals,
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
    card_command,
    command_text,
    parse_command,
    parse_slack_text,
)
from bot.domain.commands.bounds import EXCERPT_CHARS, REF_NAME_CHARS
from bot.domain.commands.costs import QuotaBudget, QuotaRate
from bot.domain.commands.registry import QueueShow
from bot.domain.i18n import CATALOG, LOCALES
from bot.domain.instances import ACCELERATORS, TASK_TYPES, MountSpec, PortSpec
from bot.domain.secret import Secret

from .tokens import fake_token

GRAMMAR_WORDS = [
    *SUBCOMMANDS,
    "set",
    "--public",
    "--force",
    "—public",
    "gpus=2",
    "ram=16G",
    "timeout=unlimited",
    "port=22/ssh",
    "mount=a:/b:path",
    'script="a b',
    "desc='x y'",
    "“q”",
    "\\",
    "=",
    "0a1b2c",
    "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
    "user=<@U123>",
    "digest",
    "<#C123|general>",
    "#general",
    "off",
    "at=09:00",
    "tz=Asia/Shanghai",
    "tz=../x",
    "hours=24",
    "&amp;",
    "\u3000",
    "训练",
]
grammar_like = st.lists(
    st.one_of(st.sampled_from(GRAMMAR_WORDS), st.text(max_size=12)), max_size=12
).map(" ".join)
any_text = st.one_of(
    st.text(),
    grammar_like,
    st.builds(lambda char, count: char * count, st.characters(), st.integers(0, 9000)),
)


def assert_well_formed(result: Command | UsageError) -> None:
    if isinstance(result, UsageError):
        part = result.param("part")
        assert part is None or len(part) <= EXCERPT_CHARS
        for locale in LOCALES:
            # Every placeholder is filled: formatting the template raises on a missing one.
            CATALOG[result.key][locale].format(**dict(result.params))


@given(any_text)
def test_any_text_gives_a_command_or_a_usage_error(text: str) -> None:
    result = parse_command(text)
    assert isinstance(result, UsageError | Command)
    assert_well_formed(result)


@given(any_text)
def test_any_slack_text_gives_a_command_or_a_usage_error(text: str) -> None:
    assert_well_formed(parse_slack_text(text))


@settings(max_examples=30)
@given(st.integers(4001, 60_000), st.sampled_from(["x", "é", "训", " ", '"']))
def test_huge_text_is_refused_quickly_and_briefly(length: int, char: str) -> None:
    result = parse_command(char * length)
    assert isinstance(result, UsageError)
    assert result.key == "usage.too_long"


@given(st.text(alphabet=string.ascii_letters + string.digits + "-_", min_size=8, max_size=60))
def test_a_login_token_never_shows_in_any_result(random_part: str) -> None:
    signature = f"SIG{random_part}"
    token = fake_token(signature=signature)
    for text in (f"login {token}", f"login {token} x", f"login '{token}", token, f"x {token}"):
        assert signature not in repr(parse_command(text))


# --- round trips ---------------------------------------------------------------------------

_CJK = "\u4e00-\u9fff"
names = st.from_regex(rf"[A-Za-z0-9{_CJK}][A-Za-z0-9_.\-{_CJK}]{{0,20}}", fullmatch=True).filter(
    lambda name: not (len(name) >= 6 and all(c in string.hexdigits for c in name))
)
images = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._:/@+\-]{0,40}", fullmatch=True)
groups = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,20}", fullmatch=True)
free_text = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=60)
paths = st.text(
    st.characters(exclude_categories=["Cs", "Cc"], exclude_characters=":"), min_size=1, max_size=20
)


def refs() -> st.SearchStrategy[InstanceRef]:
    ids = st.from_regex(r"[0-9a-f]{32}", fullmatch=True).map(lambda v: InstanceRef("id", v))
    prefixes = st.from_regex(r"[0-9a-f]{6,31}", fullmatch=True).map(
        lambda v: InstanceRef("prefix", v)
    )
    named = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=40).filter(
        lambda v: InstanceRef.parse(v, max_name_chars=REF_NAME_CHARS) == InstanceRef("name", v)
    )
    return st.one_of(ids, prefixes, named.map(lambda v: InstanceRef("name", v)))


def optional(strategy: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return st.one_of(st.none(), strategy)


def bounded(bounds: object) -> st.SearchStrategy[int]:
    low, high = getattr(bounds, "low"), getattr(bounds, "high")  # noqa: B009
    return st.integers(low, high)


ports = st.lists(
    st.builds(PortSpec, bounded(CREATE_BOUNDS.port), st.sampled_from(["HTTP", "SSH"])),
    max_size=CREATE_BOUNDS.max_ports,
    unique_by=lambda port: port.container_port,
).map(tuple)
mounts = st.lists(
    st.builds(MountSpec, paths, paths.map(lambda p: "/" + p), st.sampled_from(["data", "path"])),
    max_size=4,
    unique_by=lambda mount: mount.target,
).map(tuple)
timeouts = st.one_of(
    st.just(NOT_GIVEN),
    st.none(),
    st.integers(60, 30 * 24 * 3600).map(lambda seconds: timedelta(seconds=seconds)),
)
creates = st.builds(
    Create,
    image=optional(images),
    name=optional(names),
    task_type=optional(st.sampled_from(TASK_TYPES)),
    accelerator=optional(st.sampled_from(ACCELERATORS)),
    gpus=optional(bounded(CREATE_BOUNDS.gpus)),
    cpus=optional(bounded(CREATE_BOUNDS.cpus)),
    ram_mb=optional(bounded(CREATE_BOUNDS.ram_mb)),
    resource_group=optional(groups),
    tasks=optional(bounded(CREATE_BOUNDS.tasks)),
    timeout=timeouts,
    ports=ports,
    mounts=mounts,
    script=optional(free_text),
    description=optional(free_text),
    force=st.booleans(),
    queue=st.booleans(),
    ask=st.booleans(),
    public=st.booleans(),
).filter(lambda create: not (create.ask and create.queue))  # the grammar refuses both
members = st.one_of(
    st.from_regex(r"[UW][A-Z0-9]{2,10}", fullmatch=True).map(lambda v: MemberRef("user_id", v)),
    st.text(st.characters(exclude_categories=["Cs", "Zs", "Cc", "Zl", "Zp"]), min_size=1)
    .filter(lambda v: v.isprintable() and len(v.removeprefix("@")) > 0 and len(v) <= 40)
    .map(lambda v: MemberRef("name", v.removeprefix("@")))
    .filter(lambda m: len(m.value) > 0),
)
quota_limits = st.builds(
    QuotaLimits,
    gpus=optional(bounded(QUOTA_BOUNDS.gpus)),
    cpus=optional(bounded(QUOTA_BOUNDS.cpus)),
    ram_mb=optional(bounded(QUOTA_BOUNDS.ram_mb)),
    instances=optional(bounded(QUOTA_BOUNDS.instances)),
).filter(lambda limits: any(value is not None for value in vars_of(limits)))


def vars_of(limits: QuotaLimits) -> tuple[int | None, ...]:
    return (limits.gpus, limits.cpus, limits.ram_mb, limits.instances)


channels = st.one_of(
    st.from_regex(r"[CG][A-Z0-9]{2,10}", fullmatch=True).map(lambda v: ChannelRef("channel_id", v)),
    st.from_regex(r"[a-z0-9][a-z0-9_.\-]{0,20}", fullmatch=True).map(
        lambda v: ChannelRef("name", v)
    ),
)
digests = st.one_of(
    st.builds(QuotaDigest, off=st.just(True), public=st.booleans()),
    st.builds(
        QuotaDigest,
        channel=optional(channels),
        at=optional(st.builds(time, st.integers(0, 23), st.integers(0, 59))),
        timezone=optional(
            st.sampled_from(["UTC", "Asia/Shanghai", "America/New_York", "Etc/GMT+8"])
        ),
        hours=optional(bounded(DIGEST_HOURS)),
        public=st.booleans(),
    ),
)
public = st.booleans()
rates = st.decimals(min_value=0, max_value=100, places=4, allow_nan=False, allow_infinity=False)
quota_rates = st.one_of(
    st.builds(QuotaRate, public=public),
    st.builds(
        QuotaRate,
        group=st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,30}", fullmatch=True),
        gpu=rates,
        cpu=optional(rates),
        ram=optional(rates),
        public=public,
    ),
)
budgets = st.builds(
    QuotaBudget,
    budget=optional(
        st.decimals(min_value=0, max_value=10**8, places=2, allow_nan=False, allow_infinity=False)
    ),
    member=optional(members),
    public=public,
)
ref_commands = st.one_of(
    *(
        st.builds(cls, ref=refs(), public=public)
        for cls in (Status, Restart, Stop, Delete, Watch, Unwatch)
    ),
    st.builds(Url, ref=refs()),
)
commands = st.one_of(
    st.builds(Help, topic=optional(st.sampled_from(SUBCOMMANDS)), public=public),
    st.just(Login()),
    st.builds(Logout, public=public),
    st.builds(WhoAmI, public=public),
    st.builds(
        ListImages,
        accelerator=optional(st.sampled_from(ACCELERATORS)),
        image_type=optional(st.sampled_from(["Base", "JupyterLab"])),
        public=public,
    ),
    creates,
    st.builds(ListInstances, public=public),
    ref_commands,
    st.builds(Quota, public=public),
    st.builds(QuotaSet, limits=quota_limits, member=optional(members), public=public),
    digests,
    st.builds(QuotaApprovals, channel=optional(channels), public=public),
    st.builds(QuotaApprovals, off=st.just(True), public=public),
    quota_rates,
    budgets,
    st.builds(QueueShow, public=public),
    st.builds(Audit, entries=st.integers(1, 100), public=public),
    st.builds(Links, enabled=optional(st.booleans()), public=public),
    st.builds(Lang, locale=st.sampled_from(["zh", "en"]), public=public),
)


@given(commands)
def test_command_text_parses_back_to_the_same_command(command: Command) -> None:
    assert parse_command(command_text(command)) == command


@given(st.text(alphabet=string.ascii_letters + string.digits + "-_", min_size=1, max_size=80))
def test_a_pasted_token_round_trips_as_a_secret(signature: str) -> None:
    token = fake_token(signature=signature)
    assert parse_command(f"login {token}") == Login(token=Secret(token))
    assert command_text(Login(token=Secret(token))) == "login ***"


def test_every_subcommand_is_declared_once_with_its_help() -> None:
    assert list(DECLARATIONS) == list(SUBCOMMANDS)
    for name, declaration in DECLARATIONS.items():
        assert declaration.name == name
        assert declaration.help.usage.endswith(".usage")


def test_a_card_button_means_the_confirmed_command_about_its_instance() -> None:
    ref = InstanceRef("id", "a" * 32)
    assert card_command("stop", "A" * 32) == Stop(ref=ref, confirmed=True)
    assert card_command("delete", "a" * 32) == Delete(ref=ref, confirmed=True)
    assert card_command("restart", "a" * 32) == Restart(ref=ref)
    assert card_command("status", "a" * 32) == Status(ref=ref)
    assert card_command("quota", "a" * 32) is None  # no button on the card
    assert card_command("nonsense", "a" * 32) is None
    # Typed, stop and delete ask first.
    assert parse_command("stop " + "a" * 32) == Stop(ref=ref)
