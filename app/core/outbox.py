"""Mail that is never lost: a row per mail, written in the transaction that causes it.

Services call :func:`queue_mail`; nothing talks to a mail server during a user's request.
``flask outbox work`` (see ``core.mailer``) delivers the rows later, with retries.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Sequence
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import force_locale
from markupsafe import escape
from sqlalchemy import ForeignKey, Index, String, Text, insert
from sqlalchemy.orm import Mapped, mapped_column

from app.core import clock
from app.extensions import db


class OutboxMail(db.Model):
    __tablename__ = "outbox_mails"

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(320))
    # Kept so that erasing an account also erases the mail addressed to it.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    locale: Mapped[str] = mapped_column(String(8), default="en")
    kind: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    claimed_until: Mapped[dt.datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[dt.datetime | None]

    __table_args__ = (Index("ix_outbox_mails_due", "sent_at", "next_attempt_at"),)


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute link for a mail, built from BASE_URL and never from a request's Host header."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc or "localhost", script_name=base.path.rstrip("/") or "/",
                                       url_scheme=base.scheme or "http")
    return adapter.build(endpoint, values, force_external=True)


def render_mail(template: str, locale: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """Subject, text and HTML of ``mail/<template>`` in ``locale``."""
    with force_locale(locale):
        text = render_template(f"mail/{template}.txt", **context)
        html = render_template(f"mail/{template}.html", **context)
        env = current_app.jinja_env
        tmpl = env.get_template(f"mail/{template}.txt")
        subject = "".join(tmpl.blocks["subject"](tmpl.new_context(dict(context))))
    # One line: a line break in a header (from a name or title in the subject) would be refused.
    subject = " ".join(subject.split())
    return subject, text.strip() + "\n", html


def queue_mail(to_address: str, template: str, *, locale: str = "en", user_id: int | None = None,
               **context: Any) -> OutboxMail:
    """Add a mail to the outbox in the current transaction; it is sent only if that commits."""
    subject, text, html = render_mail(template, locale, context)
    mail = OutboxMail(to_address=to_address, user_id=user_id, locale=locale, kind=template,
                      subject=subject[:300], text_body=text, html_body=html,
                      created_at=clock.now(), next_attempt_at=clock.now())
    db.session.add(mail)
    return mail


def queue_mail_to_user(user: Any, template: str, **context: Any) -> OutboxMail:
    return queue_mail(user.email, template, locale=user.locale, user_id=user.id, user=user, **context)


# Stands for each recipient's name while a language's mail is rendered once for many people.
NAME_SLOT = "\ue000name\ue000"


class _NameSlot:
    name = NAME_SLOT


def queue_mail_to_users(users: Sequence[Any], template: str, **context: Any) -> int:
    """What ``queue_mail_to_user`` does for each person, for a mail whose text is the same for
    everyone but the greeting's name: rendered once per language and added in one INSERT, so a
    thousand recipients cost five renders rather than two thousand. Returns the number queued."""
    now = clock.now()
    frames: dict[str, tuple[str, str, str]] = {}
    rows = []
    for user in users:
        if user.locale not in frames:
            frames[user.locale] = render_mail(template, user.locale, {**context, "user": _NameSlot()})
        subject, text, html = frames[user.locale]
        rows.append({"to_address": user.email, "user_id": user.id, "locale": user.locale, "kind": template,
                     "subject": subject.replace(NAME_SLOT, " ".join(user.name.split()))[:300],
                     "text_body": text.replace(NAME_SLOT, user.name),
                     "html_body": html.replace(NAME_SLOT, str(escape(user.name))), "created_at": now,
                     "next_attempt_at": now, "attempts": 0})
    if rows:
        db.session.execute(insert(OutboxMail), rows)
    return len(rows)
