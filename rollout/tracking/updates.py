"""Changing one milestone of one school, the same way for the form, the API and uploads.

Concurrent edits are caught by optimistic locking: whoever changes a milestone says which
`version` they started from, and the UPDATE only matches the row while it still has that
version (`WHERE id = … AND version = …`), so the check holds across processes and servers.
The second of two people editing the same milestone gets `VersionConflict` instead of
overwriting the first one's work. Every change adds its audit event to the same transaction.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from rollout.audit import diff
from rollout.core.messages import message
from rollout.core.problems import Problem, describe
from rollout.models import (
    MILESTONE_STATUSES,
    PIX_LEVELS,
    AuditEvent,
    Milestone,
    PixCertification,
    Programme,
    School,
    utcnow,
)
from rollout.core.author import Author
from rollout.models.progress import MILESTONE_ENTITY
from rollout.models.training import PixCertificationRecord
from rollout.tracking.display import MILESTONE_NAMES
from rollout.tracking.schedule import earliest_plausible_date

COUNTED_KINDS = ("teachers_trained", "pix_certified")
PIX_KIND = "pix_certified"
FIELDS = ("status", "actual_on", "count", "note")
NOTE_MAX = 2000


class MilestoneChange(BaseModel):
    """What someone changes on a milestone; fields left out stay as they are.

    `pix` gives teachers certified per Pix+ Édu level (only for `pix_certified`, whose count is
    then their sum). An empty note clears it.
    """

    status: str | None = Field(default=None, description="not_started, in_progress, done or blocked")
    actual_on: date | None = Field(default=None, description="When the milestone was reached (required when done).")
    count: int | None = Field(default=None, ge=0, description="Teachers trained (teachers_trained only).")
    note: str | None = Field(default=None, max_length=NOTE_MAX)
    pix: dict[str, int] | None = Field(default=None, description="Teachers certified per level (pix_certified only).")


class InvalidProgress(ValueError):
    """A change that would leave a milestone in an impossible state; one problem per field."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(describe(problem) for problem in problems))


class VersionConflict(Exception):
    """The milestone changed since the version the change started from.

    Carries what the database holds now (plain values, usable after the session closes) so the
    form can show it beside what the person typed, and the API can return the current version.
    """

    def __init__(self, *, current: Milestone | None, expected: int, last_change: AuditEvent | None) -> None:
        self.current_version = current.version if current else 0
        self.current = snapshot(current, None)
        self.expected = expected
        self.last_actor = last_change.actor if last_change else None
        self.last_at = last_change.at if last_change else None
        super().__init__(conflict_message(self))


def conflict_message(conflict: VersionConflict) -> str:
    """The explanation shown to the person whose change was refused, in their language."""
    versions = {"current": conflict.current_version, "expected": conflict.expected}
    if conflict.last_actor is None or conflict.last_at is None:
        return message("milestone_changed", versions)
    return message("milestone_changed_by", {**versions, "actor": conflict.last_actor,
                                            "day": f"{conflict.last_at:%d/%m/%Y}", "time": f"{conflict.last_at:%H:%M}"})


def pix_counts(session: Session, *, school_id: int) -> dict[str, int]:
    """Teachers certified per Pix+ Édu level at a school (0 for a level with no row)."""
    counts = dict.fromkeys(PIX_LEVELS, 0)
    for row in session.exec(select(PixCertification).where(PixCertification.school_id == school_id)):
        counts[row.level] = row.certified
    return counts


def blank_milestone(*, school_id: int, kind: str) -> Milestone:
    """A milestone the school has no row for yet, shown as not started at version 0 (unsaved)."""
    return Milestone(school_id=school_id, kind=kind, version=0)


def current_milestone(session: Session, *, school_id: int, kind: str) -> Milestone | None:
    """The milestone as the database has it now (not a stale copy from the session)."""
    return session.exec(
        select(Milestone)
        .where(Milestone.school_id == school_id, Milestone.kind == kind)
        .execution_options(populate_existing=True)
    ).first()


