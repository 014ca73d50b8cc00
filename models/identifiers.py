"""Checks of identifiers that enter the store from people: one function per kind of code."""

from __future__ import annotations

from stdnum.cn import uscc
from stdnum.exceptions import ValidationError


def is_credit_code(code: str) -> bool:
    """Whether ``code`` is a unified social credit code (统一社会信用代码, GB 32100-2015).

    Checks the length (18), the character set (digits and capitals without I, O, S, V, Z: a look-alike
    ``O`` for ``0`` or ``I`` for ``1`` fails), the embedded organisation code's check digit and the
    final check character, with python-stdnum's ``stdnum.cn.uscc``. ``code`` must already be
    normalised (``models.text``) and upper-case; spaces are not removed.
    """
    if len(code) != 18 or not code.isascii() or code != code.upper():
        return False
    try:
        uscc.validate(code)
    except ValidationError:
        return False
    return True
