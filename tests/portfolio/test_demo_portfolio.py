"""`flask demo` brings a portfolio of more than twenty projects in every stage, some promoted."""
from sqlalchemy import func, select

from app.portfolio.models import STAGES, PortfolioProject


def test_the_demo_has_a_portfolio_across_every_stage_with_promoted_winners(app, client):
    from app.extensions import db

    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        projects = db.session.scalars(select(PortfolioProject)).all()
        assert len(projects) >= 20
        assert {p.stage for p in projects} == set(STAGES)
        promoted = [p for p in projects if p.origin_idea_id is not None]
        assert len(promoted) >= 3
        assert all(p.origin["challenge_title"] == "Healthy ageing at home Odense 2025" for p in promoted)
        assert all(p.stopped_reason for p in projects if p.stage == "stopped")
        located = sum(1 for p in projects if p.latitude is not None)
        project_id = promoted[0].id
    assert located >= 10
    assert client.get("/portfolio").status_code == 200
    page = client.get(f"/portfolio/{project_id}").get_data(as_text=True)
    assert "Healthy ageing at home Odense 2025" in page

    assert "already present" in runner.invoke(args=["demo"]).output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PortfolioProject)) == len(projects)


def test_an_older_demo_database_gains_the_portfolio(app):
    from app.demo import load_demo
    from app.extensions import db

    with app.app_context():
        load_demo()
        db.session.execute(PortfolioProject.__table__.delete())
        db.session.commit()
        created, _accounts = load_demo()
        assert created
        assert db.session.scalar(select(func.count()).select_from(PortfolioProject)) >= 20
