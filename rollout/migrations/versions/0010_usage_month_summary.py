"""The monthly usage summaries every report and dashboard reads (`rollout.usage.summary`).

`usagemonth` sums the usage rows per school, month of the period start, service and audience,
filled here in each database's own SQL. `schoolmonth` totals it per school-month under each
programme's taxonomy: the default keywords of this release (`rollout.usage.taxonomy`) and the
programme's overrides. A later release that changes the default keywords must recompute
`schoolmonth` in a migration of its own (`tests/rollout/usage/test_usage_summary.py` fails
until it says it did).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 21:30:00
"""

from __future__ import annotations

from types import SimpleNamespace

import sqlalchemy as sa

from alembic import op
from rollout.usage import summary, taxonomy


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
    op.create_table('schoolmonth',
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('visits', sa.Integer(), nullable=False),
    sa.Column('pedagogical_visits', sa.Integer(), nullable=False),
    sa.Column('administrative_visits', sa.Integer(), nullable=False),
    sa.Column('teacher_visitors', sa.Integer(), nullable=True),
    sa.Column('pupil_visitors', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_schoolmonth_school_id_school'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('school_id', 'month', name=op.f('pk_schoolmonth'))
    )
    bind = op.get_bind()
    month = MONTH[bind.dialect.name]
    op.execute(
        "INSERT INTO usagemonth (school_id, month, service, audience, visits, visitors_max, visitors_rows) "
        f"SELECT school_id, {month}, service, audience, sum(visits), max(visitors), count(visitors) "
        f"FROM usagerecord GROUP BY school_id, {month}, service, audience"
    )
    for programme_id in bind.execute(sa.text("SELECT id FROM programme")).scalars().all():
        summary.refresh_categories(bind, programme_id=programme_id, mapping=_mapping(bind, programme_id))


def _mapping(bind: sa.Connection, programme_id: int) -> dict[str, str]:
    """Each of the programme's labels' category, as `taxonomy.category_mapping` gives it."""
    labels = bind.execute(sa.text(
        "SELECT DISTINCT m.service FROM usagemonth m JOIN school s ON s.id = m.school_id WHERE s.programme_id = :id"
    ), {"id": programme_id}).scalars().all()
    overrides = {key: SimpleNamespace(category=category) for key, category in bind.execute(sa.text(
        "SELECT label_key, category FROM servicecategory WHERE programme_id = :id"), {"id": programme_id})}
    return {label: found.category for label, found in taxonomy.classify(labels, programme_overrides=overrides).items()}


def downgrade() -> None:
    op.drop_table('schoolmonth')
    op.drop_table('usagemonth')
