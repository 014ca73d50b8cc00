"""How the campaigns page and the public results page show who did what: the draw's author and
the campaign's audit trail (every write about the campaign, with its actor and entry hash)."""

from __future__ import annotations

import pandas as pd

from dashboard.i18n import plain, t
from dashboard.tables import labelled, show_table, vocab_column


def actor_label(name: str | None, role: str | None) -> str:
    """``张三（抽查计划员）`` — a display name with its role, or the name alone when the role is unknown."""
    name = name or t("common.unknown")
    return f"{name} ({t(f'auth.role.{role}')})" if role else name


def drawn_by_label(audit: dict) -> str:
    """The author of a recorded draw, as :func:`actor_label`, escaped for Markdown."""
    return plain(actor_label(audit.get("drawn_by_name") or audit.get("drawn_by"), audit.get("drawn_by_role")))


def show_audit_trail(trail: pd.DataFrame, *, name: str) -> None:
    """The campaign's audit entries, oldest first, with actor, action, details and entry hash."""
    shown = trail.assign(
        actor=[actor_label(n, r) for n, r in zip(trail["actor_name"], trail["actor_role"], strict=True)],
        entry_hash=trail["entry_hash"].str[:16],
    )
    show_table(
        labelled(
            shown,
            {
                "recorded_at": "audit.col.at",
                "actor": "audit.col.actor",
                "action": "audit.col.action",
                "details": "audit.col.details",
                "entry_hash": "audit.col.hash",
            },
            formatters={"action": vocab_column("audit_action")},
        ),
        name=name,
        height=200,
    )
