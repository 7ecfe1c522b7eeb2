"""The `rollout` command line: what it does, and errors as one clear line, never a traceback."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result
from sqlmodel import Session, select
from werkzeug.security import check_password_hash

from planner.checker import check_plan
from rollout.auth.sessions import secret_digest
from rollout.cli import main
from rollout.models import ApiToken, AuditEvent, District, ShareLink, User, UserDistrict

STRONG = "correct horse battery staple"


@pytest.fixture
def rollout(database_url: str, tmp_path, monkeypatch):
    """Run `rollout …` against a fresh database; returns a function taking the arguments."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("ROLLOUT_INSTANCE_PATH", str(tmp_path / "instance"))
    runner = CliRunner()

    def run(*args: str, input: str | None = None) -> Result:
        return runner.invoke(main, list(args), input=input, catch_exceptions=True)

    assert run("db", "upgrade").exit_code == 0
    return run


def _fails_in_one_line(result: Result, message: str) -> None:
    assert result.exit_code != 0
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = result.output.strip().splitlines()
    assert lines[-1].startswith("Error: ") and message in lines[-1], result.output
    assert "Traceback" not in result.output


def _engine(database_url: str) -> sa.Engine:
    return sa.create_engine(database_url.replace("postgresql://", "postgresql+psycopg://"))


def test_districts_users_and_tokens(rollout, database_url: str) -> None:
    assert rollout("districts", "create", "093", "Seine-Saint-Denis").exit_code == 0
    result = rollout("users", "create", "--email", "Lea@Example.fr", "--role", "district_leader", "--district", "093", input=f"{STRONG}\n{STRONG}\n")
    assert result.exit_code == 0, result.output
    assert STRONG not in result.output
    token_result = rollout("tokens", "create", "--email", "lea@example.fr")
    assert token_result.exit_code == 0
    token = token_result.output.strip()
    assert token.startswith("rlt_") and len(token) > 40

    engine = _engine(database_url)
    with Session(engine) as session:
        user = session.exec(select(User).where(User.email == "lea@example.fr")).one()
        assert user.password_hash.startswith("scrypt:") and check_password_hash(user.password_hash, STRONG)
        assert [link.district_id for link in session.exec(select(UserDistrict))] == [
            session.exec(select(District.id).where(District.code == "093")).one()
        ]
        stored = session.exec(select(ApiToken)).one()
        assert stored.token_hash == secret_digest(token) and token not in stored.token_hash
    engine.dispose()


def test_password_from_stdin(rollout) -> None:
    result = rollout("users", "create", "--email", "admin@example.fr", "--role", "admin", "--password-stdin", input=STRONG + "\n")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("districts", "create", "093", "Doublon"), None, "district 093 already exists"),
        (("users", "create", "--email", "a@example.fr", "--role", "district_leader", "--district", "093", "--password-stdin"), "short\n", "at least 12 characters"),
        (("users", "create", "--email", "a@example.fr", "--role", "district_leader", "--district", "999", "--password-stdin"), STRONG + "\n", "unknown district 999"),
        (("users", "create", "--email", "a@example.fr", "--role", "stakeholder", "--password-stdin"), STRONG + "\n", "needs at least one district"),
        (("users", "create", "--email", "not-an-email", "--role", "admin", "--password-stdin"), STRONG + "\n", "is not an email address"),
        (("users", "create", "--email", "a@example.fr", "--role", "boss", "--password-stdin"), STRONG + "\n", "Invalid value for '--role'"),
        (("tokens", "create", "--email", "nobody@example.fr"), None, "no user with email nobody@example.fr"),
        (("users", "create", "--email", "a@example.fr", "--role", "admin", "--password-stdin"), "Motdepasse2024\n", "among the most common"),
        (("users", "deactivate", "nobody@example.fr"), None, "no user with email nobody@example.fr"),
        (("users", "activate", "nobody@example.fr"), None, "no user with email nobody@example.fr"),
        (("tokens", "create", "--email", "nobody@example.fr", "--days", "366"), None, "Invalid value for '--days'"),
        (("fixtures", "load", "--dataset", "atlantis"), None, "Invalid value for '--dataset'"),
    ],
)
def test_errors_are_one_clear_line(rollout, args: tuple[str, ...], stdin: str | None, message: str) -> None:
    assert rollout("districts", "create", "093", "Seine-Saint-Denis").exit_code == 0
    _fails_in_one_line(rollout(*args, input=stdin), message)


def test_tokens_expire_after_the_days_asked(rollout, database_url: str) -> None:
    rollout("users", "create", "--email", "a@example.fr", "--role", "admin", "--password-stdin", input=STRONG + "\n")
    assert rollout("tokens", "create", "--email", "a@example.fr", "--days", "30").exit_code == 0
    assert rollout("tokens", "create", "--email", "a@example.fr").exit_code == 0
    engine = _engine(database_url)
    with Session(engine) as session:
        lifetimes = [token.expires_at - token.created_at for token in session.exec(select(ApiToken).order_by(ApiToken.id))]
        creations = session.exec(select(AuditEvent).where(AuditEvent.action == "token_create")).all()
    engine.dispose()
    assert [round(lifetime / timedelta(days=1)) for lifetime in lifetimes] == [30, 90]
    assert [event.channel for event in creations] == ["cli", "cli"]


