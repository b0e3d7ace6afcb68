"""Idea pages: thin views that parse a form, call a service, then flash and redirect or re-render.

A refused save never loses what the person typed: the form is shown again with their text in it.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import BuildError

from app.challenges.access import assert_submissions_open, team_deadline, valid_id
from app.core import clock
from app.core.errors import Conflict, DomainError, ValidationFailed
from app.core.forms import ActionForm, apply_errors
from app.core.i18n import when
from app.core.layout import NavItem, register_nav
from app.core.outbox import external_url
from app.extensions import db
from app.submissions import access, services, uploads
from app.submissions.dashboard import load_dashboard
from app.submissions.forms import AttachmentForm, IdeaForm, field_hints
from app.submissions.models import Idea

bp = Blueprint("submissions", __name__, template_folder="templates")

register_nav(NavItem(_l("My dashboard"), "submissions.dashboard", "user", order=10))

# Each status as words and a colour (never colour alone).
IDEA_STATUS = {"draft": (_l("Draft"), "yellow"), "submitted": (_l("Submitted"), "green"),
               "withdrawn": (_l("Withdrawn"), "grey"), "not_retained": (_l("Not retained"), "red"),
               None: (_l("Not started"), "grey")}


def _actor() -> Any:
    return current_user._get_current_object()


def maybe_url(endpoint: str, **values: Any) -> str | None:
    """A link to another feature's page, or None when that feature has no such page."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def maybe_external_url(endpoint: str, **values: Any) -> str | None:
    """The same, absolute and built from BASE_URL (never from the request's Host header)."""
    try:
        return external_url(endpoint, **values)
    except BuildError:
        return None


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"maybe_url": maybe_url, "maybe_external_url": maybe_external_url, "file_size": uploads.file_size_label,
            "idea_status": IDEA_STATUS}


def _idea_context(idea: Idea) -> dict[str, Any]:
    challenge = access.challenge_of(idea)
    deadline = team_deadline(challenge, idea.team)
    return {"idea": idea, "team": idea.team, "challenge": challenge, "deadline": deadline,
            "is_open": _is_open(challenge, idea.team, idea), "now": clock.now(),
            "can_edit": access.can_edit_idea(idea, current_user)}


def _is_open(challenge: Any, team: Any, idea: Idea | None) -> bool:
    """Whether the team can still change its idea (the service decides again on every write)."""
    if idea is not None and idea.status == "not_retained":
        return False
    try:
        assert_submissions_open(challenge, team)
    except Conflict:
        return False
    return True


# --- the form ---------------------------------------------------------------------------------

def _render_form(team: Any, form: IdeaForm, status: int = 200, **extra: Any):
    challenge = access.challenge_of(team)
    idea = access.idea_of_team(team)
    budget_shown = challenge.kind == "call"
    context = {"team": team, "challenge": challenge, "idea": idea, "form": form, "budget_shown": budget_shown,
               "hints": field_hints(challenge, budget_shown), "deadline": team_deadline(challenge, team),
               "is_open": _is_open(challenge, team, idea), "now": clock.now(), "upload_form": AttachmentForm(formdata=None),
               "max_mb": current_app.config["UPLOAD_MAX_MB"], **extra}
    return render_template("submissions/edit_idea.html", **context), status


@bp.route("/teams/<int:team_id>/idea", methods=["GET", "POST"])
def edit_idea(team_id: int):
    team = access.team_for_member(team_id, current_user)
    challenge = access.challenge_of(team)
    form = IdeaForm()
    form.set_tracks(challenge)
    if request.method == "GET":
        idea = access.idea_of_team(team)
        if idea is not None:
            form.fill_from(idea)
        else:
            form.version.data = "0"
        return _render_form(team, form)
    if not form.validate_on_submit():
        return _render_form(team, form, 422)
    try:
        idea, created = services.save_idea(team, _actor(), form.data_for_service(with_budget=challenge.kind == "call"),
                                           version=form.expected_version())
    except ValidationFailed as error:
        apply_errors(form, error.fields)
        return _render_form(team, form, 422, problem=error.message if not error.fields else None)
    except Conflict as error:
        if error.code == "version_conflict":
            theirs = access.idea_of_team(team)
            history = services.revision_history(theirs)[:1] if theirs else []
            form.version.data = str(theirs.version) if theirs else "0"
            return _render_form(team, form, 409, conflict=theirs, conflict_author=history[0][1] if history else None,
                                problem=_("Someone else saved this idea while you were editing it, so your "
                                          "changes were not saved. Your text is still in the form below; their "
                                          "version is shown underneath. Merge the two, then save again."))
        return _render_form(team, form, 409, problem=error.message + " " + _(
            "Your text is still in the form below, so nothing you typed is lost: copy it somewhere safe."))
    if idea.status == "submitted":
        flash(_("Changes saved. Your idea is still submitted; you can edit it until %(deadline)s.",
                deadline=when(team_deadline(challenge, team))), "success")
    else:
        flash(_("Draft saved (version %(n)s). When every section is filled in, submit it before %(deadline)s.",
                n=idea.version, deadline=when(team_deadline(challenge, team))), "success")
    return redirect(url_for("submissions.edit_idea", team_id=team.id), 303)


# --- reading, submitting, withdrawing ---------------------------------------------------------

