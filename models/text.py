"""The one normaliser for text people type or upload: NFKC, then refuse control and invisible characters.

Chinese input methods produce full-width digits, letters and spaces (``２０２８-０６-３０``, ``ＱＭＳ``,
U+3000); NFKC turns them into their ASCII forms before anything is validated. What NFKC keeps and a
person cannot see — NUL, ESC, BEL and other control characters, zero-width spaces and joiners, a byte
order mark inside text, left-to-right/right-to-left marks and overrides, private-use and surrogate code
points, line and paragraph separators — is refused, never silently dropped: a value that looks the same
as another but is not would defeat every uniqueness and lookup check.

Used by the imports (``models.imports``), the entry form, the user table and the CLI's CSV reader.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import cache

# Control (Cc), format (Cf: zero-width, bidi, BOM), private use (Co), surrogates (Cs), unassigned (Cn),
# line (Zl) and paragraph (Zp) separators.
FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"})
# Line breaks and tabs are ordinary in a spreadsheet cell (Alt+Enter): each becomes one plain space.
LINE_WHITESPACE = {ord("\t"): " ", ord("\n"): " ", ord("\r"): " "}


class TextProblem(ValueError):
    """Text holding a character that cannot be typed visibly.

    ``character`` is the offending character, ``position`` its 0-based index in the text as given,
    ``label`` a readable name such as ``U+200B ZERO WIDTH SPACE``.
    """

    code = "invisible_character"

    def __init__(self, character: str, position: int) -> None:
        self.character, self.position = character, position
        self.label = character_label(character)
        super().__init__(f"invisible or control character {self.label} at position {position + 1}")


def character_label(character: str) -> str:
    """``U+XXXX NAME`` of one character (the name may be empty for control characters)."""
    name = unicodedata.name(character, "")
    return f"U+{ord(character):04X} {name}".rstrip()


@cache
def forbidden_pattern() -> re.Pattern[str]:
    """A regular expression matching every forbidden character, and some allowed ones above U+FFFF.

    The forbidden characters of the Basic Multilingual Plane are listed exactly (from the Unicode
    tables, once); every character beyond it matches too, to be checked one by one
    (``forbidden_character`` does): a class of all astral ranges would make each search a linear
    scan of thousands of ranges, while these are rare in text and checked quickly.
    """
    ranges: list[tuple[int, int]] = []
    for point in range(0x10000):
        if chr(point) in "\t\n\r" or unicodedata.category(chr(point)) not in FORBIDDEN_CATEGORIES:
            continue
        if ranges and ranges[-1][1] == point - 1:
            ranges[-1] = (ranges[-1][0], point)
        else:
            ranges.append((point, point))
    parts = "".join(f"\\u{a:04x}" if a == b else f"\\u{a:04x}-\\u{b:04x}" for a, b in ranges)
    return re.compile(f"[{parts}\\U00010000-\\U{sys.maxunicode:08x}]")


def is_forbidden(character: str) -> bool:
    """Whether one character is a control or invisible character (tab, CR and LF are not)."""
    return character not in "\t\n\r" and unicodedata.category(character) in FORBIDDEN_CATEGORIES


def forbidden_character(text: str) -> tuple[int, str] | None:
    """Position and character of the first control or invisible character in ``text`` (tab, CR, LF pass)."""
    for match in forbidden_pattern().finditer(text):
        if is_forbidden(match.group()):
            return match.start(), match.group()
    return None


def normalise(text: str) -> str:
    """``text`` in NFKC with tabs and line breaks as spaces, stripped.

    Raises ``TextProblem`` for a control or invisible character (see module docstring); the check is
    made on the text as given, so a character NFKC would map away is still named.
    """
    found = forbidden_character(text)
    if found is not None:
        raise TextProblem(found[1], found[0])
    return unicodedata.normalize("NFKC", text).translate(LINE_WHITESPACE).strip()


def normalise_or_none(text: str) -> str | None:
    """``normalise(text)``, or None when it holds a control or invisible character."""
    try:
        return normalise(text)
    except TextProblem:
        return None
