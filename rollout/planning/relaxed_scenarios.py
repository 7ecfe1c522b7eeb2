"""An infeasible plan's suggested relaxation tried as a new what-if scenario.

The new scenario is the plan's own what-if (its named scenario's edits, if it came from one)
followed by the relaxation's edits (`rollout.planning.conflicts.relaxation_edits`): the
relaxation was found on the scenario that was solved, edits included, so applying the two in
that order on the programme's data gives the scenario it relaxes. The programme's own data
is never touched.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlmodel import Session, select

from rollout.core.author import Author
from rollout.models import Plan, Programme
from rollout.models.scenario import Scenario
from rollout.planning.conflicts import relaxation_edits
from rollout.planning.plans import PlanningError
from rollout.scenarios.records import create_scenario

NAME_LENGTH = 200


def relaxed_scenario(session: Session, *, programme: Programme, plan: Plan, author: Author) -> Scenario:
    """Create the what-if that applies `plan`'s suggested relaxation; does not commit."""
    edits = relaxation_edits(plan)
    if plan.programme_id != programme.id:
        raise PlanningError("this plan belongs to another programme")
    if plan.replan is not None or not edits:
        raise PlanningError(_("Ce plan n'a pas de relaxation à essayer."))
    origin = session.get(Scenario, plan.scenario_id) if plan.scenario_id is not None else None
    earlier = list(origin.edits) if origin is not None else []
    description = _("Le plan « %(plan)s » relâché comme le planificateur le suggère (%(num)d modification(s)).",
                    plan=plan.name, num=len(edits))
    return create_scenario(session, programme=programme, name=_free_name(session, programme, plan.name), edits=earlier + edits,
                           author=author, description=description)


def _free_name(session: Session, programme: Programme, plan_name: str) -> str:
    """"<plan> — relâché", numbered when the programme already has a scenario of that name."""
    taken = set(session.exec(select(Scenario.name).where(Scenario.programme_id == programme.id)))
    number = 1
    while True:
        suffix = _(" — relâché") + ("" if number == 1 else f" ({number})")
        name = plan_name[: NAME_LENGTH - len(suffix)] + suffix
        if name not in taken:
            return name
        number += 1
