"""The `rollout` command line: thin wrappers over plain functions that tests call directly.

Errors a user can cause end as one line and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import logging
import secrets
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import click
import sqlalchemy as sa
from flask import Flask
from sqlmodel import Session, select

from planner.cli import plan_cli
from rollout import cache
from rollout.app import create_app
from rollout.auth.accounts import (
    DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS, AccountError, activate_user, create_token, create_user, deactivate_user,
    hash_password, user_by_email,
)
from rollout.backup import BackupError, backup, check_backup, holds_data, restore
from rollout.cli_support import terminal_actor
from rollout.core.author import Author
from rollout.core.terminal import rows_bar
from rollout.datasets import DatasetError, Progress, load_dataset
from rollout.db import get_engine, upgrade, writing
from rollout.models import District, Programme, User
from rollout.planning.replanning_cli import replan_cli
from rollout.planning.scenario import ScenarioDataError
from rollout.programmes.cli import programme_cli
from rollout.scenarios.cli import scenario_cli
from rollout.schools.cli import schools_cli
from rollout.sharing.cli import share_cli
from rollout.tracking.cli import progress_cli
from rollout.training.cli import training_cli
from rollout.usage.cli import usage_cli

DEMO_DATASET = "seine-saint-denis"
DEMO_ACCOUNTS = (
    ("admin@demo.rollout.invalid", "admin", "Administratrice (démo)"),
    ("direction@demo.rollout.invalid", "district_leader", "Direction du projet (démo)"),
    ("chef.projet@demo.rollout.invalid", "project_manager", "Cheffe de projet (démo)"),
    ("partenaire@demo.rollout.invalid", "stakeholder", "Partenaire (démo)"),
)
USER_ERRORS = (AccountError, BackupError, DatasetError, ScenarioDataError)


class RolloutGroup(click.Group):
    """A group that turns the errors users can cause into one clear line."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except USER_ERRORS as error:
            raise click.ClickException(str(error)) from None
        except sa.exc.IntegrityError as error:
            raise click.ClickException(f"the database refused the change: {_one_line(error.orig)}") from None
        except sa.exc.OperationalError as error:
            raise click.ClickException(f"cannot use the database: {_one_line(error.orig)}") from None


def _one_line(error: BaseException | None) -> str:
    """A driver's multi-line message folded into one line."""
    return " ".join(str(error).split())


@contextmanager
def _database() -> Iterator[tuple[Flask, sa.Engine]]:
    """The app and its engine for one command; connections are closed when it ends. Commands
    write what they read while the web app may be writing too: on SQLite their transactions
    begin IMMEDIATE (rollout.db.writing)."""
    app = create_app()
    engine = get_engine(app)
    try:
        yield app, writing(engine)
    finally:
        engine.dispose()


@click.group(cls=RolloutGroup)
@click.version_option(package_name="rollout")
@click.option("-v", "--verbose", is_flag=True, help="Log progress to stderr.")
def main(verbose: bool) -> None:
    """rollout: plan an ENT rollout in training waves and track adoption school by school."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(message)s")


@main.group(cls=RolloutGroup)
def db() -> None:
    """The database: its schema, backups and restores."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Create the database if missing and apply all migrations."""
    with _database() as (app, engine):
        upgrade(engine)
    click.echo(f"database up to date: {_display_url(app)}")


@db.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def db_backup(file: Path) -> None:
    """Write a checked backup of the database to FILE; safe while the app runs (docs/operations.md)."""
    with _database() as (_, engine):
        report = backup(engine, file)
    click.echo(report.summary())


@db.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that holds data without asking.")
def db_restore(file: Path, force: bool) -> None:
    """Replace the database with the backup FILE, keeping a copy of it in the instance folder first."""
    with _database() as (app, engine):
        check_backup(engine, file)
        if holds_data(engine) and not force:
            _confirm_replacing(file)
        report = restore(engine, file, keep_in=app.instance_path)
        if not cache.forget_all(app):
            click.echo("warning: the dashboards' cache (Redis) did not answer: delete its rollout:cache:* keys "
                       "before the app serves the restored data (docs/deployment.md)", err=True)
    click.echo(report.summary())


def _confirm_replacing(file: Path) -> None:
    """Ask at a terminal; elsewhere (a script, cron) refuse: what people entered is never
    replaced unless someone said so."""
    if not sys.stdin.isatty():
        raise click.ClickException("the database holds data: add --force to replace it with the backup (a copy of it is kept first)")
    click.confirm(f"The database holds data. Replace it with {file}? (a copy of it is kept first)", abort=True)


