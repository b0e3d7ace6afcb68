"""The outbox: a mail exists only if the change that caused it commits, is written in the
recipient's language, links to BASE_URL, and is rendered before any mail server is involved."""
from __future__ import annotations

import pytest
from jinja2 import ChoiceLoader, DictLoader
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.core.outbox import OutboxMail, external_url, queue_mail, queue_mail_to_user, render_mail
from tests.conftest import DEFAULT_PASSWORD, csrf_from, flush_outbox, make_user
from tests.core.helpers import install_catalog

PROBE_TEMPLATES = {
    "mail/core_probe.txt": (
        '{% extends "mail/base.txt" %}'
        '{% block subject %}{{ _("Probe subject") }}{% endblock %}'
        '{% block body %}{{ _("Probe greeting for %(name)s", name=name) }}{% endblock %}'),
    "mail/core_probe.html": (
        '{% extends "mail/base.html" %}'
        '{% block body %}<p>{{ _("Probe greeting for %(name)s", name=name) }}</p>{% endblock %}'),
    "mail/core_title.txt": '{% extends "mail/base.txt" %}{% block subject %}\n  New: {{ title }}\n{% endblock %}',
    "mail/core_title.html": '{% extends "mail/base.html" %}',
}
ROMANIAN = {"Probe subject": "Subiect de probă",
            "Probe greeting for %(name)s": "Salut de probă pentru %(name)s"}


def mail_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMail))


def outbox_rows(app) -> list[OutboxMail]:
    from app.extensions import db

    with app.app_context():
        rows = list(db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)))
        db.session.expunge_all()
        return rows


def register(client, email: str, **kwargs):
    headers = kwargs.pop("headers", {})
    body = {"email": email, "password": DEFAULT_PASSWORD, "name": "Ana Pop", "accept_privacy": True, **kwargs}
    response = client.post("/api/v1/auth/register", json=body, headers=headers)
    assert response.status_code == 202, response.get_json()
    return response


def probe_templates(app, monkeypatch, tmp_path):
    """Mail templates and a Romanian catalogue that belong to this test alone."""
    monkeypatch.setattr(app.jinja_env, "loader", ChoiceLoader([DictLoader(PROBE_TEMPLATES), app.jinja_env.loader]))
    install_catalog(app, monkeypatch, tmp_path, "ro", ROMANIAN)


# --- written with the transaction -----------------------------------------------------------

def test_a_mail_is_written_only_when_its_transaction_commits(db):
    user = make_user("rollback@example.org")
    queue_mail_to_user(user, "password_changed", reset_url="http://salus.test/reset")
    db.session.rollback()
    assert mail_count(db) == 0

    queue_mail("someone@example.org", "password_changed", user=user, reset_url="http://salus.test/reset")
    db.session.commit()
    [mail] = db.session.scalars(select(OutboxMail)).all()
    assert mail.to_address == "someone@example.org"
    assert mail.kind == "password_changed"
    assert mail.sent_at is None and mail.attempts == 0


def test_a_commit_that_fails_takes_its_mail_with_it(db):
    user = make_user("taken@example.org")
    queue_mail_to_user(user, "password_changed", reset_url="http://salus.test/reset")
    db.session.add(User(email="taken@example.org", email_key="taken@example.org", password_hash="x",
                        name="Duplicate"))  # violates the unique address
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert mail_count(db) == 0


def test_a_refused_registration_leaves_no_mail(app, client):
    response = client.post("/api/v1/auth/register", json={
        "email": "weak@example.org", "password": "short", "name": "Weak", "accept_privacy": True})
    assert response.status_code == 422
    assert outbox_rows(app) == []


# --- language ---------------------------------------------------------------------------------

def test_subject_text_and_html_are_rendered_in_the_given_locale(app, db, monkeypatch, tmp_path):
    probe_templates(app, monkeypatch, tmp_path)
    subject, text, html = render_mail("core_probe", "ro", {"name": "Ana"})
    assert subject == "Subiect de probă"
    assert "Salut de probă pentru Ana" in text
    assert "Salut de probă pentru Ana" in html
    assert '<html lang="ro">' in html

    subject, text, html = render_mail("core_probe", "en", {"name": "Ana"})
    assert subject == "Probe subject"
    assert "Probe greeting for Ana" in text and '<html lang="en">' in html


def test_a_mail_queued_during_a_request_uses_the_recipients_locale(app, db, monkeypatch, tmp_path):
    probe_templates(app, monkeypatch, tmp_path)
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        mail = queue_mail("ana@example.org", "core_probe", locale="ro", name="Ana")
        db.session.commit()
        assert mail.subject == "Subiect de probă"
        assert mail.text_body.startswith("Salut de probă pentru Ana")
        assert '<html lang="ro">' in mail.html_body


def test_registration_mail_follows_the_account_not_the_browser(app, client):
    with app.app_context():
        make_user("dorte@example.org", locale="da")
    register(client, "Dorte@Example.org", locale="ro", headers={"Accept-Language": "fr"})
    register(client, "new@example.org", locale="it", headers={"Accept-Language": "fr"})
    existing, new = outbox_rows(app)
    assert existing.kind == "already_registered" and existing.to_address == "dorte@example.org"
    assert existing.locale == "da"
    assert '<html lang="da">' in existing.html_body
    assert new.kind == "confirm_email" and new.locale == "it"
    assert '<html lang="it">' in new.html_body


def test_the_subject_is_one_line_whatever_it_quotes(app, db, monkeypatch, tmp_path):
    probe_templates(app, monkeypatch, tmp_path)
    mail = queue_mail("ana@example.org", "core_title", title="Heart\r\nBcc: someone@example.org\tcare")
    db.session.commit()
    assert mail.subject == "New: Heart Bcc: someone@example.org care"


# --- links ------------------------------------------------------------------------------------

def test_links_come_from_base_url_not_from_the_host_header(app, client, mailbox):
    evil = {"Host": "evil.example"}
    token = csrf_from(client.get("/register", headers=evil).get_data(as_text=True))
    response = client.post("/register", headers=evil, data={
        "name": "Ana Pop", "email": "ana@example.org", "locale": "en", "password": DEFAULT_PASSWORD,
        "accept_privacy": "y", "csrf_token": token})
    assert response.status_code == 200
    register(client, "ion@example.org", headers=evil)
    flush_outbox(app)
    for address in ("ana@example.org", "ion@example.org"):
        [message] = mailbox.to(address)
        links = mailbox.links(message)
        assert links and all(link.startswith("http://salus.test/") for link in links), links
        assert "evil.example" not in mailbox.text(message)
        assert "evil.example" not in message.get_body(("html",)).get_content()


def test_external_url_keeps_the_scheme_host_and_path_of_base_url(app, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", "https://health.example.org/salus/")
    with app.test_request_context("/", headers={"Host": "evil.example"}):
        assert external_url("accounts.login") == "https://health.example.org/salus/login"
        assert external_url("pages.home") == "https://health.example.org/salus/"
