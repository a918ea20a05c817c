"""The login and create modals, and reading their submissions back.

Each modal has a fixed callback id (``ids.LOGIN_CALLBACK``, ``ids.CREATE_CALLBACK``); whatever
the handler needs to remember (the channel to answer in) travels in ``private_metadata``. Every
input uses the action id ``ids.INPUT`` inside a block whose id names the field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any, Final, Literal

from bot.domain.commands import (
    CREATE_BOUNDS,
    CREATE_DEFAULTS,
    Create,
    CreateBounds,
    CreateDefaults,
    NotGiven,
    UsageError,
    describe_ram,
    format_mount,
    format_port,
    format_ram,
    format_timeout,
)
from bot.domain.i18n import Locale, translate
from bot.domain.instances import TASK_TYPES, Image
from bot.domain.secret import Secret

from . import ids, limits
from .elements import (
    Block,
    Element,
    actions,
    button,
    checkbox,
    context,
    input_block,
    modal,
    number_input,
    option,
    option_group,
    section,
    static_select,
    text_input,
)
from .images import OTHER, accelerator_group, sorted_images
from .wording import words

LoginMode = Literal["token", "aksk"]
StateValues = Mapping[str, Mapping[str, Mapping[str, Any]]]
_TOKEN_INPUT_CHARS: Final = 3000
_KEY_INPUT_CHARS: Final = 200


def build_login_modal(
    *, locale: Locale, mode: LoginMode = "token", private_metadata: str = ""
) -> Block:
    """A token field, or AK/SK fields; a button switches between the two (``LOGIN_SWITCH_MODE``,
    value: the other mode) and the handler updates the view with the other ``mode``."""
    blocks: list[Block] = [section(words("login.intro", locale))]
    if mode == "token":
        blocks.append(
            _secret_input(ids.LOGIN_TOKEN_BLOCK, _TOKEN_FIELD, locale, _TOKEN_INPUT_CHARS)
        )
        switch_to: LoginMode = "aksk"
    else:
        blocks += _key_inputs(locale)
        switch_to = "token"
    switch = button(
        translate(_SWITCH_KEYS[switch_to], locale), ids.LOGIN_SWITCH_MODE, value=switch_to
    )
    blocks.append(actions([switch], block_id=ids.LOGIN_MODE_BLOCK))
    blocks.append(context(words("login.privacy", locale)))
    return modal(
        callback_id=ids.LOGIN_CALLBACK,
        title=translate("login.title", locale),
        blocks=blocks,
        submit=translate("login.submit", locale),
        close=translate("modal.cancel", locale),
        private_metadata=private_metadata,
    )


def _key_inputs(locale: Locale) -> list[Block]:
    """The SCNet user name, AK and SK, and whether to keep them for renewing tokens."""
    user = text_input(placeholder=translate("login.user_placeholder", locale), max_length=100)
    keep = checkbox(translate("login.keep", locale), ids.LOGIN_KEEP_VALUE, checked=True)
    return [
        input_block(
            ids.LOGIN_USER_BLOCK,
            translate("login.user", locale),
            user,
            hint=translate("login.user_hint", locale),
        ),
        _secret_input(ids.LOGIN_AK_BLOCK, _ACCESS_KEY_FIELD, locale, _KEY_INPUT_CHARS),
        _secret_input(ids.LOGIN_SK_BLOCK, _SECRET_KEY_FIELD, locale, _KEY_INPUT_CHARS),
        input_block(
            ids.LOGIN_KEEP_BLOCK,
            translate("login.keep_label", locale),
            keep,
            optional=True,
            hint=translate("login.keep_hint", locale),
        ),
    ]


@dataclass(frozen=True, slots=True)
class _FieldKeys:
    """The catalog keys of one form field: its label, placeholder and hint."""

    label: str
    placeholder: str
    hint: str


_TOKEN_FIELD: Final = _FieldKeys("login.token", "login.token_placeholder", "login.token_hint")
_ACCESS_KEY_FIELD: Final = _FieldKeys(
    "login.access_key", "login.access_key_placeholder", "login.access_key_hint"
)
_SECRET_KEY_FIELD: Final = _FieldKeys(
    "login.secret_key", "login.secret_key_placeholder", "login.secret_key_hint"
)
_SWITCH_KEYS: Final[Mapping[LoginMode, str]] = {
    "aksk": "login.use_aksk",
    "token": "login.use_token",
}
# The create form's fields by the ``create`` option they fill: (label, hint).
_CREATE_FIELD_KEYS: Final[Mapping[str, tuple[str, str]]] = {
    "name": ("create.name", "create.name_hint"),
    "type": ("create.type", "create.type_hint"),
    "gpus": ("create.gpus", "create.gpus_hint"),
    "cpus": ("create.cpus", "create.cpus_hint"),
    "ram": ("create.ram", "create.ram_hint"),
    "timeout": ("create.timeout", "create.timeout_hint"),
    "group": ("create.group", "create.group_hint"),
    "tasks": ("create.tasks", "create.tasks_hint"),
    "port": ("create.port", "create.port_hint"),
    "mount": ("create.mount", "create.mount_hint"),
    "script": ("create.script", "create.script_hint"),
    "desc": ("create.desc", "create.desc_hint"),
}


def _secret_input(block_id: str, keys: _FieldKeys, locale: Locale, max_length: int) -> Block:
    return input_block(
        block_id,
        translate(keys.label, locale),
        text_input(placeholder=translate(keys.placeholder, locale), max_length=max_length),
        hint=translate(keys.hint, locale),
    )


@dataclass(frozen=True, slots=True)
class LoginForm:
    """What the login modal's submission held; the secrets stay masked until revealed."""

    token: Secret | None = None
    user: str | None = None  # the SCNet user name, needed with AK/SK
    access_key: Secret | None = None
    secret_key: Secret | None = None
    keep_credentials: bool = False


