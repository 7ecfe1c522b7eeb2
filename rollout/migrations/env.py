"""Alembic environment: runs on the connection handed over by `rollout.db.upgrade`."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import rollout.models  # noqa: F401  (registers every table on the metadata)

target_metadata = SQLModel.metadata


def run_migrations() -> None:
    connection = context.config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        compare_server_default=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("Offline (SQL script) migrations are not supported; use `rollout db upgrade`.")
run_migrations()
