"""Sessions kept on the server, API tokens that expire, and security events in the audit trail.

`usersession` lets sign-out, a password change or a deactivation end a session on every app
host. Tokens already in use get an expiry 90 days after this migration, so no script stops at
once. The audit trail's `action` grows to name security events (sign-ins, refusals…); going
back down deletes those events, which the older vocabulary cannot hold.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 18:40:00
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

OLD_ACTIONS = "action IN ('create', 'update', 'delete')"
NEW_ACTIONS = (
    "action IN ('create', 'update', 'delete', 'sign_in', 'sign_in_failed', 'sign_out', 'sign_out_all', "
    "'password_change', 'token_create', 'token_revoke', 'deactivate', 'activate', 'refused')"
)
EXISTING_TOKENS_LIFETIME = timedelta(days=90)


def upgrade() -> None:
    op.create_table('usersession',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_reason', sa.String(length=16), nullable=True),
    sa.Column('ip', sa.String(length=64), nullable=False),
    sa.Column('user_agent', sa.String(length=200), nullable=False),
    sa.CheckConstraint("ended_reason IN ('sign_out', 'sign_out_all', 'password_change', 'deactivated', 'restore')", name=op.f('ck_usersession_ended_reason_valid')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_usersession_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_usersession')),
    sa.UniqueConstraint('secret_hash', name=op.f('uq_usersession_secret_hash')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('usersession', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_usersession_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('apitoken', schema=None, table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
    apitoken = sa.table('apitoken', sa.column('expires_at', sa.DateTime(timezone=True)))
    op.execute(apitoken.update().values(expires_at=datetime.now(timezone.utc) + EXISTING_TOKENS_LIFETIME))
    with op.batch_alter_table('apitoken', schema=None, table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.alter_column('expires_at', existing_type=sa.DateTime(timezone=True), nullable=False)

    with op.batch_alter_table('auditevent', schema=None, table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_auditevent_action_valid'), type_='check')
        batch_op.alter_column('action', existing_type=sa.String(length=8), type_=sa.String(length=24), existing_nullable=False)
        batch_op.create_check_constraint(batch_op.f('ck_auditevent_action_valid'), sa.text(NEW_ACTIONS))


def downgrade() -> None:
    auditevent = sa.table('auditevent', sa.column('action', sa.String()))
    op.execute(auditevent.delete().where(auditevent.c.action.not_in(('create', 'update', 'delete'))))
    with op.batch_alter_table('auditevent', schema=None, table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_auditevent_action_valid'), type_='check')
        batch_op.alter_column('action', existing_type=sa.String(length=24), type_=sa.String(length=8), existing_nullable=False)
        batch_op.create_check_constraint(batch_op.f('ck_auditevent_action_valid'), sa.text(OLD_ACTIONS))

    with op.batch_alter_table('apitoken', schema=None, table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.drop_column('expires_at')

    with op.batch_alter_table('usersession', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_usersession_user_id'))

    op.drop_table('usersession')
