"""Demo data for ``make run``: loaded once, printed at start-up."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.accounts.models import User
from app.accounts.passwords import hash_password
from app.core import clock
from app.extensions import db

DEMO_PASSWORD = "salus-demo-2026"  # nosec B105 - published demo credentials, local demo only
PEOPLE = [
    ("administrator", "admin@demo.salus.example", "Ana Admin", "Primăria Iași", "ro", True),
    ("organiser", "organiser@demo.salus.example", "Olivier Organisateur", "Ville de Lyon", "fr", False),
    ("juror", "juror@demo.salus.example", "Giulia Giurata", "Ospedale San Martino", "it", False),
    ("juror", "juror2@demo.salus.example", "Dorte Dommer", "Region Syddanmark", "da", False),
    ("participant", "participant@demo.salus.example", "Paul Participant", "Asociația Sănătate Digitală", "en", False),
    ("participant", "participant2@demo.salus.example", "Ioana Ionescu", "UMF Iași", "ro", False),
]


def load_demo() -> tuple[bool, dict[str, Any]]:
    accounts = {"password": DEMO_PASSWORD, "people": [(role, email) for role, email, *_ in PEOPLE]}
    if db.session.scalar(select(User).where(User.email_key == PEOPLE[0][1])) is not None:
        return False, accounts
    now = clock.now()
    password_hash = hash_password(DEMO_PASSWORD)
    for _role, email, name, organisation, locale, is_admin in PEOPLE:
        db.session.add(User(email=email, email_key=email, name=name, organisation=organisation, locale=locale,
                            is_admin=is_admin, password_hash=password_hash, created_at=now,
                            confirmed_at=now, privacy_accepted_at=now, password_changed_at=now))
    db.session.commit()
    return True, accounts
