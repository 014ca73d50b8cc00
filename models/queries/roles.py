"""The masking of personal data by the viewer's role, applied in the query layer.

Roles and permissions live in ``models.access``; this module only masks.
"""

from __future__ import annotations

import pandas as pd

from models.access import Role, sees_personal_data


def mask_phone(phone: str) -> str:
    """``13812345678`` -> ``138****5678``."""
    if not phone or len(phone) < 7:
        return "****"
    return f"{phone[:3]}****{phone[-4:]}"


def mask_identifier(value: str) -> str:
    """Keep the first four and last two characters of an ID number, star the rest."""
    if not value or len(value) <= 6:
        return "*" * len(value or "")
    return f"{value[:4]}{'*' * (len(value) - 6)}{value[-2:]}"


def mask_columns(frame: pd.DataFrame, role: Role, *, phones=(), identifiers=()) -> pd.DataFrame:
    """Mask ``phones`` and ``identifiers`` columns of ``frame`` unless ``role`` may see them."""
    if sees_personal_data(role):
        return frame
    masked = frame.copy()
    for column in phones:
        masked[column] = masked[column].map(mask_phone)
    for column in identifiers:
        masked[column] = masked[column].map(mask_identifier)
    return masked
