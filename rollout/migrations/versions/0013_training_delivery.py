"""Training delivery (issue #13, `../shared/contracts/training.md`): sessions and the trainers
they trained, M@gistère course progress per school (counts only), dated Pix+ Édu
certifications, trainers' private calendar feeds, and where a milestone comes from.

Existing milestones were typed by people: their `source` is `hand`.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 01:33:09
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('trainerfeed',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trainer_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['user_account.id'], name=op.f('fk_trainerfeed_created_by_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['trainer_id'], ['trainer.id'], name=op.f('fk_trainerfeed_trainer_id_trainer'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trainerfeed')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_trainerfeed_token_hash')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('trainerfeed', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trainerfeed_trainer_id'), ['trainer_id'], unique=False)

    op.create_table('coursecompletion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('course', sa.String(length=200), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('completed', sa.Integer(), nullable=False),
    sa.CheckConstraint('completed > 0', name=op.f('ck_coursecompletion_completed_positive')),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_coursecompletion_programme_id_programme'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_coursecompletion_school_id_school'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coursecompletion')),
    sa.UniqueConstraint('programme_id', 'school_id', 'course', 'month', name=op.f('uq_coursecompletion_programme_id_school_id_course_month')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('coursecompletion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coursecompletion_school_id'), ['school_id'], unique=False)

    op.create_table('courseenrolment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('course', sa.String(length=200), nullable=False),
    sa.Column('enrolled', sa.Integer(), nullable=False),
    sa.Column('in_progress', sa.Integer(), nullable=False),
    sa.Column('completed', sa.Integer(), nullable=False),
    sa.Column('exported_on', sa.Date(), nullable=False),
    sa.CheckConstraint('enrolled >= 0 AND in_progress >= 0 AND completed >= 0', name=op.f('ck_courseenrolment_counts_not_negative')),
    sa.CheckConstraint('in_progress + completed <= enrolled', name=op.f('ck_courseenrolment_counts_within_enrolled')),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_courseenrolment_programme_id_programme'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_courseenrolment_school_id_school'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_courseenrolment')),
    sa.UniqueConstraint('programme_id', 'school_id', 'course', name=op.f('uq_courseenrolment_programme_id_school_id_course')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('courseenrolment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_courseenrolment_school_id'), ['school_id'], unique=False)

    op.create_table('pixcertificationrecord',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('certified_on', sa.Date(), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('certified', sa.Integer(), nullable=False),
    sa.CheckConstraint("level IN ('initie', 'confirme', 'avance', 'expert')", name=op.f('ck_pixcertificationrecord_level_valid')),
    sa.CheckConstraint('certified >= 0', name=op.f('ck_pixcertificationrecord_certified_not_negative')),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_pixcertificationrecord_school_id_school'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pixcertificationrecord')),
    sa.UniqueConstraint('school_id', 'certified_on', 'level', name=op.f('uq_pixcertificationrecord_school_id_certified_on_level')),
    sqlite_autoincrement=True
    )
    op.create_table('trainingsession',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('trainer_id', sa.Integer(), nullable=False),
    sa.Column('audience', sa.String(length=16), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=True),
    sa.Column('modality', sa.String(length=16), nullable=False),
    sa.Column('hours', sa.Float(), nullable=False),
    sa.Column('attendees', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reference', sa.String(length=100), nullable=True),
    sa.Column('planned_wave', sa.String(length=32), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("audience IN ('trainers', 'leadership', 'administrators', 'teachers')", name=op.f('ck_trainingsession_audience_valid')),
    sa.CheckConstraint("modality IN ('face_to_face', 'online', 'hybrid')", name=op.f('ck_trainingsession_modality_valid')),
    sa.CheckConstraint("status IN ('held', 'cancelled')", name=op.f('ck_trainingsession_status_valid')),
    sa.CheckConstraint('attendees >= 0', name=op.f('ck_trainingsession_attendees_not_negative')),
    sa.CheckConstraint('hours > 0', name=op.f('ck_trainingsession_hours_positive')),
    sa.CheckConstraint('version >= 1', name=op.f('ck_trainingsession_version_positive')),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_trainingsession_programme_id_programme'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_trainingsession_school_id_school'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['trainer_id'], ['trainer.id'], name=op.f('fk_trainingsession_trainer_id_trainer'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trainingsession')),
    sa.UniqueConstraint('programme_id', 'reference', name=op.f('uq_trainingsession_programme_id_reference')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('trainingsession', schema=None) as batch_op:
        batch_op.create_index('ix_trainingsession_programme_id_held_on', ['programme_id', 'held_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_trainingsession_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_trainingsession_trainer_id'), ['trainer_id'], unique=False)

    op.create_table('trainingtrainee',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('trainer_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['trainingsession.id'], name=op.f('fk_trainingtrainee_session_id_trainingsession'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['trainer_id'], ['trainer.id'], name=op.f('fk_trainingtrainee_trainer_id_trainer'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', 'trainer_id', name=op.f('pk_trainingtrainee'))
    )
    with op.batch_alter_table('trainingtrainee', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trainingtrainee_trainer_id'), ['trainer_id'], unique=False)

    with op.batch_alter_table('milestone', schema=None, table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=16), nullable=False, server_default='hand'))
    with op.batch_alter_table('milestone', schema=None, table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.alter_column('source', server_default=None)
        batch_op.create_check_constraint(batch_op.f('ck_milestone_source_valid'), sa.text("source IN ('hand', 'sessions', 'certifications')"))



def downgrade() -> None:
    with op.batch_alter_table('milestone', schema=None, table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_milestone_source_valid'), type_='check')
        batch_op.drop_column('source')

    with op.batch_alter_table('trainingtrainee', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trainingtrainee_trainer_id'))

    op.drop_table('trainingtrainee')
    with op.batch_alter_table('trainingsession', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trainingsession_trainer_id'))
        batch_op.drop_index(batch_op.f('ix_trainingsession_school_id'))
        batch_op.drop_index('ix_trainingsession_programme_id_held_on')

    op.drop_table('trainingsession')
    op.drop_table('pixcertificationrecord')
    with op.batch_alter_table('courseenrolment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_courseenrolment_school_id'))

    op.drop_table('courseenrolment')
    with op.batch_alter_table('coursecompletion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coursecompletion_school_id'))

    op.drop_table('coursecompletion')
    with op.batch_alter_table('trainerfeed', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trainerfeed_trainer_id'))

    op.drop_table('trainerfeed')
