"""Re-planning from the tracker's records (`rollout.planning.replanning`): the progress document
the milestones and trainers make, a re-plan solved by the worker's `run_plan` keeping the past,
its changes from the baseline on its page, and the page, API and command line that queue it."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from sqlmodel import Session, select

from planner.checker import check_plan
from rollout.cli import main
from rollout.core.author import Author
from rollout.models import AuditEvent, Milestone, Plan, Programme, School, Trainer, Wave
from rollout.planning import tasks
from rollout.planning.plans import PlanningError, adopt_plan
from rollout.planning.replanning import NO_BASELINE, progress_document, queue_replan, replan_changes
from rollout.planning.runs import queue_plan, run_plan
from tests.conftest import WORLD_EMAILS, World

# In the world's calendar: W1 (from 2015-09-01) has begun, W2 (from 2016-01-04) has not.
AS_OF = date(2016, 1, 2)


@pytest.fixture
def enqueued(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The plans handed to the queue, in order, instead of a worker."""
    handed: list[int] = []
    monkeypatch.setattr(tasks, "solve_plan", handed.append)
    return handed


def _leader(world: World) -> Author:
    return Author(actor=WORLD_EMAILS["district_leader"], channel="form", user_id=world.user_ids["district_leader"])


def _adopt_baseline(engine: sa.Engine, world: World) -> dict[str, str]:
    """Solve the programme's data and adopt the plan; returns its wave of each school."""
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        plan_id = queue_plan(session, programme=programme, name="Référence", time_limit=10, author=_leader(world)).id
        session.commit()
    run_plan(engine, plan_id)
    with Session(engine) as session:
        plan = session.get(Plan, plan_id)
        adopt_plan(session, programme=session.get(Programme, world.programme_id), plan=plan, author=_leader(world))
        session.commit()
        return {row["uai"]: row["wave"] for row in plan.result["assignments"]}


def _mark(engine: sa.Engine, uai: str, kind: str, status: str, actual_on: date | None = None) -> None:
    """Record a milestone's status, as the tracker's page or import would."""
    with Session(engine) as session:
        school = session.exec(select(School).where(School.uai == uai)).one()
        milestone = session.exec(select(Milestone).where(Milestone.school_id == school.id, Milestone.kind == kind)).one()
        milestone.status, milestone.actual_on = status, actual_on
        session.add(milestone)
        session.commit()


def _train(engine: sa.Engine, code: str) -> None:
    with Session(engine) as session:
        session.execute(sa.update(Trainer).where(Trainer.code == code).values(trained=True))
        session.commit()


def _in(waves: dict[str, str], wave: str) -> list[str]:
    return sorted(uai for uai, planned in waves.items() if planned == wave)


def _deploying_w1(engine: sa.Engine, world: World) -> tuple[dict[str, str], str, str, str]:
    """The baseline, with its W1 schools live, in progress, and not started."""
    waves = _adopt_baseline(engine, world)
    first = _in(waves, "W1")
    assert len(first) >= 3, waves  # the world's W1 takes three schools (its cap)
    live, started, idle = first[:3]
    _mark(engine, live, "school_live", "done", date(2015, 12, 15))
    _mark(engine, started, "teachers_trained", "in_progress")
    _mark(engine, idle, "leadership_briefed", "done", date(2015, 8, 5))  # briefed only: not deploying
    return waves, live, started, idle


def _move_waves_around_today(engine: sa.Engine, world: World) -> None:
    """W1 under way today, W2 and W3 to come: what a re-plan "from today" needs."""
    today = date.today()
    windows = [(today - timedelta(days=40), today - timedelta(days=5)), (today + timedelta(days=5), today + timedelta(days=40)),
               (today + timedelta(days=50), today + timedelta(days=90))]
    with Session(engine) as session:
        waves = session.exec(select(Wave).where(Wave.programme_id == world.programme_id).order_by(Wave.position)).all()
        for wave, (start, end) in zip(waves, windows):
            wave.start_date, wave.end_date = start, end
            session.add(wave)
        session.commit()


