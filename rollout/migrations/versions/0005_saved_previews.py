"""One saved-preview table for every import (replacing pendingimport), and basins importable.

Previews not yet confirmed when this runs are dropped: they are an hour's work at most, and
their authors can upload the file again (a preview is only ever a copy of a file).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

KINDS_BEFORE = "kind IN ('usage', 'progress', 'schools', 'trainers', 'waves', 'fixtures')"
KINDS_AFTER = "kind IN ('usage', 'progress', 'schools', 'trainers', 'waves', 'basins', 'fixtures')"


def upgrade() -> None:
    with op.batch_alter_table('pendingimport', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pendingimport_programme_id'))
    op.drop_table('pendingimport')

    op.create_table('savedpreview',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('filename', sa.String(length=500), nullable=False),
    sa.Column('rows', sa.JSON(), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint(KINDS_AFTER, name=op.f('ck_savedpreview_kind_valid')),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_savedpreview_programme_id_programme'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_savedpreview_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_savedpreview'))
    )
    with op.batch_alter_table('savedpreview', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_savedpreview_programme_id'), ['programme_id'], unique=False)

    with op.batch_alter_table('importbatch', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_importbatch_kind_valid'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_importbatch_kind_valid'), sa.text(KINDS_AFTER))


def downgrade() -> None:
    op.execute("DELETE FROM importbatch WHERE kind = 'basins'")
    with op.batch_alter_table('importbatch', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_importbatch_kind_valid'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_importbatch_kind_valid'), sa.text(KINDS_BEFORE))

    with op.batch_alter_table('savedpreview', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_savedpreview_programme_id'))
    op.drop_table('savedpreview')

    op.create_table('pendingimport',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('filename', sa.String(length=500), nullable=False),
    sa.Column('rows', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint(KINDS_BEFORE, name=op.f('ck_pendingimport_kind_valid')),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_pendingimport_programme_id_programme'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_pendingimport_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pendingimport'))
    )
    with op.batch_alter_table('pendingimport', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pendingimport_programme_id'), ['programme_id'], unique=False)