def last_change(session: Session, *, milestone_id: int) -> AuditEvent | None:
    """The newest audit event of a milestone (who changed it last, and when)."""
    return session.exec(
        select(AuditEvent)
        .where(AuditEvent.entity == MILESTONE_ENTITY, AuditEvent.entity_id == str(milestone_id))
        .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
    ).first()


def snapshot(milestone: Milestone | None, pix: dict[str, int] | None) -> dict[str, Any]:
    """A milestone's fields (and Pix levels, for the Pix milestone) as compared and audited."""
    state: dict[str, Any] = {
        "status": milestone.status if milestone else "not_started",
        "actual_on": milestone.actual_on if milestone else None,
        "count": milestone.count if milestone else None,
        "note": milestone.note if milestone else None,
    }
    if pix is not None:
        state.update({f"pix_{level}": pix[level] for level in PIX_LEVELS})
    return state


def apply_change(before: dict[str, Any], *, kind: str, change: MilestoneChange) -> dict[str, Any]:
    """The state after `change`: the given fields replace the current ones."""
    given = change.model_fields_set
    after = dict(before)
    for field in FIELDS:
        if field in given:
            after[field] = getattr(change, field)
    if "note" in given:
        after["note"] = (change.note or "").strip() or None
    if kind == PIX_KIND and "pix" in given and change.pix is not None:
        for level, certified in change.pix.items():
            after[f"pix_{level}"] = certified
        after["count"] = sum(after.get(f"pix_{level}") or 0 for level in PIX_LEVELS)
    return after


def check_state(
    state: dict[str, Any],
    *,
    kind: str,
    school: School,
    programme: Programme,
    today: date,
    change: MilestoneChange,
) -> list[Problem]:
    """Every reason why `state` cannot be stored, one Problem per field (column = field name)."""
    problems: list[Problem] = []
    given = change.model_fields_set
    status, actual_on, count = state["status"], state["actual_on"], state["count"]
    if status not in MILESTONE_STATUSES:
        problems.append(Problem("unknown_status", column="status", value=str(status)))
    if status == "done" and actual_on is None:
        problems.append(Problem("done_without_date", column="actual_on"))
    if actual_on is not None:
        earliest = earliest_plausible_date(programme)
        if actual_on < earliest:
            problems.append(Problem("date_before_programme", column="actual_on", value=actual_on.isoformat(),
                                    params={"earliest": f"{earliest:%d/%m/%Y}"}))
        elif actual_on > today:
            problems.append(Problem("date_in_future", column="actual_on", value=actual_on.isoformat(),
                                    params={"today": f"{today:%d/%m/%Y}"}))
    if "count" in given and change.count is not None and kind not in COUNTED_KINDS:
        problems.append(Problem("milestone_not_counted", column="count", value=str(change.count),
                                params={"milestone": MILESTONE_NAMES[kind]}))
    if "pix" in given and change.pix is not None:
        if kind != PIX_KIND:
            problems.append(Problem("pix_only_for_certification", column="pix"))
        for level, certified in change.pix.items():
            if level not in PIX_LEVELS:
                problems.append(Problem("unknown_pix_level", column="pix", value=level))
            elif certified < 0:
                problems.append(Problem("at_least", column=f"pix_{level}", value=str(certified), params={"minimum": 0}))
    if kind == PIX_KIND and "count" in given and change.count is not None and change.count != state["count"]:
        problems.append(Problem("certified_count_is_a_sum", column="count", value=str(change.count),
                                params={"total": state["count"] or 0}))
    elif kind in COUNTED_KINDS and count is not None and count > school.teachers:
        column = "count" if kind != PIX_KIND else "pix"
        problems.append(Problem("more_than_teachers", column=column, value=str(count), params={"teachers": school.teachers}))
    return problems


