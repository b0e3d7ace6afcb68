"""Teams pages: thin views that parse a form, call a service, then flash and redirect or re-render."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.routing import BuildError

from app.challenges import rules as challenge_rules
from app.challenges.access import team_deadline, visible_challenge
from app.core import clock
from app.core.errors import Conflict, NotFound, ValidationFailed
from app.core.forms import ActionForm, apply_errors
from app.core.outbox import external_url
from app.extensions import db
from app.teams import finder, invitations, rules, services
from app.teams.forms import InviteEmailForm, JoinCodeForm, LookingForm, SeekerForm, TeamForm
from app.teams.models import Team

bp = Blueprint("teams", __name__, template_folder="templates")


def _me() -> Any:
    return current_user._get_current_object()


def challenge_url(challenge: Any) -> str | None:
    """The challenge's public page (guarded: the challenges pages are built alongside these)."""
    return _maybe_url("challenges.show", challenge_id=challenge.id)


def _maybe_url(endpoint: str, **values: Any) -> str | None:
    if endpoint not in current_app.view_functions:
        return None
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def idea_url(team: Team) -> str | None:
    return _maybe_url("submissions.edit_idea", team_id=team.id)


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"challenge_url": challenge_url, "idea_url": idea_url, "maybe_url": _maybe_url}


def writable(challenge: Any, team: Team | None = None) -> bool:
    """Whether team changes are still accepted (the services decide; pages only hide buttons)."""
    return challenge_rules.submissions_open(challenge.status, challenge.opens_at,
                                            team_deadline(challenge, team), clock.now())


def _to_team(team_id: int):
    return redirect(url_for("teams.detail", team_id=team_id), 303)


# --- creating and viewing a team -------------------------------------------------------------

@bp.route("/challenges/<int:challenge_id>/teams/new", methods=["GET", "POST"], endpoint="create")
@login_required
def create(challenge_id: int):
    challenge = visible_challenge(challenge_id, current_user)
    existing = services.team_of(challenge.id, current_user)
    if existing is not None:
        flash(_("You are already in the team %(name)s for this challenge.", name=existing.name), "info")
        return _to_team(existing.id)
    form = TeamForm()
    if form.validate_on_submit():
        try:
            team = services.create_team(challenge, _me(), form.name.data)
        except (ValidationFailed, Conflict) as error:
            if error.code not in ("validation_failed", "team_name_taken"):
                raise
            db.session.rollback()
            apply_errors(form, error.fields or {"name": error.message})
            challenge = visible_challenge(challenge_id, current_user)
            return render_template("teams/create.html", form=form, challenge=challenge,
                                   open=writable(challenge)), error.status
        flash(_("Team %(name)s created. You are its captain: share the invitation link below so others can "
                "join.", name=team.name), "success")
        return _to_team(team.id)
    status = 422 if form.is_submitted() else 200
    return render_template("teams/create.html", form=form, challenge=challenge, open=writable(challenge)), status


def _detail_page(team: Team, status: int = 200, **forms: Any):
    challenge = services.challenge_of(team)
    context = {
        "team": team, "challenge": challenge, "me": team.member(current_user),
        "open": writable(challenge, team), "deadline": team_deadline(challenge, team),
        "has_room": rules.has_room(len(team.members), challenge.team_max_size),
        "invite_url": external_url("teams.join_code", code=team.invite_code),
        "invite_form": forms.get("invite_form") or InviteEmailForm(formdata=None),
        "looking_form": forms.get("looking_form") or LookingForm(obj=team, formdata=None),
    }
    return render_template("teams/detail.html", **context), status


@bp.get("/teams/<int:team_id>", endpoint="detail")
def detail(team_id: int):
    return _detail_page(services.visible_team(team_id, current_user))


@bp.post("/teams/<int:team_id>/invitations", endpoint="invite")
@login_required
def invite(team_id: int):
    team = services.visible_team(team_id, current_user)
    form = InviteEmailForm()
    if form.validate_on_submit():
        try:
            invitations.invite_by_email(team, _me(), form.email.data)
        except ValidationFailed as error:
            apply_errors(form, error.fields)
            return _detail_page(team, 422, invite_form=form)
        flash(_("Invitation sent to %(email)s. They appear in the list of members once they join.",
                email=form.email.data.strip()), "success")
        return _to_team(team_id)
    return _detail_page(team, 422, invite_form=form)


