"""Plans solved in the background: a run's state, progress, stop request and failure.

The status vocabulary becomes the run's (queued, solving, optimal, feasible, infeasible,
stopped, failed). Stored plans keep their meaning: the planner's OPTIMAL, FEASIBLE and
INFEASIBLE become lowercase; UNKNOWN (no plan within the time limit) and the never-used draft
become failed with the reason written down. Going back down, a stopped plan becomes FEASIBLE
when it holds a plan, else UNKNOWN, and queued or solving ones become failed.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 22:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

OLD_STATUSES = "status IN ('draft', 'queued', 'solving', 'OPTIMAL', 'FEASIBLE', 'INFEASIBLE', 'UNKNOWN', 'failed')"
NEW_STATUSES = "status IN ('queued', 'solving', 'optimal', 'feasible', 'infeasible', 'stopped', 'failed')"
NO_PLAN_IN_TIME = "no plan was found within the time limit"
NEVER_SOLVED = "this plan was never solved"


def _batch():
    """`plan` altered in place on PostgreSQL, rebuilt on SQLite keeping its AUTOINCREMENT (0007)."""
    return op.batch_alter_table('plan', schema=None, table_kwargs={'sqlite_autoincrement': True})


def upgrade() -> None:
    with _batch() as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_plan_status_valid'), type_='check')
        batch_op.add_column(sa.Column('gap', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('time_limit', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('started_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('elapsed', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('progress', sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
        batch_op.add_column(sa.Column('stop_requested', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('failure', sa.Text(), nullable=True))
    plan = sa.table('plan', sa.column('status', sa.String), sa.column('failure', sa.Text))
    for old in ('OPTIMAL', 'FEASIBLE', 'INFEASIBLE'):
        op.execute(plan.update().where(plan.c.status == old).values(status=old.lower()))
    op.execute(plan.update().where(plan.c.status == 'UNKNOWN').values(status='failed', failure=NO_PLAN_IN_TIME))
    op.execute(plan.update().where(plan.c.status == 'draft').values(status='failed', failure=NEVER_SOLVED))
    with _batch() as batch_op:
        # The defaults only filled the rows already there; the models give every new row its values.
        batch_op.alter_column('progress', server_default=None)
        batch_op.alter_column('stop_requested', server_default=None)
        batch_op.create_check_constraint(batch_op.f('ck_plan_status_valid'), sa.text(NEW_STATUSES))


def downgrade() -> None:
    plan = sa.table('plan', sa.column('status', sa.String), sa.column('objective', sa.Float))
    with _batch() as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_plan_status_valid'), type_='check')
    for new in ('optimal', 'feasible', 'infeasible'):
        op.execute(plan.update().where(plan.c.status == new).values(status=new.upper()))
    op.execute(plan.update().where(plan.c.status == 'stopped', plan.c.objective.is_not(None)).values(status='FEASIBLE'))
    op.execute(plan.update().where(plan.c.status == 'stopped').values(status='UNKNOWN'))
    op.execute(plan.update().where(plan.c.status.in_(('queued', 'solving'))).values(status='failed'))
    with _batch() as batch_op:
        batch_op.create_check_constraint(batch_op.f('ck_plan_status_valid'), sa.text(OLD_STATUSES))
        batch_op.drop_column('failure')
        batch_op.drop_column('stop_requested')
        batch_op.drop_column('progress')
        batch_op.drop_column('elapsed')
        batch_op.drop_column('heartbeat_at')
        batch_op.drop_column('finished_at')
        batch_op.drop_column('started_at')
        batch_op.drop_column('time_limit')
        batch_op.drop_column('gap')