def test_the_progress_document_comes_from_milestones_and_trainers(engine: sa.Engine, world: World) -> None:
    waves, live, started, idle = _deploying_w1(engine, world)
    early = _in(waves, "W2")[0]
    _mark(engine, early, "admins_trained", "done", date(2015, 11, 20))  # started early, in W1
    _train(engine, "AT-002")
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        plan = session.exec(select(Plan).where(Plan.is_baseline)).one()
        document, notes = progress_document(session, programme, plan=plan, as_of=AS_OF)

    assert document["format"] == "rollout-progress/1" and document["as_of"] == "2016-01-02"
    states = {row["uai"]: (row["state"], row["wave"]) for row in document["schools"]}
    assert states[live] == ("live", "W1")
    assert states[started] == ("in_progress", "W1")
    assert states[idle] == ("not_started", "W1")  # a briefing a month ahead is not the wave's work
    assert states[early] == ("in_progress", "W1")
    assert [n for n in notes if early in n] == [f"{early} ({_name(engine, early)}) is deploying but its baseline wave W2 "
                                                "has not begun: taken as deploying in W1"]
    others = set(world.uais) - {live, started, idle, early}
    assert {states[uai] for uai in others} <= {("not_started", waves[uai]) for uai in others}
    assert document["trainers_trained"] == ["AT-001", "AT-002"]  # academics only: vendors are always trained


def _name(engine: sa.Engine, uai: str) -> str:
    with Session(engine) as session:
        return session.exec(select(School.name).where(School.uai == uai)).one()


def test_a_replan_solved_by_the_worker_keeps_deploying_schools_in_their_wave(engine: sa.Engine, world: World) -> None:
    waves, live, started, idle = _deploying_w1(engine, world)
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        base_id = session.exec(select(Plan.id).where(Plan.is_baseline)).one()
        plan = queue_replan(session, programme=programme, name="Replanification", time_limit=10, author=_leader(world), as_of=AS_OF)
        session.commit()
        plan_id = plan.id
        assert plan.status == "queued" and plan.replan["base_plan_id"] == base_id and plan.replan["as_of"] == "2016-01-02"
        assert plan.scenario["replanning"]["begun_waves"] == ["W1"]
        pinned = {school["uai"]: school["pinned_wave"] for school in plan.scenario["schools"]}
        assert pinned[live] == pinned[started] == "W1" and pinned[idle] is None
        event = session.exec(select(AuditEvent).where(AuditEvent.entity == "plan", AuditEvent.entity_id == plan_id)).one()
        assert event.changes["replan_of"] == [None, base_id]

    run_plan(engine, plan_id)
    with Session(engine) as session:
        plan = session.get(Plan, plan_id)
    assert plan.status == "optimal", plan.failure
    assert check_plan(plan.scenario, plan.result) == []
    assigned = {row["uai"]: row["wave"] for row in plan.result["assignments"]}
    assert assigned[live] == assigned[started] == "W1"
    assert assigned[idle] != "W1"  # its wave began without it: planned again in a wave to come
    assert set(assigned) == set(world.uais)
    # The live curve is on the whole plan's scale: it ends on the objective kept.
    assert plan.progress[-1][1] == pytest.approx(plan.objective) and plan.gap == 0

    changes = {change.uai: change for change in replan_changes(plan)}
    assert changes[live].frozen and changes[started].frozen and not changes[idle].frozen
    assert (changes[idle].baseline_wave, changes[idle].new_wave) == ("W1", assigned[idle]) and changes[idle].moved
    assert replan_changes(plan)[0].moved  # the schools that move come first


