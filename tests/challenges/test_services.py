"""Challenge services against the real database, with the clock frozen at 2026-11-20 10:00 UTC."""
import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.challenges import deadlines, services
from app.challenges.access import assert_submissions_open
from app.challenges.models import Challenge, ChallengeOrganiser
from app.core.audit import AuditEvent
from app.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.core.outbox import OutboxMail
from tests.conftest import make_user
from tests.factories import make_challenge, make_idea, make_team

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


@pytest.fixture
def admin(db, frozen_clock):
    return make_user("admin@example.org", name="Ada Admin", admin=True)


@pytest.fixture
def organiser(db, frozen_clock):
    return make_user("org@example.org", name="Olga Organiser", locale="ro")


@pytest.fixture
def stranger(db, frozen_clock):
    return make_user("stranger@example.org", name="Stan Stranger")


def audit_actions(db, challenge_id):
    return [e.action for e in db.session.scalars(select(AuditEvent).where(AuditEvent.challenge_id == challenge_id)
                                                  .order_by(AuditEvent.id))]


def complete_data(**overrides):
    data = {"title": "Iași Smart Health", "description": "Care at home.", "kind": "hackathon",
            "tracks": ["Telemedicine", "Prevention"], "team_min_size": 2, "team_max_size": 4,
            "opens_at": NOW + dt.timedelta(hours=1), "submission_deadline": NOW + dt.timedelta(days=2),
            "criteria": [{"name": "Relevance", "weight": 2.0, "scale_min": 1, "scale_max": 5}]}
    data.update(overrides)
    return data


# --- create ---------------------------------------------------------------------------------

def test_administrator_creates_a_draft_and_organises_it(db, admin):
    challenge = services.create_challenge(admin, complete_data())
    assert challenge.status == "draft" and challenge.created_by_id == admin.id
    assert [t.name for t in challenge.tracks] == ["Telemedicine", "Prevention"]
    assert [(c.name, c.weight) for c in challenge.criteria] == [("Relevance", 2.0)]
    assert db.session.get(ChallengeOrganiser, (challenge.id, admin.id)) is not None
    assert audit_actions(db, challenge.id) == ["challenge.created"]


def test_only_administrators_create(db, organiser):
    with pytest.raises(Forbidden):
        services.create_challenge(organiser, complete_data())
    assert db.session.scalar(select(Challenge)) is None


@pytest.mark.parametrize("overrides, field", [
    ({"title": " "}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"description": "x" * 20_001}, "description"),
    ({"kind": "party"}, "kind"),
    ({"ranking_method": "vibes"}, "ranking_method"),
    ({"team_min_size": 0}, "team_min_size"),
    ({"team_min_size": 4, "team_max_size": 3}, "team_max_size"),
    ({"reviews_per_entry": 0}, "reviews_per_entry"),
    ({"opens_at": dt.datetime(2026, 11, 21, 9, 0)}, "opens_at"),
    ({"opens_at": NOW + dt.timedelta(days=3)}, "submission_deadline"),
    ({"budget_total": Decimal("1000")}, "budget_total"),  # a hackathon has no budget
    ({"title": "bad \ud800 text"}, "title"),
    ({"tracks": ["Same", " same "]}, "tracks.1.name"),
    ({"criteria": [{"name": "W", "weight": 0, "scale_min": 1, "scale_max": 5}]}, "criteria.0.weight"),
    ({"criteria": [{"name": "S", "weight": 1, "scale_min": 5, "scale_max": 5}]}, "criteria.0.scale_max"),
    ({"criteria": [{"name": "A", "weight": 1, "scale_min": 1, "scale_max": 5, "anchors": ["only one"]}]},
     "criteria.0.anchors"),
])
def test_create_refuses_invalid_values(db, admin, overrides, field):
    with pytest.raises(ValidationFailed) as refused:
        services.create_challenge(admin, complete_data(**overrides))
    assert field in refused.value.fields


def test_calls_carry_a_budget(db, admin):
    challenge = services.create_challenge(admin, complete_data(kind="call", budget_total=Decimal("250000.505")))
    assert challenge.budget_total == Decimal("250000.51")


# --- update ---------------------------------------------------------------------------------

def test_organiser_updates_any_field(db, organiser):
    challenge = make_challenge(status="draft", organisers=[organiser])
    version = challenge.version
    services.update_challenge(challenge, organiser, {"title": "New title", "programme_id": 7,
                                                     "blind_review": True, "ranking_method": "raw"},
                              version=version)
    db.session.expire_all()
    challenge = db.session.get(Challenge, challenge.id)
    assert (challenge.title, challenge.programme_id, challenge.blind_review, challenge.ranking_method) == \
        ("New title", 7, True, "raw")
    assert challenge.version == version + 1
    assert audit_actions(db, challenge.id) == ["challenge.updated"]


