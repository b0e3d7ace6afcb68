"""Challenge pages: the public list and page, creating a challenge, and the phase changes.

The set-up pages and the organiser console live in ``setup_views`` and ``console_views``;
importing them here registers their routes on the same blueprint.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from app.challenges import console, services
from app.challenges import console_views as _console_views  # noqa: F401  (registers routes)
from app.challenges import setup_views as _setup_views  # noqa: F401  (registers routes)
from app.challenges.access import organised_challenge, visible_challenge
from app.challenges.blueprint import bp
from app.challenges.forms import NewChallengeForm
from app.challenges.queries import visible_challenges
from app.challenges.rules import PHASES
from app.core import clock
from app.core.errors import ValidationFailed
from app.core.forms import ActionForm, apply_errors
from app.extensions import db
from app.teams.models import Team

__all__ = ["bp"]
PER_PAGE = 24
MAX_PAGE = 10_000  # keeps the offset within what every database accepts


def _user():
    return current_user._get_current_object()


@bp.get("/challenges")
def index():
    try:
        page = min(max(1, int(request.args.get("page", "1"))), MAX_PAGE)
    except ValueError:
        page = 1
    stmt = visible_challenges(_user())
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    challenges = db.session.scalars(stmt.limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    if page > 1 and not challenges:
        abort(404)
    return render_template("challenges/index.html", challenges=challenges, page=page,
                           has_next=total > page * PER_PAGE, now=clock.now())


@bp.get("/challenges/<int:challenge_id>")
def show(challenge_id: int):
    user = _user()
    challenge = visible_challenge(challenge_id, user)
    now = clock.now()
    phase = challenge.phase(now)
    total_weight = sum(c.weight for c in challenge.criteria) or 1
    return render_template("challenges/show.html", challenge=challenge, phase=phase, phases=PHASES,
                           phase_index=PHASES.index(phase), total_weight=total_weight, now=now,
                           is_organiser=challenge.is_organiser(user))


@bp.route("/challenges/new", methods=["GET", "POST"])
@login_required
def new():
    user = _user()
    if not user.is_admin:
        abort(403)
    form = NewChallengeForm()
    if form.validate_on_submit():
        try:
            challenge = services.create_challenge(user, {"title": form.title.data, "kind": form.kind.data})
        except ValidationFailed as error:
            apply_errors(form, error.fields)
            return render_template("challenges/new.html", form=form), 422
        if form.use_health_template.data:
            services.apply_health_template(challenge, user)
        flash(_("The challenge is created as a draft. Only organisers see it until you open it. "
                "Complete its set-up below."), "success")
        return redirect(url_for("challenges.setup", challenge_id=challenge.id))
    return render_template("challenges/new.html", form=form), (422 if form.is_submitted() else 200)


@bp.route("/challenges/<int:challenge_id>/open", methods=["GET", "POST"], endpoint="open")
@login_required
def open_challenge(challenge_id: int):
    user = _user()
    challenge = organised_challenge(challenge_id, user)
    form = ActionForm()
    status = 200
    problems = services.opening_messages(challenge) if challenge.status == "draft" else {}
    if form.validate_on_submit():
        try:
            challenge = services.open_challenge(challenge, user)
        except ValidationFailed as error:
            db.session.rollback()
            challenge = organised_challenge(challenge_id, user)
            problems, status = error.fields, 422
        else:
            flash(_("The challenge is open. Everyone can see it; teams can form and submit ideas until "
                    "the deadline."), "success")
            return redirect(url_for("challenges.show", challenge_id=challenge.id))
    elif form.is_submitted():
        status = 422
    return render_template("challenges/open.html", challenge=challenge, form=form, problems=problems,
                           now=clock.now()), status


@bp.route("/challenges/<int:challenge_id>/start-judging", methods=["GET", "POST"])
@login_required
def start_judging(challenge_id: int):
    user = _user()
    challenge = organised_challenge(challenge_id, user)
    form = ActionForm()
    if form.validate_on_submit():
        services.start_judging(challenge, user)
        flash(_("Judging has started. Teams can no longer change their ideas; the criteria are now fixed."),
              "success")
        return redirect(url_for("challenges.console", challenge_id=challenge_id))
    now = clock.now()
    running = db.session.scalars(select(Team).where(Team.challenge_id == challenge.id,
                                                    Team.deadline_exception > now)
                                 .order_by(Team.deadline_exception)).all()
    return render_template("challenges/start_judging.html", challenge=challenge, form=form, now=now,
                           counts=console.status_counts(challenge.id), running=running), \
        (422 if form.is_submitted() else 200)
