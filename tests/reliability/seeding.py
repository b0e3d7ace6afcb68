"""A database full of real rows for the migration and backup tests, built with the scenarios the
feature tests use: accounts, a judged challenge with teams, ideas, reviews, awards and published
results, portfolio projects (one promoted) with a comment, and an open challenge whose idea has an
uploaded PDF on disk."""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from flask import Flask
from werkzeug.datastructures import FileStorage

from tests.submissions.helpers import pdf_bytes

ATTACHMENT = pdf_bytes("Planul pilotului, Iași") + b"%" + bytes(range(256)) * 8


@dataclass
class Seeded:
    member_email: str  # a member of the team owning the attachment (password: DEFAULT_PASSWORD)
    idea_id: int
    attachment_id: int
    stored_name: str


def seed(application: Flask) -> Seeded:
    from app.core import clock
    from app.extensions import db
    from app.portfolio.comments import add_comment
    from app.submissions import services
    from tests.factories import make_challenge, make_idea, make_team
    from tests.conftest import make_user
    from tests.portfolio.scenario import portfolio

    with application.app_context():
        clock.set_now(dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.timezone.utc))
        world = portfolio()
        add_comment(world.promoted, world.world.members["Alpha"][0], "When does the **pilot** start?")
        maria = make_user("maria@example.org", name="Maria Mocanu", locale="ro")
        idea = make_idea(make_team(make_challenge(title="Healthy schools"), maria, name="Școala verde"))
        attachment = services.add_attachment(idea, maria, FileStorage(stream=io.BytesIO(ATTACHMENT),
                                                                      filename="plan-Iași.pdf"))
        seeded = Seeded(maria.email, idea.id, attachment.id, attachment.stored_name)
        db.session.remove()
    return seeded