@bp.post("/teams/<int:team_id>/looking", endpoint="set_looking")
@login_required
def set_looking(team_id: int):
    team = services.visible_team(team_id, current_user)
    form = LookingForm()
    if form.validate_on_submit():
        try:
            team = finder.set_team_looking(team, _me(), bool(form.looking_for_members.data), form.looking_for.data)
        except ValidationFailed as error:
            db.session.rollback()
            apply_errors(form, error.fields)
            return _detail_page(services.visible_team(team_id, current_user), 422, looking_form=form)
        if team.looking_for_members:
            flash(_("Your team is shown in the team finder. People looking for a team can now see it."), "success")
        else:
            flash(_("Your team is no longer shown in the team finder."), "success")
        return _to_team(team_id)
    return _detail_page(team, 422, looking_form=form)


# --- actions confirmed on their own page -------------------------------------------------------

def _confirm_page(team: Team, *, heading: str, points: list[str], button: str, warning: bool = True):
    return render_template("teams/confirm.html", team=team, challenge=services.challenge_of(team),
                           heading=heading, points=points, button=button, warning=warning, form=ActionForm())


def _target(team: Team, user_id: int) -> Any:
    """A member the captain acts on; the page is refused like the action would be."""
    services.require_captain(team, current_user)
    member = next((m for m in team.members if m.user_id == user_id), None)
    if member is None:
        raise NotFound()
    return member


@bp.route("/teams/<int:team_id>/leave", methods=["GET", "POST"], endpoint="leave")
@login_required
def leave(team_id: int):
    team = services.visible_team(team_id, current_user)
    services.require_member(team, current_user)
    challenge_id, name = team.challenge_id, team.name
    if ActionForm().validate_on_submit():
        remaining = services.leave_team(team, _me())
        if remaining is None:
            flash(_("You left %(name)s. You were its last member, so the team and its idea are deleted.",
                    name=name), "success")
        else:
            captain = remaining.captain
            flash(_("You left %(name)s. %(captain)s is its captain.", name=name,
                    captain=captain.user.display_name if captain else ""), "success")
        flash(_("You can create or join another team until the deadline."), "info")
        return redirect(url_for("teams.finder", challenge_id=challenge_id), 303)
    dissolves, successor = services.who_leads_after(team, current_user)
    points = [_("You will no longer see the team or its idea.")]
    if dissolves:
        points.append(_("You are the last member: the team and its draft idea will be deleted. This cannot be "
                        "undone."))
    elif successor is not None:
        points.append(_("The captain role passes to %(name)s, the longest-standing member.",
                        name=successor.user.display_name))
    if not dissolves:
        points.append(_("You can join again later only with the team's current invitation link."))
    return _confirm_page(team, heading=_("Leave %(name)s?", name=name), points=points, button=_("Leave the team"))


@bp.route("/teams/<int:team_id>/members/<int:user_id>/remove", methods=["GET", "POST"], endpoint="remove_member")
@login_required
def remove_member(team_id: int, user_id: int):
    team = services.visible_team(team_id, current_user)
    member = _target(team, user_id)
    if member.user_id == current_user.id:
        raise Conflict(_("You cannot remove yourself. Leave the team instead."), code="captain_cannot_remove_self")
    name = member.user.display_name
    if ActionForm().validate_on_submit():
        services.remove_member(team, _me(), user_id)
        flash(_("%(name)s is no longer in the team. If they still have the invitation link they could join "
                "again: make a new link to prevent this.", name=name), "success")
        return _to_team(team_id)
    return _confirm_page(team, heading=_("Remove %(name)s from the team?", name=name), button=_("Remove"),
                         points=[_("%(name)s will no longer see the team or its idea.", name=name),
                                 _("The current invitation link still works until you make a new one.")])


@bp.route("/teams/<int:team_id>/members/<int:user_id>/captain", methods=["GET", "POST"], endpoint="make_captain")
@login_required
def make_captain(team_id: int, user_id: int):
    team = services.visible_team(team_id, current_user)
    name = _target(team, user_id).user.display_name
    if ActionForm().validate_on_submit():
        services.transfer_captain(team, _me(), user_id)
        flash(_("%(name)s is now the captain. You stay in the team as a member.", name=name), "success")
        return _to_team(team_id)
    return _confirm_page(team, heading=_("Make %(name)s the captain?", name=name), button=_("Make captain"),
                         warning=False,
                         points=[_("%(name)s will be able to remove members and make new invitation links.",
                                   name=name),
                                 _("You stay in the team as a member and can no longer do these things.")])


