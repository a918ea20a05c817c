"""A value that must never be shown: SCNet tokens, AK/SK, access URLs and their ``?token=``."""

from __future__ import annotations

from typing import Final

MASK: Final = "***"


class Secret:
    """Holds a sensitive string; ``repr``/``str``/f-strings show only a mask.

    Call ``reveal()`` at the one place that must send the value (an HTTP header, the owner's
    DM), so that a grep for ``reveal(`` lists every place a secret leaves the process.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret({MASK!r})"

    def __str__(self) -> str:
        return MASK

    def __format__(self, spec: str) -> str:
        return MASK

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("a Secret is not pickled: store it through the vault")
