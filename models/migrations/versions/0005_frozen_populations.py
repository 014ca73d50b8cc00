"""frozen populations: content-addressed frames and inspector pools, the pool hash of a draw session

Revision ID: 0005_frozen_populations
Revises: 0004
Create Date: 2026-11-30 04:55:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0005_frozen_populations'
down_revision: Union[str, None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('frozenpopulation',
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
    sa.Column('row_count', sa.Integer(), nullable=False),
    sa.Column('byte_size', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('frame', 'pool')", name='ck_frozenpopulation_kind'),
    sa.PrimaryKeyConstraint('hash')
    )
    with op.batch_alter_table('drawsession', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pool_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('drawsession', schema=None) as batch_op:
        batch_op.drop_column('pool_hash')
    op.drop_table('frozenpopulation')
