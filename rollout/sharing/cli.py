"""`rollout share create|list|revoke`: share links from the command line, for a deployer who
prepares one before a meeting or cuts one off at night. Thin wrappers over `links`."""

from __future__ import annotations

import click
from sqlmodel import Session

from rollout.cli_support import choose_programme, command_session, programme_option, terminal_actor
from rollout.core.author import Author
from rollout.models import Programme, ShareLink, utcnow
from rollout.sharing import links


@click.group("share")
def share_cli() -> None:
    """Read-only links to a programme's dashboards, for people without an account."""


def _author() -> Author:
    return Author(actor=terminal_actor(), channel="cli")


@share_cli.command("create")
@click.option("--label", required=True, help="What the link is for, e.g. a meeting and its date.")
@click.option("--days", default=links.DEFAULT_DAYS, show_default=True, type=click.IntRange(1, links.MAX_DAYS),
              help="Days until it expires.")
@programme_option
@click.option("--base-url", default="", help="The site's address, printed before /partage/… (e.g. https://rollout.example).")
def create_command(label: str, days: int, programme_id: int | None, base_url: str) -> None:
    """Create a link and print its address once: only a digest of its secret is stored."""
    with command_session() as session:
        programme = choose_programme(session, programme_id)
        try:
            _link, secret = links.create_link(session, programme=programme, label=label, days=days, author=_author())
        except links.ShareLinkError as error:
            raise click.ClickException(str(error)) from None
        session.commit()
    click.echo(f"{base_url.rstrip('/')}/partage/{secret}")


@share_cli.command("list")
@programme_option
def list_command(programme_id: int | None) -> None:
    """One line per link, newest first: id, status, expiry, last use, label."""
    now = utcnow()
    with command_session() as session:
        rows = links.programme_links(session, programme=choose_programme(session, programme_id))
    for link, _creator in rows:
        used = link.last_used_at.isoformat(timespec="minutes") if link.last_used_at else "never used"
        click.echo(f"{link.id}\t{links.status(link, now)}\t{link.expires_at.isoformat(timespec='minutes')}\t{used}\t{link.label}")


@share_cli.command("revoke")
@click.argument("link_id", type=int)
def revoke_command(link_id: int) -> None:
    """Revoke a link: its address answers 404 from now on."""
    with command_session() as session:
        link = session.get(ShareLink, link_id)
        if link is None:
            raise click.ClickException(f"no share link with id {link_id}")
        revoked = links.revoke_link(session, link=link, programme=_programme(session, link), author=_author())
        session.commit()
    click.echo(f"share link {link_id} revoked" if revoked else f"share link {link_id} was already revoked")


def _programme(session: Session, link: ShareLink) -> Programme:
    programme = session.get(Programme, link.programme_id)
    assert programme is not None  # the foreign key deletes links with their programme
    return programme
