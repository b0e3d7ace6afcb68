"""Importing a challenge archive made by a Salus instance (see ``archive``) as a new challenge.

The rules:

- Only administrators import (the command line is the operator's own).
- Everything in the package is checked before anything is written (types, lengths, choices,
  amounts, references between files, and the published digest); a package with any problem is
  refused with all its problems listed, and nothing is stored.
- The import makes a NEW challenge: archived when the package holds published results, otherwise
  a draft; with its tracks, criteria, teams (never members: there are none in a package),
  entries, awards and the publication, all in one transaction.
- The publication is restored exactly as published: its arrays and digest are not rewritten, so
  the digest still verifies. Their ``idea_id`` values are therefore those of the instance that
  published them; the audit event of the import keeps the correspondence (:func:`imported_ids`).
- The administrator who imports becomes an organiser; the import is audited ("challenge.imported").
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from app.challenges.models import Challenge, ChallengeOrganiser, Criterion, Track
from app.core import audit, clock
from app.core.audit import AuditEvent
from app.core.db import begin_write
from app.core.errors import Forbidden
from app.extensions import db
from app.results import archive_rows as rows
from app.results.archive_package import Problems, open_package
from app.results.models import Award, Publication
from app.submissions.models import Idea, IdeaRevision
from app.teams.models import Team
from app.teams.rules import team_name_key
from app.teams.services import new_invite_code

IMPORTED = "challenge.imported"


@dataclass
class Plan:
    """Everything a package will create, checked."""

    setup: dict[str, Any]
    tracks: list[dict[str, Any]]
    criteria: list[dict[str, Any]]
    publication: dict[str, Any] | None
    teams: list[dict[str, Any]] = field(default_factory=list)
    ideas: list[dict[str, Any]] = field(default_factory=list)
    awards: list[dict[str, Any]] = field(default_factory=list)
    source: dict[str, Any] = field(default_factory=dict)
    package: dict[str, Any] = field(default_factory=dict)


def read_archive(data: bytes) -> Plan:
    """Check a whole package and say what it would create; ValidationFailed listing every problem."""
    package = open_package(data)
    problems = Problems()
    document = package.challenge if isinstance(package.challenge, dict) else {}
    if not isinstance(package.challenge, dict):
        problems.add("challenge.json", _("Must be a JSON object."))
    setup = rows.setup(document, problems)
    tracks = rows.tracks(document.get("tracks"), problems)
    criteria = rows.criteria(document.get("criteria"), problems)
    publication = rows.publication(document.get("publication"), problems)
    problems.raise_any()
    plan = Plan(setup=setup, tracks=tracks, criteria=criteria, publication=publication)
    plan.teams = rows.teams(package.tables["teams"], problems)
    plan.ideas = rows.ideas(package.tables["ideas"], rows.keys_of(package.tables["teams"]),
                            {t["key"] for t in tracks}, setup["round"], problems)
    plan.awards = rows.awards(package.tables["awards"], rows.keys_of(package.tables["ideas"]), problems)
    problems.raise_any()
    source = document.get("source") if isinstance(document.get("source"), dict) else {}
    plan.source = {key: str(source.get(key))[:300] for key in ("base_url", "challenge_id") if source.get(key)}
    plan.package = {key: str(package.descriptor.get(key))[:300] for key in ("name", "created", "licence")
                    if package.descriptor.get(key)}
    return plan


def import_archive(data: bytes, actor: Any) -> Challenge:
    """Create a new challenge from a package (administrators only; ``actor`` None on the command
    line). Refused packages leave nothing behind; a stored one is complete."""
    if actor is not None and not getattr(actor, "is_admin", False):
        raise Forbidden(_("Only administrators can import challenge archives."))
    plan = read_archive(data)
    begin_write(db.session)
    try:
        challenge = _store(plan, actor)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return challenge


def _store(plan: Plan, actor: Any) -> Challenge:
    now = clock.now()
    actor_id = getattr(actor, "id", None)
    publication = plan.publication
    challenge = Challenge(**plan.setup, created_by_id=actor_id, created_at=now, version=1,
                          status="archived" if publication else "draft",
                          published_at=publication["published_at"] if publication else None)
    challenge.tracks = [Track(name=t["name"], description=t["description"], position=n)
                        for n, t in enumerate(plan.tracks)]
    challenge.criteria = [Criterion(name=c["name"], description=c["description"], weight=c["weight"],
                                    scale_min=c["scale_min"], scale_max=c["scale_max"], anchors=c["anchors"],
                                    position=n) for n, c in enumerate(plan.criteria)]
    db.session.add(challenge)
    db.session.flush()
    track_ids = {t["key"]: row.id for t, row in zip(plan.tracks, challenge.tracks)}
    if actor_id is not None:
        db.session.add(ChallengeOrganiser(challenge_id=challenge.id, user_id=actor_id, added_at=now,
                                          added_by_id=actor_id))
    teams = {t["key"]: Team(challenge_id=challenge.id, name=t["name"], name_key=team_name_key(t["name"]),
                            invite_code=new_invite_code(), created_at=now) for t in plan.teams}
    db.session.add_all(teams.values())
    db.session.flush()
    ideas = {}
    for item in plan.ideas:
        values = {k: v for k, v in item.items() if k not in ("key", "team_key", "track_key")}
        ideas[item["key"]] = Idea(challenge_id=challenge.id, team_id=teams[item["team_key"]].id,
                                  track_id=track_ids.get(item["track_key"]), links=[], version=1,
                                  created_at=item["submitted_at"] or now, updated_at=now, **values)
    db.session.add_all(ideas.values())
    db.session.flush()
    db.session.add_all([IdeaRevision(idea_id=idea.id, version=1, status=idea.status, content=idea.content(),
                                     author_id=None, created_at=now) for idea in ideas.values()])
    db.session.add_all([Award(challenge_id=challenge.id, idea_id=ideas[a["idea_key"]].id, name=a["name"],
                              amount=a["amount"], position=a["position"], source=a["source"], created_at=now,
                              created_by_id=actor_id) for a in plan.awards])
    if publication:
        db.session.add(Publication(challenge_id=challenge.id, published_by_id=None, full_ranking=[], **publication))
    audit.record(IMPORTED, actor=actor, subject_type="challenge", subject_id=challenge.id,
                 challenge_id=challenge.id, source=plan.source, package=plan.package,
                 counts={"tracks": len(plan.tracks), "criteria": len(plan.criteria), "teams": len(teams),
                         "ideas": len(ideas), "awards": len(plan.awards)},
                 published=publication is not None,
                 idea_ids={str(key): idea.id for key, idea in ideas.items()})
    return challenge


def import_record(challenge_id: int) -> AuditEvent | None:
    """The audit event of the import that created a challenge (None for one made here)."""
    return db.session.scalar(select(AuditEvent).where(AuditEvent.challenge_id == challenge_id,
                                                      AuditEvent.action == IMPORTED).limit(1))


def imported_ids(challenge_id: int) -> dict[int, int]:
    """For an imported challenge, the entry ids of its published results (those of the instance
    that published them) mapped to its own ideas; empty for a challenge made here."""
    event = import_record(challenge_id)
    mapping = (event.details or {}).get("idea_ids", {}) if event is not None else {}
    return {int(source): int(local) for source, local in mapping.items()}