def update_milestone(
    session: Session,
    *,
    programme: Programme,
    school: School,
    kind: str,
    change: MilestoneChange,
    version: int,
    author: Author,
    today: date,
) -> Milestone:
    """Apply `change` to a school's milestone if it is still at `version` (0: not created yet).

    Raises InvalidProgress (nothing written) or VersionConflict (nothing written). A change that
    changes nothing writes nothing. Does not commit.
    """
    milestone = current_milestone(session, school_id=school.id, kind=kind)
    if (milestone.version if milestone else 0) != version:
        raise _conflict(session, milestone, version)
    pix_before = pix_counts(session, school_id=school.id) if kind == PIX_KIND else None
    before = snapshot(milestone, pix_before)
    after = apply_change(before, kind=kind, change=change)
    problems = check_state(after, kind=kind, school=school, programme=programme, today=today, change=change)
    typed_over = {field for field in diff(before, after) if field != "note"}
    if pix_before is not None and typed_over and _has_certifications(session, school_id=school.id):
        problems.append(Problem("pix_follows_certifications", column="pix"))
    if problems:
        raise InvalidProgress(problems)
    changes = diff(before, after)
    if not changes:
        return milestone if milestone is not None else blank_milestone(school_id=school.id, kind=kind)
    if milestone is None:
        milestone = _create(session, school=school, kind=kind, state=after)
        action = "create"
    else:
        typed = milestone.source != "hand" and any(field in changes for field in ("status", "actual_on", "count"))
        if typed:  # a value derived from records, typed over: typed by hand from now on (until records change)
            changes["source"] = [milestone.source, "hand"]
        _update_if_version(session, milestone=milestone, state=after, version=version, typed=typed)
        action = "update"
    if pix_before is not None:
        _store_pix(session, school_id=school.id, before=pix_before, after=after)
    author.record(session, programme=programme, entity=MILESTONE_ENTITY, entity_id=milestone.id, action=action, changes=changes)
    session.refresh(milestone)
    return milestone


def _has_certifications(session: Session, *, school_id: int) -> bool:
    """Whether the school's Pix+ Édu milestone follows from dated certifications, so that it is
    not typed a second time (`rollout.training.certifications`)."""
    return session.exec(select(PixCertificationRecord.id).where(PixCertificationRecord.school_id == school_id)).first() is not None


def _conflict(session: Session, milestone: Milestone | None, expected: int) -> VersionConflict:
    event = last_change(session, milestone_id=milestone.id) if milestone is not None else None
    return VersionConflict(current=milestone, expected=expected, last_change=event)


def _create(session: Session, *, school: School, kind: str, state: dict[str, Any]) -> Milestone:
    """Insert a milestone the school did not have yet; a concurrent insert is a conflict."""
    milestone = Milestone(school_id=school.id, kind=kind, **{field: state[field] for field in FIELDS})
    try:
        with session.begin_nested():
            session.add(milestone)
    except sa.exc.IntegrityError:
        raise _conflict(session, current_milestone(session, school_id=school.id, kind=kind), 0) from None
    return milestone


def _update_if_version(session: Session, *, milestone: Milestone, state: dict[str, Any], version: int,
                       typed: bool = False) -> None:
    """The UPDATE that holds the lock: it matches no row if someone else changed it meanwhile.
    `typed`: the person typed over a value derived from records, which is theirs from now on."""
    source = {"source": "hand"} if typed else {}
    result = session.execute(
        sa.update(Milestone)
        .where(col(Milestone.id) == milestone.id, col(Milestone.version) == version)
        .values(**{field: state[field] for field in FIELDS}, **source, version=Milestone.version + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise _conflict(session, current_milestone(session, school_id=milestone.school_id, kind=milestone.kind), version)


def _store_pix(session: Session, *, school_id: int, before: dict[str, int], after: dict[str, Any]) -> None:
    for level in PIX_LEVELS:
        certified = after[f"pix_{level}"]
        if certified == before[level]:
            continue
        row = session.get(PixCertification, (school_id, level))
        if row is None:
            session.add(PixCertification(school_id=school_id, level=level, certified=certified))
        else:
            row.certified = certified
            session.add(row)
    session.flush()
