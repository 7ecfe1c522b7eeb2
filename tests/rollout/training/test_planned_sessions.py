"""The adopted plan's sessions per trainer (`rollout.training.planned`): entries as the plan gives
them, their state against recorded sessions, the slips on the school and trainer pages, and a
planned entry recorded as held in two clicks."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from rollout.core.author import Author
from rollout.models import Plan, Programme, School, Trainer
from rollout.models.training import TrainingSession, TrainingTrainee
from rollout.planning.plans import adopt_plan
from rollout.planning.runs import queue_plan, run_plan
from rollout.training.planned import planned_sessions, slips
from rollout.training.sessions import record_sessions
from tests.conftest import WORLD_EMAILS, World

AUTHOR = Author(actor=WORLD_EMAILS["project_manager"], channel="form")


def adopted_plan(engine: sa.Engine, world: World) -> dict:
    """Solve the world's programme and adopt the plan; its `rollout-plan/1` result."""
    leader = Author(actor=WORLD_EMAILS["district_leader"], channel="form", user_id=world.user_ids["district_leader"])
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        plan_id = queue_plan(session, programme=programme, name="Référence", time_limit=10, author=leader).id
        session.commit()
    run_plan(engine, plan_id)
    with Session(engine) as session:
        plan = session.get(Plan, plan_id)
        adopt_plan(session, programme=session.get(Programme, world.programme_id), plan=plan, author=leader)
        session.commit()
        return plan.result


@pytest.fixture
def plan(engine: sa.Engine, world: World) -> dict:
    return adopted_plan(engine, world)


def _entries(engine: sa.Engine, world: World, code: str | None = None, today: date = date(2026, 1, 1)):
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        trainer = session.exec(select(Trainer).where(Trainer.programme_id == programme.id, Trainer.code == code)).one() if code else None
        return planned_sessions(session, programme=programme, trainer=trainer, today=today)


def _record(engine: sa.Engine, world: World, **row) -> None:
    full = {"hours": 3.0, "attendees": 2, "status": "held", "reference": None, "planned_wave": None, "modality": "face_to_face",
            "uai": None, "trainees": [], **row}
    with Session(engine) as session:
        record_sessions(session, programme=session.get(Programme, world.programme_id), rows=[full], author=AUTHOR,
                        today=date(2026, 1, 1))
        session.commit()


def _wave_dates(engine: sa.Engine, world: World, wave: str) -> tuple[date, date]:
    with Session(engine) as session:
        plan = session.exec(select(Plan).where(Plan.programme_id == world.programme_id, Plan.is_baseline)).one()
        found = next(w for w in plan.scenario["waves"] if w["id"] == wave)
        return date.fromisoformat(found["start"]), date.fromisoformat(found["end"])


def _wave_start(engine: sa.Engine, world: World, wave: str) -> date:
    return _wave_dates(engine, world, wave)[0]


def test_entries_are_the_adopted_plans_sessions(engine: sa.Engine, world: World, plan: dict) -> None:
    entries = _entries(engine, world)
    teachers = {(e.trainer, e.uai, e.wave, e.units) for e in entries if e.audience == "teachers"}
    assert teachers == {(row["trainer"], row["uai"], row["wave"], row["sessions"]) for row in plan["teacher_sessions"]}
    assert sorted((e.trainer, e.wave, e.members) for e in entries if e.audience == "trainers") == sorted(
        (row["vendor"], row["wave"], tuple(row["trainers"])) for row in plan["trainer_training"])
    assert sorted((e.trainer, e.wave, e.members) for e in entries if e.audience == "leadership") == sorted(
        (row["vendor"], row["wave"], tuple(row["schools"])) for row in plan["leadership_training"])
    assert {e.trainer for e in _entries(engine, world, "AT-001")} <= {"AT-001"}
    assert all(e.trainer == "V-1" and e.audience != "teachers" for e in _entries(engine, world, "V-1"))


def test_without_an_adopted_plan_nothing_is_planned(engine: sa.Engine, world: World) -> None:
    assert _entries(engine, world) == []


