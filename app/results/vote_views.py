"""The People's choice pages: the public vote, and the organisers' page that runs it."""
from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from app.challenges.access import organised_challenge, visible_challenge
from app.core.errors import DomainError, NotFound, ValidationFailed
from app.core.forms import apply_errors
from app.extensions import db
from app.results import votes
from app.results.blueprint import bp
from app.results.vote_forms import BallotForm, CloseVoteForm, VoteAwardForm, VoteSettingsForm
from app.submissions.models import Idea


def _user() -> Any:
    return current_user._get_current_object()


def _whole(text: Any) -> Any:
    """A form's digits as a number; anything else is passed on for the service to refuse."""
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 12 else text


@bp.app_template_global("peoples_choice_link")
def peoples_choice_link(challenge: Any) -> dict[str, str] | None:
    """The public challenge page's link to the vote, while it is open."""
    if votes.status_of(challenge, votes.vote_of(challenge.id)) != "open":
        return None
    return {"url": url_for("results.vote", challenge_id=challenge.id),
            "label": _("The People's choice vote is open: vote for your favourite entries.")}


# --- the public vote ------------------------------------------------------------------------

def _votes_left_sentence(left: int) -> str:
    if left:
        return ngettext("You have %(num)d vote left.", "You have %(num)d votes left.", left)
    return _("You have used all your votes. You can take one back while the vote is open.")


def _vote_page(challenge: Any, user: Any, *, error: str | None = None, status: int = 200):
    vote = votes.vote_of(challenge.id)
    if vote is None:
        if challenge.is_organiser(user):
            return redirect(url_for("results.vote_manage", challenge_id=challenge.id))
        raise NotFound()
    state = votes.status_of(challenge, vote)
    signed_in = user.is_authenticated
    context: dict[str, Any] = {"challenge": challenge, "vote": vote, "state": state, "error": error,
                               "is_organiser": challenge.is_organiser(user)}
    if state == "open":
        mine = votes.my_votes(challenge.id, user)
        context.update(entries=votes.entries(challenge.id, shuffle_for=user.id if signed_in else 0),
                       mine=set(mine), own_team_id=votes.own_team_id(challenge.id, user),
                       problem=votes.voter_problem(user, vote),
                       votes_left=max(0, vote.votes_per_person - len(mine)))
    else:
        tally = votes.counts(challenge.id)
        top, tied = votes.winner(tally)
        context.update(tally=tally, winner=top, tied=tied)
    return render_template("results/vote.html", **context), status


@bp.route("/challenges/<int:challenge_id>/vote", methods=["GET", "POST"], endpoint="vote")
def vote_page(challenge_id: int):
    user = _user()
    challenge = visible_challenge(challenge_id, user)
    if request.method == "GET":
        return _vote_page(challenge, user)
    if not user.is_authenticated:
        return current_app.login_manager.unauthorized()
    form = BallotForm()
    if not form.validate_on_submit():
        return _vote_page(challenge, user, error=_("Choose an entry to vote for."), status=422)
    idea_id = _whole(form.idea_id.data)
    try:
        if form.action.data == "vote":
            votes.cast_vote(challenge, user, idea_id)
        else:
            votes.withdraw_vote(challenge, user, idea_id)
    except DomainError as error:
        db.session.rollback()
        return _vote_page(visible_challenge(challenge_id, user), user, error=error.message, status=error.status)
    title = db.session.get(Idea, idea_id).title
    left = max(0, votes.vote_of(challenge_id).votes_per_person - len(votes.my_votes(challenge_id, user)))
    done = (_("Your vote for “%(title)s” is counted.", title=title) if form.action.data == "vote"
            else _("Your vote for “%(title)s” is taken back.", title=title))
    flash(f"{done} {_votes_left_sentence(left)}", "success")
    return redirect(url_for("results.vote", challenge_id=challenge_id, _anchor=f"entry-{idea_id}"), 303)


# --- the organisers' page -------------------------------------------------------------------