def test_a_replan_needs_a_baseline_and_a_wave_to_come(engine: sa.Engine, world: World) -> None:
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        with pytest.raises(PlanningError, match=NO_BASELINE):
            queue_replan(session, programme=programme, name="R", time_limit=10, author=_leader(world), as_of=AS_OF)
    _adopt_baseline(engine, world)
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        with pytest.raises(PlanningError, match="every wave has begun by 2016-12-01.*add a wave"):
            queue_replan(session, programme=programme, name="R", time_limit=10, author=_leader(world), as_of=date(2016, 12, 1))
        with pytest.raises(PlanningError, match="time limit"):
            queue_replan(session, programme=programme, name="R", time_limit=601, author=_leader(world), as_of=AS_OF)
        assert [plan.name for plan in session.exec(select(Plan))] == ["Référence"]  # nothing stored


def test_a_leader_replans_from_the_plans_page_and_reads_the_changes(client, world, login, csrf, engine, enqueued) -> None:
    _move_waves_around_today(engine, world)
    page = f"/programmes/{world.programme_id}/plans"
    login(client, "district_leader")
    refused = client.post(f"/programmes/{world.programme_id}/replans",
                          data={"replan_name": "Sans référence", "replan_time_limit": "10", "csrf_token": csrf(client, page)})
    assert refused.status_code == 302 and refused.headers["Location"].endswith(page)
    assert "Replanification impossible : aucun plan n&#39;est adopté comme référence." in client.get(page).text
    assert enqueued == []

    waves = _adopt_baseline(engine, world)
    live = _in(waves, "W1")[0]
    _mark(engine, live, "school_live", "done", date.today() - timedelta(days=6))
    text = client.get(page).text
    assert "Replanifier à partir d'aujourd'hui" in text
    assert 'id="compare-plans"' not in text and 'type="checkbox"' not in text  # one plan: nothing to compare with
    assert client.post(f"/programmes/{world.programme_id}/replans", data={"replan_name": "X", "replan_time_limit": "10"}).status_code == 400
    queued = client.post(f"/programmes/{world.programme_id}/replans",
                         data={"replan_name": "Depuis le suivi", "replan_time_limit": "10", "csrf_token": csrf(client, page)})
    assert queued.status_code == 302
    detail = queued.headers["Location"]
    plan_id = int(re.search(r"/plans/(\d+)$", detail).group(1))
    assert enqueued == [plan_id]
    waiting = client.get(detail).text
    assert f"Replanification à partir du {date.today().isoformat()}" in waiting and "1 établissement(s) figé(s)" in waiting

    run_plan(engine, plan_id)
    text = client.get(detail).text
    table = text[text.index('id="replan-changes-table"'):]
    table = table[:table.index("</table>")]
    assert "Vague du plan de référence" in table and "Nouvelle vague" in table
    row = re.search(rf"<tr[^>]*><td>[^<]*\({live}\)</td><td>W1</td><td>W1</td><td>oui</td></tr>", table)
    assert row, table
    assert table.count("<td>oui</td>") == 1 and table.count("<td>non</td>") == len(world.uais) - 1
    assert 'id="compare-with-baseline"' in text  # the re-plan against the baseline, one click away
    assert 'id="compare-plans"' in client.get(page).text


def test_replanning_is_for_leaders_of_the_programme(client, world, login, csrf, engine, enqueued) -> None:
    _adopt_baseline(engine, world)
    page = f"/programmes/{world.programme_id}/plans"
    login(client, "project_manager")
    assert "Replanifier à partir" not in client.get(page).text
    token = csrf(client, page)
    assert client.post(f"/programmes/{world.programme_id}/replans",
                       data={"replan_name": "R", "replan_time_limit": "10", "csrf_token": token}).status_code == 403
    other = client.application.test_client()
    login(other, "other_leader")
    assert other.post(f"/programmes/{world.programme_id}/replans",
                      data={"replan_name": "R", "replan_time_limit": "10", "csrf_token": csrf(other, "/")}).status_code == 404
    assert enqueued == []