def test_states_follow_what_was_recorded(engine: sa.Engine, world: World, plan: dict) -> None:
    first, second, *rest = [row for row in plan["teacher_sessions"]]
    start = _wave_start(engine, world, first["wave"])
    for day in range(first["sessions"]):  # every planned session held, matched by the date within the wave
        _record(engine, world, held_on=start + timedelta(days=day), trainer=first["trainer"], audience="teachers", uai=first["uai"])
    _record(engine, world, held_on=_wave_start(engine, world, second["wave"]), trainer=second["trainer"], audience="teachers",
            uai=second["uai"], status="cancelled", planned_wave=second["wave"])
    states = {(e.trainer, e.uai, e.wave): e.state for e in _entries(engine, world) if e.audience == "teachers"}
    assert states[first["trainer"], first["uai"], first["wave"]] == "held"
    assert states[second["trainer"], second["uai"], second["wave"]] == "cancelled"
    assert all(states[row["trainer"], row["uai"], row["wave"]] == "missed" for row in rest)  # every wave ended by 2026
    before = {(e.trainer, e.uai, e.wave): e.state for e in _entries(engine, world, today=date(2015, 8, 1)) if e.audience == "teachers"}
    assert all(before[row["trainer"], row["uai"], row["wave"]] == "pending" for row in rest)


def test_a_session_of_another_wave_or_school_does_not_count(engine: sa.Engine, world: World, plan: dict) -> None:
    entry = plan["teacher_sessions"][0]
    other_wave = next(w for w in ("W1", "W2", "W3") if w != entry["wave"])
    _record(engine, world, held_on=_wave_start(engine, world, other_wave), trainer=entry["trainer"], audience="teachers",
            uai=entry["uai"])
    [found] = [e for e in _entries(engine, world) if e.key == ("teachers", entry["wave"], entry["uai"])]
    assert (found.state, found.held) == ("missed", 0)


def test_a_vendor_session_is_held_with_its_trainers(engine: sa.Engine, world: World, plan: dict) -> None:
    if not plan["trainer_training"]:
        pytest.skip("the plan trains no trainer")
    entry = plan["trainer_training"][0]
    _record(engine, world, held_on=_wave_start(engine, world, entry["wave"]), trainer=entry["vendor"], audience="trainers",
            attendees=len(entry["trainers"]), trainees=entry["trainers"], planned_wave=entry["wave"])
    [found] = [e for e in _entries(engine, world, entry["vendor"]) if e.audience == "trainers" and e.wave == entry["wave"]][:1]
    assert found.state == "held"


def test_slips_show_on_the_school_and_trainer_pages(client, engine: sa.Engine, world: World, plan: dict, login) -> None:
    entry = plan["teacher_sessions"][0]
    day = _wave_start(engine, world, entry["wave"])
    _record(engine, world, held_on=day, trainer=entry["trainer"], audience="teachers", uai=entry["uai"], status="cancelled",
            planned_wave=entry["wave"])
    missed = next(row for row in plan["teacher_sessions"][1:] if row["uai"] != entry["uai"])
    login(client, "stakeholder")  # the school page is everyone's: slips are no personal data
    page = unescape(client.get(f"/programmes/{world.programme_id}/progress/{entry['uai']}").text)
    assert f"Séance annulée le {day:%d/%m/%Y}" in page and "/feeds/" not in page
    other = unescape(client.get(f"/programmes/{world.programme_id}/progress/{missed['uai']}").text)
    assert f"Séance prévue en {missed['wave']} non réalisée" in other
    client.post("/logout", data={})
    login(client, "project_manager")
    trainer_page = unescape(client.get(f"/programmes/{world.programme_id}/training/planned/{entry['trainer']}").text)
    with Session(engine) as session:
        name = session.exec(select(School.name).where(School.uai == entry["uai"])).one()
    assert f"Séance annulée le {day:%d/%m/%Y} — {name} ({entry['uai']})" in trainer_page
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        school = session.exec(select(School).where(School.uai == entry["uai"])).one()
        found = {(slip.kind, slip.audience) for slip in slips(session, programme=programme, school=school, today=date(2026, 1, 1))}
        # the cancelled teachers' session is its slip (not also a missed one); its leadership, never recorded, was missed
        assert found == {("cancelled", "teachers"), ("missed", "leadership")}


def _record_link(page: str) -> str:
    match = re.search(r'<a class="button" href="([^"]+)">Marquer comme réalisée</a>', page)
    assert match, "no « Marquer comme réalisée » button"
    return unescape(match.group(1))