def read_login_submission(values: StateValues) -> LoginForm:
    """The secrets in ``view.state.values`` of a login submission (blank fields are None)."""

    def secret(block_id: str) -> Secret | None:
        text = _text_value(values, block_id)
        return Secret(text) if text else None

    keep = values.get(ids.LOGIN_KEEP_BLOCK, {}).get(ids.INPUT, {}).get("selected_options")
    return LoginForm(
        token=secret(ids.LOGIN_TOKEN_BLOCK),
        user=_text_value(values, ids.LOGIN_USER_BLOCK) or None,
        access_key=secret(ids.LOGIN_AK_BLOCK),
        secret_key=secret(ids.LOGIN_SK_BLOCK),
        keep_credentials=isinstance(keep, list)
        and any(isinstance(o, Mapping) and o.get("value") == ids.LOGIN_KEEP_VALUE for o in keep),
    )


def image_option_value(image: Image) -> str:
    """What an image's option carries: its id, which ``find_image`` maps back."""
    return image.id or image.version


def find_image(images: Sequence[Image], value: str) -> Image | None:
    """The image an option value or a command's image text (id, version or path) names."""
    for image in images:
        if value in {image.id, image.version, image.path}:
            return image
    return None


def _image_option(image: Image) -> Element:
    return option(image.version or image.path, image_option_value(image))


def image_select(images: Sequence[Image], *, locale: Locale, selected: Image | None) -> Element:
    """Up to 100 images as options; more go into groups by accelerator, 100 per group, up to
    Slack's 100 groups (10,000 images)."""
    ordered = sorted_images(images)
    initial = _image_option(selected) if selected is not None else None
    placeholder = translate("create.image_placeholder", locale)
    if len(ordered) <= limits.SELECT_OPTIONS:
        options = [_image_option(image) for image in ordered]
        return static_select(placeholder=placeholder, options=options, initial=initial)
    groups: list[Element] = []
    for group, members in groupby(ordered, key=accelerator_group):
        label = translate("images.other", locale) if group == OTHER else group.upper()
        chunk_options = [_image_option(image) for image in members]
        for start in range(0, len(chunk_options), limits.SELECT_OPTIONS):
            part = start // limits.SELECT_OPTIONS + 1
            title = label if part == 1 else f"{label} ({part})"
            groups.append(option_group(title, chunk_options[start : start + limits.SELECT_OPTIONS]))
    return static_select(placeholder=placeholder, option_groups=groups, initial=initial)


def build_create_modal(
    images: Sequence[Image],
    *,
    locale: Locale,
    prefill: Create | None = None,
    resource_groups: Sequence[str] = (),
    defaults: CreateDefaults = CREATE_DEFAULTS,
    private_metadata: str = "",
) -> Block:
    """The create form, prefilled from ``prefill`` (``create`` options typed without an image)
    and ``defaults``. Without ``images`` (the list failed) the image is a text field.

    There is no accelerator field: the image decides it.
    """
    form = _CreateForm(locale=locale, given=prefill or Create(), defaults=defaults)
    blocks = [
        _image_block(images, form.given, locale),
        *form.resource_blocks(),
        form.group_block(resource_groups),
        *form.optional_blocks(),
    ]
    return modal(
        callback_id=ids.CREATE_CALLBACK,
        title=translate("create.title", locale),
        blocks=blocks,
        submit=translate("create.submit", locale),
        close=translate("modal.cancel", locale),
        private_metadata=private_metadata,
    )


def _image_block(images: Sequence[Image], given: Create, locale: Locale) -> Block:
    label = translate("create.image", locale)
    if not images:
        element = text_input(
            initial=given.image,
            placeholder=translate("create.image_text_placeholder", locale),
            max_length=CREATE_BOUNDS.image_chars,
        )
        return input_block(ids.CREATE_IMAGE_BLOCK, label, element)
    selected = find_image(images, given.image) if given.image else None
    element = image_select(images, locale=locale, selected=selected)
    return input_block(ids.CREATE_IMAGE_BLOCK, label, element)


