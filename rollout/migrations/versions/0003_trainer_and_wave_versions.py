"""Optimistic locking of trainers and waves: a `version` each, as schools and milestones have.

Existing rows start at version 1.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 18:25:00
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

TABLES = ('trainer', 'wave')


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('version', server_default=None)
            batch_op.create_check_constraint(op.f(f'ck_{table}_version_positive'), 'version >= 1')


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f'ck_{table}_version_positive'), type_='check')
            batch_op.drop_column('version')
