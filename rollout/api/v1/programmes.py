"""Programmes: `GET /api/v1/programmes` (the caller's districts' programmes),
`GET /api/v1/programmes/{id}`, `POST /api/v1/programmes` (district leaders, in one of their
districts), `PATCH /api/v1/programmes/{id}` (optimistic locking: send the `version` last read;
409 with `current_version` when someone changed the programme since; 409 too when the name is
another programme's of the district)."""

from __future__ import annotations


from pydantic import BaseModel
from spectree import Response

from rollout.api import ErrorBody, api_v1, spec
from rollout.api.v1.reference import ConflictBody, api_author, commit_change
from rollout.auth.access import LEADERS, READERS, access
from rollout.auth.scope import programme_in_scope, programme_or_404, scoped_programmes, visible_district_ids
from rollout.core.problems import InvalidChange
from rollout.db import get_session
from rollout.errors import ApiError
from rollout.models import District
from rollout.models.organisation import ProgrammeCreate, ProgrammePublic, ProgrammeUpdate
from rollout.programmes.records import (
    chosen_district, create_programme, programme_public, update_programme, visible_districts,
)

REFUSALS = dict(HTTP_400=ErrorBody, HTTP_403=ErrorBody, HTTP_404=ErrorBody, HTTP_409=ConflictBody, HTTP_422=ErrorBody)


class ProgrammeList(BaseModel):
    programmes: list[ProgrammePublic]


def _district(code: str | None) -> District:
    """The district to create in: 404 when the code is none of the caller's, 400 when the
    caller has several and named none."""
    districts = visible_districts(get_session(), district_ids=visible_district_ids())
    try:
        return chosen_district(districts, code)
    except InvalidChange as refused:
        status = 404 if refused.problems[0].code == "unknown_district" else 400
        raise ApiError(status, str(refused), field="district") from None


@api_v1.get("/programmes")
@access(*READERS)
@spec.validate(resp=Response(HTTP_200=ProgrammeList), tags=["programmes"])
def list_programmes() -> ProgrammeList:
    db = get_session()
    return ProgrammeList(programmes=[programme_public(db, programme) for programme in db.exec(scoped_programmes())])


@api_v1.get("/programmes/<int:programme_id>")
@access(*READERS)
@spec.validate(resp=Response(HTTP_200=ProgrammePublic, HTTP_404=ErrorBody), tags=["programmes"])
def get_programme(programme_id: int) -> ProgrammePublic:
    return programme_public(get_session(), programme_or_404(programme_id))


@api_v1.post("/programmes")
@access(*LEADERS)
@spec.validate(json=ProgrammeCreate, resp=Response(HTTP_201=ProgrammePublic, **REFUSALS), tags=["programmes"])
def post_programme(json: ProgrammeCreate):
    """Create a programme with its cascade settings and priority weights (defaults as documented);
    then add its schools, basins, waves and trainers with `?programme=` its id."""
    db = get_session()
    district = _district(json.district)
    programme = commit_change(lambda: create_programme(db, district=district, data=json, author=api_author()))
    return programme_public(db, programme), 201


@api_v1.patch("/programmes/<int:programme_id>")
@access(*LEADERS)
@programme_in_scope
@spec.validate(json=ProgrammeUpdate, resp=Response(HTTP_200=ProgrammePublic, **REFUSALS), tags=["programmes"])
def patch_programme(programme_id: int, json: ProgrammeUpdate) -> ProgrammePublic:
    """Change the fields sent, if the programme is still at `version`."""
    db = get_session()
    programme = programme_or_404(programme_id)
    commit_change(lambda: update_programme(db, programme=programme, data=json, author=api_author()))
    return programme_public(db, programme)
