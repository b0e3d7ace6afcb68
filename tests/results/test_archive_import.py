"""Importing an archive: a new challenge equal to the one exported, its published results intact."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.challenges.models import Challenge, ChallengeOrganiser
from app.core.audit import AuditEvent
from app.core.errors import Forbidden
from app.results import rules
from app.results.archive import build_archive
from app.results.archive_import import import_archive, imported_ids
from app.results.models import Award, Publication
from app.submissions.models import Idea, IdeaRevision
from app.teams.models import Team, TeamMember
from tests.conftest import make_user
from tests.results.archive_support import FORMULA_TEAM, FORMULAS, members, published, row_counts
from tests.results.scenario import judged

SETUP = ("title", "kind", "description", "rules_text", "audience", "prizes", "round", "team_min_size",
         "team_max_size", "opens_at", "submission_deadline", "reviews_per_entry", "blind_review", "ranking_method",
         "budget_total", "currency", "opened_at", "judging_started_at", "published_at", "results_visibility")
IDEA = ("title", "summary", "problem", "solution", "beneficiaries", "budget_requested", "status", "round",
        "submitted_at")


def setup_of(challenge: Challenge) -> dict:
    return {name: getattr(challenge, name) for name in SETUP}


def ideas_of(db, challenge_id: int) -> dict[str, dict]:
    ideas = db.session.scalars(select(Idea).where(Idea.challenge_id == challenge_id)).all()
    return {idea.team.name: {**{name: getattr(idea, name) for name in IDEA},
                             "track": idea.track.name if idea.track else None} for idea in ideas}


def awards_of(db, challenge_id: int) -> list[tuple]:
    rows = db.session.execute(select(Award.position, Award.name, Award.amount, Award.source, Idea.title)
                              .join(Idea, Idea.id == Award.idea_id).where(Award.challenge_id == challenge_id)
                              .order_by(Award.position)).all()
    return [tuple(row) for row in rows]


def test_round_trip_of_a_judged_and_published_challenge(db):
    world = published(db)
    for name, value in FORMULAS.items():
        setattr(world.ideas["Beta"], name, value)
    world.teams["Beta"].name = FORMULA_TEAM
    db.session.commit()
    source = world.challenge
    admin = make_user("admin@example.org", name="Ada Admin", admin=True)
    original = db.session.get(Publication, source.id)

    copy = import_archive(build_archive(source), admin)

    assert copy.id != source.id and copy.status == "archived"
    assert setup_of(copy) == setup_of(source)
    assert [(t.name, t.description, t.position) for t in copy.tracks] == \
        [(t.name, t.description, t.position) for t in source.tracks]
    assert [(c.name, c.description, c.weight, c.scale_min, c.scale_max, c.anchors) for c in copy.criteria] == \
        [(c.name, c.description, c.weight, c.scale_min, c.scale_max, c.anchors) for c in source.criteria]
    teams = db.session.scalars(select(Team.name).where(Team.challenge_id == copy.id)).all()
    assert sorted(teams) == sorted(t.name for t in world.teams.values())
    assert db.session.scalar(select(TeamMember.id).where(TeamMember.challenge_id == copy.id)) is None
    entries = {name: idea for name, idea in ideas_of(db, source.id).items()
               if idea["status"] in ("submitted", "not_retained")}
    assert ideas_of(db, copy.id) == entries and len(entries) == 4
    assert ideas_of(db, copy.id)[FORMULA_TEAM]["summary"] == FORMULAS["summary"]
    assert awards_of(db, copy.id) == awards_of(db, source.id)
    revisions = db.session.scalars(select(IdeaRevision).join(Idea, Idea.id == IdeaRevision.idea_id)
                                   .where(Idea.challenge_id == copy.id)).all()
    assert len(revisions) == 4 and {r.version for r in revisions} == {1}

    publication = db.session.get(Publication, copy.id)
    assert (publication.published_at, publication.method, publication.visibility) == \
        (original.published_at, original.method, original.visibility)
    assert publication.awards == original.awards and publication.ranking == original.ranking
    assert publication.digest == original.digest == rules.digest(publication.awards, publication.ranking)
    # The published arrays keep the source's entry numbers; the import records where each went.
    mapping = imported_ids(copy.id)
    teams_by_idea = dict(db.session.execute(select(Idea.id, Team.name).join(Team, Team.id == Idea.team_id)).all())
    assert len(mapping) == 4 and all(teams_by_idea[mapping[row["idea_id"]]] == teams_by_idea[row["idea_id"]]
                                     for row in publication.ranking)

    assert db.session.scalar(select(ChallengeOrganiser.user_id).where(ChallengeOrganiser.challenge_id == copy.id)) \
        == admin.id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "challenge.imported"))
    assert (event.actor_id, event.challenge_id, event.subject_id) == (admin.id, copy.id, copy.id)
    assert event.details["source"]["challenge_id"] == str(source.id) and event.details["counts"]["ideas"] == 4


def test_an_archive_of_an_import_is_the_same_archive(db):
    world = published(db)
    admin = make_user("admin@example.org", admin=True)
    first = build_archive(world.challenge)
    second = build_archive(import_archive(first, admin))

    def comparable(data: bytes) -> dict:
        document = json.loads(members(data)["challenge.json"])
        document.pop("source")
        for item in document["tracks"] + document["criteria"]:
            item.pop("key")
        document["status"] = None  # published there, archived here
        return document

    assert comparable(second) == comparable(first)
    assert members(second)["ranking.csv"] == members(first)["ranking.csv"]


def test_an_unpublished_challenge_comes_back_as_a_draft(db):
    world = judged(db)
    admin = make_user("admin@example.org", admin=True)
    copy = import_archive(build_archive(world.challenge), admin)
    assert copy.status == "draft" and copy.published_at is None
    assert db.session.get(Publication, copy.id) is None
    assert not copy.can_view(world.organiser) and copy.can_view(admin)


def test_only_administrators_import(db):
    world = published(db)
    data = build_archive(world.challenge)
    before = row_counts()
    with pytest.raises(Forbidden):
        import_archive(data, world.organiser)
    assert row_counts() == before


# --- the command line -----------------------------------------------------------------------

def test_cli_exports_and_imports(app, db, tmp_path):
    world = published(db)
    make_user("admin@example.org", admin=True)
    path = tmp_path / "archive.zip"
    runner = app.test_cli_runner()

    result = runner.invoke(args=["archive", "export", str(world.challenge.id), str(path)])
    assert result.exit_code == 0, result.output
    assert f"Challenge {world.challenge.id}" in result.output and path.stat().st_size > 0
    assert set(members(path.read_bytes())) >= {"datapackage.json", "challenge.json", "ideas.csv"}

    result = runner.invoke(args=["archive", "import", str(path), "--as", "admin@example.org"])
    assert result.exit_code == 0, result.output
    assert "Imported as challenge" in result.output and "archived" in result.output
    db.session.expire_all()
    copies = db.session.scalars(select(Challenge).where(Challenge.title == world.challenge.title,
                                                        Challenge.id != world.challenge.id)).all()
    assert len(copies) == 1 and copies[0].status == "archived"


def test_cli_refusals(app, db, tmp_path):
    world = judged(db)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["archive", "export", "999999", str(tmp_path / "x.zip")])
    assert result.exit_code == 2 and "No challenge has the id 999999" in result.output

    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"this is not a zip")
    before = row_counts()
    result = runner.invoke(args=["archive", "import", str(bad)])
    assert result.exit_code == 2 and "not a ZIP archive" in result.output
    assert row_counts() == before

    good = tmp_path / "good.zip"
    good.write_bytes(build_archive(world.challenge))
    result = runner.invoke(args=["archive", "import", str(good), "--as", world.organiser.email])
    assert result.exit_code == 2 and "not an administrator" in result.output
    result = runner.invoke(args=["archive", "import", str(good)])
    assert result.exit_code == 0, result.output


def test_results_that_showed_only_the_awards_stay_so(db):
    world = published(db, visibility="awards")
    admin = make_user("admin@example.org", admin=True)
    original = db.session.get(Publication, world.challenge.id)
    copy = import_archive(build_archive(world.challenge), admin)
    publication = db.session.get(Publication, copy.id)
    assert copy.results_visibility == publication.visibility == "awards"
    assert publication.ranking == [] and publication.awards == original.awards
    assert publication.digest == original.digest == rules.digest(publication.awards, [])


def test_the_results_page_of_an_import_shows_its_own_winners_summaries(app, db):
    """The published arrays keep the source's entry ids: the page maps them to the copy's own
    entries and never reads another challenge's idea by that number."""
    world = published(db)
    world.ideas["Alpha"].summary = "Tablets for heart patients at home."
    db.session.commit()
    admin = make_user("admin@example.org", name="Ada Admin", admin=True)
    copy = import_archive(build_archive(world.challenge), admin)
    world.ideas["Alpha"].summary = "Changed in the source after the export."
    db.session.commit()

    page = app.test_client().get(f"/challenges/{copy.id}/results").get_data(as_text=True)

    assert "Tablets for heart patients at home." in page
    assert "Changed in the source after the export." not in page
