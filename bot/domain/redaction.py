"""Mask anything that looks like a credential in free text (log lines, SCNet's msg).

Defence in depth: code never formats a secret into text on purpose (``Secret`` masks itself);
this catches what arrives from outside, such as an upstream error message quoting a URL.
"""

from __future__ import annotations

import re
from typing import Final

from bot.domain.secret import MASK

_PATTERNS: Final[tuple[tuple[re.Pattern[str], str], ...]] = (
    # JWTs (SCNet tokens): header.payload.signature, base64url
    (re.compile(r"eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*"), MASK),
    # Slack tokens
    (re.compile(r"\bx(?:ox[abposr]|app)-[\w-]{6,}"), MASK),
    # The access URL's own token and its twin in the path (reference §5.8)
    (re.compile(r"sothisai_[0-9A-Za-z]+"), MASK),
    # Any URL keeps its scheme and host only: paths and queries of access URLs are secrets
    (re.compile(r"(https?://[^\s/?#]+)[/?#][^\s]*"), r"\1/" + MASK),
    # key=value credentials in query strings or text
    (
        re.compile(
            r"(?i)\b(token|signature|access_?key|secret_?key|secret|password|sk|ak)"
            r"(\s*[=:]\s*)([^\s&,;]+)"
        ),
        r"\1\2" + MASK,
    ),
)


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text
