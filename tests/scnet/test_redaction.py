"""Free text from outside loses anything that looks like a credential."""

from __future__ import annotations

import pickle

import pytest

from bot.domain.redaction import redact
from bot.domain.secret import Secret

HEX = "6bdbefd1c27d472084e34f9c067c2900"


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        (f"see http://10.0.35.26:7090/jupyter-forward/{HEX}/?token=sothisai_{HEX}", HEX),
        ("header eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyIjoiYSJ9.abcdefgh here", "eyJ1c2VyIjoiYSJ9"),
        ("slack " + "xoxb-" + "123456789-abcdefghij", "123456789-abcdefghij"),
        ("password=hunter2 and secret_key: s3cr3t", "hunter2"),
        ("password=hunter2 and secret_key: s3cr3t", "s3cr3t"),
        ("token=abc123&ids=1", "abc123"),
    ],
)
def test_redact_masks_credentials(text: str, secret: str) -> None:
    assert secret not in redact(text)


def test_redact_keeps_ordinary_text() -> None:
    text = "instance 4c1f43ddb030483e89b55413bee6c004 is Running on https://api.scnet.cn"
    assert redact(text) == text


def test_secret_never_shows_its_value() -> None:
    secret = Secret("eyJhbGciOi.payload.sig")
    printf_style = "%s" % secret  # noqa: UP031 - the %-formatting path of logging, on purpose
    shown = [repr(secret), str(secret), f"{secret}", f"{secret!r}", printf_style]
    assert all("payload" not in text for text in shown)
    assert secret.reveal() == "eyJhbGciOi.payload.sig"
    assert secret == Secret("eyJhbGciOi.payload.sig")
    with pytest.raises(TypeError):
        pickle.dumps(secret)
