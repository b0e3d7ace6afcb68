"""The organisers' list of a published challenge's entries, each promoted or ready to promote."""
from __future__ import annotations

from flask import render_template
from flask_login import current_user, login_required
from sqlalchemy import select

from app.challenges.access import organised_challenge
from app.core.errors import NotFound
from app.extensions import db
from app.portfolio.blueprint import bp
from app.portfolio.models import PortfolioProject
from app.results.models import Award, Publication
from app.submissions.models import Idea


@bp.get("/challenges/<int:challenge_id>/portfolio", endpoint="promotion_list")
@login_required
def promotion_list(challenge_id: int):
    """Entries in published rank order with their awards; those already promoted link to their project.

    Only a challenge published here (not an imported archive, whose entries refer to another
    instance) has entries to promote; the page answers 404 before publication.
    """
    challenge = organised_challenge(challenge_id, current_user)
    publication = db.session.get(Publication, challenge.id)
    if challenge.status != "published" or publication is None:
        raise NotFound()
    ideas = {row.id: row for row in db.session.execute(
        select(Idea.id, Idea.title, Idea.status).where(Idea.challenge_id == challenge.id)).all()}
    awards: dict[int, list[str]] = {}
    for idea_id, name in db.session.execute(select(Award.idea_id, Award.name)
                                            .where(Award.challenge_id == challenge.id)
                                            .order_by(Award.position, Award.id)):
        awards.setdefault(idea_id, []).append(name)
    promoted = select(PortfolioProject.origin_idea_id, PortfolioProject.id).where(
        PortfolioProject.origin_challenge_id == challenge.id)
    projects = {idea_id: project_id for idea_id, project_id in db.session.execute(promoted).all()}
    ranked = {entry["idea_id"]: entry["rank"] for entry in publication.full_ranking}
    rows = [{"idea_id": idea_id, "title": idea.title, "rank": ranked.get(idea_id), "awards": awards.get(idea_id, []),
             "project_id": projects.get(idea_id)}
            for idea_id, idea in ideas.items() if idea.status in ("submitted", "not_retained")]
    rows.sort(key=lambda row: (row["rank"] is None, row["rank"] or 0, row["title"]))
    return render_template("portfolio/promotion_list.html", challenge=challenge, rows=rows)