def _hint_params(defaults: CreateDefaults, bounds: CreateBounds) -> dict[str, object]:
    """What the create form's hints quote: the defaults and bounds the grammar applies."""
    return {
        "name_max": bounds.name_chars,
        "gpus": defaults.gpus_accelerated,
        "gpus_cpu": defaults.gpus_cpu_only,
        "gpus_min": bounds.gpus.low,
        "gpus_max": bounds.gpus.high,
        "cpus_min": bounds.cpus.low,
        "cpus_max": bounds.cpus.high,
        "ram_min": describe_ram(bounds.ram_mb.low),
        "ram_max": describe_ram(bounds.ram_mb.high),
        "timeout_max": format_timeout(bounds.max_timeout),
        "tasks": defaults.tasks,
        "tasks_max": bounds.tasks.high,
        "ports_max": bounds.max_ports,
        "mounts_max": bounds.max_mounts,
        "script_max": bounds.script_chars,
        "desc_max": bounds.description_chars,
    }


@dataclass(frozen=True, slots=True)
class _CreateForm:
    """The create modal's input blocks, each prefilled from ``given`` or ``defaults``."""

    locale: Locale
    given: Create
    defaults: CreateDefaults
    bounds: CreateBounds = CREATE_BOUNDS

    def field(self, key: str, element: Element) -> Block:
        label_key, hint_key = _CREATE_FIELD_KEYS[key]
        hint = translate(hint_key, self.locale, **_hint_params(self.defaults, self.bounds))
        label = translate(label_key, self.locale)
        return input_block(ids.CREATE_FIELD_BLOCKS[key], label, element, optional=True, hint=hint)

    def resource_blocks(self) -> list[Block]:
        given, defaults, bounds = self.given, self.defaults, self.bounds
        task_type = given.task_type or defaults.task_type
        timeout = defaults.timeout if isinstance(given.timeout, NotGiven) else given.timeout
        cpus = given.cpus or defaults.cpus
        type_select = static_select(
            placeholder=translate("create.type", self.locale),
            options=[option(value, value) for value in TASK_TYPES],
            initial=option(task_type, task_type),
        )
        return [
            self.field("name", text_input(initial=given.name, max_length=bounds.name_chars)),
            self.field("type", type_select),
            self.field("gpus", number_input(initial=given.gpus, bounds=bounds.gpus)),
            self.field("cpus", number_input(initial=cpus, bounds=bounds.cpus)),
            self.field("ram", text_input(initial=format_ram(given.ram_mb or defaults.ram_mb))),
            self.field("timeout", text_input(initial=format_timeout(timeout))),
        ]

    def group_block(self, resource_groups: Sequence[str]) -> Block:
        chosen = self.given.resource_group
        if not resource_groups:
            return self.field(
                "group", text_input(initial=chosen, max_length=self.bounds.group_chars)
            )
        options = [option(group, group) for group in resource_groups[: limits.SELECT_OPTIONS]]
        select = static_select(
            placeholder=translate("create.group", self.locale),
            options=options,
            initial=next((item for item in options if item["value"] == chosen), None),
        )
        return self.field("group", select)

    def optional_blocks(self) -> list[Block]:
        given, bounds = self.given, self.bounds
        ports = " ".join(format_port(port) for port in given.ports)
        mounts = "\n".join(format_mount(mount) for mount in given.mounts)
        script = text_input(initial=given.script, multiline=True, max_length=bounds.script_chars)
        return [
            self.field("tasks", number_input(initial=given.tasks, bounds=bounds.tasks)),
            self.field("port", text_input(initial=ports, placeholder="8888/http 22/ssh")),
            self.field("mount", text_input(initial=mounts, multiline=True)),
            self.field("script", script),
            self.field(
                "desc", text_input(initial=given.description, max_length=bounds.description_chars)
            ),
        ]


def read_create_submission(values: StateValues) -> tuple[str | None, dict[str, str]]:
    """The image (option value or typed text) and the ``create`` fields of a submission, as
    ``create_from_fields`` takes them."""
    image = _text_value(values, ids.CREATE_IMAGE_BLOCK) or None
    fields = {
        key: _text_value(values, block_id) for key, block_id in ids.CREATE_FIELD_BLOCKS.items()
    }
    return image, fields


def submission_errors(error: UsageError, *, locale: Locale) -> dict[str, str]:
    """``response_action: errors`` for a create submission: the message under its field.

    Slack shows these as plain text, so the catalog's code spans lose their backticks here
    (and only here: every other message is mrkdwn)."""
    block_id = ids.CREATE_FIELD_BLOCKS.get(error.param("key") or "", ids.CREATE_IMAGE_BLOCK)
    plain = error.message(locale).replace("`", "")
    return {block_id: limits.clip(plain, limits.INPUT_HINT)}


def _text_value(values: StateValues, block_id: str) -> str:
    """The value a text input, number input or select holds in a submission, or ""."""
    state = values.get(block_id, {}).get(ids.INPUT, {})
    selected = state.get("selected_option")
    raw = selected.get("value") if isinstance(selected, Mapping) else state.get("value")
    return raw.strip() if isinstance(raw, str) else ""