def test_the_api_queues_a_replan_with_202(client, world, token, engine, enqueued) -> None:
    url = f"/api/v1/programmes/{world.programme_id}/replans"
    leader = token("district_leader")
    refused = client.post(url, json={"name": "R", "as_of": AS_OF.isoformat()}, headers=leader)
    assert refused.status_code == 409 and NO_BASELINE in refused.get_json()["message"]
    _adopt_baseline(engine, world)
    created = client.post(url, json={"name": "Par l'API", "time_limit": 10, "as_of": AS_OF.isoformat()}, headers=leader)
    assert created.status_code == 202, created.text
    assert created.get_json() == {"id": enqueued[0], "status": "queued"}
    run_plan(engine, enqueued[0])
    plan = client.get(f"/api/v1/plans/{enqueued[0]}?programme={world.programme_id}", headers=leader).get_json()
    assert plan["status"] == "optimal" and plan["scenario"]["replanning"]["as_of"] == "2016-01-02"
    assert client.post(url, json={"name": "R", "as_of": AS_OF.isoformat()}, headers=token("project_manager")).status_code == 403
    assert client.post(f"/api/v1/programmes/{world.other_programme_id}/replans", json={"name": "R"}, headers=leader).status_code == 404
    assert client.post(url, json={"name": "R", "time_limit": 601}, headers=leader).status_code == 422
    assert len(enqueued) == 1
    document = client.get("/api/openapi.json").get_json()
    assert "202" in document["paths"]["/api/v1/programmes/{programme_id}/replans"]["post"]["responses"]


def test_the_command_line_replans_and_solves_with_wait(engine, world, database_url, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("ROLLOUT_INSTANCE_PATH", str(tmp_path / "instance"))
    runner = CliRunner()
    arguments = ["replan", "--programme", str(world.programme_id), "--name", "En ligne de commande", "--as-of", "2016-01-02",
                 "--time-limit", "10", "--wait"]
    refused = runner.invoke(main, arguments)
    assert refused.exit_code == 1 and NO_BASELINE in refused.output
    _adopt_baseline(engine, world)
    done = runner.invoke(main, arguments)
    assert done.exit_code == 0, done.output
    assert re.search(r"re-plan \d+: optimal, objective", done.output)
    with Session(engine) as session:
        plan = session.exec(select(Plan).where(Plan.name == "En ligne de commande")).one()
        assert plan.status == "optimal" and plan.replan["as_of"] == "2016-01-02"


def test_a_replan_keeps_the_what_if_its_baseline_was_solved_from(engine: sa.Engine, world: World) -> None:
    """A leader who adopted "the last wave takes 7 schools" decided it: the re-plan applies the
    what-if's edits to today's data instead of going back to the programme's own caps."""
    from rollout.scenarios.records import create_scenario, queue_scenario_plan

    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        last = session.exec(select(Wave).where(Wave.programme_id == programme.id).order_by(Wave.position.desc())).first()
        edit = {"kind": "wave_caps", "wave": last.code, "max_schools": 7, "max_pupils": None}
        scenario = create_scenario(session, programme=programme, name="Dernière vague à 7", edits=[edit], author=_leader(world))
        plan_id = queue_scenario_plan(session, programme=programme, scenario=scenario, name="Référence what-if",
                                      time_limit=10, author=_leader(world)).id
        session.commit()
        assert last.max_schools != 7
    run_plan(engine, plan_id)
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        adopt_plan(session, programme=programme, plan=session.get(Plan, plan_id), author=_leader(world))
        replan = queue_replan(session, programme=programme, name="R", time_limit=10, author=_leader(world), as_of=AS_OF)
        caps = {wave["id"]: wave["max_schools"] for wave in replan.scenario["waves"]}
        assert caps[last.code] == 7
        assert session.get(Wave, last.id).max_schools != 7  # the programme's own data is untouched