@bp.route("/teams/<int:team_id>/invite-code", methods=["GET", "POST"], endpoint="regenerate_code")
@login_required
def regenerate_code(team_id: int):
    team = services.visible_team(team_id, current_user)
    services.require_captain(team, current_user)
    if ActionForm().validate_on_submit():
        services.regenerate_invite_code(team, _me())
        flash(_("New invitation link made. The old link and code no longer work."), "success")
        return _to_team(team_id)
    return _confirm_page(team, heading=_("Make a new invitation link?"), button=_("Make a new link"),
                         points=[_("The current link and code stop working at once."),
                                 _("People already in the team stay in it."),
                                 _("Share the new link with everyone you still want to invite.")])


# --- joining ---------------------------------------------------------------------------------

@bp.get("/join", endpoint="join")
def join():
    form = JoinCodeForm(request.args)
    if "code" in request.args and form.validate():
        try:
            team = services.team_for_code(form.code.data)
        except NotFound as error:
            form.code.errors = [error.message]
            return render_template("teams/join.html", form=form), 404
        return redirect(url_for("teams.join_code", code=team.invite_code))
    status = 422 if "code" in request.args else 200
    return render_template("teams/join.html", form=form), status


@bp.route("/join/<code>", methods=["GET", "POST"], endpoint="join_code")
def join_code(code: str):
    team = services.team_for_code(code)
    if request.method == "POST":
        if not current_user.is_authenticated:
            return redirect(url_for("accounts.login", next=request.path), 303)
        if ActionForm().validate_on_submit():
            team = services.join_team(code, _me())
            flash(_("You joined %(name)s. Your team can now write its idea together.", name=team.name), "success")
            return _to_team(team.id)
    challenge = services.challenge_of(team)
    mine = services.team_of(challenge.id, current_user)
    return render_template("teams/join_code.html", team=team, challenge=challenge, mine=mine,
                           open=writable(challenge, team), form=ActionForm(),
                           has_room=rules.has_room(len(team.members), challenge.team_max_size))


# --- the team finder -------------------------------------------------------------------------

def _finder_page(challenge: Any, status: int = 200, seeker_form: SeekerForm | None = None):
    mine = services.team_of(challenge.id, current_user)
    profile = finder.seeker_profile(challenge.id, current_user)
    if seeker_form is None:
        seeker_form = SeekerForm(obj=profile, formdata=None)
    return render_template(
        "teams/finder.html", challenge=challenge, mine=mine, profile=profile, seeker_form=seeker_form,
        seekers=finder.seekers_of(challenge.id), teams=finder.teams_looking(challenge),
        open=writable(challenge, mine), action_form=ActionForm(),
        mine_has_room=mine is not None and rules.has_room(len(mine.members), challenge.team_max_size)), status


@bp.get("/challenges/<int:challenge_id>/team-finder", endpoint="finder")
@login_required
def finder_page(challenge_id: int):
    return _finder_page(visible_challenge(challenge_id, current_user))


@bp.post("/challenges/<int:challenge_id>/team-finder/profile", endpoint="post_profile")
@login_required
def post_profile(challenge_id: int):
    challenge = visible_challenge(challenge_id, current_user)
    form = SeekerForm()
    if form.validate_on_submit():
        try:
            finder.post_seeker_profile(challenge, _me(), form.skills.data, form.interests.data or "")
        except ValidationFailed as error:
            db.session.rollback()
            apply_errors(form, error.fields)
            return _finder_page(visible_challenge(challenge_id, current_user), 422, form)
        flash(_("Your profile is in the team finder. Teams with room can now invite you by e-mail."), "success")
        return redirect(url_for("teams.finder", challenge_id=challenge_id), 303)
    return _finder_page(challenge, 422, form)


@bp.post("/challenges/<int:challenge_id>/team-finder/profile/withdraw", endpoint="withdraw_profile")
@login_required
def withdraw_profile(challenge_id: int):
    challenge = visible_challenge(challenge_id, current_user)
    if ActionForm().validate_on_submit():
        finder.withdraw_seeker_profile(challenge, _me())
        flash(_("Your profile is no longer in the team finder."), "success")
    return redirect(url_for("teams.finder", challenge_id=challenge_id), 303)


@bp.post("/teams/<int:team_id>/invite-seeker/<int:seeker_id>", endpoint="invite_seeker")
@login_required
def invite_seeker(team_id: int, seeker_id: int):
    team = services.visible_team(team_id, current_user)
    challenge_id = team.challenge_id
    if ActionForm().validate_on_submit():
        seeker = invitations.invite_seeker(team, _me(), seeker_id)
        flash(_("Invitation sent to %(name)s. They appear in your team once they join.",
                name=seeker.user.display_name), "success")
    return redirect(url_for("teams.finder", challenge_id=challenge_id), 303)
