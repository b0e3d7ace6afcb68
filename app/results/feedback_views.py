"""The team's feedback page (members after publication; organisers preview it before)."""
from __future__ import annotations

from typing import Any

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.routing import BuildError

from app.results.blueprint import bp
from app.results.feedback import feedback_idea, idea_feedback, idea_standing
from app.results.feedback_chart import criterion_chart, number


def _maybe_url(endpoint: str, **values: Any) -> str | None:
    """A link to a page that may not exist in this installation."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


@bp.get("/ideas/<int:idea_id>/feedback")
def feedback(idea_id: int):
    idea, challenge, publication = feedback_idea(idea_id, current_user)
    data = idea_feedback(idea)
    team = idea.team
    member = team.is_member(current_user)
    idea_title = idea.title or _("Untitled idea")
    crumbs = [(_("My dashboard"), url_for("submissions.dashboard"))] if member else []
    crumbs += [(challenge.title, _maybe_url("challenges.show", challenge_id=challenge.id)),
               (idea_title, url_for("submissions.view_idea", idea_id=idea.id)),
               (_("Feedback"), None)]
    charts = {c["criterion_id"]: criterion_chart(f"feedback-{c['criterion_id']}", c["name"], c["mean"],
                                                 c["challenge_mean"], c["scale_min"], c["scale_max"])
              for c in data["criteria"]}
    return render_template(
        "results/feedback.html", idea=idea, idea_title=idea_title, team=team, challenge=challenge,
        preview=publication is None, feedback=data, charts=charts, number=number, crumbs=crumbs,
        standing=idea_standing(idea, publication),
        results_url=_maybe_url("results.results_page", challenge_id=challenge.id) if publication else None)