def test_non_organisers_cannot_update(db, stranger):
    challenge = make_challenge()
    with pytest.raises(Forbidden):
        services.update_challenge(challenge, stranger, {"title": "Mine now"})


def test_stale_version_changes_nothing(db, organiser):
    challenge = make_challenge(organisers=[organiser])
    with pytest.raises(Conflict) as refused:
        services.update_challenge(challenge, organiser, {"title": "Late"}, version=challenge.version - 1 or 99)
    assert refused.value.code == "version_conflict"
    db.session.rollback()
    assert db.session.get(Challenge, challenge.id).title == "Smart Health City Iași"


def test_refused_update_leaves_the_row_untouched(db, organiser):
    challenge = make_challenge(organisers=[organiser])
    with pytest.raises(ValidationFailed) as refused:
        services.update_challenge(challenge, organiser, {"title": "Fine", "tracks": [{"name": ""}]})
    assert "tracks.0.name" in refused.value.fields
    db.session.rollback()
    assert db.session.get(Challenge, challenge.id).title == "Smart Health City Iași"


def test_partial_update_is_checked_against_stored_values(db, organiser):
    challenge = make_challenge(organisers=[organiser], team_min_size=3, team_max_size=5)
    with pytest.raises(ValidationFailed) as refused:
        services.update_challenge(challenge, organiser, {"team_max_size": 2})
    assert set(refused.value.fields) == {"team_max_size"}


def test_tracks_and_criteria_are_replaced_keeping_ids(db, organiser):
    challenge = make_challenge(status="draft", organisers=[organiser])
    telemedicine = challenge.tracks[0].id
    relevance = challenge.criteria[0].id
    services.update_challenge(challenge, organiser, {
        "tracks": ["Telemedicine", {"name": "Mental health", "description": "Young people"}],
        "criteria": [{"id": relevance, "name": "Relevance", "weight": 3, "scale_min": 1, "scale_max": 5},
                     {"name": "Impact", "weight": 1, "scale_min": 1, "scale_max": 3,
                      "anchors": ["Low", "Some", "High"]}]})
    db.session.expire_all()
    challenge = db.session.get(Challenge, challenge.id)
    assert [(t.name, t.position) for t in challenge.tracks] == [("Telemedicine", 0), ("Mental health", 1)]
    assert challenge.tracks[0].id == telemedicine
    assert [(c.name, c.weight) for c in challenge.criteria] == [("Relevance", 3.0), ("Impact", 1.0)]
    assert challenge.criteria[0].id == relevance and challenge.criteria[1].anchors == ["Low", "Some", "High"]


def test_foreign_ids_are_refused(db, organiser):
    mine = make_challenge(status="draft", organisers=[organiser])
    theirs = make_challenge(title="Other")
    with pytest.raises(ValidationFailed) as refused:
        services.update_challenge(mine, organiser, {"criteria": [{"id": theirs.criteria[0].id, "name": "X",
                                                                  "weight": 1, "scale_min": 1, "scale_max": 5}]})
    assert "criteria.0.id" in refused.value.fields


@pytest.mark.parametrize("status", ["judging", "published", "archived"])
def test_criteria_are_frozen_once_judging_starts(db, organiser, status):
    challenge = make_challenge(status=status, organisers=[organiser])
    with pytest.raises(Conflict) as refused:
        services.update_challenge(challenge, organiser, {"criteria": [{"name": "New", "weight": 1}]})
    assert refused.value.code == "criteria_frozen"
    db.session.rollback()
    with pytest.raises(Conflict) as refused:
        services.apply_health_template(challenge, organiser)
    assert refused.value.code == "criteria_frozen"


def test_other_fields_still_change_during_judging(db, organiser):
    challenge = make_challenge(status="judging", organisers=[organiser])
    assert services.update_challenge(challenge, organiser, {"reviews_per_entry": 4}).reviews_per_entry == 4


# --- health template ------------------------------------------------------------------------

def test_health_template_replaces_the_criteria(db, organiser):
    challenge = make_challenge(status="open", organisers=[organiser])
    services.apply_health_template(challenge, organiser)
    db.session.expire_all()
    criteria = db.session.get(Challenge, challenge.id).criteria
    assert [c.weight for c in criteria] == [20, 15, 15, 15, 10, 10, 10, 5]
    assert all(len(c.anchors) == 5 and (c.scale_min, c.scale_max) == (1, 5) for c in criteria)
    assert "challenge.criteria_template_applied" in audit_actions(db, challenge.id)


