"""Login attempts (throttling across workers) and pending imports (preview before confirming).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 12:15:50.897054
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('loginattempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('succeeded', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loginattempt'))
    )
    with op.batch_alter_table('loginattempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_loginattempt_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_loginattempt_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_loginattempt_ip'), ['ip'], unique=False)

    op.create_table('pendingimport',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('filename', sa.String(length=500), nullable=False),
    sa.Column('rows', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('usage', 'progress', 'schools', 'trainers', 'waves', 'fixtures')", name=op.f('ck_pendingimport_kind_valid')),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_pendingimport_programme_id_programme'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_pendingimport_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pendingimport'))
    )
    with op.batch_alter_table('pendingimport', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pendingimport_programme_id'), ['programme_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('pendingimport', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pendingimport_programme_id'))

    op.drop_table('pendingimport')
    with op.batch_alter_table('loginattempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_loginattempt_ip'))
        batch_op.drop_index(batch_op.f('ix_loginattempt_email'))
        batch_op.drop_index(batch_op.f('ix_loginattempt_at'))

    op.drop_table('loginattempt')

