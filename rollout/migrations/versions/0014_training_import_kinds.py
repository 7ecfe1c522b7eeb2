"""Training-delivery imports on the import pipeline, and trainers' calendar feeds audited as such.

Sessions, M@gistère courses and Pix+ Édu certifications are imported like every other file: an
`ImportBatch` per import and a `SavedPreview` kept until confirmed, so both tables' `kind` grows
to name them. The audit trail's `action` grows to name a calendar feed's creation, use and
revocation (until now recorded with the share links' actions). Going back down deletes the rows
the older vocabularies cannot hold: those batches (their rows stay, no longer tied to a batch),
previews and feed events.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 02:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

OLD_KINDS = ('usage', 'progress', 'schools', 'trainers', 'waves', 'basins', 'fixtures')
TRAINING_KINDS = ('sessions', 'courses', 'certifications')
OLD_ACTIONS = (
    'create', 'update', 'delete', 'sign_in', 'sign_in_failed', 'sign_out', 'sign_out_all', 'password_change',
    'token_create', 'token_revoke', 'deactivate', 'activate', 'refused', 'share_create', 'share_use', 'share_revoke',
)
FEED_ACTIONS = ('feed_create', 'feed_use', 'feed_revoke')


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def _allow(table: str, column: str, values: tuple[str, ...]) -> None:
    with op.batch_alter_table(table, schema=None, table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.drop_constraint(batch_op.f(f'ck_{table}_{column}_valid'), type_='check')
        batch_op.create_check_constraint(batch_op.f(f'ck_{table}_{column}_valid'), sa.text(_one_of(column, values)))


def upgrade() -> None:
    for table in ('importbatch', 'savedpreview'):
        _allow(table, 'kind', OLD_KINDS + TRAINING_KINDS)
    _allow('auditevent', 'action', OLD_ACTIONS + FEED_ACTIONS)


def downgrade() -> None:
    auditevent = sa.table('auditevent', sa.column('action', sa.String()))
    op.execute(auditevent.delete().where(auditevent.c.action.in_(FEED_ACTIONS)))
    _allow('auditevent', 'action', OLD_ACTIONS)
    for table in ('savedpreview', 'importbatch'):
        rows = sa.table(table, sa.column('kind', sa.String()))
        op.execute(rows.delete().where(rows.c.kind.in_(TRAINING_KINDS)))
        _allow(table, 'kind', OLD_KINDS)
