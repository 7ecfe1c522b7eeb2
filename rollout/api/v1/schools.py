"""Schools: `GET /api/v1/schools`, `GET /api/v1/schools/{uai}`."""

from __future__ import annotations

from pydantic import BaseModel
from spectree import Response
from sqlmodel import col, select

from rollout.api import ErrorBody, Id, api_v1, spec
from rollout.auth.access import READERS, access
from rollout.auth.scope import school_or_404, single_programme_or_404
from rollout.db import get_session
from rollout.models import Basin, School, SchoolPublic, Wave


class SchoolQuery(BaseModel):
    """`programme` may be left out when the caller sees a single programme."""

    programme: Id | None = None
    basin: str | None = None


class SchoolList(BaseModel):
    programme_id: int
    schools: list[SchoolPublic]


def school_public(school: School, basins: dict[int, str], waves: dict[int, str]) -> SchoolPublic:
    """The API view of a school, with basin and wave codes instead of internal ids."""
    return SchoolPublic.model_validate(
        {
            **school.model_dump(),
            "basin": basins[school.basin_id],
            "pinned_wave": waves.get(school.pinned_wave_id) if school.pinned_wave_id else None,
            "latest_wave": waves.get(school.latest_wave_id) if school.latest_wave_id else None,
        }
    )


def _codes(programme_id: int) -> tuple[dict[int, str], dict[int, str]]:
    db = get_session()
    basins = dict(db.exec(select(Basin.id, Basin.code).where(Basin.programme_id == programme_id)).all())
    waves = dict(db.exec(select(Wave.id, Wave.code).where(Wave.programme_id == programme_id)).all())
    return basins, waves


@api_v1.get("/schools")
@access(*READERS)
@spec.validate(query=SchoolQuery, resp=Response(HTTP_200=SchoolList, HTTP_400=ErrorBody, HTTP_404=ErrorBody), tags=["schools"])
def list_schools(query: SchoolQuery) -> SchoolList:
    programme = single_programme_or_404(query.programme)
    basins, waves = _codes(programme.id)
    statement = select(School).where(School.programme_id == programme.id).order_by(col(School.uai))
    if query.basin is not None:
        statement = statement.join(Basin, Basin.id == School.basin_id).where(Basin.code == query.basin)
    schools = get_session().exec(statement).all()
    return SchoolList(programme_id=programme.id, schools=[school_public(s, basins, waves) for s in schools])


@api_v1.get("/schools/<uai>")
@access(*READERS)
@spec.validate(query=SchoolQuery, resp=Response(HTTP_200=SchoolPublic, HTTP_400=ErrorBody, HTTP_404=ErrorBody), tags=["schools"])
def get_school(uai: str, query: SchoolQuery) -> SchoolPublic:
    programme = single_programme_or_404(query.programme)
    school = school_or_404(programme, uai)
    basins, waves = _codes(programme.id)
    return school_public(school, basins, waves)
