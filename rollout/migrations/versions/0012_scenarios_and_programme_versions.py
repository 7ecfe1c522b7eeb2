"""Planning in the browser: named what-if scenarios, re-plans, and programme edits that lock.

`scenario` holds a leader's named what-if (the edits only: it is applied to the programme's
data of the day). A plan may name the scenario it was solved from, and carry the inputs of a
re-plan. `programme.version` lets two leaders' edits of the settings refuse each other instead
of one silently overwriting the other; existing programmes start at version 1.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 01:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('scenario',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('edits', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(name) > 0', name=op.f('ck_scenario_name_not_blank')),
    sa.CheckConstraint('version >= 1', name=op.f('ck_scenario_version_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_scenario_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_scenario_programme_id_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scenario')),
    sa.UniqueConstraint('programme_id', 'name', name=op.f('uq_scenario_programme_id_name')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('plan', schema=None, table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.add_column(sa.Column('scenario_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('replan', sa.JSON(), nullable=True))
        batch_op.create_index(batch_op.f('ix_plan_scenario_id'), ['scenario_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_plan_scenario_id_scenario'), 'scenario', ['scenario_id'], ['id'], ondelete='SET NULL')
    with op.batch_alter_table('programme', schema=None, table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
    with op.batch_alter_table('programme', schema=None, table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.alter_column('version', server_default=None)
        batch_op.create_check_constraint(batch_op.f('ck_programme_version_positive'), sa.text('version >= 1'))


def downgrade() -> None:
    with op.batch_alter_table('programme', schema=None, table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_programme_version_positive'), type_='check')
        batch_op.drop_column('version')
    with op.batch_alter_table('plan', schema=None, table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_plan_scenario_id_scenario'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_plan_scenario_id'))
        batch_op.drop_column('replan')
        batch_op.drop_column('scenario_id')
    op.drop_table('scenario')