def test_a_planned_entry_is_recorded_as_held_in_two_clicks(client, engine: sa.Engine, world: World, plan: dict, login, csrf) -> None:
    entry = plan["teacher_sessions"][0]
    login(client, "project_manager")
    page = client.get(f"/programmes/{world.programme_id}/training/planned/{entry['trainer']}").text
    link = next(unescape(href) for href in re.findall(r'<a class="button" href="([^"]+)">Marquer comme réalisée</a>', page)
                if f"ref={entry['uai']}" in unescape(href) and f"wave={entry['wave']}" in unescape(href))
    form = client.get(link)  # first click: the prefilled form
    assert form.status_code == 200
    with Session(engine) as session:
        school = session.exec(select(School).where(School.uai == entry["uai"])).one()
        teachers = school.teachers
    fields = dict(re.findall(r'<input[^>]*name="([a-z_]+)"[^>]*value="([^"]*)"', form.text))
    assert fields["attendees"] == str(teachers)
    assert re.search(r'<option selected value="face_to_face">|<option value="face_to_face" selected>', form.text)
    held_on = date.fromisoformat(fields["held_on"])
    assert held_on == _wave_dates(engine, world, entry["wave"])[1]  # today, clamped into a wave that has ended: its last day
    fields["modality"] = "face_to_face"
    response = client.post(link, data=fields)  # second click: confirm
    assert response.status_code == 302, response.text
    with Session(engine) as session:
        [row] = session.exec(select(TrainingSession)).all()
        assert (row.school_id, row.attendees, row.planned_wave, row.status, row.held_on) == (
            school.id, teachers, entry["wave"], "held", held_on)
    [found] = [e for e in _entries(engine, world) if e.key == ("teachers", entry["wave"], entry["uai"])]
    assert found.held == 1


def test_a_refused_recording_shows_why_and_writes_nothing(client, engine: sa.Engine, world: World, plan: dict, login) -> None:
    entry = plan["teacher_sessions"][0]
    login(client, "project_manager")
    page = client.get(f"/programmes/{world.programme_id}/training/planned/{entry['trainer']}").text
    link = _record_link(page)
    fields = dict(re.findall(r'<input[^>]*name="([a-z_]+)"[^>]*value="([^"]*)"', client.get(link).text))
    fields.update(modality="face_to_face", attendees="100000")
    response = client.post(link, data=fields)
    assert response.status_code == 422
    with Session(engine) as session:
        assert session.exec(select(TrainingSession)).all() == [] and session.exec(select(TrainingTrainee)).all() == []


def test_planned_pages_are_for_those_who_record(client, world: World, plan: dict, login) -> None:
    login(client, "stakeholder")
    assert client.get(f"/programmes/{world.programme_id}/training/planned").status_code == 403
    assert client.get(f"/programmes/{world.programme_id}/training/planned/AT-001").status_code == 403
    assert "training/planned" not in client.get(f"/programmes/{world.programme_id}/trainers").text
    client.post("/logout", data={})
    login(client, "other_leader")
    assert client.get(f"/programmes/{world.programme_id}/training/planned/AT-001").status_code == 404
    client.post("/logout", data={})
    login(client, "district_leader")
    listing = client.get(f"/programmes/{world.programme_id}/trainers").text
    assert f"/programmes/{world.programme_id}/training/planned/AT-001" in listing
    index = client.get(f"/programmes/{world.programme_id}/training/planned").text
    assert "AT-001" in index and "V-1" in index
    vendor = unescape(client.get(f"/programmes/{world.programme_id}/training/planned/V-1").text)
    assert "Équipes de direction" in vendor and vendor.count("Marquer comme réalisée") == len(plan["trainer_training"]) + len(
        plan["leadership_training"])  # every wave has ended, none recorded: each can be marked held
    assert client.get(f"/programmes/{world.programme_id}/training/planned/NOPE").status_code == 404


def test_a_leadership_session_is_recorded_for_each_of_its_schools(client, engine: sa.Engine, world: World, plan: dict,
                                                                   login) -> None:
    entry = plan["leadership_training"][0]
    login(client, "district_leader")
    page = client.get(f"/programmes/{world.programme_id}/training/planned/{entry['vendor']}").text
    link = next(unescape(href) for href in re.findall(r'<a class="button" href="([^"]+)">Marquer comme réalisée</a>', page)
                if "audience=leadership" in unescape(href) and f"wave={entry['wave']}" in unescape(href) and "ref=1" in unescape(href))
    form = client.get(link).text
    fields = dict(re.findall(r'<input[^>]*name="([a-z_]+)"[^>]*value="([^"]*)"', form))
    assert fields["attendees"] == "2"  # the head teacher and the IT administrator
    assert client.post(link, data={**fields, "modality": "face_to_face"}).status_code == 302
    with Session(engine) as session:
        rows = session.exec(select(TrainingSession, School.uai).join(School)).all()
        assert sorted(uai for _row, uai in rows) == sorted(entry["schools"])
        assert {(row.audience, row.planned_wave, row.status) for row, _uai in rows} == {("leadership", entry["wave"], "held")}
    [found] = [e for e in _entries(engine, world, entry["vendor"]) if e.key == ("leadership", entry["wave"], "1")]
    assert (found.state, found.held, found.units) == ("held", len(entry["schools"]), len(entry["schools"]))
