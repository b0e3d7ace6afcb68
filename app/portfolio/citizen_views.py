"""Citizens' pages of a project: follow and stop following, comments, reporting a comment, and the
short independent assessment. Visitors who are not signed in are sent to sign in first and come
back to the project."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from babel.numbers import format_decimal
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.core.errors import Conflict, TooManyRequests, ValidationFailed
from app.core.forms import apply_errors
from app.extensions import db
from app.portfolio import citizen_rules as rules
from app.portfolio import citizens, comments
from app.portfolio.access import project_or_404
from app.portfolio.blueprint import bp
from app.portfolio.citizen_forms import AssessmentForm, CommentForm, ReportForm
from app.portfolio.participation import is_moderator, participation_problem, signed_in

MAX_PAGE = 100_000


@bp.app_template_global("portfolio_mean")
def portfolio_mean(value: float | None) -> str:
    """A mean score to one decimal, the way the reader's language writes numbers."""
    if value is None:
        return "—"
    return format_decimal(round(value, 1), format="0.0", locale=get_locale())


def _user() -> Any:
    return current_user._get_current_object()


def project_url(project_id: int, anchor: str | None = None) -> str:
    return url_for("portfolio.project", project_id=project_id, _anchor=anchor)


def _sign_in_first(project_id: int, anchor: str | None = None, target: str | None = None):
    """Off to the sign-in page, coming back to the project (a POST address cannot be returned to)."""
    flash(_("Sign in to take part: follow projects, comment and give your assessment."), "info")
    return redirect(url_for("accounts.login", next=target or project_url(project_id, anchor)), 303)


def _page_number() -> int:
    raw = request.args.get("page", "1")
    number = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else 1
    return min(max(number, 1), MAX_PAGE)


# --- following ------------------------------------------------------------------------------

@bp.post("/portfolio/<int:project_id>/follow", endpoint="follow")
def follow(project_id: int):
    project = project_or_404(project_id)
    user = _user()
    if not signed_in(user):
        return _sign_in_first(project_id, "citizens")
    if citizens.follow(project, user):
        flash(_("You follow this project. We will e-mail you a summary when its stage, progress, milestones "
                "or updates change."), "success")
    else:
        flash(_("You already follow this project."), "info")
    return redirect(project_url(project_id, "citizens"), 303)


@bp.post("/portfolio/<int:project_id>/unfollow", endpoint="unfollow")
def unfollow(project_id: int):
    project = project_or_404(project_id)
    user = _user()
    if not signed_in(user):
        return _sign_in_first(project_id, "citizens")
    citizens.unfollow(project, user)
    flash(_("You no longer follow this project. No more mails about it."), "success")
    return redirect(project_url(project_id, "citizens"), 303)


# --- comments -------------------------------------------------------------------------------

def _comments_page(project: Any, form: CommentForm, *, page: int = 1, error: str | None = None,
                   status: int = 200, headers: dict[str, str] | None = None):
    user = _user()
    per_page = rules.COMMENTS_ON_PAGE
    total = comments.count_comments(project.id)
    pages = max(1, -(-total // per_page))
    page = min(page, pages)
    context = {"project": project, "form": form, "error": error, "page": page, "pages": pages, "total": total,
               "comments": comments.comments_of(project.id, limit=per_page, offset=(page - 1) * per_page),
               "reported": comments.reported_by(project.id, user), "problem": participation_problem(user),
               "is_moderator": is_moderator(user)}
    return render_template("portfolio/comments.html", **context), status, headers or {}


@bp.get("/portfolio/<int:project_id>/comments", endpoint="comments")
def comments_page(project_id: int):
    return _comments_page(project_or_404(project_id), CommentForm(formdata=None), page=_page_number())


@bp.post("/portfolio/<int:project_id>/comments", endpoint="comment")
def comment(project_id: int):
    project = project_or_404(project_id)
    user = _user()
    if not signed_in(user):
        return _sign_in_first(project_id, "comment-form")
    form = CommentForm()
    last_page = 10 ** 9  # after a refusal, show the newest comments next to the form
    if not form.validate_on_submit():
        return _comments_page(project, form, page=last_page, status=422)
    try:
        row = comments.add_comment(project, user, form.body.data)
    except ValidationFailed as error:
        db.session.rollback()
        apply_errors(form, error.fields)
        return _comments_page(project_or_404(project_id), form, page=last_page, status=422)
    except TooManyRequests as error:
        return _comments_page(project_or_404(project_id), form, page=last_page, error=error.message, status=429,
                              headers={"Retry-After": str(error.retry_after)})
    flash(_("Your comment is published."), "success")
    return redirect(project_url(project_id, f"comment-{row.id}"), 303)


@bp.route("/portfolio/<int:project_id>/comments/<int:comment_id>/report", methods=["GET", "POST"],
          endpoint="report_comment")
def report_comment(project_id: int, comment_id: int):
    project = project_or_404(project_id)
    view = comments.comment_view(comments.project_comment(project, comment_id).id)
    user = _user()
    if not signed_in(user):
        return _sign_in_first(project_id, target=url_for("portfolio.report_comment", project_id=project_id,
                                                         comment_id=comment_id))
    form = ReportForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                comments.report_comment(project, comment_id, user, form.reason.data or "")
            except ValidationFailed as error:
                db.session.rollback()
                apply_errors(form, error.fields)
            except Conflict as error:
                flash(error.message, "info")
                return redirect(project_url(project_id, f"comment-{comment_id}"), 303)
            else:
                flash(_("Thank you. The moderators will look at this comment."), "success")
                return redirect(project_url(project_id, f"comment-{comment_id}"), 303)
        status = 422
    already = comment_id in comments.reported_by(project.id, user)
    return render_template("portfolio/comment_report.html", project=project, comment=view, form=form,
                           problem=participation_problem(user), already=already), status


# --- assessment -----------------------------------------------------------------------------

def _score(text: Any) -> Any:
    return int(text) if isinstance(text, str) and text.isascii() and text.isdigit() and len(text) < 3 else text


@bp.route("/portfolio/<int:project_id>/assessment", methods=["GET", "POST"], endpoint="assess")
def assess(project_id: int):
    project = project_or_404(project_id)
    user = _user()
    if not signed_in(user):
        return _sign_in_first(project_id, target=url_for("portfolio.assess", project_id=project_id))
    mine = citizens.my_assessment(project.id, user)
    status = 200
    if request.method == "POST":
        form = AssessmentForm()
        if form.validate_on_submit():
            try:
                citizens.assess(project, user, usefulness=_score(form.usefulness.data),
                                progress_visible=_score(form.progress_visible.data), reason=form.reason.data or "")
            except ValidationFailed as error:
                db.session.rollback()
                apply_errors(form, error.fields)
            else:
                flash(_("Thank you: your assessment is counted.") if mine is None
                      else _("Your assessment is updated."), "success")
                return redirect(project_url(project_id, "assessment"), 303)
        status = 422
        project = project_or_404(project_id)
    else:
        form = AssessmentForm.for_assessment(mine)
    return render_template("portfolio/assess.html", project=project, form=form, mine=mine,
                           summary=citizens.assessment_summary(project.id),
                           reasons=citizens.reasons_for(project, user), problem=participation_problem(user)), status
