"""``flask accounts purge-unconfirmed`` and ``flask accounts reset-two-step``."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from app.core.errors import NotFound

accounts = AppGroup("accounts", help="Account housekeeping.")


@accounts.command("purge-unconfirmed")
def purge_unconfirmed() -> None:
    """Delete accounts never confirmed within UNCONFIRMED_ACCOUNT_DAYS (the outbox worker runs this daily)."""
    from app.accounts.retention import purge_unconfirmed as purge

    click.echo(f"unconfirmed accounts deleted: {purge()}")


@accounts.command("reset-two-step")
@click.option("--email", required=True, help="The address of the account.")
def reset_two_step(email: str) -> None:
    """Turn two-step sign-in off for someone who lost their phone and recovery codes (signs them out)."""
    from app.accounts.two_step import reset_for_operator

    try:
        user = reset_for_operator(email)
    except NotFound:
        click.echo(f"No account uses {email}.", err=True)
        raise SystemExit(1) from None
    click.echo(f"Two-step sign-in is off for {user.email}; every session was ended.")
