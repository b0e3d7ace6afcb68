"""The organiser console: teams and ideas with their status, the CSV export, personal deadlines."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.challenges import console, deadlines
from app.challenges.access import organised_challenge, valid_id
from app.challenges.blueprint import bp
from app.challenges.export import csv_response
from app.challenges.forms import DeadlineExceptionForm, from_local
from app.challenges.labels import IDEA_STATUS_LABELS
from app.core import clock
from app.core.errors import ValidationFailed
from app.core.forms import ActionForm, apply_errors
from app.core.i18n import when
from app.extensions import db
from app.teams.models import Team


def _organised(challenge_id: int):
    user = current_user._get_current_object()
    return organised_challenge(challenge_id, user), user


def _console_page(challenge, exception_form: DeadlineExceptionForm | None = None, status: int = 200):
    tracks = list(challenge.tracks)
    state, track_id = console.parse_filters(request.args, {t.id for t in tracks})
    rows = console.console_rows(challenge.id, status=state, track_id=track_id)
    all_teams = db.session.execute(select(Team.id, Team.name, Team.deadline_exception,
                                          Team.deadline_exception_reason)
                                   .where(Team.challenge_id == challenge.id).order_by(Team.name_key)).all()
    form = exception_form or DeadlineExceptionForm(formdata=None)
    form.team_id.choices = [(t.id, t.name) for t in all_teams]
    return render_template("challenges/console.html", challenge=challenge, rows=rows, tracks=tracks,
                           state=state, track_id=track_id, counts=console.status_counts(challenge.id),
                           exceptions=[t for t in all_teams if t.deadline_exception is not None],
                           exception_form=form, now=clock.now()), status


@bp.get("/challenges/<int:challenge_id>/console", endpoint="console")
@login_required
def console_page(challenge_id: int):
    challenge, _user = _organised(challenge_id)
    return _console_page(challenge)



@bp.get("/challenges/<int:challenge_id>/console.csv")
@login_required
def console_csv(challenge_id: int):
    challenge, _user = _organised(challenge_id)
    state, track_id = console.parse_filters(request.args, {t.id for t in challenge.tracks})
    rows = console.console_rows(challenge.id, status=state, track_id=track_id)
    header = [_("Team"), _("Members"), _("Captain"), _("Idea"), _("Status"), _("Track"), _("Submitted at (UTC)"),
              _("Last change (UTC)"), _("Personal deadline (UTC)"), _("Reason for the personal deadline")]

    def iso(value):
        return value.isoformat() if value is not None else ""

    body = [[r.team_name, r.members, r.captain, r.idea_title, str(IDEA_STATUS_LABELS[r.idea_status]),
             r.track_name, iso(r.submitted_at), iso(r.updated_at), iso(r.deadline_exception), r.exception_reason]
            for r in rows]
    return csv_response(f"challenge-{challenge.id}-teams.csv", header, body)


@bp.post("/challenges/<int:challenge_id>/console/exceptions")
@login_required
def grant_exception(challenge_id: int):
    challenge, user = _organised(challenge_id)
    form = DeadlineExceptionForm()
    form.team_id.choices = []
    if form.validate_on_submit():
        try:
            team = deadlines.grant_deadline_exception(challenge, user, form.team_id.data,
                                                      from_local(form.new_deadline.data), form.reason.data)
        except ValidationFailed as error:
            db.session.rollback()
            apply_errors(form, error.fields)
        else:
            flash(_("%(team)s can now submit until %(when)s. The reason is kept in the audit trail.",
                    team=team.name, when=when(team.deadline_exception)), "success")
            return redirect(url_for("challenges.console", challenge_id=challenge_id) + "#exceptions")
    return _console_page(organised_challenge(challenge_id, user), form, 422)


@bp.route("/challenges/<int:challenge_id>/console/exceptions/<int:team_id>/revoke", methods=["GET", "POST"])
@login_required
def revoke_exception(challenge_id: int, team_id: int):
    challenge, user = _organised(challenge_id)
    team = db.session.scalar(select(Team).where(Team.id == team_id, Team.challenge_id == challenge.id)) \
        if valid_id(team_id) else None
    if team is None or team.deadline_exception is None:
        flash(_("This team has no personal deadline."), "info")
        return redirect(url_for("challenges.console", challenge_id=challenge_id) + "#exceptions")
    form = ActionForm()
    if form.validate_on_submit():
        deadlines.revoke_deadline_exception(challenge, user, team_id)
        flash(_("%(team)s's personal deadline is revoked: the challenge's deadline applies again.",
                team=team.name), "success")
        return redirect(url_for("challenges.console", challenge_id=challenge_id) + "#exceptions")
    return render_template("challenges/revoke_exception.html", challenge=challenge, team=team, form=form,
                           now=clock.now())
