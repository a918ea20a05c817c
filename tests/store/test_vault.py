"""The vault: Fernet under the first key, any key reads, nothing secret in any text."""

from __future__ import annotations

import pickle

import pytest

from bot.domain.secret import Secret
from bot.store.keys import generate_key
from bot.store.vault import SecretUnreadable, Vault
from tests.store.fakes import fake_token


def test_round_trip_and_ciphertext_hides_the_value() -> None:
    token, payload = fake_token()
    vault = Vault.from_keys([generate_key()])

    blob = vault.encrypt(Secret(token), context="ctx")

    assert token.encode() not in blob
    assert payload.encode() not in blob
    assert vault.decrypt(blob, context="ctx") == Secret(token)


def test_first_key_encrypts_and_every_key_decrypts() -> None:
    old, new = generate_key(), generate_key()
    written_before = Vault.from_keys([old]).encrypt(Secret("before"))
    both = Vault.from_keys([new, old])

    written_after = both.encrypt(Secret("after"))

    assert both.decrypt(written_before) == Secret("before")
    assert Vault.from_keys([new]).decrypt(written_after) == Secret("after")
    with pytest.raises(SecretUnreadable):
        Vault.from_keys([old]).decrypt(written_after)


def test_unreadable_names_a_reason_and_no_value() -> None:
    token, _ = fake_token()
    blob = Vault.from_keys([generate_key()]).encrypt(Secret(token))

    with pytest.raises(SecretUnreadable) as caught:
        Vault.from_keys([generate_key()]).decrypt(blob)

    assert caught.value.reason == "no_key"
    text = str(caught.value) + repr(caught.value)
    assert token not in text
    assert blob.decode() not in text
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__


def test_context_binds_a_ciphertext_to_its_place() -> None:
    vault = Vault.from_keys([generate_key()])
    blob = vault.encrypt(Secret("value"), context="account:T:U1:token")

    with pytest.raises(SecretUnreadable) as caught:
        vault.decrypt(blob, context="account:T:U2:token")

    assert caught.value.reason == "wrong_context"


@pytest.mark.parametrize("garbage", [b"", b"not a fernet token", b"\x00\xff" * 40])
def test_garbage_is_unreadable_not_a_crash(garbage: bytes) -> None:
    with pytest.raises(SecretUnreadable):
        Vault.from_keys([generate_key()]).decrypt(garbage)


def test_reencrypt_moves_to_the_first_key_and_leaves_current_values() -> None:
    old, new = generate_key(), generate_key()
    under_old = Vault.from_keys([old]).encrypt(Secret("v"), context="c")
    vault = Vault.from_keys([new, old])

    moved = vault.reencrypt(under_old, context="c")

    assert moved is not None
    assert Vault.from_keys([new]).decrypt(moved, context="c") == Secret("v")
    assert vault.reencrypt(moved, context="c") is None


def test_bad_keys_are_refused_by_position_only() -> None:
    not_a_key = "definitely-not-a-fernet-key-but-secret-ish"

    with pytest.raises(ValueError, match="#2") as caught:
        Vault.from_keys([generate_key(), not_a_key])

    assert not_a_key not in str(caught.value)
    with pytest.raises(ValueError, match="no encryption key"):
        Vault.from_keys([])


def test_vault_shows_no_key_and_does_not_pickle() -> None:
    key = generate_key()
    vault = Vault.from_keys([key])

    assert key not in repr(vault)
    assert repr(vault) == "Vault(keys=1)"
    with pytest.raises(TypeError):
        pickle.dumps(vault)


def test_generated_keys_are_fresh_fernet_keys() -> None:
    first, second = generate_key(), generate_key()

    assert first != second
    assert Vault.from_keys([first, second]).key_count == 2
