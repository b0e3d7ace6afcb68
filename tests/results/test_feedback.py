"""Feedback as a service: the means over the reviews the ranking counts, the challenge means, the
comments (anonymous, stable order) and who may read it."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from app.core import clock
from app.core.errors import NotFound
from app.judging.models import Conflict, Review
from app.judging.ranking import challenge_ranking
from app.results.feedback import feedback_for, idea_feedback, shuffled_comments
from app.results.models import Award, Publication
from tests.factories import make_juror, make_review, make_user
from tests.results.scenario import judged


def publish(db, world, awards=(("Alpha", "First prize", Decimal("60000")),)):
    """Published results as the publication writes them, without depending on its service."""
    db.session.commit()  # a fresh transaction: requests made before may have written since
    challenge = world.challenge
    entries = challenge_ranking(challenge, details=False)["entries"]
    titles = {idea.id: (idea.title, world.teams[name].name) for name, idea in world.ideas.items()}
    full_ranking = [{"rank": e["rank"], "idea_id": e["idea_id"], "title": titles[e["idea_id"]][0],
                     "team": titles[e["idea_id"]][1], "score": e["calibrated"]} for e in entries]
    published_awards = []
    for position, (name, award, amount) in enumerate(awards):
        idea = world.ideas[name]
        db.session.add(Award(challenge_id=challenge.id, idea_id=idea.id, name=award, amount=amount,
                             position=position, created_by_id=world.organiser.id))
        published_awards.append({"idea_id": idea.id, "title": idea.title, "team": world.teams[name].name,
                                  "name": award, "amount": float(amount) if amount is not None else None})
    challenge.status = "published"
    challenge.published_at = clock.now()
    db.session.add(Publication(challenge_id=challenge.id, published_at=clock.now(),
                               published_by_id=world.organiser.id, method=challenge.ranking_method,
                               visibility=challenge.results_visibility, awards=published_awards,
                               ranking=full_ranking, digest="0" * 64, full_ranking=full_ranking))
    db.session.commit()


def by_name(feedback):
    return {c["name"]: c for c in feedback["criteria"]}


def test_means_are_over_the_ideas_counted_reviews_and_the_challenge_means_over_all(db):
    world = judged(db)
    alpha = idea_feedback(world.ideas["Alpha"])
    assert alpha["reviews"] == 3
    assert set(alpha) == {"criteria", "comments", "reviews"}
    assert [c["name"] for c in alpha["criteria"]] == ["Relevance", "Feasibility"]
    relevance, feasibility = by_name(alpha)["Relevance"], by_name(alpha)["Feasibility"]
    assert relevance["mean"] == pytest.approx(14 / 3, abs=1e-12)  # 5, 5, 4
    assert feasibility["mean"] == pytest.approx(13 / 3, abs=1e-12)  # 5, 4, 4
    # Eleven counted reviews: Alpha 3, Beta 3, Gamma 3, Delta 2.
    assert relevance["challenge_mean"] == pytest.approx((14 + 12 + 8 + 3) / 11, abs=1e-12)
    assert feasibility["challenge_mean"] == pytest.approx((13 + 10 + 7 + 4) / 11, abs=1e-12)
    assert (relevance["scale_min"], relevance["scale_max"]) == (1, 5)
    delta = by_name(idea_feedback(world.ideas["Delta"]))
    assert delta["Relevance"]["mean"] == pytest.approx(1.5, abs=1e-12)
    assert delta["Feasibility"]["mean"] == pytest.approx(2.0, abs=1e-12)
    assert delta["Relevance"]["challenge_mean"] == relevance["challenge_mean"]


def test_a_conflicted_jurors_review_counts_neither_in_means_nor_comments(db):
    world = judged(db)
    before = idea_feedback(world.ideas["Delta"])
    juror3 = world.jurors[2]  # same organisation as Delta's member: conflicted automatically
    relevance, feasibility = (c.id for c in world.challenge.criteria)
    make_review(world.ideas["Delta"], juror3, {relevance: 5, feasibility: 5}, comment="Conflicted view.",
                private_note="PRIVATE conflicted.")
    after = idea_feedback(world.ideas["Delta"])
    assert after == before
    assert "Conflicted view." not in after["comments"]


def test_a_recorded_conflict_removes_that_jurors_review(db):
    world = judged(db)
    juror1 = world.jurors[0]
    db.session.add(Conflict(challenge_id=world.challenge.id, juror_user_id=juror1.id, team_id=world.teams["Alpha"].id,
                            source="declared", reason="Former colleague."))
    db.session.commit()
    alpha = idea_feedback(world.ideas["Alpha"])
    assert alpha["reviews"] == 2
    assert by_name(alpha)["Relevance"]["mean"] == pytest.approx(4.5, abs=1e-12)  # 5, 4
    assert by_name(alpha)["Relevance"]["challenge_mean"] == pytest.approx((9 + 12 + 8 + 3) / 10, abs=1e-12)
    assert "Comment from Juror 1 on Alpha." not in alpha["comments"]


def test_an_incomplete_review_does_not_count(db):
    world = judged(db)
    juror4 = make_user("juror4@example.org", name="Juror 4")
    make_juror(world.challenge, juror4)
    relevance = world.challenge.criteria[0].id
    make_review(world.ideas["Alpha"], juror4, {relevance: 1}, comment="Half done.")
    alpha = idea_feedback(world.ideas["Alpha"])
    assert alpha["reviews"] == 3 and by_name(alpha)["Relevance"]["mean"] == pytest.approx(14 / 3, abs=1e-12)
    assert "Half done." not in alpha["comments"]


def test_comments_are_stripped_non_empty_and_never_private_notes(db):
    world = judged(db)
    beta = world.ideas["Beta"]
    reviews = db.session.scalars(select(Review).where(Review.idea_id == beta.id).order_by(Review.juror_user_id)).all()
    reviews[0].comment, reviews[1].comment = "   \n ", "  Measure outcomes.\n"
    db.session.commit()
    comments = idea_feedback(beta)["comments"]
    assert sorted(comments) == ["Comment from Juror 3 on Beta.", "Measure outcomes."]
    assert not any("PRIVATE" in comment for comment in comments)


def test_the_comment_order_is_stable_and_tells_nothing_about_jurors(db):
    world = judged(db)
    alpha = world.ideas["Alpha"]
    first = idea_feedback(alpha)["comments"]
    assert idea_feedback(alpha)["comments"] == first
    # Hand the same comments to other jurors: the order must not move with them.
    reviews = db.session.scalars(select(Review).where(Review.idea_id == alpha.id).order_by(Review.juror_user_id)).all()
    texts = [review.comment for review in reviews]
    for review, comment in zip(reviews, texts[1:] + texts[:1]):
        review.comment = comment
    db.session.commit()
    assert idea_feedback(alpha)["comments"] == first


def test_the_shuffle_depends_on_the_idea_not_on_the_input_order(app_ctx):
    texts = [f"Comment {n}" for n in range(6)]
    assert shuffled_comments(7, texts) == shuffled_comments(7, list(reversed(texts)))
    orders = {tuple(shuffled_comments(idea_id, texts)) for idea_id in range(1, 30)}
    assert len(orders) > 1  # really shuffled, not merely sorted


def test_members_read_it_after_publication_only(db):
    world = judged(db)
    alpha = world.ideas["Alpha"]
    for member in world.members["Alpha"]:
        with pytest.raises(NotFound):
            feedback_for(alpha.id, member)
    publish(db, world)
    for member in world.members["Alpha"]:
        assert feedback_for(alpha.id, member) == idea_feedback(alpha)


@pytest.mark.parametrize("published", [False, True])
def test_everyone_else_gets_404(db, published):
    world = judged(db)
    if published:
        publish(db, world)
    alpha = world.ideas["Alpha"]
    from flask_login import AnonymousUserMixin

    for user in (AnonymousUserMixin(), world.outsider, world.members["Beta"][0], *world.jurors):
        with pytest.raises(NotFound):
            feedback_for(alpha.id, user)
    for name in ("Epsilon", "Withdrawn"):  # never judged: no feedback, for anyone
        for user in (world.members[name][0], world.organiser):
            with pytest.raises(NotFound):
                feedback_for(world.ideas[name].id, user)
    with pytest.raises(NotFound):
        feedback_for(2**40, world.organiser)


def test_organisers_and_administrators_preview_before_publication(db):
    world = judged(db)
    admin = make_user("admin@example.org", admin=True)
    for user in (world.organiser, admin):
        assert feedback_for(world.ideas["Gamma"].id, user)["reviews"] == 3


def test_an_idea_not_retained_gets_the_feedback_of_its_round(db):
    world = judged(db)
    gamma = world.ideas["Gamma"]
    before = idea_feedback(gamma)
    # Shortlisting: the others go on to round 2, Gamma stays in round 1 and is not retained.
    for name in ("Alpha", "Beta", "Delta"):
        world.ideas[name].round = 2
    gamma.status = "not_retained"
    world.challenge.round = 2
    db.session.commit()
    assert idea_feedback(gamma) == before
