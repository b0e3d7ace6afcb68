"""The juror's services: the queue, saving scores (validation, versions, audit), declared conflicts
and safety flags. The same rules answer the pages and the API."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.core.audit import AuditEvent
from app.core.errors import DomainError, Forbidden, NotFound
from app.judging import reviews
from app.judging.models import Assignment, Conflict, CriterionScore, Review, SafetyFlag
from app.submissions.access import can_view_idea
from tests.factories import make_assignment, make_review
from tests.judging.test_review_world import build_world, full_scores


@pytest.fixture
def world(db):
    return build_world()


def count(db, model, **where) -> int:
    stmt = select(func.count()).select_from(model)
    for name, value in where.items():
        stmt = stmt.where(getattr(model, name) == value)
    return db.session.scalar(stmt)


def refused(call) -> tuple[int, str, dict]:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value.status, caught.value.code, caught.value.fields


# --- the queue --------------------------------------------------------------------------------

def test_queue_lists_submitted_assigned_entries_with_their_state(db, world):
    queue = reviews.juror_queue(world.juror)
    assert [(e.idea_id, e.scored) for e in queue] == [(world.idea.id, False), (world.rival_idea.id, False)]
    assert queue[0].title == "Heart failure care at home" and queue[0].track_name == "Telemedicine"
    assert queue[0].challenge_title == world.challenge.title
    reviews.save_review(world.idea.id, world.juror, full_scores(world), "Good.")
    assert [e.scored for e in reviews.juror_queue(world.juror)] == [True, False]


def test_queue_leaves_out_conflicts_other_rounds_and_challenges_not_in_judging(db, world):
    assert reviews.juror_queue(world.conflicted) == []  # same organisation as a member, spelt otherwise
    assert [e.idea_id for e in reviews.juror_queue(world.outsider)] == [world.other_idea.id]
    db.session.add(Conflict(challenge_id=world.challenge.id, juror_user_id=world.colleague.id,
                            team_id=world.team.id, source="organiser", reason="Former colleague"))
    db.session.commit()
    assert reviews.juror_queue(world.colleague) == []
    world.other.status = "published"
    db.session.commit()
    assert reviews.juror_queue(world.outsider) == []
    world.challenge.round = 2
    db.session.commit()
    assert reviews.juror_queue(world.juror) == []
    make_assignment(world.rival_idea, world.juror, round_=2)
    assert [e.idea_id for e in reviews.juror_queue(world.juror)] == [world.rival_idea.id]


def test_next_unscored_follows_the_queue_and_wraps_round(db, world):
    assert reviews.next_unscored(world.juror, world.idea.id) == world.rival_idea.id
    assert reviews.next_unscored(world.juror, world.rival_idea.id) == world.idea.id
    reviews.save_review(world.idea.id, world.juror, full_scores(world))
    assert reviews.next_unscored(world.juror, world.rival_idea.id) is None
    assert reviews.next_unscored(world.juror, world.idea.id) == world.rival_idea.id


# --- saving scores ----------------------------------------------------------------------------

def test_first_save_creates_version_one_with_the_weighted_total(db, world):
    saved = reviews.save_review(world.idea.id, world.juror, full_scores(world, 4, 3), "Clear plan.", "Check costs.")
    assert saved.version == 1 and saved.created
    assert saved.total == pytest.approx((2 * 4 + 1 * 3) / 3, abs=1e-12)
    review = db.session.scalar(select(Review))
    assert (review.comment, review.private_note, review.round) == ("Clear plan.", "Check costs.", 1)
    assert {s.criterion_id: s.value for s in review.scores} == full_scores(world, 4, 3)


def test_string_criterion_ids_as_in_json_are_accepted(db, world):
    scores = {str(cid): value for cid, value in full_scores(world).items()}
    assert reviews.save_review(world.idea.id, world.juror, scores, "").version == 1


def bad_cases():
    return [
        ("one criterion missing", lambda w: {w.criteria[0]: 3}, {"second"}),
        ("no scores at all", lambda w: {}, {"first", "second"}),
        ("below the scale", lambda w: {w.criteria[0]: 0, w.criteria[1]: 3}, {"first"}),
        ("above the scale", lambda w: {w.criteria[0]: 3, w.criteria[1]: 6}, {"second"}),
        ("a fraction", lambda w: {w.criteria[0]: 3.5, w.criteria[1]: 3}, {"first"}),
        ("a whole float", lambda w: {w.criteria[0]: 3.0, w.criteria[1]: 3}, {"first"}),
        ("true is not a number", lambda w: {w.criteria[0]: True, w.criteria[1]: 3}, {"first"}),
        ("text", lambda w: {w.criteria[0]: "3", w.criteria[1]: 3}, {"first"}),
        ("null", lambda w: {w.criteria[0]: None, w.criteria[1]: 3}, {"first"}),
        ("a criterion of another challenge", lambda w: {**full_scores(w), 999999: 3}, {"999999"}),
        ("a key that is no id", lambda w: {**full_scores(w), "relevance": 3}, {"relevance"}),
    ]


@pytest.mark.parametrize("case, scores, bad", bad_cases(), ids=[c[0] for c in bad_cases()])
def test_scores_must_cover_every_criterion_within_its_scale(db, world, case, scores, bad):
    names = {"first": f"scores.{world.criteria[0]}", "second": f"scores.{world.criteria[1]}"}
    status, code, fields = refused(lambda: reviews.save_review(world.idea.id, world.juror, scores(world), ""))
    assert (status, code) == (422, "validation_failed")
    assert set(fields) == {names.get(b, f"scores.{b}") for b in bad}
    assert count(db, Review) == 0


@pytest.mark.parametrize("field, value", [("comment", "x" * 20_001), ("private_note", "x" * 20_001),
                                          ("comment", "nul\x00byte"), ("private_note", 42)])
def test_texts_have_limits(db, world, field, value):
    texts = {"comment": "", "private_note": "", field: value}
    status, _code, fields = refused(lambda: reviews.save_review(world.idea.id, world.juror, full_scores(world),
                                                                texts["comment"], texts["private_note"]))
    assert status == 422 and set(fields) == {field}
    assert reviews.save_review(world.idea.id, world.juror, full_scores(world), "x" * 20_000, "y" * 20_000).version == 1


def test_a_stale_version_is_refused_and_nothing_is_overwritten(db, world):
    reviews.save_review(world.idea.id, world.juror, full_scores(world, 4, 3), "First.", version=0)
    assert reviews.save_review(world.idea.id, world.juror, full_scores(world, 5, 3), "Second.", version=1).version == 2
    status, code, _fields = refused(lambda: reviews.save_review(world.idea.id, world.juror, full_scores(world, 1, 1),
                                                                 "Stale.", version=1))
    assert (status, code) == (409, "version_conflict")
    # A page opened before the first save (version 0) is stale once a review exists.
    assert refused(lambda: reviews.save_review(world.idea.id, world.juror, full_scores(world, 1, 1), "Late.",
                                               version=0))[1] == "version_conflict"
    review = db.session.scalar(select(Review))
    db.session.refresh(review)
    assert (review.version, review.comment) == (2, "Second.")
    assert {s.criterion_id: s.value for s in review.scores} == full_scores(world, 5, 3)


def test_saving_the_same_body_twice_is_safe(db, world):
    first = reviews.save_review(world.idea.id, world.juror, full_scores(world), "Same.")
    second = reviews.save_review(world.idea.id, world.juror, full_scores(world), "Same.")
    assert (first.version, second.version, first.total) == (1, 2, second.total)
    assert count(db, Review) == 1 and count(db, CriterionScore) == 2
    assert count(db, AuditEvent, action="score.changed") == 0


def test_texts_left_out_stay_as_they_were(db, world):
    reviews.save_review(world.idea.id, world.juror, full_scores(world), "Keep me.", "Me too.")
    reviews.save_review(world.idea.id, world.juror, full_scores(world, 2, 2))
    review = db.session.scalar(select(Review))
    assert (review.comment, review.private_note) == ("Keep me.", "Me too.")
    reviews.save_review(world.idea.id, world.juror, full_scores(world, 2, 2), "", "")
    db.session.refresh(review)
    assert (review.comment, review.private_note) == ("", "")


def test_changed_scores_are_audited_with_old_and_new_values(db, world, frozen_clock):
    reviews.save_review(world.idea.id, world.juror, full_scores(world, 4, 3), "")
    frozen_clock.advance(minutes=5)
    reviews.save_review(world.idea.id, world.juror, full_scores(world, 2, 3), "")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "score.changed"))
    first, second = (str(c) for c in world.criteria)
    assert event.actor_id == world.juror.id and event.created_at == frozen_clock.now()
    assert event.challenge_id == world.challenge.id and event.details["idea_id"] == world.idea.id
    assert event.details["old"] == {first: 4, second: 3} and event.details["new"] == {first: 2, second: 3}
    assert event.details["version"] == 2


@pytest.mark.parametrize("status", ["open", "published", "archived"])
def test_scores_only_while_judging(db, world, status):
    make_review(world.idea, world.colleague, full_scores(world))
    world.challenge.status = status
    db.session.commit()
    assert refused(lambda: reviews.save_review(world.idea.id, world.colleague, full_scores(world, 1, 1), ""))[:2] \
        == (409, "not_judging")
    assert db.session.scalar(select(CriterionScore.value).where(CriterionScore.criterion_id == world.criteria[0])) == 4


@pytest.mark.parametrize("who, which", [
    ("ana", "idea"), ("organiser", "idea"), ("outsider", "idea"), ("unassigned", "idea"), ("conflicted", "idea"),
    ("juror", "draft"), ("juror", "other_idea"),
])
def test_only_an_assigned_juror_without_conflict_scores_a_submitted_idea(db, world, who, which):
    idea = getattr(world, which)
    assert refused(lambda: reviews.save_review(idea.id, getattr(world, who), full_scores(world), ""))[0] == 404
    assert count(db, Review) == 0


def test_an_unknown_or_impossible_idea_is_404(db, world):
    for idea_id in (0, 987654, 2**40):
        assert refused(lambda: reviews.save_review(idea_id, world.juror, {}, ""))[0] == 404


# --- hook used by the idea pages and GET /ideas/{id} -----------------------------------------

def test_assigned_jurors_without_conflict_may_view_the_idea(db, world):
    assert can_view_idea(world.idea, world.juror) and can_view_idea(world.idea, world.colleague)
    for person in (world.conflicted, world.unassigned, world.outsider):
        assert not can_view_idea(world.idea, person)
    assert not can_view_idea(world.draft, world.juror)
    world.challenge.round = 2
    db.session.commit()
    assert not can_view_idea(world.idea, world.juror)


# --- declared conflicts -----------------------------------------------------------------------

def test_declaring_a_conflict_removes_the_assignment_and_the_review_and_hides_the_idea(db, world):
    make_review(world.idea, world.juror, full_scores(world))
    conflict = reviews.declare_conflict(world.idea.id, world.juror, "  I advised this team last year. ")
    assert (conflict.source, conflict.team_id, conflict.reason) == ("declared", world.team.id,
                                                                    "I advised this team last year.")
    assert conflict.created_by_id == world.juror.id
    assert count(db, Assignment, idea_id=world.idea.id, juror_user_id=world.juror.id) == 0
    assert count(db, Review, juror_user_id=world.juror.id) == 0 and count(db, CriterionScore) == 0
    assert [e.idea_id for e in reviews.juror_queue(world.juror)] == [world.rival_idea.id]
    with pytest.raises(NotFound):
        reviews.own_review(world.idea.id, world.juror)
    assert refused(lambda: reviews.save_review(world.idea.id, world.juror, full_scores(world), ""))[0] == 404
    assert not can_view_idea(world.idea, world.juror)
    # Re-assigning by hand does not bring it back: the recorded conflict still hides it.
    make_assignment(world.idea, world.juror)
    assert not can_view_idea(world.idea, world.juror)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "conflict.declared"))
    assert event.details["discarded_scores"] == {str(k): v for k, v in full_scores(world).items()}
    # Others' assignments stay.
    assert count(db, Assignment, idea_id=world.idea.id, juror_user_id=world.colleague.id) == 1


def test_declaring_needs_a_reason_an_assignment_and_judging(db, world):
    assert refused(lambda: reviews.declare_conflict(world.idea.id, world.juror, "   "))[:3] == \
        (422, "validation_failed", {"reason": "This field is required."})
    assert refused(lambda: reviews.declare_conflict(world.idea.id, world.unassigned, "Why not"))[0] == 404
    world.challenge.status = "published"
    db.session.commit()
    assert refused(lambda: reviews.declare_conflict(world.idea.id, world.juror, "Too late"))[:2] == \
        (409, "not_judging")
    assert count(db, Conflict) == 0 and count(db, Assignment, juror_user_id=world.juror.id) == 3


# --- safety flags -----------------------------------------------------------------------------

def test_a_juror_raises_a_flag_the_organisers_see_and_clear(db, world):
    flag = reviews.raise_safety_flag(world.idea.id, world.juror, "patient_safety", "Dosage advice without a doctor.")
    assert (flag.kind, flag.cleared, flag.raised_by_id) == ("patient_safety", False, world.juror.id)
    reviews.raise_safety_flag(world.idea.id, world.colleague, "data_protection", "Health data sent by SMS.")
    listed = reviews.open_flags(world.challenge.id)
    assert [(f.idea_title, f.kind, f.raised_by) for f in listed] == [
        ("Heart failure care at home", "patient_safety", "Iulia Jurist"),
        ("Heart failure care at home", "data_protection", "Radu Reviewer")]
    assert reviews.my_open_flags(world.idea.id, world.juror)[0].id == flag.id
    with pytest.raises(Forbidden):
        reviews.clear_flag(flag.id, world.juror, "I changed my mind")
    assert refused(lambda: reviews.clear_flag(flag.id, world.organiser, " "))[0] == 422
    assert refused(lambda: reviews.clear_flag(987654, world.organiser, "note"))[0] == 404
    cleared = reviews.clear_flag(flag.id, world.organiser, "Checked with the team: a doctor signs every plan.")
    assert cleared.cleared and cleared.cleared_by_id == world.organiser.id and cleared.cleared_at is not None
    assert [f.kind for f in reviews.open_flags(world.challenge.id)] == ["data_protection"]
    assert reviews.clear_flag(flag.id, world.organiser, "again").clearing_note.startswith("Checked")
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions.count("safety_flag.raised") == 2 and actions.count("safety_flag.cleared") == 1


@pytest.mark.parametrize("kind, reason, bad", [("fire", "Something", {"kind"}), ("patient_safety", "", {"reason"}),
                                               ("", " ", {"kind", "reason"})])
def test_a_flag_needs_a_known_kind_and_a_reason(db, world, kind, reason, bad):
    assert set(refused(lambda: reviews.raise_safety_flag(world.idea.id, world.juror, kind, reason))[2]) == bad
    assert count(db, SafetyFlag) == 0


@pytest.mark.parametrize("who", ["ana", "unassigned", "conflicted", "outsider"])
def test_only_assigned_jurors_raise_flags(db, world, who):
    assert refused(lambda: reviews.raise_safety_flag(world.idea.id, getattr(world, who), "patient_safety",
                                                     "A concern"))[0] == 404
