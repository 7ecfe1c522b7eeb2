"""Share links: read-only links to one programme's dashboards for people without an account.

`sharelink` stores each link's secret as a SHA-256 digest only. The audit trail's `action`
grows to name a link's creation, use and revocation; going back down deletes those events,
which the older vocabulary cannot hold.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 21:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

OLD_ACTIONS = (
    "action IN ('create', 'update', 'delete', 'sign_in', 'sign_in_failed', 'sign_out', 'sign_out_all', "
    "'password_change', 'token_create', 'token_revoke', 'deactivate', 'activate', 'refused')"
)
SHARE_ACTIONS = ('share_create', 'share_use', 'share_revoke')
NEW_ACTIONS = OLD_ACTIONS[:-1] + ", " + ", ".join(f"'{action}'" for action in SHARE_ACTIONS) + ")"


def _allow_actions(condition: str) -> None:
    with op.batch_alter_table('auditevent', schema=None, table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_auditevent_action_valid'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_auditevent_action_valid'), sa.text(condition))


def upgrade() -> None:
    op.create_table('sharelink',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('length(label) > 0', name=op.f('ck_sharelink_label_not_blank')),
    sa.CheckConstraint('expires_at > created_at', name=op.f('ck_sharelink_expires_after_creation')),
    sa.ForeignKeyConstraint(['created_by'], ['user_account.id'], name=op.f('fk_sharelink_created_by_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_sharelink_programme_id_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sharelink')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_sharelink_token_hash')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('sharelink', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sharelink_programme_id'), ['programme_id'], unique=False)
    _allow_actions(NEW_ACTIONS)


def downgrade() -> None:
    auditevent = sa.table('auditevent', sa.column('action', sa.String()))
    op.execute(auditevent.delete().where(auditevent.c.action.in_(SHARE_ACTIONS)))
    _allow_actions(OLD_ACTIONS)
    with op.batch_alter_table('sharelink', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sharelink_programme_id'))
    op.drop_table('sharelink')
