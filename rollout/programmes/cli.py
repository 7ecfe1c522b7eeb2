"""`rollout programme create|update|show`: a district's programmes from the command line, through
the same domain functions (and the same audit trail, channel "cli") as the pages and the API.

A refused change exits 1 with one line naming the field and the value; nothing is written.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click
from pydantic import ValidationError
from sqlmodel import Session, SQLModel

from rollout.models.base import INT32_MAX
from rollout.cli_support import choose_programme, command_session, terminal_actor
from rollout.core.author import Author
from rollout.core.problems import InvalidChange, describe, problems_of
from rollout.models.organisation import ProgrammeCreate, ProgrammeUpdate
from rollout.programmes.records import (
    chosen_district, create_programme, programme_public, update_programme, visible_districts,
)

DAY = click.DateTime(formats=["%Y-%m-%d", "%d/%m/%Y"])


def _settings_options(command: Any) -> Any:
    """The options `create` and `update` share; an option left out is not sent (the default on
    creation, unchanged on update)."""
    options = [
        click.option("--name", default=None, help="Name, unique in the district."),
        click.option("--platform", default=None, help="The ENT being rolled out."),
        click.option("--previous-platform", default=None, help="The ENT it replaces (empty: none)."),
        click.option("--start", "start_date", type=DAY, default=None, help="Start date (YYYY-MM-DD)."),
        click.option("--teachers-per-session", type=int, default=None, help="Teachers trained in one session."),
        click.option("--trainers-per-session", type=int, default=None, help="Trainers trained in one vendor session."),
        click.option("--schools-per-leadership-session", type=int, default=None,
                     help="Schools whose leadership teams share one session."),
        click.option("--trainer-lag", type=int, default=None,
                     help="Waves between a trainer's training and their first session."),
        click.option("--weight-rep-plus", type=float, default=None, help="Priority weight of REP+ schools."),
        click.option("--weight-rep", type=float, default=None, help="Priority weight of REP schools."),
        click.option("--weight-none", type=float, default=None, help="Priority weight of the other schools."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _given(options: dict[str, Any]) -> dict[str, Any]:
    """The options given, as the models read them (dates as days)."""
    values = {name: value for name, value in options.items() if value is not None}
    if isinstance(values.get("start_date"), datetime):
        values["start_date"] = values["start_date"].date()
    return values


def _validated(model: type[SQLModel], values: dict[str, Any]) -> Any:
    try:
        return model.model_validate(values)
    except ValidationError as error:
        raise click.ClickException("; ".join(describe(problem) for problem in problems_of(error, values))) from None


def _show(session: Session, programme: Any) -> None:
    for name, value in programme_public(session, programme).model_dump(mode="json").items():
        click.echo(f"{name}: {'' if value is None else value}")


def _author() -> Author:
    return Author(actor=terminal_actor(), channel="cli")


@click.group("programme")
def programme_cli() -> None:
    """A district's programmes: create one, change its settings, show them (docs/programmes.md)."""


@programme_cli.command("create")
@click.option("--district", default=None, help="District code (optional when the database has one district).")
@_settings_options
def create(district: str | None, **options: Any) -> None:
    """Create a programme; its schools, waves and trainers are then imported with its id."""
    data = _validated(ProgrammeCreate, _given({**options, "district": district}))
    with command_session() as session:
        try:
            chosen = chosen_district(visible_districts(session, district_ids=None), data.district)
            programme = create_programme(session, district=chosen, data=data, author=_author())
            session.commit()
        except InvalidChange as refused:
            session.rollback()
            raise click.ClickException(str(refused)) from None
        click.echo(f"programme {programme.id} created")
        _show(session, programme)


@programme_cli.command("update")
@click.argument("programme_id", type=int)
@click.option("--version", "version", type=click.IntRange(1, INT32_MAX), default=None,
              help="The version you read (`show`): refused if someone changed the programme since. Default: the current one.")
@_settings_options
def update(programme_id: int, version: int | None, **options: Any) -> None:
    """Change the settings given of programme PROGRAMME_ID."""
    with command_session() as session:
        programme = choose_programme(session, programme_id)
        data = _validated(ProgrammeUpdate, {**_given(options), "version": programme.version if version is None else version})
        try:
            update_programme(session, programme=programme, data=data, author=_author())
            session.commit()
        except InvalidChange as refused:
            session.rollback()
            raise click.ClickException(str(refused)) from None
        click.echo(f"programme {programme.id} updated (version {programme.version})")
        _show(session, programme)


@programme_cli.command("show")
@click.argument("programme_id", type=int, required=False)
def show(programme_id: int | None) -> None:
    """Show a programme's settings (the only programme when none is named)."""
    with command_session() as session:
        _show(session, choose_programme(session, programme_id))
