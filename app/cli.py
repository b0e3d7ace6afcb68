"""Command-line tools: ``flask create-admin``, ``flask demo``, ``flask outbox work|flush``,
``flask archive export|import``, ``flask portfolio digests``, ``flask accounts ...``,
``flask backup``, ``flask restore``."""
from __future__ import annotations

import signal
import time
from typing import Callable

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext

from app.accounts.cli import accounts
from app.core.backup_cli import backup_command, restore_command
from app.core.errors import ValidationFailed
from app.results.archive_cli import archive


def register_commands(app: Flask) -> None:
    # Plain click commands added here get no app context from app.cli (only the `flask` entry
    # point pushes one), hence @with_appcontext on each, as Flask-Migrate does for `flask db`.
    app.cli.add_command(create_admin)
    app.cli.add_command(demo)
    app.cli.add_command(outbox)
    app.cli.add_command(archive)
    app.cli.add_command(portfolio)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(accounts)


@click.command("create-admin")
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--name", required=True)
@with_appcontext
def create_admin(email: str, password: str, name: str) -> None:
    """Create an administrator (or make an existing account one)."""
    from app.accounts.services import create_admin as make_admin

    try:
        user = make_admin(email=email, password=password, name=name)
    except ValidationFailed as error:
        for field, message in error.fields.items():
            click.echo(f"{field}: {message}", err=True)
        raise SystemExit(2) from None
    click.echo(f"Administrator {user.email} is ready.")


@click.command("demo")
@with_appcontext
def demo() -> None:
    """Load the demo data once (accounts for every role, and what later features add)."""
    from app.demo import load_demo

    created, accounts = load_demo()
    click.echo("Demo data loaded." if created else "Demo data already present.")
    click.echo("Demo accounts (password for all: %s):" % accounts["password"])
    for role, email in accounts["people"]:
        click.echo(f"  {role:<13} {email}")


outbox = AppGroup("outbox", help="Deliver the mail waiting in the outbox.")


@outbox.command("flush")
def outbox_flush() -> None:
    """Try every undelivered mail once, now, and exit."""
    from app.core.mailer import flush

    report = flush()
    click.echo(f"sent {len(report.sent)}, failed {len(report.failed)} (will be retried)")
    if report.failed:
        raise SystemExit(1)


def _periodic_turn(label: str, job: Callable[[], int], done: str) -> None:
    """One turn of a periodic job of the worker; a failure (a database hiccup) must not end the
    worker: it is reported and waits for the next turn."""
    from app.extensions import db

    try:
        count = job()
    except Exception as error:  # noqa: BLE001 - reported; the next turn tries again
        db.session.rollback()
        click.echo(f"{label}: {error}", err=True)
        return
    finally:
        db.session.remove()
    if count:
        click.echo(f"{label}: {done.format(count=count)}")


def _purge_unconfirmed() -> None:
    """Retention of unconfirmed accounts."""
    from app.accounts.retention import purge_unconfirmed

    _periodic_turn("retention", purge_unconfirmed, "deleted {count} unconfirmed accounts")


def _queue_digests() -> None:
    """Followers' digests, queued into the outbox the worker delivers."""
    from app.portfolio.digests import send_digests

    _periodic_turn("digests", send_digests, "queued {count}")


@outbox.command("work")
@click.option("--interval", default=2.0, show_default=True, help="Seconds between looks at the outbox.")
@click.option("--max-seconds", type=float, default=None, help="Stop after this long (for bounded runs).")
@click.option("--digest-every", type=float, default=300.0, show_default=True,
              help="Seconds between runs of the portfolio followers' digests (0: never).")
@click.option("--purge-every", type=float, default=86400.0, show_default=True,
              help="Seconds between deletions of never-confirmed accounts (0: never).")
def outbox_work(interval: float, max_seconds: float | None, digest_every: float, purge_every: float) -> None:
    """Deliver due mail until stopped, retrying failures with back-off; queue followers' digests
    every few minutes; delete never-confirmed accounts once a day."""
    from app.core.mailer import deliver_batch
    from app.extensions import db

    stopping = False

    def _stop(*_args: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    started = time.monotonic()
    next_digests = next_purge = started
    click.echo("Outbox worker running.")
    while not stopping:
        if digest_every > 0 and time.monotonic() >= next_digests:
            _queue_digests()
            next_digests = time.monotonic() + digest_every
        if purge_every > 0 and time.monotonic() >= next_purge:
            _purge_unconfirmed()
            next_purge = time.monotonic() + purge_every
        try:
            report = deliver_batch()
        except Exception as error:  # a database hiccup must not end the worker
            db.session.rollback()
            click.echo(f"outbox: {error}", err=True)
            report = None
        finally:
            db.session.remove()
        if report and report.sent:
            click.echo(f"outbox: sent {len(report.sent)}")
        if max_seconds is not None and time.monotonic() - started >= max_seconds:
            break
        if not report:
            time.sleep(interval)


portfolio = AppGroup("portfolio", help="The project portfolio's periodic work.")


@portfolio.command("digests")
def portfolio_digests() -> None:
    """Queue a digest mail to every follower whose projects changed since their last one."""
    from app.portfolio.digests import send_digests

    click.echo(f"digests queued: {send_digests()}")