@bp.get("/ideas/<int:idea_id>")
def view_idea(idea_id: int):
    idea = access.visible_idea(idea_id, current_user)
    context = _idea_context(idea)
    # A juror under blind review reads the idea without its team, members, authors or named files.
    blind = access.reads_blind(idea, current_user)
    context["blind"] = blind
    context["attachment_names"] = access.attachment_names(idea, blind)
    context["history"] = services.revision_history(idea)
    context["missing"] = services.missing_fields(idea, context["challenge"])
    return render_template("submissions/view_idea.html", **context)


@bp.route("/ideas/<int:idea_id>/submit", methods=["GET", "POST"])
def submit_idea(idea_id: int):
    idea = access.idea_for_member(idea_id, current_user)
    form = ActionForm()
    status, problem = 200, None
    if request.method == "POST" and form.validate_on_submit():
        try:
            services.submit_idea(idea, _actor())
        except (ValidationFailed, Conflict) as error:
            status, problem = error.status, error.message
        else:
            challenge = access.challenge_of(idea)
            flash(_("Idea submitted. You can still edit it until %(deadline)s.",
                    deadline=when(team_deadline(challenge, idea.team))), "success")
            return redirect(url_for("submissions.view_idea", idea_id=idea.id), 303)
    context = _idea_context(idea)
    context.update(form=form, problem=problem, missing=services.missing_fields(idea, context["challenge"]))
    return render_template("submissions/submit.html", **context), status


@bp.route("/ideas/<int:idea_id>/withdraw", methods=["GET", "POST"])
def withdraw_idea(idea_id: int):
    idea = access.idea_for_member(idea_id, current_user)
    form = ActionForm()
    status, problem = 200, None
    if request.method == "POST" and form.validate_on_submit():
        try:
            services.withdraw_idea(idea, _actor())
        except Conflict as error:
            status, problem = error.status, error.message
        else:
            flash(_("Your idea is withdrawn. The jury will not see it. You can submit it again before the "
                    "deadline."), "success")
            return redirect(url_for("submissions.view_idea", idea_id=idea.id), 303)
    context = _idea_context(idea)
    context.update(form=form, problem=problem)
    return render_template("submissions/withdraw.html", **context), status


# --- attachments ------------------------------------------------------------------------------

@bp.post("/ideas/<int:idea_id>/attachments")
def upload_attachment(idea_id: int):
    idea = access.idea_for_member(idea_id, current_user)
    back = url_for("submissions.edit_idea", team_id=idea.team_id, _anchor="attachments")
    if not AttachmentForm().validate_on_submit():
        flash(_("This form has expired. Please choose the file again."), "error")
        return redirect(back, 303)
    try:
        attachment = services.add_attachment(idea, _actor(), request.files.get("file"))
    except DomainError as error:
        if error.status in (403, 404):
            raise
        if error.status >= 500:
            return _upload_unavailable(idea, error.message)
        flash(error.fields.get("file") or error.message, "error")
        return redirect(back, 303)
    flash(_("“%(name)s” is attached.", name=attachment.filename), "success")
    return redirect(back, 303)


def _upload_unavailable(idea: Idea, message: str):
    """Storage failed (a full disk): not the person's fault nor a refusal, so the idea's form
    answers 503 with Retry-After, which browsers, proxies and scripts all understand."""
    db.session.rollback()
    form = IdeaForm(formdata=None)
    form.set_tracks(access.challenge_of(idea))
    form.fill_from(idea)
    body, status = _render_form(idea.team, form, 503, problem=message)
    return body, status, {"Retry-After": "60"}


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error: RequestEntityTooLarge):
    """A file over the limit: say so on the idea's form rather than on a bare error page."""
    idea_id = (request.view_args or {}).get("idea_id")
    idea = db.session.get(Idea, idea_id) if valid_id(idea_id) else None
    if request.endpoint == "submissions.upload_attachment" and idea is not None \
            and access.can_edit_idea(idea, current_user):
        flash(_("The file is larger than %(mb)s MB. Nothing was attached.", mb=current_app.config["UPLOAD_MAX_MB"]),
              "error")
        return redirect(url_for("submissions.edit_idea", team_id=idea.team_id, _anchor="attachments"), 303)
    return render_template("core/error.html", status=413, message=_("The request is too large.")), 413


@bp.get("/ideas/<int:idea_id>/attachments/<int:attachment_id>")
def download_attachment(idea_id: int, attachment_id: int):
    idea = access.visible_idea(idea_id, current_user)
    attachment = access.attachment_of(idea, attachment_id, current_user)
    names = access.attachment_names(idea, access.reads_blind(idea, current_user))
    return uploads.send_attachment(attachment, names[attachment.id])


@bp.route("/ideas/<int:idea_id>/attachments/<int:attachment_id>/remove", methods=["GET", "POST"])
def remove_attachment(idea_id: int, attachment_id: int):
    idea = access.idea_for_member(idea_id, current_user)
    attachment = access.attachment_of(idea, attachment_id, current_user)
    form = ActionForm()
    if request.method == "POST" and form.validate_on_submit():
        name = attachment.filename
        services.remove_attachment(idea, _actor(), attachment_id)
        flash(_("“%(name)s” is removed.", name=name), "success")
        return redirect(url_for("submissions.edit_idea", team_id=idea.team_id, _anchor="attachments"), 303)
    context = _idea_context(idea)
    context.update(form=form, attachment=attachment)
    return render_template("submissions/remove_attachment.html", **context)


# --- the participant's dashboard --------------------------------------------------------------

@bp.get("/dashboard")
@login_required
def dashboard():
    now = clock.now()
    return render_template("submissions/dashboard.html", board=load_dashboard(current_user, now), now=now)
