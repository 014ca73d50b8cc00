"""month-end certificate stocks

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 19:23:33.052599

Creates ``monthendstock`` and ``monthendholding`` and fills them from the certificates already in the
store, so that an upgraded live database shows the overview's stocks at once (about 10 s for 4 million
certificates; nothing to do on a new, empty store).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel

from models.summaries import refresh_month_end_stocks


revision: str = '0002'
down_revision: Union[str, None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    holding = op.create_table('monthendholding',
    sa.Column('month_end', sa.Date(), nullable=False),
    sa.Column('region_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('schemes', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('organisations', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['region_code'], ['region.code'], ),
    sa.PrimaryKeyConstraint('month_end', 'region_code', 'schemes')
    )
    stock = op.create_table('monthendstock',
    sa.Column('month_end', sa.Date(), nullable=False),
    sa.Column('region_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('scheme_code', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('certificates', sa.Integer(), nullable=False),
    sa.Column('organisations', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['region_code'], ['region.code'], ),
    sa.ForeignKeyConstraint(['scheme_code'], ['scheme.code'], ),
    sa.PrimaryKeyConstraint('month_end', 'region_code', 'scheme_code')
    )
    # Derived data: fill it now from the tables this migration's own definitions describe.
    refresh_month_end_stocks(op.get_bind(), stock, holding, from_history=False)


def downgrade() -> None:
    op.drop_table('monthendstock')
    op.drop_table('monthendholding')
