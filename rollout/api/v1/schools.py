"""Schools: `GET /api/v1/schools` (filter by basin), `GET /api/v1/schools/{uai}`,
`POST /api/v1/schools`, `PATCH /api/v1/schools/{uai}` (optimistic locking: send the `version`
last read; 409 with `current_version` when someone changed the school since)."""

from __future__ import annotations

from pydantic import BaseModel, ValidationError, field_validator
from spectree import Response
from sqlmodel import Field
from sqlmodel import col, select

from rollout.api import ErrorBody, api_v1, spec
from rollout.api.v1.reference import ConflictBody, ProgrammeQuery, api_author, commit_change, school_in_scope
from rollout.auth.access import LEADERS, READERS, access
from rollout.auth.scope import school_or_404, single_programme_or_404
from rollout.db import get_session
from rollout.errors import ApiError
from rollout.core.problems import describe, problems_of
from rollout.models import Basin, Programme, School, SchoolCreate, SchoolPublic
from rollout.models.school import SchoolUpdate
from rollout.schools.records import code_maps, create_school, school_public, update_school


class SchoolCreateRequest(SchoolCreate):
    """The body of `POST /schools`: a school as `SchoolCreate` takes it, except that the UAI's
    check letter, which no JSON schema can express, is verified by the view (400, naming `uai`)."""

    uai: str = Field(schema_extra={"pattern": r"^\s*[0-9]{7}[A-Za-z]\s*$"}, description="7 digits and the check letter.")

    @field_validator("uai", mode="before")
    @classmethod
    def _valid_uai(cls, value: str) -> str:
        return value


class SchoolQuery(ProgrammeQuery):
    basin: str | None = None


class SchoolList(BaseModel):
    programme_id: int
    schools: list[SchoolPublic]


def _public(school: School) -> SchoolPublic:
    basins, waves = code_maps(get_session(), programme=get_session().get(Programme, school.programme_id))
    return school_public(school, basins=basins, waves=waves)


@api_v1.get("/schools")
@access(*READERS)
@spec.validate(query=SchoolQuery, resp=Response(HTTP_200=SchoolList, HTTP_400=ErrorBody, HTTP_404=ErrorBody), tags=["schools"])
def list_schools(query: SchoolQuery) -> SchoolList:
    programme = single_programme_or_404(query.programme)
    basins, waves = code_maps(get_session(), programme=programme)
    statement = select(School).where(School.programme_id == programme.id).order_by(col(School.uai))
    if query.basin is not None:
        statement = statement.join(Basin, Basin.id == School.basin_id).where(Basin.code == query.basin)
    schools = get_session().exec(statement).all()
    return SchoolList(programme_id=programme.id, schools=[school_public(s, basins=basins, waves=waves) for s in schools])


@api_v1.get("/schools/<uai>")
@access(*READERS)
@spec.validate(query=ProgrammeQuery, resp=Response(HTTP_200=SchoolPublic, HTTP_400=ErrorBody, HTTP_404=ErrorBody), tags=["schools"])
def get_school(uai: str, query: ProgrammeQuery) -> SchoolPublic:
    school = school_or_404(single_programme_or_404(query.programme), uai)
    return _public(school)


@api_v1.post("/schools")
@access(*LEADERS)
@spec.validate(
    query=ProgrammeQuery, json=SchoolCreateRequest,
    resp=Response(HTTP_201=SchoolPublic, HTTP_400=ErrorBody, HTTP_403=ErrorBody, HTTP_404=ErrorBody, HTTP_409=ConflictBody, HTTP_422=ErrorBody),
    tags=["schools"],
)
def post_school(query: ProgrammeQuery, json: SchoolCreateRequest):
    """Add a school to the programme (its basin and waves named by code)."""
    programme = single_programme_or_404(query.programme)
    try:
        data = SchoolCreate.model_validate(json.model_dump())
    except ValidationError as error:
        raise ApiError(400, describe(problems_of(error)[0]), field="uai") from None
    school = commit_change(lambda: create_school(get_session(), programme=programme, data=data, author=api_author()))
    return _public(school), 201


@api_v1.patch("/schools/<uai>")
@access(*LEADERS)
@school_in_scope
@spec.validate(
    query=ProgrammeQuery, json=SchoolUpdate,
    resp=Response(HTTP_200=SchoolPublic, HTTP_400=ErrorBody, HTTP_403=ErrorBody, HTTP_404=ErrorBody, HTTP_409=ConflictBody, HTTP_422=ErrorBody),
    tags=["schools"],
)
def patch_school(uai: str, query: ProgrammeQuery, json: SchoolUpdate) -> SchoolPublic:
    """Change the fields sent, if the school is still at `version`."""
    programme = single_programme_or_404(query.programme)
    school = school_or_404(programme, uai)
    commit_change(lambda: update_school(get_session(), programme=programme, school=school, data=json, author=api_author()))
    return _public(school)
