"""The `world` programme with an adopted baseline: schools in UAI order go to W1, W1, W2, W2,
W3, W3 (W1 runs 2015-09-01 → 2015-12-18, 108 days), every milestone planned.

A module, not a conftest.py: `tests/rollout/test_access.py` imports `conftest` by name, so a
second conftest.py would shadow the root one. Test modules import the fixtures from here.
"""

from __future__ import annotations

from typing import Any, Callable

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from rollout.models import Plan, Programme, School
from rollout.core.author import Author
from rollout.tracking.schedule import apply_baseline

WAVES = ("W1", "W1", "W2", "W2", "W3", "W3")


def _adopt(session: Session, programme: Programme, rows: list[dict[str, Any]], *, author: Author) -> Plan:
    for previous in session.exec(select(Plan).where(Plan.programme_id == programme.id, Plan.is_baseline)):
        previous.is_baseline = False
        session.add(previous)
    session.flush()
    plan = Plan(programme_id=programme.id, name=f"Plan {len(rows)}", status="optimal", scenario={}, is_baseline=True,
                result={"format": "rollout-plan/1", "status": "OPTIMAL", "assignments": rows})
    session.add(plan)
    session.flush()
    apply_baseline(session, programme=programme, plan=plan, author=author)
    return plan


@pytest.fixture
def adopt() -> Callable[..., Plan]:
    """`adopt(session, programme, [{"uai", "wave"}…])` stores a plan as the baseline and applies it."""

    def adopt_plan(session: Session, programme: Programme, rows: list[dict[str, Any]], *,
                   author: Author = Author(actor="direction@test.invalid", channel="form")) -> Plan:
        return _adopt(session, programme, rows, author=author)

    return adopt_plan


@pytest.fixture
def tracked(engine: sa.Engine, world, adopt):
    """`world` with its baseline adopted."""
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        adopt(session, programme, [{"uai": uai, "wave": wave} for uai, wave in zip(sorted(world.uais), WAVES)])
        session.commit()
    return world


@pytest.fixture
def session(engine: sa.Engine):
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def programme(session: Session, tracked) -> Programme:
    return session.get(Programme, tracked.programme_id)


@pytest.fixture
def schools(session: Session, tracked) -> list[School]:
    """The tracked programme's schools in UAI order."""
    return list(session.exec(select(School).where(School.programme_id == tracked.programme_id).order_by(School.uai)))
