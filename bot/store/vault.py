"""Encryption at rest for every secret the bot keeps (SCNet tokens, AK/SK).

Fernet (AES-128-CBC + HMAC-SHA256, from ``cryptography``) over ``ENCRYPTION_KEYS``: the first
key encrypts, every key decrypts, so an operator rotates by putting a new key first, running
``scnet-bot keys rotate`` (``bot.store.keys.rotate_keys``) and then dropping the old key.

Each plaintext is wrapped with a *context* before encryption (the accounts repository passes
``account:<team>:<user>:<field>``) and ``decrypt`` checks it. Fernet has no associated data,
so without this someone able to write to the database could copy an admin's token
ciphertext into their own row, or swap the AK and SK columns, and the bot would act on it.

Nothing here logs, and no exception or repr holds a key, a plaintext or a ciphertext:
``SecretUnreadable`` carries only a reason code.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Sequence
from typing import Final, Literal

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from bot.domain.secret import Secret

UnreadableReason = Literal["no_key", "malformed", "wrong_context"]

_ENVELOPE_VERSION: Final = 1


class SecretUnreadable(Exception):
    """No configured key decrypts a stored value (or it was not written for this place).

    ``reason``: ``"no_key"`` (encrypted under a key no longer configured, or corrupted),
    ``"malformed"`` (decrypts, but is not one of our envelopes), ``"wrong_context"``
    (decrypts, but was written for another user or field).
    """

    def __init__(self, reason: UnreadableReason) -> None:
        self.reason: UnreadableReason = reason
        super().__init__(f"no configured encryption key reads this value ({reason})")


def _seal(value: str, context: str) -> bytes:
    envelope = {"v": _ENVELOPE_VERSION, "ctx": context, "val": value}
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _open(plaintext: bytes, context: str) -> Secret:
    try:
        envelope = json.loads(plaintext.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise SecretUnreadable("malformed") from None
    if (
        not isinstance(envelope, dict)
        or envelope.get("v") != _ENVELOPE_VERSION
        or not isinstance(envelope.get("ctx"), str)
        or not isinstance(envelope.get("val"), str)
    ):
        raise SecretUnreadable("malformed")
    if not hmac.compare_digest(envelope["ctx"].encode("utf-8"), context.encode("utf-8")):
        raise SecretUnreadable("wrong_context")
    return Secret(envelope["val"])


class Vault:
    """Encrypts ``Secret`` values to bytes and back. Build it with ``Vault.from_keys``."""

    __slots__ = ("_all", "_key_count", "_primary")

    def __init__(self, fernets: Sequence[Fernet]) -> None:
        if not fernets:
            raise ValueError("no encryption key configured (ENCRYPTION_KEYS is empty)")
        self._primary = fernets[0]
        self._all = MultiFernet(list(fernets))
        self._key_count = len(fernets)

    @classmethod
    def from_keys(cls, keys: Sequence[str]) -> Vault:
        """Keys newest first, as in ``ENCRYPTION_KEYS``. The error names a key's position only."""
        fernets: list[Fernet] = []
        for position, key in enumerate(keys, start=1):
            try:
                fernets.append(Fernet(key.strip()))
            except (ValueError, TypeError):
                raise ValueError(
                    f"encryption key #{position} is not a Fernet key (32 url-safe base64 bytes)"
                ) from None
        return cls(fernets)

    @property
    def key_count(self) -> int:
        return self._key_count

    def encrypt(self, secret: Secret, *, context: str = "") -> bytes:
        """Ciphertext under the first key; ``decrypt`` must be given the same ``context``."""
        return self._primary.encrypt(_seal(secret.reveal(), context))

    def decrypt(self, blob: bytes, *, context: str = "") -> Secret:
        """The secret, or ``SecretUnreadable`` when no key (or not this context) reads it."""
        try:
            plaintext = self._all.decrypt(blob)
        except (InvalidToken, TypeError):
            raise SecretUnreadable("no_key") from None
        return _open(plaintext, context)

    def reencrypt(self, blob: bytes, *, context: str = "") -> bytes | None:
        """The value re-encrypted under the first key, or None when it already is.

        Raises ``SecretUnreadable`` like ``decrypt``: rotation must not carry forward a value
        the bot could not use anyway.
        """
        try:
            _open(self._primary.decrypt(blob), context)
        except (InvalidToken, TypeError):
            pass
        else:
            return None
        secret = self.decrypt(blob, context=context)
        return self.encrypt(secret, context=context)

    def __repr__(self) -> str:
        return f"Vault(keys={self._key_count})"

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("a Vault is not pickled: build it from ENCRYPTION_KEYS")
