"""Free text from outside loses anything that looks like a credential."""

from __future__ import annotations

import json
import pickle
from urllib.parse import quote, urlencode

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


def _encoded_forms(text: str) -> dict[str, str]:
    as_json = json.dumps({"text": text})  # Slack's payloads escape "/" too: "https:\\/\\/..."
    return {
        "plain": text,
        "json": as_json,
        "json, slashes escaped": as_json.replace("/", "\\/"),
        "percent-encoded": quote(text, safe=""),
        "form body": urlencode({"payload": as_json}),
        "form body, slashes escaped": urlencode({"payload": as_json.replace("/", "\\/")}),
        "twice percent-encoded": quote(quote(text, safe=""), safe=""),
    }


ACCESS_URL = f"http://10.0.35.26:7090/jupyter-forward/{HEX}/?token=sothisai_{HEX}"


@pytest.mark.parametrize(("encoding", "text"), _encoded_forms(f"open {ACCESS_URL} now").items())
def test_access_url_key_is_masked_in_every_encoding(encoding: str, text: str) -> None:
    assert HEX not in redact(text), encoding


@pytest.mark.parametrize(
    "url",
    [
        f"https://node7.scnet.cn:443/instance-forward/{HEX}/8888/",
        f"http://h:1/jupyter-forward/ {HEX}/ ?token=sothisai_{HEX}",  # the doc's stray spaces
        "https://hooks.slack.com/commands/T0001/12345/" + HEX,
    ],
)
def test_other_secret_paths_are_masked(url: str) -> None:
    for encoding, text in _encoded_forms(url).items():
        assert HEX not in redact(text), encoding


def test_credentials_in_json_and_form_bodies_are_masked() -> None:
    body = json.dumps({"user": "alice", "password": "p@ss w/rd!", "accessKey": "AK12345678"})
    for encoding, text in _encoded_forms(body).items():
        shown = redact(text)
        assert "AK12345678" not in shown, encoding
        assert "p@ss" not in shown, encoding
        assert "p%40ss" not in shown, encoding


def test_routes_stay_readable() -> None:
    hint = 'curl -s -X POST http://127.0.0.1:8000/_sim/tokens -d \'{"user": "demo"}\''
    assert redact(hint) == hint
    route = "GET https://api.scnet.cn/ai/openapi/v2/instance-service/task/list?start=0&size=20"
    assert redact(route) == route


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
