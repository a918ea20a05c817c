"""Block Kit builders: pure functions, data in, Slack JSON (dicts) out, in en or zh.

No Slack client here and no I/O: handlers send what these return, and the console renders the
same dicts as text. Limits are enforced in ``limits``; action and block ids live in ``ids``.
"""

from .account import build_whoami
from .confirm import build_confirm_dialog, build_confirmation
from .help import build_help, build_usage_error, usage_line
from .home import build_home
from .images import build_images_list
from .instances import (
    build_access_url,
    build_created,
    build_instance_card,
    build_instance_list,
)
from .modals import (
    LoginForm,
    build_create_modal,
    build_login_modal,
    find_image,
    read_create_submission,
    read_login_submission,
    submission_errors,
)
from .notices import build_notice
from .quota import QuotaRow, build_quota_section, usage_bar

__all__ = [
    "LoginForm",
    "QuotaRow",
    "build_access_url",
    "build_confirm_dialog",
    "build_confirmation",
    "build_create_modal",
    "build_created",
    "build_help",
    "build_home",
    "build_images_list",
    "build_instance_card",
    "build_instance_list",
    "build_login_modal",
    "build_notice",
    "build_quota_section",
    "build_usage_error",
    "build_whoami",
    "find_image",
    "read_create_submission",
    "read_login_submission",
    "submission_errors",
    "usage_bar",
    "usage_line",
]
