"""Initial schema: districts, programmes, schools, waves, trainers, plans, progress, usage, accounts, audit.

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-23 11:56:34.289330
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('district',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(code) > 0', name=op.f('ck_district_code_not_blank')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_district')),
    sa.UniqueConstraint('code', name=op.f('uq_district_code'))
    )
    op.create_table('user_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('password_hash', sa.String(length=500), nullable=False),
    sa.Column('role', sa.String(length=24), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("role IN ('admin', 'district_leader', 'project_manager', 'stakeholder')", name=op.f('ck_user_account_role_valid')),
    sa.CheckConstraint('email = lower(email)', name=op.f('ck_user_account_email_lower_case')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account')),
    sa.UniqueConstraint('email', name=op.f('uq_user_account_email'))
    )
    op.create_table('apitoken',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_apitoken_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_apitoken')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_apitoken_token_hash'))
    )
    with op.batch_alter_table('apitoken', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_apitoken_user_id'), ['user_id'], unique=False)

    op.create_table('programme',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('platform', sa.String(length=200), nullable=False),
    sa.Column('previous_platform', sa.String(length=200), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('simulated', sa.Boolean(), nullable=False),
    sa.Column('teachers_per_session', sa.Integer(), nullable=False),
    sa.Column('trainers_per_session', sa.Integer(), nullable=False),
    sa.Column('schools_per_leadership_session', sa.Integer(), nullable=False),
    sa.Column('trainer_lag', sa.Integer(), nullable=False),
    sa.Column('weight_none', sa.Float(), nullable=False),
    sa.Column('weight_rep', sa.Float(), nullable=False),
    sa.Column('weight_rep_plus', sa.Float(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('planning', 'deploying', 'completed', 'archived')", name=op.f('ck_programme_status_valid')),
    sa.CheckConstraint('schools_per_leadership_session >= 1', name=op.f('ck_programme_leadership_session_positive')),
    sa.CheckConstraint('teachers_per_session >= 1', name=op.f('ck_programme_teachers_per_session_positive')),
    sa.CheckConstraint('trainer_lag >= 0', name=op.f('ck_programme_trainer_lag_not_negative')),
    sa.CheckConstraint('trainers_per_session >= 1', name=op.f('ck_programme_trainers_per_session_positive')),
    sa.CheckConstraint('weight_none > 0 AND weight_rep > 0 AND weight_rep_plus > 0', name=op.f('ck_programme_weights_positive')),
    sa.ForeignKeyConstraint(['district_id'], ['district.id'], name=op.f('fk_programme_district_id_district'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme')),
    sa.UniqueConstraint('district_id', 'name', name=op.f('uq_programme_district_id_name'))
    )
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_district_id'), ['district_id'], unique=False)

    op.create_table('userdistrict',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['district_id'], ['district.id'], name=op.f('fk_userdistrict_district_id_district'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_userdistrict_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'district_id', name=op.f('pk_userdistrict'))
    )
    op.create_table('basin',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_basin_programme_id_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_basin')),
    sa.UniqueConstraint('programme_id', 'code', name=op.f('uq_basin_programme_id_code'))
    )
    with op.batch_alter_table('basin', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_basin_programme_id'), ['programme_id'], unique=False)

    op.create_table('importbatch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('source', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('rows_new', sa.Integer(), nullable=False),
    sa.Column('rows_replaced', sa.Integer(), nullable=False),
    sa.Column('rows_unchanged', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('usage', 'progress', 'schools', 'trainers', 'waves', 'fixtures')", name=op.f('ck_importbatch_kind_valid')),
    sa.CheckConstraint('rows_new >= 0 AND rows_replaced >= 0 AND rows_unchanged >= 0', name=op.f('ck_importbatch_counts_not_negative')),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_importbatch_programme_id_programme'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_importbatch_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_importbatch'))
    )
    with op.batch_alter_table('importbatch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_importbatch_programme_id'), ['programme_id'], unique=False)

    op.create_table('plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('scenario', sa.JSON(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('objective', sa.Float(), nullable=True),
    sa.Column('bound', sa.Float(), nullable=True),
    sa.Column('is_baseline', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('adopted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('adopted_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('draft', 'queued', 'solving', 'OPTIMAL', 'FEASIBLE', 'INFEASIBLE', 'UNKNOWN', 'failed')", name=op.f('ck_plan_status_valid')),
    sa.ForeignKeyConstraint(['adopted_by_id'], ['user_account.id'], name=op.f('fk_plan_adopted_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_plan_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_plan_programme_id_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan'))
    )
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_programme_id'), ['programme_id'], unique=False)
        batch_op.create_index('uq_plan_one_baseline_per_programme', ['programme_id'], unique=True, sqlite_where=sa.text('is_baseline'), postgresql_where=sa.text('is_baseline'))

    op.create_table('servicecategory',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('label_key', sa.String(length=200), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.CheckConstraint("category IN ('pedagogy', 'resources', 'school_life', 'communication', 'other')", name=op.f('ck_servicecategory_category_valid')),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_servicecategory_programme_id_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_servicecategory')),
    sa.UniqueConstraint('programme_id', 'label_key', name=op.f('uq_servicecategory_programme_id_label_key'))
    )
    with op.batch_alter_table('servicecategory', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_servicecategory_programme_id'), ['programme_id'], unique=False)

    op.create_table('trainer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('tier', sa.String(length=16), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('trained', sa.Boolean(), nullable=False),
    sa.Column('all_basins', sa.Boolean(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.CheckConstraint("tier IN ('vendor', 'academic', 'relay')", name=op.f('ck_trainer_tier_valid')),
    sa.CheckConstraint('capacity >= 0', name=op.f('ck_trainer_capacity_not_negative')),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_trainer_programme_id_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trainer')),
    sa.UniqueConstraint('programme_id', 'code', name=op.f('uq_trainer_programme_id_code'))
    )
    with op.batch_alter_table('trainer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trainer_programme_id'), ['programme_id'], unique=False)

    op.create_table('wave',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('max_schools', sa.Integer(), nullable=True),
    sa.Column('max_pupils', sa.Integer(), nullable=True),
    sa.CheckConstraint('end_date >= start_date', name=op.f('ck_wave_dates_ordered')),
    sa.CheckConstraint('max_pupils IS NULL OR max_pupils >= 0', name=op.f('ck_wave_max_pupils_not_negative')),
    sa.CheckConstraint('max_schools IS NULL OR max_schools >= 0', name=op.f('ck_wave_max_schools_not_negative')),
    sa.CheckConstraint('position >= 0', name=op.f('ck_wave_position_not_negative')),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_wave_programme_id_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wave')),
    sa.UniqueConstraint('programme_id', 'code', name=op.f('uq_wave_programme_id_code')),
    sa.UniqueConstraint('programme_id', 'position', name=op.f('uq_wave_programme_id_position'))
    )
    with op.batch_alter_table('wave', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wave_programme_id'), ['programme_id'], unique=False)

    op.create_table('auditevent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=320), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('import_batch_id', sa.Integer(), nullable=True),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('entity', sa.String(length=32), nullable=False),
    sa.Column('entity_id', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=8), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.CheckConstraint("action IN ('create', 'update', 'delete')", name=op.f('ck_auditevent_action_valid')),
    sa.CheckConstraint("channel IN ('form', 'api', 'import', 'cli', 'system')", name=op.f('ck_auditevent_channel_valid')),
    sa.ForeignKeyConstraint(['district_id'], ['district.id'], name=op.f('fk_auditevent_district_id_district'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['import_batch_id'], ['importbatch.id'], name=op.f('fk_auditevent_import_batch_id_importbatch'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_auditevent_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_auditevent'))
    )
    with op.batch_alter_table('auditevent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_auditevent_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_auditevent_district_id'), ['district_id'], unique=False)
        batch_op.create_index('ix_auditevent_entity', ['entity', 'entity_id'], unique=False)

    op.create_table('school',
    sa.Column('uai', sa.String(length=8), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('commune', sa.String(length=200), nullable=False),
    sa.Column('commune_code', sa.String(length=5), nullable=True),
    sa.Column('pupils', sa.Integer(), nullable=False),
    sa.Column('teachers', sa.Integer(), nullable=False),
    sa.Column('priority', sa.String(length=8), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('equipment_ready_on', sa.Date(), nullable=True),
    sa.Column('previous_platform', sa.String(length=200), nullable=True),
    sa.Column('head_teacher_name', sa.String(length=200), nullable=True),
    sa.Column('head_teacher_email', sa.String(length=320), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('basin_id', sa.Integer(), nullable=False),
    sa.Column('pinned_wave_id', sa.Integer(), nullable=True),
    sa.Column('latest_wave_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("length(uai) = 8 AND substr(uai, 8, 1) = substr('ABCDEFGHJKLMNPRSTUVWXYZ', (CAST(substr(uai, 1, 7) AS INTEGER) % 23) + 1, 1)", name=op.f('ck_school_uai_check_letter')),
    sa.CheckConstraint("priority IN ('none', 'REP', 'REP+')", name=op.f('ck_school_priority_valid')),
    sa.CheckConstraint('latitude IS NULL OR (latitude >= -90 AND latitude <= 90)', name=op.f('ck_school_latitude_range')),
    sa.CheckConstraint('longitude IS NULL OR (longitude >= -180 AND longitude <= 180)', name=op.f('ck_school_longitude_range')),
    sa.CheckConstraint('pupils >= 0', name=op.f('ck_school_pupils_not_negative')),
    sa.CheckConstraint('teachers >= 1', name=op.f('ck_school_teachers_positive')),
    sa.CheckConstraint('version >= 1', name=op.f('ck_school_version_positive')),
    sa.ForeignKeyConstraint(['basin_id'], ['basin.id'], name=op.f('fk_school_basin_id_basin'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['latest_wave_id'], ['wave.id'], name=op.f('fk_school_latest_wave_id_wave'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['pinned_wave_id'], ['wave.id'], name=op.f('fk_school_pinned_wave_id_wave'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_school_programme_id_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_school')),
    sa.UniqueConstraint('programme_id', 'uai', name=op.f('uq_school_programme_id_uai'))
    )
    with op.batch_alter_table('school', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_school_basin_id'), ['basin_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_school_programme_id'), ['programme_id'], unique=False)

    op.create_table('trainerbasin',
    sa.Column('trainer_id', sa.Integer(), nullable=False),
    sa.Column('basin_id', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.CheckConstraint('rank >= 0', name=op.f('ck_trainerbasin_rank_not_negative')),
    sa.ForeignKeyConstraint(['basin_id'], ['basin.id'], name=op.f('fk_trainerbasin_basin_id_basin'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['trainer_id'], ['trainer.id'], name=op.f('fk_trainerbasin_trainer_id_trainer'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('trainer_id', 'basin_id', name=op.f('pk_trainerbasin')),
    sa.UniqueConstraint('trainer_id', 'rank', name=op.f('uq_trainerbasin_trainer_id_rank'))
    )
    op.create_table('trainercapacity',
    sa.Column('trainer_id', sa.Integer(), nullable=False),
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.CheckConstraint('capacity >= 0', name=op.f('ck_trainercapacity_capacity_not_negative')),
    sa.ForeignKeyConstraint(['trainer_id'], ['trainer.id'], name=op.f('fk_trainercapacity_trainer_id_trainer'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['wave_id'], ['wave.id'], name=op.f('fk_trainercapacity_wave_id_wave'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('trainer_id', 'wave_id', name=op.f('pk_trainercapacity'))
    )
    op.create_table('milestone',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('planned_on', sa.Date(), nullable=True),
    sa.Column('actual_on', sa.Date(), nullable=True),
    sa.Column('count', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=2000), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('leadership_briefed', 'admins_trained', 'platform_provisioned', 'teachers_trained', 'school_live', 'relays_active', 'pix_certified')", name=op.f('ck_milestone_kind_valid')),
    sa.CheckConstraint("status <> 'done' OR actual_on IS NOT NULL", name=op.f('ck_milestone_done_has_date')),
    sa.CheckConstraint("status IN ('not_started', 'in_progress', 'done', 'blocked')", name=op.f('ck_milestone_status_valid')),
    sa.CheckConstraint('count IS NULL OR count >= 0', name=op.f('ck_milestone_count_not_negative')),
    sa.CheckConstraint('version >= 1', name=op.f('ck_milestone_version_positive')),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_milestone_school_id_school'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_milestone')),
    sa.UniqueConstraint('school_id', 'kind', name=op.f('uq_milestone_school_id_kind'))
    )
    with op.batch_alter_table('milestone', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_milestone_school_id'), ['school_id'], unique=False)

    op.create_table('pixcertification',
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('certified', sa.Integer(), nullable=False),
    sa.CheckConstraint("level IN ('initie', 'confirme', 'avance', 'expert')", name=op.f('ck_pixcertification_level_valid')),
    sa.CheckConstraint('certified >= 0', name=op.f('ck_pixcertification_certified_not_negative')),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_pixcertification_school_id_school'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('school_id', 'level', name=op.f('pk_pixcertification'))
    )
    op.create_table('usagerecord',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period', sa.String(length=8), nullable=False),
    sa.Column('service', sa.String(length=200), nullable=False),
    sa.Column('profile', sa.String(length=32), nullable=False),
    sa.Column('audience', sa.String(length=8), nullable=False),
    sa.Column('visits', sa.Integer(), nullable=False),
    sa.Column('visitors', sa.Integer(), nullable=True),
    sa.Column('page_views', sa.Integer(), nullable=True),
    sa.Column('import_batch_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("audience IN ('pupil', 'teacher', 'parent', 'staff')", name=op.f('ck_usagerecord_audience_valid')),
    sa.CheckConstraint("period IN ('day', 'week', 'month')", name=op.f('ck_usagerecord_period_valid')),
    sa.CheckConstraint('page_views IS NULL OR page_views >= 0', name=op.f('ck_usagerecord_page_views_not_negative')),
    sa.CheckConstraint('visitors IS NULL OR (visitors >= 0 AND visitors <= visits)', name=op.f('ck_usagerecord_visitors_range')),
    sa.CheckConstraint('visits >= 0', name=op.f('ck_usagerecord_visits_not_negative')),
    sa.ForeignKeyConstraint(['import_batch_id'], ['importbatch.id'], name=op.f('fk_usagerecord_import_batch_id_importbatch'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_usagerecord_school_id_school'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_usagerecord')),
    sa.UniqueConstraint('school_id', 'period_start', 'service', 'profile', name=op.f('uq_usagerecord_school_id_period_start_service_profile'))
    )
    with op.batch_alter_table('usagerecord', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_usagerecord_import_batch_id'), ['import_batch_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('usagerecord', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_usagerecord_import_batch_id'))

    op.drop_table('usagerecord')
    op.drop_table('pixcertification')
    with op.batch_alter_table('milestone', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_milestone_school_id'))

    op.drop_table('milestone')
    op.drop_table('trainercapacity')
    op.drop_table('trainerbasin')
    with op.batch_alter_table('school', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_school_programme_id'))
        batch_op.drop_index(batch_op.f('ix_school_basin_id'))

    op.drop_table('school')
    with op.batch_alter_table('auditevent', schema=None) as batch_op:
        batch_op.drop_index('ix_auditevent_entity')
        batch_op.drop_index(batch_op.f('ix_auditevent_district_id'))
        batch_op.drop_index(batch_op.f('ix_auditevent_at'))

    op.drop_table('auditevent')
    with op.batch_alter_table('wave', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wave_programme_id'))

    op.drop_table('wave')
    with op.batch_alter_table('trainer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trainer_programme_id'))

    op.drop_table('trainer')
    with op.batch_alter_table('servicecategory', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_servicecategory_programme_id'))

    op.drop_table('servicecategory')
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.drop_index('uq_plan_one_baseline_per_programme', sqlite_where=sa.text('is_baseline'), postgresql_where=sa.text('is_baseline'))
        batch_op.drop_index(batch_op.f('ix_plan_programme_id'))

    op.drop_table('plan')
    with op.batch_alter_table('importbatch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_importbatch_programme_id'))

    op.drop_table('importbatch')
    with op.batch_alter_table('basin', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_basin_programme_id'))

    op.drop_table('basin')
    op.drop_table('userdistrict')
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_district_id'))

    op.drop_table('programme')
    with op.batch_alter_table('apitoken', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_apitoken_user_id'))

    op.drop_table('apitoken')
    op.drop_table('user_account')
    op.drop_table('district')