# --- organisers -----------------------------------------------------------------------------

def test_add_organiser_by_address(db, organiser, stranger):
    challenge = make_challenge(status="draft", organisers=[organiser])
    added = services.add_organiser(challenge, organiser, "  STRANGER@example.org ")
    assert added.id == stranger.id
    assert challenge.is_organiser(db.session.get(User, stranger.id))
    services.add_organiser(challenge, organiser, "stranger@example.org")  # again: nothing new
    organisers = db.session.scalars(select(ChallengeOrganiser).where(ChallengeOrganiser.challenge_id == challenge.id))
    assert len(list(organisers)) == 2
    [mail] = db.session.scalars(select(OutboxMail).where(OutboxMail.kind == "organiser_added")).all()
    assert mail.to_address == "stranger@example.org" and "Smart Health City Iași" in mail.text_body


@pytest.mark.parametrize("email", ["nobody@example.org", "", "not an address"])
def test_add_organiser_needs_a_registered_address(db, organiser, email):
    challenge = make_challenge(organisers=[organiser])
    with pytest.raises(ValidationFailed) as refused:
        services.add_organiser(challenge, organiser, email)
    assert set(refused.value.fields) == {"email"}


def test_only_organisers_add_organisers(db, stranger):
    with pytest.raises(Forbidden):
        services.add_organiser(make_challenge(), stranger, "stranger@example.org")


def test_organiser_role_for_navigation(db, organiser, stranger):
    make_challenge(organisers=[organiser])
    assert services.organiser_roles(organiser) == {"organiser"}
    assert services.organiser_roles(stranger) == set()


# --- opening --------------------------------------------------------------------------------

def test_open_a_complete_draft(db, admin):
    challenge = services.create_challenge(admin, complete_data())
    services.open_challenge(challenge, admin)
    assert challenge.status == "open" and challenge.opened_at == NOW
    assert audit_actions(db, challenge.id)[-1] == "challenge.opened"


def test_open_says_what_is_missing(db, admin, frozen_clock):
    challenge = services.create_challenge(admin, complete_data(description="", criteria=[]))
    frozen_clock.advance(days=3)  # the deadline is now in the past
    with pytest.raises(ValidationFailed) as refused:
        services.open_challenge(challenge, admin)
    assert refused.value.fields == {"description": "Describe the challenge",
                                    "submission_deadline": "The submission deadline is in the past",
                                    "criteria": "Add at least one scoring criterion"}
    db.session.rollback()
    assert db.session.get(Challenge, challenge.id).status == "draft"


def test_open_at_the_deadline_second_is_refused(db, admin, frozen_clock):
    challenge = services.create_challenge(admin, complete_data(opens_at=None))
    frozen_clock.set(challenge.submission_deadline)
    with pytest.raises(ValidationFailed) as refused:
        services.open_challenge(challenge, admin)
    assert "submission_deadline" in refused.value.fields


@pytest.mark.parametrize("status", ["open", "judging", "published", "archived"])
def test_only_drafts_open(db, organiser, status):
    challenge = make_challenge(status=status, organisers=[organiser])
    with pytest.raises(Conflict) as refused:
        services.open_challenge(challenge, organiser)
    assert refused.value.code == "not_draft"


def test_only_organisers_open(db, stranger):
    with pytest.raises(Forbidden):
        services.open_challenge(make_challenge(status="draft"), stranger)


# --- judging --------------------------------------------------------------------------------

def test_judging_waits_for_the_deadline_second(db, organiser, frozen_clock):
    challenge = make_challenge(organisers=[organiser], deadline_in=dt.timedelta(hours=1))
    frozen_clock.set(challenge.submission_deadline - dt.timedelta(seconds=1))
    with pytest.raises(Conflict) as refused:
        services.start_judging(challenge, organiser)
    assert refused.value.code == "deadline_not_passed"
    db.session.rollback()
    frozen_clock.set(challenge.submission_deadline)
    services.start_judging(challenge, organiser)
    assert challenge.status == "judging" and challenge.judging_started_at == challenge.submission_deadline
    assert audit_actions(db, challenge.id)[-1] == "challenge.judging_started"


@pytest.mark.parametrize("status", ["draft", "judging", "published"])
def test_judging_starts_only_from_open(db, organiser, frozen_clock, status):
    challenge = make_challenge(status=status, organisers=[organiser], deadline_in=dt.timedelta(hours=-1))
    with pytest.raises(Conflict) as refused:
        services.start_judging(challenge, organiser)
    assert refused.value.code == "not_open"


