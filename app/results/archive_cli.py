"""``flask archive export <challenge_id> <file.zip>`` and ``flask archive import <file.zip>``."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from app.core.errors import ValidationFailed

archive = AppGroup("archive", help="Export a challenge as an open data package, or import one.")


@archive.command("export")
@click.argument("challenge_id", type=int)
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def archive_export(challenge_id: int, path: Path) -> None:
    """Write a challenge's archive (a .zip data package) to PATH."""
    from app.challenges.access import valid_id
    from app.challenges.models import Challenge
    from app.extensions import db
    from app.results.archive import build_archive

    challenge = db.session.get(Challenge, challenge_id) if valid_id(challenge_id) else None
    if challenge is None:
        click.echo(f"No challenge has the id {challenge_id}.", err=True)
        raise SystemExit(2)
    data = build_archive(challenge)
    try:
        path.write_bytes(data)
    except OSError as error:
        click.echo(f"Could not write {path}: {error.strerror or error}", err=True)
        raise SystemExit(1) from None
    click.echo(f"Challenge {challenge.id} (“{challenge.title}”) exported to {path} ({len(data):,} bytes).")


@archive.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "email", default=None,
              help="E-mail of an administrator recorded as the importer, who becomes an organiser.")
def archive_import(path: Path, email: str | None) -> None:
    """Import the archive at PATH as a new challenge (archived when its results were published)."""
    from sqlalchemy import select

    from app.accounts.models import User
    from app.extensions import db
    from app.results.archive_import import import_archive
    from app.results.archive_package import max_package_bytes

    actor = None
    if email:
        actor = db.session.scalar(select(User).where(User.email_key == email.strip().lower()))
        if actor is None or not actor.is_admin:
            click.echo(f"{email} is not an administrator's account.", err=True)
            raise SystemExit(2)
    with path.open("rb") as handle:
        data = handle.read(max_package_bytes() + 1)
    try:
        challenge = import_archive(data, actor)
    except ValidationFailed as error:
        click.echo(error.message, err=True)
        for where, message in error.fields.items():
            click.echo(f"  {message}" if where == "archive" else f"  {where}: {message}", err=True)
        raise SystemExit(2) from None
    click.echo(f"Imported as challenge {challenge.id} (“{challenge.title}”, {challenge.status}).")