def test_deactivate_and_activate_an_account(rollout, database_url: str) -> None:
    rollout("users", "create", "--email", "a@example.fr", "--role", "admin", "--password-stdin", input=STRONG + "\n")
    result = rollout("users", "deactivate", "A@example.fr")
    assert result.exit_code == 0 and "user a@example.fr deactivated" in result.output
    engine = _engine(database_url)
    with Session(engine) as session:
        assert not session.exec(select(User)).one().active
    assert rollout("users", "activate", "a@example.fr").exit_code == 0
    with Session(engine) as session:
        assert session.exec(select(User)).one().active
        events = session.exec(select(AuditEvent).where(AuditEvent.entity == "account").order_by(AuditEvent.id)).all()
    engine.dispose()
    assert [(event.action, event.channel) for event in events] == [("deactivate", "cli"), ("activate", "cli")]
    assert all(event.actor.startswith("command line") for event in events)


def test_duplicate_user_is_refused(rollout) -> None:
    args = ("users", "create", "--email", "a@example.fr", "--role", "admin", "--password-stdin")
    assert rollout(*args, input=STRONG + "\n").exit_code == 0
    _fails_in_one_line(rollout(*args, input=STRONG + "\n"), "already exists")


def test_unreachable_database_is_one_line(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody:wrong@127.0.0.1:1/none?connect_timeout=2")
    monkeypatch.setenv("ROLLOUT_INSTANCE_PATH", str(tmp_path))
    result = CliRunner().invoke(main, ["db", "upgrade"])
    _fails_in_one_line(result, "cannot use the database")


def test_rollout_plan_solves_a_scenario_file(tmp_path) -> None:
    scenario = {
        "format": "rollout-scenario/1",
        "name": "deux collèges",
        "waves": [
            {"id": "W1", "start": "2015-09-01", "end": "2015-12-18", "max_schools": 1, "max_pupils": None},
            {"id": "W2", "start": "2016-01-04", "end": "2016-03-31", "max_schools": 1, "max_pupils": None},
        ],
        "schools": [
            {"uai": "0931234L", "name": "A", "basin": "N", "pupils": 300, "teachers": 20, "priority": "none",
             "earliest_wave": None, "latest_wave": None, "pinned_wave": None},
            {"uai": "0930001W", "name": "B", "basin": "N", "pupils": 600, "teachers": 40, "priority": "REP+",
             "earliest_wave": None, "latest_wave": None, "pinned_wave": None},
        ],
        "trainers": [
            {"id": "V-1", "name": "V", "tier": "vendor", "basins": None, "capacity": 2, "capacity_by_wave": {}, "trained": True},
            {"id": "AT-1", "name": "A", "tier": "academic", "basins": ["N"], "capacity": 4, "capacity_by_wave": {}, "trained": True},
        ],
        "cascade": {"teachers_per_session": 15, "trainers_per_session": 8, "schools_per_leadership_session": 2, "trainer_lag": 1},
        "objective": {"priority_weights": {"none": 1, "REP": 1.5, "REP+": 2}},
    }
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(scenario), encoding="utf-8")
    out = tmp_path / "plan.json"
    result = CliRunner().invoke(main, ["plan", str(path), "--out", str(out), "--time-limit", "10"])
    assert result.exit_code == 0, result.output
    plan = json.loads(out.read_text(encoding="utf-8"))
    assert plan["status"] == "OPTIMAL"
    assert {row["uai"]: row["wave"] for row in plan["assignments"]} == {"0930001W": "W1", "0931234L": "W2"}
    assert check_plan(scenario, plan) == []


def test_share_links_from_the_command_line(rollout, database_url: str, world) -> None:
    created = rollout("share", "create", "--label", "Conseil du 12 janvier", "--days", "7", "--programme",
                      str(world.programme_id), "--base-url", "https://rollout.example/")
    assert created.exit_code == 0, created.output
    address = created.output.strip()
    assert address.startswith("https://rollout.example/partage/")
    listed = rollout("share", "list", "--programme", str(world.programme_id))
    link_id, status, _expires, used, label = listed.output.strip().split("\t")
    assert (status, used, label) == ("active", "never used", "Conseil du 12 janvier")
    assert rollout("share", "revoke", link_id).output.strip() == f"share link {link_id} revoked"
    assert rollout("share", "list", "--programme", str(world.programme_id)).output.split("\t")[1] == "revoked"
    _fails_in_one_line(rollout("share", "revoke", "999999"), "no share link with id 999999")
    _fails_in_one_line(rollout("share", "create", "--label", " ", "--programme", str(world.programme_id)), "label")
    engine = _engine(database_url)
    with Session(engine) as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.entity == "sharelink").order_by(AuditEvent.id)).all()
        stored = session.exec(select(ShareLink)).one()
    engine.dispose()
    assert [(event.action, event.channel) for event in events] == [("share_create", "cli"), ("share_revoke", "cli")]
    assert stored.token_hash == secret_digest(address.rsplit("/", 1)[1])
