"""The juror's pages: the queue, the scoring page, declaring a conflict, raising a safety concern.

A refused save never loses what the juror chose: the page is shown again with their choices and
text in it, and, after a version conflict, the saved version next to it.
"""
from __future__ import annotations

import re
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, TextAreaField

from app.core.errors import Conflict, NotFound, ValidationFailed
from app.core.forms import apply_errors, sent_version, text_limit
from app.judging import reviews
from app.judging.blueprint import bp
from app.submissions import access as submission_access
from app.submissions import uploads
from app.submissions.models import Attachment

LONG = {"rows": 5, "maxlength": reviews.LONG_TEXT_MAX}
FILE_TYPES = {"application/pdf": "PDF", "image/png": "PNG", "image/jpeg": "JPEG"}


class ScoreForm(FlaskForm):
    """The texts of a review; the scores are radio groups named ``score-<criterion id>``."""

    comment = TextAreaField(_l("Comment for the team (shown to the team)"), [text_limit(reviews.LONG_TEXT_MAX)],
                            render_kw=LONG)
    private_note = TextAreaField(_l("Private note (only organisers see this)"),
                                 [text_limit(reviews.LONG_TEXT_MAX)], render_kw=LONG)
    version = HiddenField()


class ConflictForm(FlaskForm):
    reason = TextAreaField(_l("Why are you conflicted?"), [text_limit(reviews.LONG_TEXT_MAX)], render_kw=LONG)


class FlagForm(FlaskForm):
    kind = RadioField(_l("What kind of concern is it?"), choices=[
        ("patient_safety", _l("Patient safety")), ("data_protection", _l("Data protection"))],
        validate_choice=False)
    reason = TextAreaField(_l("What is the concern?"), [text_limit(reviews.LONG_TEXT_MAX)], render_kw=LONG)


def _user() -> Any:
    return current_user._get_current_object()


def _total(value: float) -> str:
    return format_decimal(value, format="#,##0.##")


def _weight(value: float) -> str:
    return format_decimal(value, format="#,##0.##")


# --- the queue --------------------------------------------------------------------------------

@bp.get("/reviews", endpoint="queue")
@login_required
def queue():
    groups = reviews.group_by_challenge(reviews.juror_queue(_user()))
    return render_template("judging/queue.html", groups=groups)


# --- the scoring page -------------------------------------------------------------------------

def _attachments(idea: Any, blind: bool) -> list[dict[str, Any]]:
    """With blind review a file whose name carries a team or member name is named by its number
    and type only (names often carry the team's); the idea page and the downloads agree."""
    names = submission_access.attachment_names(idea, blind)
    items = []
    for number, attachment in enumerate(idea.attachments, start=1):
        kind = FILE_TYPES.get(attachment.content_type, attachment.content_type)
        size = uploads.file_size_label(attachment.size)
        label = (_("Attachment %(n)s (%(type)s, %(size)s)", n=number, type=kind, size=size)
                 if names[attachment.id] != attachment.filename
                 else _("%(name)s (%(type)s, %(size)s)", name=attachment.filename, type=kind, size=size))
        items.append({"label": label, "url": url_for("judging.attachment", idea_id=idea.id,
                                                     attachment_id=attachment.id)})
    return items


SCORE_TEXT = re.compile(r"-?[0-9]{1,9}")


def _chosen_scores(challenge: Any) -> dict[int, Any]:
    chosen: dict[int, Any] = {}
    for criterion in challenge.criteria:
        raw = (request.form.get(f"score-{criterion.id}") or "").strip()
        if raw:
            # Only a short plain number becomes one ("--5" or five thousand digits would raise here);
            # anything else goes to the service as typed, which refuses it with a message.
            chosen[criterion.id] = int(raw) if SCORE_TEXT.fullmatch(raw) else raw
    return chosen


def _render_score(idea: Any, challenge: Any, review: Any, form: ScoreForm, chosen: dict[int, Any],
                  status: int = 200, **extra: Any):
    context = {"idea": idea, "challenge": challenge, "review": review, "form": form, "chosen": chosen,
               "score_errors": {}, "problem": None, "saved": None, "can_save": challenge.status == "judging",
               "attachments": _attachments(idea, challenge.blind_review), "weight": _weight,
               "total": _total, "flags": reviews.my_open_flags(idea.id, _user()), **extra}
    context["review_total"] = reviews.review_total(challenge, reviews.score_map(review)) if review else None
    context["saved_map"] = reviews.score_map(context["saved"])
    return render_template("judging/score.html", **context), status


