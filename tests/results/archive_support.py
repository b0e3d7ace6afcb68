"""Shared pieces of the archive tests: a published scenario, reading and rewriting packages, and
counting what an import could have left behind."""
from __future__ import annotations

import io
import json
import zipfile
from decimal import Decimal
from typing import Any, Callable

from sqlalchemy import func, select

from app.challenges.models import Challenge, Criterion, Track
from app.core import clock
from app.core.audit import AuditEvent
from app.extensions import db
from app.results import rules
from app.results.models import Award, Publication
from app.results.publication import results_arrays
from app.submissions.models import Idea, IdeaRevision
from app.teams.models import Team, TeamMember
from tests.results.scenario import Judged, judged

# Texts a spreadsheet would run as formulas, and one that starts with the escape itself.
FORMULAS = {"summary": "=HYPERLINK(\"http://evil.example\",\"Click\")", "problem": "+40 722 000 000",
            "solution": "-5 °C at night, then\r\n=1+1 on the next line", "beneficiaries": "@everyone in Iași",
            "title": "'Quoted' idea"}
FORMULA_TEAM = "=cmd|' /C calc'!A0"


def publish(world: Judged, *, visibility: str | None = None) -> Publication:
    """Publish the scenario directly: two awards, the snapshot with its digest, status published."""
    challenge = world.challenge
    if visibility:
        challenge.results_visibility = visibility
    now = clock.now()
    db.session.add_all([
        Award(challenge_id=challenge.id, idea_id=world.ideas["Alpha"].id, name="Grand prize",
              amount=Decimal("60000.00"), position=0, source="funding", created_by_id=world.organiser.id),
        Award(challenge_id=challenge.id, idea_id=world.ideas["Gamma"].id, name="Jury's mention", amount=None,
              position=1, source="organiser", created_by_id=world.organiser.id)])
    db.session.flush()
    awards, ranking, full = results_arrays(challenge)
    publication = Publication(challenge_id=challenge.id, published_at=now, published_by_id=world.organiser.id,
                              method=challenge.ranking_method, visibility=challenge.results_visibility,
                              awards=awards, ranking=ranking, digest=rules.digest(awards, ranking),
                              full_ranking=full)
    db.session.add(publication)
    challenge.status, challenge.published_at = "published", now
    db.session.commit()
    return publication


def published(database: Any = None, **options: Any) -> Judged:
    world = judged(database, **options)
    publish(world)
    return world


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def rewrite(data: bytes, **changes: bytes | Callable[[bytes], bytes] | None) -> bytes:
    """The package with some members replaced (bytes), transformed (a function) or removed (None);
    a member name's dots are written as underscores (``ideas_csv``)."""
    files = members(data)
    for key, change in changes.items():
        name = key.replace("_", ".", 1) if key.endswith(("_csv", "_json")) else key
        if change is None:
            files.pop(name)
        elif callable(change):
            files[name] = change(files[name])
        else:
            files[name] = change
    return zip_of(files)


def edit_json(edit: Callable[[Any], None]) -> Callable[[bytes], bytes]:
    def change(content: bytes) -> bytes:
        value = json.loads(content)
        edit(value)
        return json.dumps(value, ensure_ascii=False).encode()
    return change


def row_counts() -> dict[str, int]:
    """How many rows every table an import writes holds."""
    def count(model: Any) -> int:
        return db.session.scalar(select(func.count()).select_from(model))

    return {model.__tablename__: count(model) for model in (Challenge, Track, Criterion, Team, TeamMember, Idea,
                                                            IdeaRevision, Award, Publication, AuditEvent)}
