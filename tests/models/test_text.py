"""The one normaliser: NFKC for what Chinese input methods type, control and invisible characters refused."""

from __future__ import annotations

import unicodedata

import pytest

from models.text import TextProblem, forbidden_character, normalise, normalise_or_none


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("２０２８-０６-３０", "2028-06-30"),
        ("ＱＭＳ", "QMS"),
        ("１３８１２３４５６７８", "13812345678"),
        ("1381234567８", "13812345678"),  # one full-width digit
        ("粤市监执\u3000２０１９０００１２３", "粤市监执 2019000123"),  # ideographic space
        ("\u00a0张伟\u00a0", "张伟"),  # no-break spaces at the ends
        ("QMS；EMS", "QMS;EMS"),  # full-width semicolon
        ("广东省\n市场监督管理局", "广东省 市场监督管理局"),  # Alt+Enter in a cell
        ("tab\there", "tab here"),
        ("ﬁ", "fi"),
    ],
)
def test_nfkc_turns_full_width_forms_into_ascii(typed, expected):
    assert normalise(typed) == expected
    assert normalise(normalise(typed)) == normalise(typed)  # idempotent


@pytest.mark.parametrize(
    ("typed", "position", "code_point"),
    [
        ("张伟\x00", 2, 0x00),  # NUL
        ("\x1b[31m红", 0, 0x1B),  # ESC (terminal colours)
        ("ab\x07", 2, 0x07),  # BEL
        ("1381234\u200b5678", 7, 0x200B),  # zero-width space
        ("QM\u200dS", 2, 0x200D),  # zero-width joiner
        ("QMS\u200c", 3, 0x200C),  # zero-width non-joiner
        ("X\ufeffY", 1, 0xFEFF),  # byte order mark inside text
        ("\u202egpj.exe", 0, 0x202E),  # right-to-left override
        ("a\u202db", 1, 0x202D),  # left-to-right override
        ("a\u200fb", 1, 0x200F),  # right-to-left mark
        ("a\u2066b", 1, 0x2066),  # left-to-right isolate
        ("a\u2028b", 1, 0x2028),  # line separator
        ("a\ue000b", 1, 0xE000),  # private use
        ("a\x7f", 1, 0x7F),  # DEL
        ("a\x85b", 1, 0x85),  # next line (C1 control)
    ],
)
def test_control_and_invisible_characters_are_refused_and_named(typed, position, code_point):
    assert forbidden_character(typed) == (position, chr(code_point))
    with pytest.raises(TextProblem) as problem:
        normalise(typed)
    assert problem.value.position == position
    assert problem.value.label.startswith(f"U+{code_point:04X}")
    assert normalise_or_none(typed) is None


def test_the_forbidden_set_is_exactly_the_unicode_categories():
    """Check the compiled pattern against unicodedata itself on the BMP (an independent oracle)."""
    categories = {"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"}
    for point in range(0x10000):
        character = chr(point)
        expected = unicodedata.category(character) in categories and character not in "\t\n\r"
        assert (forbidden_character(character) is not None) == expected, hex(point)


def test_ordinary_chinese_text_passes():
    text = "张伟 李娜 王芳 北京市市场监督管理局（执法总队）·第一分队 《认证认可条例》"
    assert normalise(text) == unicodedata.normalize("NFKC", text)


@pytest.mark.parametrize(
    ("character", "forbidden"),
    [
        ("\U00020000", False),  # CJK Extension B (rare name characters)
        ("\U0001f600", False),  # an emoji: visible
        ("\U000e0001", True),  # language tag (format character)
        ("\U000f0000", True),  # supplementary private use
        ("\U0010fffd", True),
        ("\U0003fffe", True),  # unassigned
    ],
)
def test_characters_beyond_the_bmp_are_checked_one_by_one(character, forbidden):
    text = f"张{character}伟"
    assert (forbidden_character(text) is not None) == forbidden
    assert (forbidden_character(text) or (None, None))[0] in ((1,) if forbidden else (None,))
