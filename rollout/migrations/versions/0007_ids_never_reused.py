"""Ids never reused on SQLite: every table whose ids the audit trail names gets AUTOINCREMENT.

Without it SQLite hands the id of the last deleted row to the next insert, so a new school
inherited a deleted school's audit history (another district's people and emails included).
PostgreSQL sequences never go back: nothing to do there. `usagerecord` is left as it is: the
audit trail never names a usage row, and it is the table bulk imports fill.

SQLite can only add AUTOINCREMENT by rebuilding a table (copy, drop, rename), which
`rollout.db.upgrade` runs with foreign keys off so that the drop cascades to nothing.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 18:10:00
"""

from __future__ import annotations

from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

TABLES = (
    'district', 'user_account', 'apitoken', 'loginattempt', 'programme', 'basin', 'importbatch', 'plan',
    'savedpreview', 'servicecategory', 'trainer', 'wave', 'auditevent', 'school', 'milestone',
)


def _rebuild(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != 'sqlite':
        return
    for table in TABLES:
        with op.batch_alter_table(table, recreate='always', table_kwargs={'sqlite_autoincrement': autoincrement}):
            pass


def upgrade() -> None:
    _rebuild(True)


def downgrade() -> None:
    _rebuild(False)
