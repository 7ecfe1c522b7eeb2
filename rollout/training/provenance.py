"""Where a milestone's date came from, as its page says it: typed by hand, or derived from a
number of held sessions, or from the school's dated certifications (`rollout.training.milestones`)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlmodel import Session

from rollout.models import Milestone, Programme, School
from rollout.training.milestones import SESSION_MILESTONES, held_sessions


def milestone_sources(session: Session, *, programme: Programme, school: School, milestones: list[Milestone]) -> dict[str, str]:
    """For each of the school's milestones with a date or a source other than hand, where it came from."""
    held = held_sessions(session, programme_id=programme.id, school_ids=[school.id])
    sources: dict[str, str] = {}
    for milestone in milestones:
        if milestone.source == "sessions" and milestone.kind in SESSION_MILESTONES:
            found = held.get((school.id, SESSION_MILESTONES[milestone.kind]))
            count = len(found.dates) if found else 0
            sources[milestone.kind] = ngettext("d'après %(num)d séance réalisée", "d'après %(num)d séances réalisées", count)
        elif milestone.source == "certifications":
            sources[milestone.kind] = _("d'après les certifications")
        elif milestone.actual_on is not None or milestone.count is not None:
            sources[milestone.kind] = _("saisi à la main")
    return sources
