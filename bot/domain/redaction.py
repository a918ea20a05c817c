"""Mask anything that looks like a credential in free text (log lines, SCNet's msg).

Defence in depth: code never formats a secret into text on purpose (``Secret`` masks itself);
this catches what arrives from outside, such as an upstream error message quoting a URL, or a
library that logs a whole request body.

A secret can reach a line in several encodings: plain, JSON-escaped (``\\/``), percent-encoded
(a form-encoded Slack body: ``%2Fjupyter-forward%2F<key>%2F``), or both. Rather than a pattern
for every encoding, secrets are *found* in decoded views of the line and then *erased* from the
line itself in each form they can take there. Routes stay readable: only secrets are masked.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Final
from urllib.parse import quote, quote_plus, unquote_plus

from bot.domain.secret import MASK

_CREDENTIAL_KEYS: Final = r"token|signature|access_?key|secret_?key|secret|password|sk|ak"

# Each pattern names the secret it finds in a group called ``secret``.
_SECRETS: Final[tuple[re.Pattern[str], ...]] = (
    # JWTs (SCNet tokens): header.payload.signature, base64url
    re.compile(r"(?P<secret>eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*)"),
    # Slack tokens
    re.compile(r"(?P<secret>\bx(?:ox[abposr]|app)-[\w-]{6,})"),
    # The access URL's own token (reference §5.8)
    re.compile(r"(?P<secret>sothisai_[0-9A-Za-z]+)"),
    # ...and its twin in the path: /jupyter-forward/<key>/, /instance-forward/<key>/<port>/
    re.compile(r"-forward/\s*(?P<secret>[^/\s?#&\"'<>\\]+)"),
    # A Slack response_url or webhook: whoever holds its path can post as the app
    re.compile(r"hooks\.slack\.com/(?P<secret>[^\s?#&\"'<>\\]+)"),
    # key=value credentials in query strings or text
    re.compile(rf"(?i)\b(?:{_CREDENTIAL_KEYS})\s*[=:]\s*(?P<secret>[^\s&,;\"'<>\\]+)"),
    # "key": "value" credentials in JSON
    re.compile(rf"(?i)\"(?:{_CREDENTIAL_KEYS})\"\s*:\s*\"(?P<secret>[^\"\\]+)\""),
)

# Shorter values are masked where a pattern matched them in the line itself, never erased
# line-wide: a secret "1" must not wipe every digit of the line.
_ERASE_EVERYWHERE_FROM: Final = 6
_DECODE_ROUNDS: Final = 3  # a JSON payload inside a form body inside a logged URL, at most


def redact(text: str) -> str:
    found: set[str] = set()
    for view in _decoded_views(text):
        for pattern in _SECRETS:
            found.update(match.group("secret") for match in pattern.finditer(view))
    for secret in sorted(found, key=len, reverse=True):
        if len(secret) >= _ERASE_EVERYWHERE_FROM:
            for form in _encodings(secret):
                text = text.replace(form, MASK)
    for pattern in _SECRETS:
        text = pattern.sub(_mask_secret_group, text)
    return text


def _decoded_views(text: str) -> Iterator[str]:
    view = text
    yield view
    for _ in range(_DECODE_ROUNDS):
        decoded = unquote_plus(_json_unescaped(view))
        if decoded == view:
            return
        view = decoded
        yield view


def _json_unescaped(text: str) -> str:
    return text.replace("\\/", "/").replace('\\"', '"').replace("\\\\", "\\")


def _encodings(secret: str) -> set[str]:
    forms = {secret}
    for _ in range(_DECODE_ROUNDS):
        for form in list(forms):
            escaped = json.dumps(form)[1:-1]
            forms.update(
                {
                    escaped,
                    escaped.replace("/", "\\/"),
                    quote(form, safe=""),
                    quote_plus(form, safe=""),
                }
            )
    return forms


def _mask_secret_group(match: re.Match[str]) -> str:
    start, end = match.span("secret")
    whole = match.group(0)
    offset = match.start()
    return whole[: start - offset] + MASK + whole[end - offset :]
