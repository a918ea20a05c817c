"""Identifiers shaped like Slack's, from a seeded generator so a run can be replayed.

Shapes (observed in Slack's API reference examples): workspace objects are a type letter and
ten upper-case alphanumerics (``T0123ABCDE``, ``C…``, ``D…``, ``U…``, ``B…``, ``A…``, ``V…``),
message timestamps ``"1503435956.000247"``, trigger ids ``"13345224609.738474920.8088930838d8…"``
and view hashes ``"1569262015.55b5e41b"``. Tokens are assembled here at run time so no source
file holds a string that looks like a real one.
"""

from __future__ import annotations

import random
import string

_UPPER_ALNUM = string.ascii_uppercase + string.digits
_LOWER_ALNUM = string.ascii_lowercase + string.digits


class IdSource:
    def __init__(self, seed: int = 0) -> None:
        self._random = random.Random(seed)
        self._ts_seq = 0
        self._issued: set[str] = set()

    def _unique(self, make: str) -> str:
        # Collisions are astronomically unlikely; the loop makes them impossible.
        while make in self._issued:
            make = make[:-1] + self._random.choice(_UPPER_ALNUM)
        self._issued.add(make)
        return make

    def object_id(self, letter: str) -> str:
        """``letter`` plus ten upper-case alphanumerics, e.g. ``C07QK3M1ZB8``-like."""
        body = "".join(self._random.choices(_UPPER_ALNUM, k=10))
        return self._unique(letter + body)

    def event_id(self) -> str:
        return self._unique("Ev" + "".join(self._random.choices(_UPPER_ALNUM, k=10)))

    def short_id(self, k: int = 5) -> str:
        """Slack's generated block_id / action_id shape (``"hspI"``, ``"maBWU"``)."""
        return "".join(self._random.choices(string.ascii_letters + string.digits, k=k))

    def ts(self, now: float) -> str:
        """A message timestamp: epoch seconds and a six-digit sequence, unique per fake."""
        self._ts_seq = (self._ts_seq + 1) % 1_000_000
        return f"{int(now)}.{self._ts_seq:06d}"

    def trigger_id(self, now: float) -> str:
        digits = self._random.randrange(10**8, 10**9)
        return f"{int(now)}{self._random.randrange(10, 99)}.{digits}.{self._hex(32)}"

    def view_hash(self, now: float) -> str:
        return f"{int(now)}.{''.join(self._random.choices(_LOWER_ALNUM, k=8))}"

    def secret_path(self) -> str:
        return "".join(self._random.choices(string.ascii_letters + string.digits, k=24))

    def number(self, digits: int) -> str:
        return str(self._random.randrange(10 ** (digits - 1), 10**digits))

    def _hex(self, k: int) -> str:
        return "".join(self._random.choices("0123456789abcdef", k=k))

    def bot_token(self) -> str:
        """A bot token with the real shape (so redaction patterns meet it) built at run time."""
        prefix = "xo" + "xb"
        body = "".join(self._random.choices(string.ascii_letters + string.digits, k=24))
        return f"{prefix}-{self.number(12)}-{self.number(13)}-{body}"

    def app_token(self, app_id: str) -> str:
        """An app-level token (Socket Mode's ``connections:write``), shaped like Slack's
        ``xapp-1-<app id>-<13 digits>-<64 hex>``."""
        prefix = "xa" + "pp"
        return f"{prefix}-1-{app_id}-{self.number(13)}-{self._hex(64)}"

    def envelope_id(self) -> str:
        """A Socket Mode envelope id: a UUID, as in ``dbdd0ef3-1543-4f94-bfb4-133d0e6c1545``."""
        h = self._hex(32)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{h[16:20]}-{h[20:]}"

    def signing_secret(self) -> str:
        return self._hex(32)

    def verification_token(self) -> str:
        """The deprecated ``token`` field Slack still puts in payloads (not a credential we
        check, but apps sometimes log it)."""
        return "".join(self._random.choices(string.ascii_letters + string.digits, k=24))
