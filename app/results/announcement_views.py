"""The announcements page: organisers write a message, check who it reaches, then send it."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, TextAreaField

from app.challenges.access import organised_challenge
from app.core.errors import Conflict, ValidationFailed
from app.core.forms import apply_errors
from app.extensions import db
from app.results import announcements
from app.results.announcements import AUDIENCE_LABELS
from app.results.blueprint import bp
from app.results.models import AUDIENCES

AUDIENCE_HINTS = {
    "registered": _l("Every team member and everyone looking for a team."),
    "without_team": _l("People who said they are looking for a team and have not joined one."),
    "not_submitted": _l("Members of teams with no idea yet, a draft, or a withdrawn idea."),
    "submitted": _l("Members of teams whose idea was submitted."),
    "track": _l("Members of teams whose idea is in the track chosen below."),
    "winners": _l("Members of teams whose idea has an award."),
    "pending_jurors": _l("Jurors with at least one entry of this round not yet scored."),
}


class AnnouncementForm(FlaskForm):
    # Choices are checked by the service, which gives the same messages to the API.
    audience = RadioField(_l("Who should receive it?"), choices=[(a, AUDIENCE_LABELS[a]) for a in AUDIENCES],
                          validate_choice=False)
    track_id = SelectField(_l("Track"), coerce=str, validate_choice=False)
    subject = StringField(_l("Subject"))
    body = TextAreaField(_l("Message"))


def _organised(challenge_id: int):
    user = current_user._get_current_object()
    return organised_challenge(challenge_id, user), user


def _page(challenge, form: AnnouncementForm, status: int = 200):
    form.track_id.choices = [("", _l("Choose a track"))] + [(str(t.id), t.name) for t in challenge.tracks]
    return render_template("results/announcements.html", challenge=challenge, form=form,
                           sent=announcements.sent_announcements(challenge), audience_labels=AUDIENCE_LABELS,
                           audience_hints=AUDIENCE_HINTS), status


@bp.route("/challenges/<int:challenge_id>/announcements", methods=["GET", "POST"], endpoint="announcements")
@login_required
def announcements_page(challenge_id: int):
    challenge, user = _organised(challenge_id)
    if request.method == "GET":
        return _page(challenge, AnnouncementForm(formdata=None))
    form = AnnouncementForm()
    if not form.validate_on_submit():
        return _page(challenge, form, 400 if form.csrf_token.errors else 422)
    step = request.form.get("step", "preview")
    values = {"audience": form.audience.data, "track_id": form.track_id.data, "subject": form.subject.data,
              "body": form.body.data}
    if step == "change":
        return _page(challenge, form)
    try:
        if step == "send":
            sent = announcements.send_announcement(challenge, user, **values)
        else:
            message = announcements.preview(challenge, user, **values)
    except ValidationFailed as error:
        db.session.rollback()
        apply_errors(form, error.fields)
        return _page(challenge, form, 422)
    except Conflict as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("results.announcements", challenge_id=challenge_id))
    if step == "send":
        flash(ngettext("Your announcement is on its way to %(num)d person.",
                       "Your announcement is on its way to %(num)d people.", sent.recipients), "success")
        return redirect(url_for("results.announcements", challenge_id=challenge_id))
    return render_template("results/announcement_confirm.html", challenge=challenge, form=form, message=message,
                           audience_labels=AUDIENCE_LABELS, audience_hints=AUDIENCE_HINTS)
