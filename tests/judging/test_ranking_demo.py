"""`flask demo` brings a challenge in judging whose console has something to show."""
from sqlalchemy import func, select

from app.challenges.models import Challenge
from app.demo import JUDGING_TITLE
from app.judging.models import Assignment, Juror, Review
from app.judging.ranking import challenge_ranking
from app.submissions.models import Idea


def test_the_demo_has_a_challenge_in_judging_with_strict_and_lenient_jurors(app):
    from app.extensions import db

    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.test_request_context():
        challenge = db.session.scalar(select(Challenge).where(Challenge.title == JUDGING_TITLE))
        assert challenge.status == "judging" and challenge.kind == "hackathon" and len(challenge.criteria) == 8
        ideas = db.session.scalar(select(func.count()).select_from(Idea).where(
            Idea.challenge_id == challenge.id, Idea.status == "submitted"))
        assert 8 <= ideas <= 10
        assert db.session.scalar(select(func.count()).select_from(Juror).where(Juror.challenge_id == challenge.id)) == 4
        per_idea = db.session.execute(select(Assignment.idea_id, func.count()).where(
            Assignment.challenge_id == challenge.id).group_by(Assignment.idea_id)).all()
        assert len(per_idea) == ideas and {n for _idea, n in per_idea} == {3}
        ranking = challenge_ranking(challenge)
        offsets = {ranking["juror_names"][j["juror_id"]]: j["offset"] for j in ranking["jurors"]}
        assert offsets["Giulia Giurata"] > 0.5 and offsets["Dorte Dommer"] < -0.5
        assert ranking["disagreements"] and len(ranking["flags"]) == 1
        progress = {row["name"]: (row["scored"], row["assigned"]) for row in ranking["progress"]["jurors"]}
        assert progress["Giulia Giurata"][0] < progress["Giulia Giurata"][1]  # some left for the demo juror
        reviews = db.session.scalar(select(func.count()).select_from(Review))

    assert "already present" in runner.invoke(args=["demo"]).output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Challenge).where(
            Challenge.title == JUDGING_TITLE)) == 1
        assert db.session.scalar(select(func.count()).select_from(Review)) == reviews


def test_an_older_demo_database_gains_the_judging_challenge(app):
    from app.demo import load_demo
    from app.extensions import db

    with app.app_context():
        load_demo()
        count = db.session.scalar(select(func.count()).select_from(Challenge))
        challenge = db.session.scalar(select(Challenge).where(Challenge.title == JUDGING_TITLE))
        db.session.delete(challenge)
        db.session.commit()
        created, _accounts = load_demo()
        assert created
        assert db.session.scalar(select(func.count()).select_from(Challenge)) == count
