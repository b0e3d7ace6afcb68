"""`flask demo` brings a challenge whose results are published, once."""
from sqlalchemy import func, select

from app.challenges.models import Challenge
from app.demo import PUBLISHED_TITLE
from app.results.models import Award, Publication


def test_the_demo_has_a_challenge_with_published_results(app, client):
    from app.extensions import db

    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        challenge = db.session.scalar(select(Challenge).where(Challenge.title == PUBLISHED_TITLE))
        assert challenge.status == "published" and challenge.published_at is not None
        publication = db.session.get(Publication, challenge.id)
        assert len(publication.awards) == 4 and len(publication.ranking) == 6
        assert [a["idea_id"] for a in publication.awards] == [r["idea_id"] for r in publication.ranking[:4]]
        challenge_id, digest = challenge.id, publication.digest
    response = client.get(f"/challenges/{challenge_id}/results")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "First prize: a one-year pilot" in html and digest in html
    assert f'href="/challenges/{challenge_id}/results"' in client.get(f"/challenges/{challenge_id}").get_data(
        as_text=True)

    assert "already present" in runner.invoke(args=["demo"]).output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Challenge).where(
            Challenge.title == PUBLISHED_TITLE)) == 1
        assert db.session.scalar(select(func.count()).select_from(Publication)) == 1
        assert db.session.scalar(select(func.count()).select_from(Award)) == 4


def test_an_older_demo_database_gains_the_published_challenge(app):
    from app.demo import load_demo
    from app.extensions import db

    with app.app_context():
        load_demo()
        count = db.session.scalar(select(func.count()).select_from(Challenge))
        db.session.delete(db.session.scalar(select(Challenge).where(Challenge.title == PUBLISHED_TITLE)))
        db.session.commit()
        created, _accounts = load_demo()
        assert created
        assert db.session.scalar(select(func.count()).select_from(Challenge)) == count
        assert db.session.scalar(select(Challenge.status).where(Challenge.title == PUBLISHED_TITLE)) == "published"