@bp.route("/reviews/<int:idea_id>", methods=["GET", "POST"], endpoint="score")
@login_required
def score(idea_id: int):
    user = _user()
    idea, challenge, review = reviews.own_review(idea_id, user)
    form = ScoreForm()
    if request.method == "GET":
        form.comment.data = review.comment if review else ""
        form.private_note.data = review.private_note if review else ""
        form.version.data = str(review.version if review else 0)
        return _render_score(idea, challenge, review, form, reviews.score_map(review))
    chosen = _chosen_scores(challenge)
    if not form.validate_on_submit():
        return _render_score(idea, challenge, review, form, chosen, 422)
    version = sent_version(form.version.data)
    try:
        saved = reviews.save_review(idea.id, user, chosen, form.comment.data or "", form.private_note.data or "",
                                    version=version)
    except ValidationFailed as error:
        score_errors = {int(name.split(".", 1)[1]): message for name, message in error.fields.items()
                        if name.startswith("scores.") and name.split(".", 1)[1].isdecimal()}
        apply_errors(form, {k: v for k, v in error.fields.items() if not k.startswith("scores")})
        return _render_score(idea, challenge, review, form, chosen, 422, score_errors=score_errors)
    except Conflict as error:
        idea, challenge, review = reviews.own_review(idea_id, user)
        if error.code != "version_conflict":
            return _render_score(idea, challenge, review, form, chosen, 409, problem=error.message + " " + _(
                "Your choices are still on this page, so nothing you chose is lost."))
        form.version.data = str(review.version if review else 0)
        return _render_score(idea, challenge, review, form, chosen, 409, saved=review, problem=_(
            "These scores were saved from another page or device while this page was open, so your changes "
            "were not saved. Your choices are still in the form; the saved version is shown above it. "
            "Check them, then save again."))
    if request.form.get("action") == "next":
        following = reviews.next_unscored(user, idea.id)
        if following is None:
            flash(_("Scores saved for “%(title)s” (total %(total)s). Every entry in your queue is scored; you "
                    "can still change your scores until judging ends.", title=idea.title, total=_total(saved.total)),
                  "success")
            return redirect(url_for("judging.queue"), 303)
        flash(_("Scores saved for “%(title)s” (total %(total)s). Here is the next entry to score.",
                title=idea.title, total=_total(saved.total)), "success")
        return redirect(url_for("judging.score", idea_id=following), 303)
    flash(_("Scores saved for “%(title)s” (total %(total)s). You can change them until judging ends.",
            title=idea.title, total=_total(saved.total)), "success")
    return redirect(url_for("judging.score", idea_id=idea.id), 303)


@bp.get("/reviews/<int:idea_id>/attachments/<int:attachment_id>", endpoint="attachment")
@login_required
def attachment(idea_id: int, attachment_id: int):
    """The file, named after its number when the review is blind and its name carries a team or
    member name (as on the scoring page)."""
    idea, challenge, _assignment = reviews.scorable_idea(idea_id, _user())
    found: Attachment | None = next((a for a in idea.attachments if a.id == attachment_id), None)
    if found is None:
        raise NotFound()
    names = submission_access.attachment_names(idea, challenge.blind_review)
    return uploads.send_attachment(found, names[found.id])


# --- declaring a conflict, raising a safety concern -------------------------------------------

@bp.route("/reviews/<int:idea_id>/conflict", methods=["GET", "POST"], endpoint="declare_conflict")
@login_required
def declare_conflict(idea_id: int):
    user = _user()
    idea, challenge, _assignment = reviews.scorable_idea(idea_id, user)
    form = ConflictForm()
    status, problem = 200, None
    if request.method == "POST" and form.validate_on_submit():
        title = idea.title
        try:
            reviews.declare_conflict(idea.id, user, form.reason.data or "")
        except (ValidationFailed, Conflict) as error:
            apply_errors(form, error.fields)
            status, problem = error.status, None if error.fields else error.message
            idea, challenge, _assignment = reviews.scorable_idea(idea_id, user)
        else:
            flash(_("Conflict of interest declared for “%(title)s”. The entry has left your queue and any scores "
                    "you gave it are removed; the organisers can see your reason.", title=title), "success")
            return redirect(url_for("judging.queue"), 303)
    elif request.method == "POST":
        status = 422
    return render_template("judging/conflict_declare.html", idea=idea, challenge=challenge, form=form,
                           problem=problem), status


@bp.route("/reviews/<int:idea_id>/safety-concern", methods=["GET", "POST"], endpoint="raise_flag")
@login_required
def raise_flag(idea_id: int):
    user = _user()
    idea, challenge, _assignment = reviews.scorable_idea(idea_id, user)
    form = FlagForm()
    status = 200
    if request.method == "POST" and form.validate_on_submit():
        try:
            reviews.raise_safety_flag(idea.id, user, form.kind.data or "", form.reason.data or "")
        except ValidationFailed as error:
            apply_errors(form, error.fields)
            status = 422
            idea, challenge, _assignment = reviews.scorable_idea(idea_id, user)
        else:
            flash(_("Your concern about “%(title)s” is sent to the organisers. They must look at it before the "
                    "results are published. You can go on scoring this entry.", title=idea.title), "success")
            return redirect(url_for("judging.score", idea_id=idea.id), 303)
    elif request.method == "POST":
        status = 422
    return render_template("judging/flag.html", idea=idea, challenge=challenge, form=form), status