@main.group(cls=RolloutGroup)
def fixtures() -> None:
    """Shipped datasets built from the national collège file."""


def _shipped_dataset(ctx: click.Context, param: click.Parameter, key: str) -> str:
    """The `--dataset` key, checked when the command runs: the application reaches the demo's
    fixtures only through its loader and the commands that load them (tests/test_layering.py)."""
    from fixtures.datasets import DATASETS

    if key not in DATASETS:
        raise click.BadParameter(f"{key!r} is not one of {', '.join(sorted(DATASETS))}")
    return key


USAGE_PERIODS = {"weekly": "week", "daily": "day"}


@fixtures.command("load")
@click.option("--dataset", default=DEMO_DATASET, show_default=True, callback=_shipped_dataset,
              help="A shipped dataset's name (a wrong one lists them).")
@click.option(
    "--history/--no-history",
    default=None,
    help="Include the simulated progress and usage (default: only the demo has it).",
)
@click.option("--usage", type=click.Choice(sorted(USAGE_PERIODS)), default="weekly", show_default=True,
              help="Simulated usage per week, or per day (about 1.8 million rows for the demo, to measure reports).")
def fixtures_load(dataset: str, history: bool | None, usage: str) -> None:
    """Load a dataset as a new programme (migrating the database first)."""
    with _database() as (_, engine):
        upgrade(engine)
        started = time.perf_counter()
        with rows_bar("usage rows written") as progress:  # on a terminal only, nothing in logs or pipes
            programme = load_dataset_committed(engine, dataset, with_history=history, usage=USAGE_PERIODS[usage],
                                               progress=progress)
    click.echo(f"loaded {programme.name} in {time.perf_counter() - started:.1f} s")


def load_dataset_committed(engine: sa.Engine, key: str, *, with_history: bool | None = None, usage: str = "week",
                           progress: Progress | None = None) -> Programme:
    """Load a dataset in one transaction: all of it, or nothing."""
    from fixtures.datasets import build_dataset

    with Session(engine, expire_on_commit=False) as session:
        programme = load_dataset(session, build_dataset(key), with_history=with_history, usage=usage, progress=progress)
        session.commit()
        return programme


@main.group(cls=RolloutGroup)
def districts() -> None:
    """Districts (the organisations that run rollouts)."""


@districts.command("create")
@click.argument("code")
@click.argument("name")
def districts_create(code: str, name: str) -> None:
    """Create a district, e.g. `rollout districts create 093 "Seine-Saint-Denis"`."""
    with _database() as (_, engine), Session(engine) as session:
        if session.exec(select(District).where(District.code == code)).first():
            raise click.ClickException(f"district {code} already exists")
        session.add(District(code=code, name=name))
        session.commit()
    click.echo(f"district {code} created")


@main.group(cls=RolloutGroup)
def users() -> None:
    """User accounts."""


