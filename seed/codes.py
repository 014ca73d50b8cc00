"""Identifier codes: unified social credit codes (GB 32100-2015) with real check characters."""

from __future__ import annotations

import numpy as np

CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
_CREDIT_WEIGHTS = np.array([pow(3, i, 31) for i in range(17)], dtype=np.int64)
_ORG_CODE_WEIGHTS = np.array([3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_ASCII = np.frombuffer(CREDIT_CHARSET.encode(), dtype=np.uint8)


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    """Decimal digits of ``values`` as an (n, width) array, most significant first."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return (values[:, None].astype(np.int64) // powers) % 10


def credit_codes(division: np.ndarray, body: np.ndarray, *, authority: int = 9, kind: int = 1) -> list[str]:
    """Unified social credit codes for 6-digit ``division`` codes and 8-digit organisation-code ``body``.

    Layout: registration authority (9 = market regulation), organisation kind (1 = enterprise),
    administrative division, organisation code (GB 11714: 8 digits + check), GB 32100 check character.
    """
    n = len(body)
    values = np.empty((n, 17), dtype=np.int64)
    values[:, 0] = authority
    values[:, 1] = kind
    values[:, 2:8] = _digits(np.asarray(division), 6)
    org = _digits(np.asarray(body), 8)
    values[:, 8:16] = org
    org_check = 11 - (org @ _ORG_CODE_WEIGHTS) % 11
    # GB 11714: 10 is written X, 11 is written 0; X is value 29 in the GB 32100 character set.
    values[:, 16] = np.where(
        org_check == 11, 0, np.where(org_check == 10, CREDIT_CHARSET.index("X"), org_check)
    )
    check = (31 - (values @ _CREDIT_WEIGHTS) % 31) % 31
    codes = np.empty((n, 18), dtype=np.uint8)
    codes[:, :17] = _ASCII[values]
    codes[:, 17] = _ASCII[check]
    return np.ascontiguousarray(codes).view("S18").ravel().astype("U18").tolist()


def credit_code_is_valid(code: str) -> bool:
    """Check an 18-character unified social credit code's final character (GB 32100)."""
    if len(code) != 18 or any(ch not in CREDIT_CHARSET for ch in code):
        return False
    values = [CREDIT_CHARSET.index(ch) for ch in code[:17]]
    total = sum(v * int(w) for v, w in zip(values, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_CHARSET[(31 - total % 31) % 31] == code[17]


def unique_bodies(rng: np.random.Generator, n: int, *, modulus: int = 100_000_000) -> np.ndarray:
    """``n`` distinct pseudo-random 8-digit numbers: an affine permutation of ``range(modulus)``."""
    multiplier = int(rng.integers(1, modulus // 7)) * 2 + 1
    while multiplier % 5 == 0:
        multiplier += 2
    offset = int(rng.integers(0, modulus))
    return (np.arange(n, dtype=np.int64) * multiplier + offset) % modulus
