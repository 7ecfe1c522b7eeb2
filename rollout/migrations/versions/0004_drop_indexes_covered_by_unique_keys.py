"""Drop the single-column indexes that repeat the first column of a unique key.

A unique key's index already serves lookups on its leading column (every school of a
programme, every milestone of a school), so these seven indexes only cost writes and space.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 10:00:00
"""

from __future__ import annotations

from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

# (table, column): each is the first column of a unique key of its table.
COVERED = (
    ('programme', 'district_id'),    # UNIQUE (district_id, name)
    ('basin', 'programme_id'),       # UNIQUE (programme_id, code)
    ('school', 'programme_id'),      # UNIQUE (programme_id, uai)
    ('trainer', 'programme_id'),     # UNIQUE (programme_id, code)
    ('wave', 'programme_id'),        # UNIQUE (programme_id, code), UNIQUE (programme_id, position)
    ('servicecategory', 'programme_id'),  # UNIQUE (programme_id, label_key)
    ('milestone', 'school_id'),      # UNIQUE (school_id, kind)
)


def upgrade() -> None:
    for table, column in COVERED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_{column}'))


def downgrade() -> None:
    for table, column in COVERED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f'ix_{table}_{column}'), [column], unique=False)
