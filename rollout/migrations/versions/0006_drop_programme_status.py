"""Drop programme.status: nothing read it, and what the loader wrote there repeated `simulated`.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 16:20:00
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

STATUSES = "status IN ('planning', 'deploying', 'completed', 'archived')"


def upgrade() -> None:
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_programme_status_valid'), type_='check')
        batch_op.drop_column('status')


def downgrade() -> None:
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=16), nullable=False, server_default='planning'))
        batch_op.create_check_constraint(batch_op.f('ck_programme_status_valid'), sa.text(STATUSES))
    op.execute("UPDATE programme SET status = 'completed' WHERE simulated")