def test_judging_waits_for_running_personal_deadlines(db, organiser, frozen_clock):
    challenge = make_challenge(organisers=[organiser], deadline_in=dt.timedelta(hours=1))
    team = make_team(challenge, make_user("member@example.org"))
    deadlines.grant_deadline_exception(challenge, organiser, team.id, NOW + dt.timedelta(hours=2), "Power cut")
    frozen_clock.set(NOW + dt.timedelta(hours=1, minutes=30))
    with pytest.raises(Conflict) as refused:
        services.start_judging(challenge, organiser)
    assert refused.value.code == "deadline_not_passed"
    db.session.rollback()
    frozen_clock.set(NOW + dt.timedelta(hours=2))
    assert services.start_judging(challenge, organiser).status == "judging"


# --- deadline exceptions --------------------------------------------------------------------

def test_grant_a_personal_deadline_with_its_reason(db, organiser, frozen_clock):
    challenge = make_challenge(organisers=[organiser], deadline_in=dt.timedelta(hours=1))
    team = make_team(challenge, make_user("member@example.org"))
    later = NOW + dt.timedelta(hours=3)
    deadlines.grant_deadline_exception(challenge, organiser, team.id, later, "  Laptop died at 10:50  ")
    assert (team.deadline_exception, team.deadline_exception_reason) == (later, "Laptop died at 10:50")
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "team.deadline_exception_granted")).one()
    assert event.subject_id == team.id and event.details["reason"] == "Laptop died at 10:50"
    assert event.details["new_deadline"] == later.isoformat()
    frozen_clock.set(challenge.submission_deadline + dt.timedelta(minutes=5))
    assert_submissions_open(challenge, team)  # still open for this team
    with pytest.raises(Conflict):
        assert_submissions_open(challenge)  # closed for everyone else

    deadlines.revoke_deadline_exception(challenge, organiser, team.id)
    assert team.deadline_exception is None
    revoked = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "team.deadline_exception_revoked")).one()
    assert revoked.details["reason"] == "Laptop died at 10:50"


@pytest.mark.parametrize("new_deadline, reason, fields", [
    (NOW + dt.timedelta(hours=1), "Power cut", {"new_deadline"}),  # not later than the challenge's
    (NOW, "Power cut", {"new_deadline"}),
    (NOW + dt.timedelta(hours=3), "  ", {"reason"}),
    (dt.datetime(2026, 11, 20, 15, 0), "Power cut", {"new_deadline"}),  # naive
    (None, "", {"new_deadline", "reason"}),
])
def test_grant_refuses_bad_values(db, organiser, new_deadline, reason, fields):
    challenge = make_challenge(organisers=[organiser], deadline_in=dt.timedelta(hours=1))
    team = make_team(challenge, make_user("member@example.org"))
    with pytest.raises(ValidationFailed) as refused:
        deadlines.grant_deadline_exception(challenge, organiser, team.id, new_deadline, reason)
    assert set(refused.value.fields) == fields


def test_grant_only_for_the_challenge_teams_by_organisers(db, organiser, stranger):
    challenge = make_challenge(organisers=[organiser])
    other_team = make_team(make_challenge(title="Other"), make_user("member@example.org"))
    later = challenge.submission_deadline + dt.timedelta(hours=1)
    with pytest.raises(NotFound):
        deadlines.grant_deadline_exception(challenge, organiser, other_team.id, later, "Reason")
    db.session.rollback()
    with pytest.raises(Forbidden):
        deadlines.grant_deadline_exception(challenge, stranger, other_team.id, later, "Reason")


def test_grant_only_while_open(db, organiser):
    challenge = make_challenge(status="judging", organisers=[organiser])
    team = make_team(challenge, make_user("member@example.org"))
    with pytest.raises(Conflict):
        deadlines.grant_deadline_exception(challenge, organiser, team.id,
                                           challenge.submission_deadline + dt.timedelta(hours=1), "Reason")


def test_console_rows_in_constant_queries(db, organiser):
    from app.challenges.console import console_rows, status_counts

    challenge = make_challenge(organisers=[organiser])
    first = make_team(challenge, make_user("a@example.org", name="Ana"), make_user("b@example.org"), name="Alpha")
    make_idea(first, status="submitted")
    make_team(challenge, make_user("c@example.org", name="Cai"), name="Beta")
    rows = console_rows(challenge.id)
    assert [(r.team_name, r.members, r.captain, r.idea_status) for r in rows] == \
        [("Alpha", 2, "Ana", "submitted"), ("Beta", 1, "Cai", "none")]
    assert [r.team_name for r in console_rows(challenge.id, status="none")] == ["Beta"]
    assert [r.team_name for r in console_rows(challenge.id, track_id=challenge.tracks[0].id)] == ["Alpha"]
    assert status_counts(challenge.id)["submitted"] == 1
