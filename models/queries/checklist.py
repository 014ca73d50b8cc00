"""The inspection item list and the items each campaign checks."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, Engine, select

from models.checklist import CampaignItem, CheckItem

ITEM_COLUMNS = [
    "code",
    "title",
    "legal_basis",
    "target_type",
    "check_content",
    "standard",
    "score",
    "finding_category",
]


def checklist(engine: Engine, *, target_type: str | None = None) -> pd.DataFrame:
    """The active items of the list (``ITEM_COLUMNS``), by code; only one target type if given."""
    item = CheckItem.__table__
    query = select(*(item.c[name] for name in ITEM_COLUMNS)).where(item.c.active).order_by(item.c.code)
    if target_type is not None:
        query = query.where(item.c.target_type == target_type)
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    return pd.DataFrame(rows, columns=ITEM_COLUMNS)


def campaign_items(source: Engine | Connection, campaign_id: int) -> pd.DataFrame:
    """The items campaign ``campaign_id`` checks, in its order (``ITEM_COLUMNS``); may be empty."""
    item, picked = CheckItem.__table__, CampaignItem.__table__
    query = (
        select(*(item.c[name] for name in ITEM_COLUMNS))
        .join(picked, picked.c.item_code == item.c.code)
        .where(picked.c.campaign_id == campaign_id)
        .order_by(picked.c.position)
    )
    if isinstance(source, Connection):
        rows = source.execute(query).all()
    else:
        with source.connect() as connection:
            rows = connection.execute(query).all()
    return pd.DataFrame(rows, columns=ITEM_COLUMNS)
