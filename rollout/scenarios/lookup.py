"""Finding a scenario the current user may see: its programme first, so that another district's
scenario is a 404 like its programme (`rollout.auth.scope`)."""

from __future__ import annotations

from flask import abort

from rollout.auth.scope import programme_or_404
from rollout.db import get_session
from rollout.models import Programme, Scenario


def scenario_or_404(scenario_id: int, *, programme: Programme | None = None) -> tuple[Programme, Scenario]:
    """The scenario and its programme, if the user may see the programme (and the scenario is of
    `programme` when given); 404 otherwise."""
    scenario = get_session().get(Scenario, scenario_id)
    if scenario is None or (programme is not None and scenario.programme_id != programme.id):
        abort(404)
    return programme or programme_or_404(scenario.programme_id), scenario
