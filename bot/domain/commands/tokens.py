"""Splitting command text into words, shell-like but smaller.

* Whitespace (any Unicode space, so the full-width space of a Chinese IME too) separates words.
* ``"..."`` and ``'...'`` quote anywhere in a word: ``script="pip install x && python a.py"``.
  Inside double quotes ``\\"``, ``\\\\`` and ``\\n`` (a newline) are escapes; single quotes are
  literal. Outside quotes a backslash is an ordinary character.
* Curly quotes ``“...”`` and ``‘...’`` quote too, because macOS and phones substitute them for
  straight quotes as people type. A lone ``’`` or ``”`` is an ordinary character (an apostrophe).
* An unbalanced quote is a usage error rather than a guess.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import UsageError, usage

# Opening quote -> the closing quotes it accepts, and whether backslash escapes apply inside.
_QUOTES: dict[str, tuple[frozenset[str], bool]] = {
    '"': (frozenset('"'), True),
    "'": (frozenset("'"), False),
    "“": (frozenset('”"'), True),
    "‘": (frozenset("’'"), False),
}
_ESCAPES = {'"': '"', "\\": "\\", "n": "\n"}


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    quoted: bool = False  # some part of it was in quotes: never a flag
    equals_at: int | None = None  # index in ``text`` of the first unquoted "="

    @property
    def is_option(self) -> bool:
        return self.equals_at is not None

    @property
    def key(self) -> str:
        return self.text[: self.equals_at] if self.equals_at is not None else ""

    @property
    def value(self) -> str:
        return self.text[self.equals_at + 1 :] if self.equals_at is not None else self.text


class _WordBuilder:
    __slots__ = ("chars", "equals_at", "quoted", "started")

    def __init__(self) -> None:
        self.chars: list[str] = []
        self.quoted = False
        self.equals_at: int | None = None
        self.started = False

    def add(self, char: str) -> None:
        if char == "=" and self.equals_at is None:
            self.equals_at = len(self.chars)
        self.chars.append(char)
        self.started = True

    def add_quoted(self, text: str) -> None:
        self.chars.extend(text)
        self.quoted = True
        self.started = True

    def finish(self) -> Word:
        return Word("".join(self.chars), self.quoted, self.equals_at)


def tokenise(text: str) -> list[Word] | UsageError:
    """The words of ``text``, or a usage error naming an unclosed quote."""
    words: list[Word] = []
    current = _WordBuilder()
    index = 0
    while index < len(text):
        char = text[index]
        if char.isspace():
            if current.started:
                words.append(current.finish())
                current = _WordBuilder()
            index += 1
        elif char in _QUOTES:
            closers, escapes = _QUOTES[char]
            closed = _quoted_part(text, index + 1, closers, escapes=escapes)
            if closed is None:
                return usage("usage.unbalanced_quote", part=text[index:])
            content, index = closed
            current.add_quoted(content)
        else:
            current.add(char)
            index += 1
    if current.started:
        words.append(current.finish())
    return words


def _quoted_part(
    text: str, start: int, closers: frozenset[str], *, escapes: bool
) -> tuple[str, int] | None:
    """The content of a quote opened just before ``start`` and the index after its closing
    quote, or None when it is never closed."""
    chars: list[str] = []
    index = start
    while index < len(text):
        char = text[index]
        if char in closers:
            return "".join(chars), index + 1
        if escapes and char == "\\" and index + 1 < len(text) and text[index + 1] in _ESCAPES:
            chars.append(_ESCAPES[text[index + 1]])
            index += 2
            continue
        chars.append(char)
        index += 1
    return None
