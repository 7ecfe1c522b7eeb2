"""The monthly usage summary every report and dashboard reads (`rollout.usage.summary`).

`usagemonth` sums the usage rows per school, month of the period start, service and audience;
this migration fills it from the rows already stored, with the same grouping the product keeps
it by, written here in each database's SQL so that it never depends on later application code.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 21:30:00
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

MONTH = {"sqlite": "strftime('%Y-%m', period_start)", "postgresql": "to_char(period_start, 'YYYY-MM')"}


def upgrade() -> None:
    op.create_table('usagemonth',
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('service', sa.String(length=200), nullable=False),
    sa.Column('audience', sa.String(length=8), nullable=False),
    sa.Column('visits', sa.Integer(), nullable=False),
    sa.Column('visitors_max', sa.Integer(), nullable=True),
    sa.Column('visitors_rows', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_usagemonth_school_id_school'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('school_id', 'month', 'service', 'audience', name=op.f('pk_usagemonth'))
    )
    op.create_index('ix_usagemonth_month_school_id', 'usagemonth', ['month', 'school_id'], unique=False)
    month = MONTH[op.get_bind().dialect.name]
    op.execute(
        "INSERT INTO usagemonth (school_id, month, service, audience, visits, visitors_max, visitors_rows) "
        f"SELECT school_id, {month}, service, audience, sum(visits), max(visitors), count(visitors) "
        f"FROM usagerecord GROUP BY school_id, {month}, service, audience"
    )


def downgrade() -> None:
    op.drop_index('ix_usagemonth_month_school_id', table_name='usagemonth')
    op.drop_table('usagemonth')
