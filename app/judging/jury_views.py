"""The jury set-up page for organisers: jurors, conflicts of interest, assignments and reminders."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, SelectMultipleField, TextAreaField
from wtforms.validators import DataRequired, Email

from app.challenges.access import organised_challenge
from app.challenges.validation import SHORT_TEXT_MAX
from app.core.errors import Conflict, ValidationFailed
from app.core.forms import ActionForm, apply_errors, text_limit
from app.core.layout import NavItem, register_nav, register_role_provider
from app.extensions import db
from app.judging import jury, jury_queries
from app.judging.blueprint import bp

register_role_provider(jury.juror_roles)
register_nav(NavItem(_l("My reviews"), "judging.queue", "juror", order=20))


def _id_or_none(value: Any) -> int | None:
    return None if value in (None, "") else int(value)


class JurorForm(FlaskForm):
    email = EmailField(_l("E-mail address"), [DataRequired(_l("Enter an e-mail address.")),
                                              Email(_l("Enter a valid e-mail address, like name@example.org.")),
                                              text_limit(jury.EMAIL_MAX)])
    track_ids = SelectMultipleField(_l("Tracks this juror judges"), coerce=int, validate_choice=False)


class ConflictForm(FlaskForm):
    juror_id = SelectField(_l("Juror"), coerce=_id_or_none, validate_choice=False,
                           validators=[DataRequired(_l("Choose a juror."))])
    team_id = SelectField(_l("Team"), coerce=_id_or_none, validate_choice=False,
                          validators=[DataRequired(_l("Choose a team."))])
    reason = TextAreaField(_l("Reason"), [DataRequired(_l("Say why this juror may not judge this team.")),
                                          text_limit(SHORT_TEXT_MAX)])


class AssignmentForm(FlaskForm):
    idea_id = SelectField(_l("Entry"), coerce=_id_or_none, validate_choice=False,
                          validators=[DataRequired(_l("Choose an entry."))])
    juror_id = SelectField(_l("Juror"), coerce=_id_or_none, validate_choice=False,
                           validators=[DataRequired(_l("Choose a juror."))])


def _organised(challenge_id: int):
    user = current_user._get_current_object()
    return organised_challenge(challenge_id, user), user


def _back(challenge_id: int, anchor: str):
    return redirect(url_for("judging.jury", challenge_id=challenge_id) + anchor)


def _refused(error: Conflict, challenge_id: int, anchor: str):
    """Say why on the jury page itself: these forms post to addresses that have no page of their own."""
    db.session.rollback()
    flash(error.message, "error")
    return _back(challenge_id, anchor)


def _jury_page(challenge, *, juror_form: JurorForm | None = None, conflict_form: ConflictForm | None = None,
               assignment_form: AssignmentForm | None = None, status: int = 200):
    tracks = list(challenge.tracks)
    jurors = jury_queries.jurors(challenge)
    teams = jury_queries.teams(challenge)
    entries = jury_queries.entries(challenge)
    juror_form = juror_form or JurorForm(formdata=None)
    juror_form.track_ids.choices = [(t.id, t.name) for t in tracks]
    conflict_form = conflict_form or ConflictForm(formdata=None)
    conflict_form.juror_id.choices = [("", _("Choose a juror"))] + [(j.user_id, j.name) for j in jurors]
    conflict_form.team_id.choices = [("", _("Choose a team"))] + teams
    assignment_form = assignment_form or AssignmentForm(formdata=None)
    assignment_form.idea_id.choices = [("", _("Choose an entry"))] + [(e.idea_id, e.title) for e in entries]
    assignment_form.juror_id.choices = conflict_form.juror_id.choices
    assigned = sum(len(e.jurors) for e in entries)
    understaffed = [e for e in entries if len(e.jurors) < challenge.reviews_per_entry] if assigned else []
    return render_template(
        "judging/jury_setup.html", challenge=challenge, jurors=jurors, invitations=jury_queries.invitations(challenge),
        conflicts=jury_queries.conflicts(challenge, jurors, dict(teams)), entries=entries, assigned=assigned,
        understaffed=understaffed, juror_names={j.user_id: j.name for j in jurors},
        track_names={t.id: t.name for t in tracks}, juror_form=juror_form, conflict_form=conflict_form,
        assignment_form=assignment_form, action_form=ActionForm(formdata=None)), status


@bp.get("/challenges/<int:challenge_id>/jury", endpoint="jury")
@login_required
def jury_page(challenge_id: int):
    challenge, _user = _organised(challenge_id)
    return _jury_page(challenge)


@bp.post("/challenges/<int:challenge_id>/jury/jurors")
@login_required
def add_juror(challenge_id: int):
    challenge, user = _organised(challenge_id)
    form = JurorForm()
    form.track_ids.choices = []
    if form.validate_on_submit():
        try:
            added = jury.add_juror(challenge, user, form.email.data, form.track_ids.data)
        except ValidationFailed as error:
            db.session.rollback()
            apply_errors(form, error.fields)
        else:
            if added.invited:
                flash(_("%(email)s has no Salus account yet, so we sent an invitation. They join the jury as "
                        "soon as they register with this address.", email=added.email), "success")
            else:
                flash(_("%(email)s is on the jury and has been told by e-mail. Assign entries once judging "
                        "starts.", email=added.email), "success")
            return _back(challenge_id, "#jurors")
    return _jury_page(organised_challenge(challenge_id, user), juror_form=form, status=422)


@bp.route("/challenges/<int:challenge_id>/jury/jurors/<int:juror_id>/remove", methods=["GET", "POST"])
@login_required
def remove_juror(challenge_id: int, juror_id: int):
    challenge, user = _organised(challenge_id)
    juror = next((j for j in jury_queries.jurors(challenge) if j.user_id == juror_id), None)
    if juror is None:
        flash(_("This person is not on the jury."), "info")
        return _back(challenge_id, "#jurors")
    form = ActionForm()
    if form.validate_on_submit():
        jury.remove_juror(challenge, user, juror_id)
        flash(_("%(name)s is no longer on the jury; their entries are free to assign again.", name=juror.name),
              "success")
        return _back(challenge_id, "#jurors")
    return render_template("judging/jury_remove.html", challenge=challenge, juror=juror, form=form)


@bp.post("/challenges/<int:challenge_id>/jury/invitations/<int:invitation_id>/cancel")
@login_required
def cancel_invitation(challenge_id: int, invitation_id: int):
    challenge, user = _organised(challenge_id)
    if ActionForm().validate_on_submit():
        jury.cancel_invitation(challenge, user, invitation_id)
        flash(_("The invitation is withdrawn. If that person registers, they will not join the jury."), "success")
    return _back(challenge_id, "#jurors")


@bp.post("/challenges/<int:challenge_id>/jury/conflicts")
@login_required
def record_conflict(challenge_id: int):
    challenge, user = _organised(challenge_id)
    form = ConflictForm()
    if form.validate_on_submit():
        try:
            jury.record_conflict(challenge, user, form.juror_id.data, form.team_id.data, form.reason.data)
        except ValidationFailed as error:
            db.session.rollback()
            apply_errors(form, error.fields)
        except Conflict as error:
            return _refused(error, challenge_id, "#conflicts")
        else:
            flash(_("The conflict is recorded. This juror no longer sees that team's entry; any assignment or "
                    "scores they had on it were removed."), "success")
            return _back(challenge_id, "#conflicts")
    return _jury_page(organised_challenge(challenge_id, user), conflict_form=form, status=422)


@bp.route("/challenges/<int:challenge_id>/jury/assign", methods=["GET", "POST"])
@login_required
def auto_assign(challenge_id: int):
    challenge, user = _organised(challenge_id)
    form = ActionForm()
    if form.validate_on_submit():
        run = jury.auto_assign(challenge, user)
        message = ngettext("%(num)d new assignment made.", "%(num)d new assignments made.", run.created)
        if run.understaffed:
            message += " " + ngettext("%(num)d entry could not get enough jurors without a conflict; it is listed "
                                      "below.", "%(num)d entries could not get enough jurors without a conflict; "
                                      "they are listed below.", len(run.understaffed))
        else:
            message += " " + _("Every entry has its jurors. Jurors see their entries in “My reviews”.")
        flash(message, "success" if not run.understaffed else "info")
        return _back(challenge_id, "#assignments")
    entries = jury_queries.entries(challenge)
    return render_template("judging/jury_assign.html", challenge=challenge, form=form, entries=len(entries),
                           assigned=sum(len(e.jurors) for e in entries), jurors=len(jury_queries.jurors(challenge)))


@bp.post("/challenges/<int:challenge_id>/jury/assignments")
@login_required
def add_assignment(challenge_id: int):
    challenge, user = _organised(challenge_id)
    form = AssignmentForm()
    if form.validate_on_submit():
        try:
            created = jury.add_assignment(challenge, user, form.idea_id.data, form.juror_id.data)
        except ValidationFailed as error:
            db.session.rollback()
            apply_errors(form, error.fields)
        except Conflict as error:
            return _refused(error, challenge_id, "#assignments")
        else:
            flash(_("The entry is assigned to this juror.") if created else
                  _("This juror already had this entry; nothing changed."), "success")
            return _back(challenge_id, "#assignments")
    return _jury_page(organised_challenge(challenge_id, user), assignment_form=form, status=422)


@bp.post("/challenges/<int:challenge_id>/jury/assignments/<int:idea_id>/<int:juror_id>/remove")
@login_required
def remove_assignment(challenge_id: int, idea_id: int, juror_id: int):
    challenge, user = _organised(challenge_id)
    if ActionForm().validate_on_submit():
        try:
            jury.remove_assignment(challenge, user, idea_id, juror_id)
        except Conflict as error:
            return _refused(error, challenge_id, "#assignments")
        flash(_("The assignment is removed. The entry may now need another juror."), "success")
    return _back(challenge_id, "#assignments")


@bp.route("/challenges/<int:challenge_id>/jury/reminders", methods=["GET", "POST"])
@login_required
def send_reminders(challenge_id: int):
    challenge, user = _organised(challenge_id)
    form = ActionForm()
    if form.validate_on_submit():
        sent = jury.send_reminders(challenge, user)
        flash(ngettext("A reminder is on its way to %(num)d juror.", "Reminders are on their way to %(num)d jurors.",
                       sent) if sent else _("Nobody has entries left to score, so no reminder was sent."), "success")
        return _back(challenge_id, "#reminders")
    return render_template("judging/jury_reminders.html", challenge=challenge, form=form,
                           waiting=jury_queries.pending_by_juror(challenge))
