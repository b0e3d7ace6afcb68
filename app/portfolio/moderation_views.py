"""Moderation of comments by administrators: the queue of reported comments, the hidden ones, and
one comment's page where it is hidden with a reason, shown again, or its reports dismissed."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.core.errors import ValidationFailed
from app.core.forms import apply_errors
from app.core.layout import NavItem, register_nav
from app.extensions import db
from app.portfolio import comments, moderation
from app.portfolio.blueprint import bp
from app.portfolio.citizen_forms import HideForm
from app.portfolio.models import PortfolioProject
from app.portfolio.participation import require_moderator

PER_PAGE = 50
MAX_PAGE = 100_000

register_nav(NavItem(_l("Moderation"), "portfolio.moderation", "administrator", order=80))


def _user() -> Any:
    return current_user._get_current_object()


def _page_number() -> int:
    raw = request.args.get("page", "1")
    number = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else 1
    return min(max(number, 1), MAX_PAGE)


@bp.get("/admin/moderation", endpoint="moderation")
@login_required
def queue():
    user = _user()
    state = request.args.get("state", "reported")
    if state not in moderation.STATES:
        state = "reported"
    page = _page_number()
    list_of = moderation.reported if state == "reported" else moderation.hidden
    items, total = list_of(user, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    pages = max(1, -(-total // PER_PAGE))
    return render_template("portfolio/moderation.html", state=state, items=items, total=total, page=page,
                           pages=pages, hide_form=HideForm(formdata=None))


def _comment_page(comment_id: int, form: HideForm, status: int = 200):
    user = _user()
    require_moderator(user)
    view = comments.comment_view(comment_id)
    project = db.session.get(PortfolioProject, view.project_id)
    return render_template("portfolio/moderation_comment.html", comment=view, project=project, form=form,
                           reports=moderation.reports_of(user, comment_id)), status


@bp.get("/admin/moderation/comments/<int:comment_id>", endpoint="moderate_comment")
@login_required
def moderate_comment(comment_id: int):
    return _comment_page(comment_id, HideForm(formdata=None))


def _back(comment_id: int):
    target = request.form.get("back")
    if target == "queue":
        return redirect(url_for("portfolio.moderation"), 303)
    return redirect(url_for("portfolio.moderate_comment", comment_id=comment_id), 303)


@bp.post("/admin/moderation/comments/<int:comment_id>/hide", endpoint="hide_comment")
@login_required
def hide(comment_id: int):
    user = _user()
    require_moderator(user)
    form = HideForm()
    if not form.validate_on_submit():
        return _comment_page(comment_id, form, 422)
    try:
        comments.hide_comment(comment_id, user, form.reason.data)
    except ValidationFailed as error:
        db.session.rollback()
        apply_errors(form, error.fields)
        return _comment_page(comment_id, form, 422)
    flash(_("The comment is hidden. Everyone sees your reason in its place."), "success")
    return _back(comment_id)


@bp.post("/admin/moderation/comments/<int:comment_id>/unhide", endpoint="unhide_comment")
@login_required
def unhide(comment_id: int):
    comments.unhide_comment(comment_id, _user())
    flash(_("The comment is shown again."), "success")
    return _back(comment_id)


@bp.post("/admin/moderation/comments/<int:comment_id>/dismiss", endpoint="dismiss_reports")
@login_required
def dismiss(comment_id: int):
    comments.dismiss_reports(comment_id, _user())
    flash(_("The reports are dismissed; the comment stays as it is."), "success")
    return _back(comment_id)