def _manage_page(challenge: Any, *, settings_form: VoteSettingsForm | None = None,
                 award_form: VoteAwardForm | None = None, error: str | None = None, status: int = 200):
    vote = votes.vote_of(challenge.id)
    state = votes.status_of(challenge, vote)
    if settings_form is None:
        settings_form = VoteSettingsForm(formdata=None, data={
            "votes_per_person": str(vote.votes_per_person if vote else votes.DEFAULT_VOTES_PER_PERSON),
            "allowed_domains": ", ".join(vote.allowed_domains or []) if vote else ""})
    if award_form is None:
        award_form = VoteAwardForm(formdata=None, data={"name": _("People's choice")})
    context: dict[str, Any] = {"challenge": challenge, "vote": vote, "state": state, "error": error,
                               "settings_form": settings_form, "award_form": award_form,
                               "can_open": votes.can_open(challenge), "tally": None, "winner": None,
                               "tied": False, "has_award": False}
    if vote is not None:
        context.update(stats=votes.stats(challenge.id), bursts=votes.bursts(challenge.id))
    if state == "closed":
        tally = votes.counts(challenge.id)
        top, tied = votes.winner(tally)
        context.update(tally=tally, winner=top, tied=tied, has_award=votes.has_award(challenge.id))
    if "results.awards" in current_app.view_functions:
        context["awards_url"] = url_for("results.awards", challenge_id=challenge.id)
    return render_template("results/vote_manage.html", **context), status


def _change(challenge: Any, user: Any, action: str):
    """Carry out one of the page's actions; returns the page to show again when refused."""
    if action == "award":
        form = VoteAwardForm()
        if not form.validate_on_submit():
            return _manage_page(challenge, award_form=form, status=422)
        try:
            award = votes.award_winner(challenge, user, form.name.data)
        except ValidationFailed as error:
            db.session.rollback()
            apply_errors(form, error.fields)
            return _manage_page(challenge, award_form=form, error=error.message if not error.fields else None,
                                status=422)
        flash(_("The award “%(name)s” is given to “%(title)s”.", name=award.name,
                title=db.session.get(Idea, award.idea_id).title), "success")
        return None
    form = VoteSettingsForm()
    if not form.validate_on_submit():
        return _manage_page(challenge, settings_form=form, status=422)
    state = votes.status_of(challenge, votes.vote_of(challenge.id))
    target = "open" if action == "open" or state == "open" else "closed"
    try:
        votes.set_vote(challenge, user, status=target, votes_per_person=_whole(form.votes_per_person.data),
                       allowed_domains=form.allowed_domains.data or "")
    except ValidationFailed as error:
        db.session.rollback()
        apply_errors(form, error.fields)
        return _manage_page(challenge, settings_form=form, status=422)
    if action == "open":
        flash(_("The public vote is open. Counts stay hidden until you close it."), "success")
    else:
        flash(_("The settings of the vote are saved."), "success")
    return None


@bp.route("/challenges/<int:challenge_id>/vote/manage", methods=["GET", "POST"], endpoint="vote_manage")
@login_required
def vote_manage(challenge_id: int):
    user = _user()
    challenge = organised_challenge(challenge_id, user)
    if request.method == "GET":
        return _manage_page(challenge)
    action = request.form.get("action", "")
    try:
        if action == "close":
            form = CloseVoteForm()
            if form.validate_on_submit() and form.confirmed.data == "yes":
                votes.set_vote(challenge, user, status="closed")
                flash(_("The public vote is closed. The counts and the winner are now public."), "success")
            else:
                return render_template("results/vote_close.html", challenge=challenge,
                                       stats=votes.stats(challenge.id))
        elif action in ("open", "save", "award"):
            if (page := _change(challenge, user, action)) is not None:
                return page
        else:
            return _manage_page(challenge, error=_("Choose what to do."), status=422)
    except DomainError as error:
        if error.status in (401, 403, 404):
            raise
        db.session.rollback()
        return _manage_page(organised_challenge(challenge_id, user), error=error.message, status=error.status)
    return redirect(url_for("results.vote_manage", challenge_id=challenge_id), 303)