@users.command("create")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice(["admin", "district_leader", "project_manager", "stakeholder"]))
@click.option("--district", "district_codes", multiple=True, help="District code; repeat for several.")
@click.option("--name", "display_name", default=None, help="Name shown in the interface.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_create(email: str, role: str, district_codes: tuple[str, ...], display_name: str | None, password_stdin: bool) -> None:
    """Create an account; the password is prompted (or read from stdin), never an argument."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with _database() as (_, engine), Session(engine) as session:
        create_user(session, email=email, password=password, role=role, district_codes=district_codes, display_name=display_name)
        session.commit()
    click.echo(f"user {email.strip().lower()} created ({role})")


@users.command("deactivate")
@click.argument("email")
def users_deactivate(email: str) -> None:
    """Stop an account from signing in: its sessions end, its API tokens are refused until it is reactivated."""
    with _database() as (_, engine), Session(engine) as session:
        user = user_by_email(session, email)
        deactivate_user(session, user=user, author=_terminal_author())
        session.commit()
    click.echo(f"user {email.strip().lower()} deactivated")


@users.command("activate")
@click.argument("email")
def users_activate(email: str) -> None:
    """Let a deactivated account sign in again (its unexpired, unrevoked API tokens work again)."""
    with _database() as (_, engine), Session(engine) as session:
        user = user_by_email(session, email)
        activate_user(session, user=user, author=_terminal_author())
        session.commit()
    click.echo(f"user {email.strip().lower()} activated")


def _terminal_author() -> Author:
    """The person at the terminal, as the author of a change to an account or a token."""
    return Author(actor=terminal_actor(), channel="cli")


@main.group(cls=RolloutGroup)
def tokens() -> None:
    """API tokens."""


@tokens.command("create")
@click.option("--email", required=True)
@click.option("--name", default="API", show_default=True, help="What the token is for.")
@click.option("--days", default=DEFAULT_TOKEN_DAYS, show_default=True, type=click.IntRange(1, MAX_TOKEN_DAYS),
              help="Days until it expires.")
def tokens_create(email: str, name: str, days: int) -> None:
    """Create an API token and print it once: it is stored only as a digest."""
    with _database() as (_, engine), Session(engine) as session:
        token = create_token(session, email=email, name=name, days=days, author=_terminal_author())
        session.commit()
    click.echo(token)


@main.command()
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1),
              help="Tasks run at once, each in a process of its own.")
@click.option("--import", "extra_modules", multiple=True, metavar="MODULE",
              help="Also import MODULE's tasks (repeatable), beside rollout's own.")
def worker(workers: int, extra_modules: tuple[str, ...]) -> None:
    """Run the task queue's consumer (docs/queue.md) until SIGTERM or Ctrl+C; it logs to stderr."""
    from rollout.queue import run_worker

    run_worker(workers=workers, extra_modules=extra_modules)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
def demo(host: str, port: int, workers: int) -> None:
    """Create and migrate the database, load the demo if empty, print the accounts, and serve
    beside one queue worker (plans are solved there)."""
    app = create_app()
    prepare_demo(app, echo=click.echo)
    get_engine(app).dispose()  # gunicorn's and the worker's processes open their own
    click.echo(f"rollout is served on http://{host}:{port}/ (Ctrl+C to stop)")
    from rollout.serve import serve_with_worker

    sys.exit(serve_with_worker(host=host, port=port, workers=workers))


def prepare_demo(app: Flask, *, echo: Any = print) -> dict[str, str]:
    """Everything `rollout demo` does before serving; returns the demo passwords by email.

    The demo accounts get new random passwords at every start: nothing guessable is ever
    shipped, and the person at the terminal always has working credentials.
    """
    engine = get_engine(app)
    upgrade(engine)
    echo(f"database: {_display_url(app)}")
    with Session(engine) as session:
        empty = session.exec(select(Programme.id)).first() is None
    if empty:
        echo("loading the Seine-Saint-Denis demo (real collèges, simulated progress and usage)…")
        started = time.perf_counter()
        load_dataset_committed(engine, DEMO_DATASET)
        echo(f"demo loaded in {time.perf_counter() - started:.1f} s")
    passwords = reset_demo_accounts(engine)
    echo("demo accounts (passwords are new at every start):")
    for email, role, _ in DEMO_ACCOUNTS:
        echo(f"  {role:<16} {email:<36} {passwords[email]}")
    return passwords


def reset_demo_accounts(engine: sa.Engine) -> dict[str, str]:
    """Create the demo accounts if missing and give each a fresh random password."""
    from fixtures.datasets import DEMO_DISTRICT_CODE

    passwords = {}
    with Session(engine) as session:
        demo_district = session.exec(select(District).where(District.code == DEMO_DISTRICT_CODE)).first()
        codes = [demo_district.code] if demo_district else []
        for email, role, display_name in DEMO_ACCOUNTS:
            password = secrets.token_urlsafe(12)
            passwords[email] = password
            user = session.exec(select(User).where(User.email == email)).first()
            if user is None:
                create_user(session, email=email, password=password, role=role,
                            district_codes=[] if role == "admin" else codes, display_name=display_name)
            else:
                user.password_hash = hash_password(password)
                session.add(user)
        session.commit()
    return passwords


def _display_url(app: Flask) -> str:
    """The database URL without its password, for messages."""
    return sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URL"]).render_as_string(hide_password=True)


main.add_command(plan_cli, "plan")
main.add_command(replan_cli)
main.add_command(programme_cli)
main.add_command(scenario_cli)
main.add_command(schools_cli)
main.add_command(usage_cli)
main.add_command(training_cli)
main.add_command(progress_cli)
main.add_command(share_cli)
