"""``flask backup <dir>`` and ``flask restore <dir> [--force]`` (see app/core/backup.py)."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from app.core.backup import BackupError, backup, restore


def _size(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return ""  # pragma: no cover


@click.command("backup")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def backup_command(directory: Path) -> None:
    """Write a consistent copy of the database and of UPLOAD_DIR, with a manifest, to DIRECTORY
    (a new or empty directory). Safe while the app is running."""
    try:
        manifest = backup(directory)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    database, uploads = manifest["database"], manifest["uploads"]
    click.echo(f"Backup written to {directory}: {database['kind']} database at revision {database['revision']} "
               f"({len(database['tables'])} tables, {sum(database['tables'].values())} rows), "
               f"{len(uploads)} uploaded files ({_size(sum(entry['size'] for entry in uploads))}).")


@click.command("restore")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace the data of a database and upload folder that are not empty.")
@with_appcontext
def restore_command(directory: Path, force: bool) -> None:
    """Restore a backup written by `flask backup` into an empty database and UPLOAD_DIR. Stop the
    app and the outbox worker first."""
    from alembic.script import ScriptDirectory
    from flask import current_app

    from app.extensions import db

    try:
        manifest = restore(directory, db.engine, force=force)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    database = manifest["database"]
    click.echo(f"Restored {sum(database['tables'].values())} rows in {len(database['tables'])} tables and "
               f"{len(manifest['uploads'])} uploaded files from the backup of {manifest['created_at']}.")
    heads = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config()).get_heads()
    if database["revision"] not in heads:
        click.echo("The backup's schema is older than this version of Salus: run `flask db upgrade` now.")
