"""Delivery of the outbox: claim due mail, send it over SMTP with a timeout, retry with back-off.

A mail is marked sent only after the server accepted it, and claimed (leased) before sending, so
two workers never send the same mail and a crashed worker's claim simply runs out.
"""
from __future__ import annotations

import datetime as dt
import smtplib
import socket
from dataclasses import dataclass, field

from flask import current_app
from flask_mail import BadHeaderError, Connection, Message
from sqlalchemy import or_, select

from app.core import clock
from app.core.db import begin_write
from app.core.outbox import OutboxMail
from app.extensions import db
from app.extensions import mail as mail_settings

CLAIM_SECONDS = 300
MAX_BACKOFF = dt.timedelta(hours=6)


def backoff(attempts: int) -> dt.timedelta:
    """1, 2, 4, 8 … minutes after each failure, at most six hours: mail is delayed, never dropped."""
    # Capped before exponentiating: from the 42nd failure 2**n minutes no longer fits a timedelta,
    # which would crash the worker on a mail that keeps failing. 2**30 minutes is ~2000 years.
    exponent = min(max(attempts - 1, 0), 30)
    return min(dt.timedelta(minutes=2 ** exponent), MAX_BACKOFF)


class TimeoutConnection(Connection):
    """Flask-Mail's connection with a socket timeout, so a silent server cannot hang the worker."""

    def __init__(self, state, timeout: float) -> None:
        super().__init__(state)
        self.timeout = timeout

    def configure_host(self):
        mail = self.mail
        if mail.use_ssl:
            host = smtplib.SMTP_SSL(mail.server, mail.port, timeout=self.timeout)
        else:
            host = smtplib.SMTP(mail.server, mail.port, timeout=self.timeout)
        if mail.use_tls:
            host.starttls()
        if mail.username and mail.password:
            host.login(mail.username, mail.password)
        return host


@dataclass
class DeliveryReport:
    sent: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.sent or self.failed)


def _claim(limit: int, force: bool, exclude: set[int]) -> list[OutboxMail]:
    now = clock.now()
    begin_write(db.session)
    stmt = (select(OutboxMail)
            .where(OutboxMail.sent_at.is_(None),
                   or_(OutboxMail.claimed_until.is_(None), OutboxMail.claimed_until < now))
            .order_by(OutboxMail.id).limit(limit))
    if not force:
        stmt = stmt.where(OutboxMail.next_attempt_at <= now)
    if exclude:
        stmt = stmt.where(OutboxMail.id.not_in(exclude))
    if db.engine.dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    mails = list(db.session.scalars(stmt))
    for mail in mails:
        mail.claimed_until = now + dt.timedelta(seconds=CLAIM_SECONDS)
    db.session.commit()
    return mails


def _record_failure(mail: OutboxMail, error: Exception) -> None:
    mail.attempts += 1
    mail.last_error = f"{type(error).__name__}: {error}"[:500]
    mail.next_attempt_at = clock.now() + backoff(mail.attempts)
    mail.claimed_until = None


def deliver_batch(limit: int = 50, *, force: bool = False, exclude: set[int] | None = None) -> DeliveryReport:
    """Send up to ``limit`` due mails (``force``: whatever their back-off) over one connection."""
    report = DeliveryReport()
    mails = _claim(limit, force, exclude or set())
    if not mails:
        return report
    # Read the mail settings now, not the copy Flask-Mail took at start-up, so that server,
    # port, TLS and credentials come from the same configuration as MAIL_TIMEOUT and the sender.
    state = mail_settings.init_mail(current_app.config, current_app.debug, current_app.testing)
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    try:
        with TimeoutConnection(state, current_app.config["MAIL_TIMEOUT"]) as connection:
            for mail in mails:
                message = Message(subject=mail.subject, recipients=[mail.to_address],
                                  body=mail.text_body, html=mail.html_body, sender=sender)
                try:
                    connection.send(message)
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError,
                        smtplib.SMTPSenderRefused, BadHeaderError) as error:
                    # This mail alone is at fault: it must not hold back the rest of the batch.
                    _record_failure(mail, error)
                    report.failed.append(mail.id)
                else:
                    mail.sent_at = clock.now()
                    mail.claimed_until = None
                    report.sent.append(mail.id)
                db.session.commit()
    except (OSError, smtplib.SMTPException, socket.timeout) as error:
        # The server is down or stopped answering: every mail not yet accepted waits for later.
        for mail in mails:
            if mail.id not in report.sent and mail.id not in report.failed:
                _record_failure(mail, error)
                report.failed.append(mail.id)
        db.session.commit()
        current_app.logger.warning("mail server unavailable: %s", error)
    return report


def flush() -> DeliveryReport:
    """Try every undelivered mail once, now, whatever its back-off (``flask outbox flush``)."""
    total = DeliveryReport()
    tried: set[int] = set()
    while True:
        report = deliver_batch(force=True, exclude=tried)
        if not report:
            return total
        tried.update(report.sent + report.failed)
        total.sent += report.sent
        total.failed += report.failed
