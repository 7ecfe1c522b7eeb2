"""The usage API: multipart import with dry_run, 422 listing every invalid row, the report with
the CLI's parameters, the taxonomy; roles and districts as everywhere."""

from __future__ import annotations

import io

from sqlmodel import Session, func, select

from rollout.models import ImportBatch, UsageRecord


def _file(world, *extra: str) -> bytes:
    first, second = world.uais[:2]
    lines = [
        "date,uai,service,profile,visits,visitors",
        f"2016-03-07,{first},Notes,National_ENS,60,8",
        f"2016-03-07,{second},Devoirs,National_ELV,40,30",
        *extra,
    ]
    return ("\n".join(lines) + "\n").encode()


def _post(client, headers, data: bytes, *, dry_run: bool | None = None, query: str = ""):
    form = {"file": (io.BytesIO(data), "usage.csv")}
    if dry_run is not None:
        form["dry_run"] = "true" if dry_run else "false"
    return client.post(f"/api/v1/usage/imports{query}", data=form, headers=headers, content_type="multipart/form-data")


def _count(engine, model) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_import_dry_run_then_for_real_then_idempotent(client, engine, world, token) -> None:
    headers = token("project_manager")
    dry = _post(client, headers, _file(world), dry_run=True)
    assert dry.status_code == 200, dry.text
    assert {key: dry.json[key] for key in ("new", "replaced", "unchanged", "dry_run", "batch_id")} == {
        "new": 2, "replaced": 0, "unchanged": 0, "dry_run": True, "batch_id": None,
    }
    assert _count(engine, UsageRecord) == 0
    created = _post(client, headers, _file(world))
    assert created.status_code == 201 and created.json["new"] == 2 and created.json["batch_id"]
    again = _post(client, headers, _file(world), query=f"?programme={world.programme_id}")
    assert again.status_code == 200, again.text
    assert {key: again.json[key] for key in ("new", "replaced", "unchanged", "dry_run", "batch_id")} == {
        "new": 0, "replaced": 0, "unchanged": 2, "dry_run": False, "batch_id": None,
    }
    assert _count(engine, UsageRecord) == 2 and _count(engine, ImportBatch) == 1


def test_an_invalid_file_answers_422_with_every_problem(client, engine, world, token) -> None:
    response = _post(client, token("district_leader"), _file(world, f"2016-03-07,{world.other_uai},Notes,National_ENS,5,9", "2016-02-30,,Notes,x,1,"))
    assert response.status_code == 422
    body = response.json
    assert body["message"] == "usage.csv: 5 problems, nothing imported" and body["field"] == "file"
    assert [(p["row"], p["column"], p["code"]) for p in body["problems"]] == [
        (4, "uai", "unknown_uai"), (4, "visitors", "more_visitors_than_visits"), (5, "uai", "required"),
        (5, "date", "no_such_day"), (5, "profile", "unknown_profile"),
    ]
    assert body["problems"][1]["reason"] == "plus de visiteurs que de visites (5)"
    english = _post(client, {**token("district_leader"), "Accept-Language": "en"},
                    _file(world, f"2016-03-07,{world.other_uai},Notes,National_ENS,5,9"))
    assert [(p["code"], p["reason"]) for p in english.json["problems"]] == [
        ("unknown_uai", "no school of this programme has this UAI"), ("more_visitors_than_visits", "more visitors than visits (5)")]
    assert _count(engine, UsageRecord) == 0 and _count(engine, ImportBatch) == 0


def test_a_missing_file_and_forbidden_callers(client, world, token) -> None:
    missing = client.post("/api/v1/usage/imports", data={"dry_run": "true"}, headers=token("project_manager"), content_type="multipart/form-data")
    assert missing.status_code == 422 and missing.json["field"] == "file"
    assert _post(client, token("stakeholder"), _file(world)).status_code == 403
    other = _post(client, token("other_leader"), _file(world), query=f"?programme={world.programme_id}")
    assert other.status_code == 404


def test_report_with_the_command_line_parameters(client, world, token) -> None:
    _post(client, token("project_manager"), _file(world))
    headers = token("stakeholder")
    by_category = client.get("/api/v1/usage/report?by=category&from=2016-03&to=2016-03-31", headers=headers)
    assert by_category.status_code == 200, by_category.text
    body = by_category.json
    assert (body["programme_id"], body["by"], body["start"], body["end"]) == (world.programme_id, "category", "2016-03-01", "2016-03-31")
    assert [(row["group"], row["visits"], row["pedagogical_share"]) for row in body["rows"]] == [
        ("pedagogy", 40, 1.0), ("school_life", 60, 0.0),
    ]
    by_school = client.get("/api/v1/usage/report", headers=headers).json["rows"]
    assert sorted(row["group"] for row in by_school) == sorted(world.uais[:2])
    bad = client.get("/api/v1/usage/report?to=mars", headers=headers)
    assert bad.status_code == 422 and bad.json["field"] == "to"
    impossible = client.get("/api/v1/usage/report?from=2016-02-30", headers=headers)
    assert impossible.status_code == 400 and impossible.json["field"] == "from"
    assert client.get("/api/v1/usage/report?by=week", headers=headers).status_code == 422
    assert client.get("/api/v1/usage/report", headers=token("other_leader")).json["rows"] == []


def test_taxonomy_read_by_all_and_changed_by_leaders(client, world, token) -> None:
    _post(client, token("project_manager"), _file(world, f"2016-03-07,{world.uais[0]},Radio,National_ELV,3,1"))
    listed = client.get("/api/v1/usage/taxonomy", headers=token("stakeholder")).json["labels"]
    assert [(line["label"], line["source"]) for line in listed] == [
        ("Radio", "unknown"), ("Notes", "default"), ("Devoirs", "default"),
    ]
    choice = {"category": "resources"}
    assert client.put("/api/v1/usage/taxonomy/radio", json=choice, headers=token("project_manager")).status_code == 403
    changed = client.put("/api/v1/usage/taxonomy/RADIO", json=choice, headers=token("district_leader"))
    assert changed.status_code == 200
    assert changed.json["labels"][-1] == {
        "label": "Radio", "label_key": "radio", "visits": 3, "category": "resources", "source": "override", "default_category": None,
    }
    back = client.put("/api/v1/usage/taxonomy/radio", json={"category": None}, headers=token("district_leader"))
    assert back.json["labels"][0]["source"] == "unknown"
    unseen = client.put("/api/v1/usage/taxonomy/cahier%20multimedia", json={"category": "pedagogy"}, headers=token("district_leader"))
    assert {"label": "cahier multimedia", "source": "override", "visits": 0}.items() <= unseen.json["labels"][-1].items()
