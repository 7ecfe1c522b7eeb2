"""Rows of different lengths that cover the same days are refused, never added up: in the file,
against what is stored, and against what was stored between a preview and its confirmation;
through the importer, the pages and the API, on both databases."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
import sqlalchemy as sa
from sqlmodel import Session, func, select

from rollout.imports.tabular import TableError
from rollout.models import ImportBatch, Programme, UsageRecord
from rollout.usage.overlaps import period_end
from usage_world import Imported, import_usage_file, usage_world  # noqa: F401  (the fixture)

A, B = "0930001W", "0930002X"
HEADER = "date,uai,service,profile,visits,visitors,period"


def _csv(*lines: str) -> bytes:
    return ("\n".join((HEADER, *lines)) + "\n").encode()


def _import(engine: sa.Engine, programme_id: int, data: bytes) -> Imported:
    with Session(engine) as session:
        summary = import_usage_file(session, session.get(Programme, programme_id), data, "usage.csv")
        session.commit()
        return summary


def _refused(engine: sa.Engine, programme_id: int, data: bytes) -> list[tuple]:
    with pytest.raises(TableError) as raised:
        _import(engine, programme_id, data)
    return [(problem.row, problem.code, dict(problem.params)) for problem in raised.value.problems]


def _stored(engine: sa.Engine) -> list[tuple]:
    with Session(engine) as session:
        return [tuple(row) for row in session.exec(
            select(UsageRecord.period_start, UsageRecord.period, UsageRecord.visits).order_by(UsageRecord.period_start)
        )]


@pytest.mark.parametrize(("start", "period", "end"), [
    (date(2016, 3, 15), "day", date(2016, 3, 15)),
    (date(2016, 2, 29), "week", date(2016, 3, 6)),
    (date(2016, 2, 1), "month", date(2016, 2, 29)),
    (date(2016, 12, 1), "month", date(2016, 12, 31)),
])
def test_the_last_day_a_row_covers(start, period, end) -> None:
    assert period_end(start, period) == end


def test_a_month_and_a_day_of_it_in_one_file_are_refused_naming_both_rows(engine, usage_world) -> None:
    problems = _refused(engine, usage_world.programme_id, _csv(
        f"2016-03,{A},Notes,National_ENS,300,40,month",
        f"2016-03-15,{A},Notes,National_ENS,10,5,day",
        f"2016-03-15,{A},Notes,National_ELV,10,5,day",
    ))
    common = {"count": 1}
    assert problems == [
        (2, "usage_periods_overlap", {**common, "start": "01/03/2016", "end": "31/03/2016", "other": 3,
                                      "other_start": "15/03/2016", "other_end": "15/03/2016"}),
        (3, "usage_periods_overlap", {**common, "start": "15/03/2016", "end": "15/03/2016", "other": 2,
                                      "other_start": "01/03/2016", "other_end": "31/03/2016"}),
    ]
    assert _stored(engine) == []


def test_a_week_across_the_start_of_a_month_overlaps_it(engine, usage_world) -> None:
    with pytest.raises(TableError) as raised:
        _import(engine, usage_world.programme_id, _csv(
            f"2016-02-29,{A},Notes,National_ENS,70,7,week",
            f"2016-03,{A},Notes,National_ENS,300,40,month",
            f"2016-03-08,{A},Notes,National_ENS,10,5,day",
        ))
    assert [(problem.row, problem.params["count"]) for problem in raised.value.problems] == [
        (2, 1), (3, 1), (3, 1), (4, 1),
    ]
    assert ("usage.csv, ligne 4 : du 08/03/2016 au 08/03/2016 : ces jours sont aussi couverts par 1 ligne(s) d'une "
            "autre durée pour le même établissement, service et profil, dont la ligne 3 (du 01/03/2016 au 31/03/2016)") in str(raised.value)


def test_rows_of_other_lengths_on_other_days_or_for_other_services_are_accepted(engine, usage_world) -> None:
    summary = _import(engine, usage_world.programme_id, _csv(
        f"2016-03,{A},Notes,National_ENS,300,40,month",
        f"2016-04-01,{A},Notes,National_ENS,10,5,day",
        f"2016-02-22,{A},Notes,National_ENS,70,7,week",
        f"2016-03-15,{A},Absences,National_ENS,10,5,day",
        f"2016-03-15,{B},Notes,National_ENS,10,5,day",
        f"2016-03-15,{A},Notes,National_ELV,10,5,day",
    ))
    assert summary.new == 6


def test_days_over_a_stored_month_are_refused_and_the_month_stays(engine, usage_world) -> None:
    _import(engine, usage_world.programme_id, _csv(f"2016-03,{A},Notes,National_ENS,300,40,month"))
    problems = _refused(engine, usage_world.programme_id, _csv(
        f"2016-03-14,{A},Notes,National_ENS,10,5,day",
        f"2016-04-01,{A},Notes,National_ENS,10,5,day",
    ))
    assert problems == [(2, "usage_periods_overlap_stored", {
        "uai": A, "service": "Notes", "profile": "National_ENS", "start": "14/03/2016", "end": "14/03/2016",
        "count": 1, "other_start": "01/03/2016", "other_end": "31/03/2016",
    })]
    assert _stored(engine) == [(date(2016, 3, 1), "month", 300)]
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(ImportBatch)).one() == 1


def test_a_month_over_stored_weeks_names_how_many_it_would_add_to(engine, usage_world) -> None:
    _import(engine, usage_world.programme_id, _csv(
        *(f"2016-03-{day:02d},{A},Notes,National_ENS,70,7,week" for day in (7, 14, 21, 28)),
    ))
    problems = _refused(engine, usage_world.programme_id, _csv(f"2016-03,{A},Notes,National_ENS,300,40,month"))
    assert [(row, code, params["count"], params["other_start"]) for row, code, params in problems] == [
        (2, "usage_periods_overlap_stored", 4, "07/03/2016"),
    ]


def test_the_same_length_again_replaces_and_a_stored_row_the_file_replaces_is_no_overlap(engine, usage_world) -> None:
    _import(engine, usage_world.programme_id, _csv(f"2016-03,{A},Notes,National_ENS,300,40,month"))
    again = _import(engine, usage_world.programme_id, _csv(f"2016-03,{A},Notes,National_ENS,320,40,month"))
    assert (again.new, again.replaced, again.unchanged) == (0, 1, 0)
    as_a_day = _import(engine, usage_world.programme_id, _csv(f"2016-03-01,{A},Notes,National_ENS,12,4,day"))
    assert (as_a_day.new, as_a_day.replaced) == (0, 1)
    assert _stored(engine) == [(date(2016, 3, 1), "day", 12)]


def _upload(client, csrf, programme_id: int, data: bytes):
    path = f"/programmes/{programme_id}/usage/import"
    form = {"csrf_token": csrf(client, path), "file": (io.BytesIO(data), "mars.csv")}
    return client.post(path, data=form, content_type="multipart/form-data")


def test_the_page_lists_overlapping_rows_and_a_confirmation_refuses_rows_stored_since(
        client, engine, world, login, csrf) -> None:
    login(client, "project_manager")
    uai = world.uais[0]
    refused = _upload(client, csrf, world.programme_id, _csv(
        f"2016-03,{uai},Notes,National_ENS,300,40,month", f"2016-03-15,{uai},Notes,National_ENS,10,5,day",
    ))
    assert refused.status_code == 422 and "ces jours sont aussi couverts par 1 ligne(s)" in refused.text
    preview = _upload(client, csrf, world.programme_id, _csv(f"2016-03-15,{uai},Notes,National_ENS,10,5,day"))
    assert preview.status_code == 200
    with Session(engine) as session:
        import_usage_file(session, session.get(Programme, world.programme_id),
                          _csv(f"2016-03,{uai},Notes,National_ENS,300,40,month"))
        session.commit()
    pending_id = re.search(r"/imports/(\d+)/confirm", preview.text).group(1)
    confirmed = client.post(f"/programmes/{world.programme_id}/imports/{pending_id}/confirm",
                            data={"csrf_token": csrf(client, f"/programmes/{world.programme_id}/usage/import")})
    assert confirmed.status_code == 409
    assert f"{uai}, Notes, National_ENS, du 15/03/2016 au 15/03/2016" in confirmed.text
    assert _stored(engine) == [(date(2016, 3, 1), "month", 300)]


def test_the_api_answers_422_naming_the_overlapping_rows(client, engine, world, token) -> None:
    uai = world.uais[0]
    data = _csv(f"2016-03,{uai},Notes,National_ENS,300,40,month", f"2016-03-15,{uai},Notes,National_ENS,10,5,day")
    response = client.post("/api/v1/usage/imports", data={"file": (io.BytesIO(data), "usage.csv")},
                           headers=token("project_manager"), content_type="multipart/form-data")
    assert response.status_code == 422
    assert [(p["row"], p["code"]) for p in response.json["problems"]] == [
        (2, "usage_periods_overlap"), (3, "usage_periods_overlap"),
    ]
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(UsageRecord)).one() == 0
