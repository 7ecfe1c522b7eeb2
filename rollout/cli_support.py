"""What the feature commands (`rollout progress …`, `rollout usage …`) share: a session on the
configured database, the programme a command works on, the person at the terminal, the
refusal of an invalid file, the one way every `… import FILE` command runs, and the one way a
command hands a queued plan to the worker or solves it itself.

Invalid files exit 2 with every problem on stderr and nothing written: the contract scripts
rely on, the same for every import.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import NoReturn

import click
from sqlmodel import Session, select

from rollout.app import create_app
from rollout.core.author import Author
from rollout.core.problems import Problem
from rollout.core.terminal import rows_bar
from rollout.db import get_engine, writing
from rollout.imports.pipeline import Importer, import_file
from rollout.imports.tabular import TableError
from rollout.models import Plan, Programme

EXIT_INVALID = 2


@contextmanager
def command_session() -> Iterator[Session]:
    """A session on the configured database for one command; connections closed at the end.
    Its SQLite transaction begins IMMEDIATE: an import reads what is stored, then writes the
    difference, while the web app may be writing too (rollout.db._begin_sqlite)."""
    engine = get_engine(create_app())
    try:
        with Session(writing(engine), expire_on_commit=False) as session:
            yield session
    finally:
        engine.dispose()


programme_option = click.option("--programme", "programme_id", type=int, default=None,
                                help="Programme id (optional with one programme).")
"""The option of every command that works on one programme, which `choose_programme` reads."""


def choose_programme(session: Session, programme_id: int | None) -> Programme:
    """The programme a command works on: the one given, or the only one the database holds."""
    if programme_id is not None:
        programme = session.get(Programme, programme_id)
        if programme is None:
            raise click.ClickException(f"no programme with id {programme_id}")
        return programme
    programmes = session.exec(select(Programme).order_by(Programme.id)).all()
    if len(programmes) == 1:
        return programmes[0]
    if not programmes:
        raise click.ClickException("the database holds no programme (load one with `rollout fixtures load`)")
    listed = ", ".join(f"{programme.id} ({programme.name})" for programme in programmes)
    raise click.ClickException(f"the database holds several programmes: choose one with --programme ID among {listed}")


def terminal_actor() -> str:
    """The person at the terminal, for the audit trail."""
    try:
        return f"command line ({getpass.getuser()})"
    except (KeyError, OSError):
        return "command line"


def exit_invalid(filename: str, problems: Sequence[Problem], *, nothing: str) -> NoReturn:
    """List every problem of `filename` on stderr and exit 2; `nothing` says what was not done
    ("written", "imported")."""
    count = len(problems)
    click.echo(f"Error: {filename}: {count} problem{'s' if count > 1 else ''}, nothing {nothing}:", err=True)
    for problem in problems:
        click.echo(f"  {problem.describe(filename)}", err=True)
    raise SystemExit(EXIT_INVALID) from None


def run_import(importer: Importer | Callable[[bytes, str], Importer], file: Path, *, programme_id: int | None,
               dry_run: bool) -> None:
    """`rollout <noun> import FILE`: the pipeline's preview and (unless `dry_run`) its apply,
    all rows or none, committed once; prints the notes and counts, and says when the file
    changes nothing (then nothing is written). `importer` may be chosen from the file (a
    callable of its bytes and name, raising TableError when it cannot): the line then names the
    kind found. Exit 2 with every problem when any row is invalid or the file cannot be read."""
    data = file.read_bytes()
    with command_session() as session:
        programme = choose_programme(session, programme_id)
        try:
            chosen = importer if isinstance(importer, Importer) else importer(data, file.name)
            with rows_bar(f"{file.name}: rows read and checked") as progress:
                preview, batch = import_file(
                    session, importer=chosen, programme=programme, data=data, filename=file.name,
                    author=Author(actor=terminal_actor(), channel="cli"), today=date.today(), dry_run=dry_run,
                    progress=progress,
                )
        except TableError as error:
            session.rollback()
            exit_invalid(file.name, error.problems, nothing="imported")
        if batch is None:
            session.rollback()
        else:
            session.commit()
    for note in preview.notes:
        click.echo(note)
    if preview.ignored_columns:
        click.echo("columns ignored: " + ", ".join(preview.ignored_columns))
    counts = preview.counts if batch is None else {"new": batch.rows_new, "changed": batch.rows_replaced,
                                                   "unchanged": batch.rows_unchanged}
    verb = f"imported as import batch {batch.id}" if batch else "would import" if dry_run else "read"
    rows = sum(counts.values())
    name = file.name if isinstance(importer, Importer) else f"{file.name} ({chosen.kind})"
    line = (f"{name}: {verb} {rows} row{'' if rows == 1 else 's'}: {counts['new']} new, {counts['changed']} {chosen.changed_word}, "
            f"{counts['unchanged']} unchanged")
    if not counts["new"] and not counts["changed"]:
        line += " (nothing changed: every row is already stored" + (")" if dry_run else ", nothing written)")
    click.echo(line)


def import_command(importer: Callable[[], Importer], help: str) -> click.Command:
    """The `import FILE [--dry-run] [--programme ID]` command of a feature's group: one
    declaration for every import, so they all take the same arguments and exit alike."""

    @click.command("import", help=help)
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--dry-run", is_flag=True, help="Preview and count, write nothing.")
    @programme_option
    def command(file: Path, dry_run: bool, programme_id: int | None) -> None:
        run_import(importer(), file, programme_id=programme_id, dry_run=dry_run)

    return command


def queue_or_solve(session: Session, plan: Plan, *, wait: bool, label: str) -> None:
    """Hand the committed, queued `plan` to `rollout worker`, or with `wait` solve it in this
    process (for scripts and machines without a worker); say which, and how it ended."""
    from rollout.planning import tasks
    from rollout.planning.runs import run_plan

    if not wait:
        tasks.start_solve(session, plan)
        click.echo(f"{label} {plan.id} queued: `rollout worker` solves it; follow it on its page or GET /api/v1/plans/{plan.id}")
        return
    run_plan(session.get_bind(), plan.id)
    session.refresh(plan)
    click.echo(f"{label} {plan.id}: {plan.status}" + (f", objective {plan.objective:,.1f}" if plan.objective is not None else "")
               + (f" ({plan.failure})" if plan.failure else ""))
