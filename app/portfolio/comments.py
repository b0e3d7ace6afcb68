"""Comments on a project, their reports, and how administrators moderate them.

A comment is stored exactly as written and rendered through the shared Markdown sanitiser
(no script, no event handlers, no javascript: links) every time it is shown. A hidden comment
keeps its text for the moderators' records but shows only the moderator's reason.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from app.accounts.models import DELETED_NAME, User
from app.challenges.access import valid_id
from app.core import audit, clock, ratelimit
from app.core.db import begin_write
from app.core.errors import Conflict, NotFound, ValidationFailed
from app.core.markdown import render_markdown
from app.extensions import db
from app.portfolio import citizen_rules as rules
from app.portfolio.models import CommentReport, PortfolioProject, ProjectComment
from app.portfolio.participation import require_citizen, require_moderator, signed_in


@dataclass(frozen=True)
class CommentView:
    """A comment as readers see it, with its author's name already looked up."""

    id: int
    project_id: int
    body: str
    created_at: dt.datetime
    hidden: bool
    hidden_reason: str
    author_id: int | None
    # None for an erased (or removed) account: shown as "deleted user".
    author_name: str | None

    @property
    def html(self) -> Markup:
        return Markup("") if self.hidden else render_markdown(self.body)

    @property
    def shown_body(self) -> str:
        return "" if self.hidden else self.body


def _comment_rows(stmt: Any) -> list[CommentView]:
    rows = db.session.execute(stmt).all()
    return [CommentView(id=c.id, project_id=c.project_id, body=c.body, created_at=c.created_at, hidden=c.hidden,
                        hidden_reason=c.hidden_reason or "", author_id=c.author_id,
                        author_name=name if name is not None and erased_at is None else None)
            for c, name, erased_at in rows]


def _with_authors() -> Any:
    return (select(ProjectComment, User.name, User.erased_at)
            .outerjoin(User, User.id == ProjectComment.author_id))


def comments_of(project_id: int, *, limit: int, offset: int = 0) -> list[CommentView]:
    """A page of the project's comments, oldest first, authors included: one query."""
    return _comment_rows(_with_authors().where(ProjectComment.project_id == project_id)
                         .order_by(ProjectComment.created_at, ProjectComment.id).limit(limit).offset(offset))


def count_comments(project_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(ProjectComment)
                             .where(ProjectComment.project_id == project_id)) or 0


def comment_view(comment_id: int) -> CommentView:
    found = _comment_rows(_with_authors().where(ProjectComment.id == comment_id))
    if not found:
        raise NotFound()
    return found[0]


def comment_json(view: CommentView) -> dict[str, Any]:
    """The contract's comment: ``body`` as written, ``html`` sanitised, ``author`` or "deleted user";
    a hidden comment shows neither text, only ``hidden_reason``."""
    return {"id": view.id, "project_id": view.project_id, "body": view.shown_body, "html": str(view.html),
            "author": view.author_name if view.author_name is not None else DELETED_NAME,
            "created_at": view.created_at.isoformat(), "hidden": view.hidden,
            "hidden_reason": view.hidden_reason if view.hidden else None}


def project_comment(project: PortfolioProject, comment_id: Any) -> ProjectComment:
    """A comment of this project; 404 for any other id."""
    comment = db.session.get(ProjectComment, comment_id) if valid_id(comment_id) else None
    if comment is None or comment.project_id != project.id:
        raise NotFound()
    return comment


# --- writing --------------------------------------------------------------------------------

def _text_error(problem: str | None, max_chars: int) -> str | None:
    if problem == "required":
        return _("Write something first.")
    if problem == "too_long":
        return _("At most %(n)s characters.", n=max_chars)
    if problem:
        return _("This value is not valid.")
    return None


def add_comment(project: PortfolioProject, user: Any, body: Any) -> ProjectComment:
    """A confirmed account comments on a project: Markdown of 1 to 5,000 characters, kept as
    written (422 with ``body`` otherwise); at most 30 comments per account per hour (429 with
    Retry-After), counted per account so that people sharing an address are not held back."""
    require_citizen(user)
    ratelimit.check(rules.COMMENTS_PER_HOUR, "portfolio-comment", str(user.id),
                    message=_("You have written many comments in the last hour. Please wait a while before "
                              "writing more."))
    problem = rules.text_problem(body, max_chars=rules.COMMENT_MAX_CHARS, required=True)
    if message := _text_error(problem, rules.COMMENT_MAX_CHARS):
        raise ValidationFailed(fields={"body": message})
    comment = ProjectComment(project_id=project.id, author_id=user.id, body=body, created_at=clock.now())
    db.session.add(comment)
    db.session.commit()
    ratelimit.hit(rules.COMMENTS_PER_HOUR, "portfolio-comment", str(user.id))
    return comment


def report_comment(project: PortfolioProject, comment_id: Any, user: Any, reason: Any = "") -> CommentReport:
    """A confirmed account asks the moderators to look at a comment, with an optional reason of at
    most 1,000 characters. Once per person and comment: again answers 409 already_reported."""
    require_citizen(user)
    comment = project_comment(project, comment_id)
    problem = rules.text_problem(reason, max_chars=rules.REASON_MAX_CHARS, required=False)
    if message := _text_error(problem, rules.REASON_MAX_CHARS):
        raise ValidationFailed(fields={"reason": message})
    already = _("You have already reported this comment. The moderators will look at it.")
    if db.session.scalar(select(CommentReport.id).where(CommentReport.comment_id == comment.id,
                                                        CommentReport.reporter_id == user.id)) is not None:
        raise Conflict(already, code="already_reported")
    report = CommentReport(comment_id=comment.id, reporter_id=user.id, reason=(reason or "").strip(),
                           created_at=clock.now())
    db.session.add(report)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(already, code="already_reported") from None
    return report


def reported_by(project_id: int, user: Any) -> set[int]:
    """The ids of this project's comments the person has reported (their link becomes a note)."""
    if not signed_in(user):
        return set()
    return set(db.session.scalars(select(CommentReport.comment_id)
                                  .join(ProjectComment, ProjectComment.id == CommentReport.comment_id)
                                  .where(ProjectComment.project_id == project_id,
                                         CommentReport.reporter_id == user.id)))


# --- moderation -----------------------------------------------------------------------------

def _locked_comment(comment_id: Any) -> ProjectComment:
    if not valid_id(comment_id):
        raise NotFound()
    begin_write(db.session)
    comment = db.session.scalars(select(ProjectComment).where(ProjectComment.id == comment_id)
                                 .with_for_update().execution_options(populate_existing=True)).first()
    if comment is None:
        raise NotFound()
    return comment


def _resolve_reports(comment_id: int, now: dt.datetime) -> int:
    result = db.session.execute(update(CommentReport)
                                .where(CommentReport.comment_id == comment_id, CommentReport.resolved_at.is_(None))
                                .values(resolved_at=now))
    return result.rowcount or 0


def hide_comment(comment_id: Any, actor: Any, reason: Any) -> ProjectComment:
    """An administrator hides a comment with a reason (required, at most 1,000 characters) that
    everyone sees in its place; its open reports are settled. 409 already_hidden. Audited."""
    require_moderator(actor)
    problem = rules.text_problem(reason, max_chars=rules.REASON_MAX_CHARS, required=True)
    if problem == "required":
        raise ValidationFailed(fields={"reason": _("Say why the comment is hidden: everyone will read it.")})
    if message := _text_error(problem, rules.REASON_MAX_CHARS):
        raise ValidationFailed(fields={"reason": message})
    comment = _locked_comment(comment_id)
    if comment.hidden:
        raise Conflict(_("This comment is already hidden."), code="already_hidden")
    now = clock.now()
    comment.hidden, comment.hidden_reason = True, reason.strip()
    comment.hidden_by_id, comment.hidden_at = actor.id, now
    settled = _resolve_reports(comment.id, now)
    audit.record("comment.hidden", actor=actor, subject_type="project_comment", subject_id=comment.id,
                 project_id=comment.project_id, reason=comment.hidden_reason, reports=settled)
    db.session.commit()
    return comment


def unhide_comment(comment_id: Any, actor: Any) -> ProjectComment:
    """An administrator shows a hidden comment again (409 not_hidden when it is not). Audited
    with the reason it had been hidden for."""
    require_moderator(actor)
    comment = _locked_comment(comment_id)
    if not comment.hidden:
        raise Conflict(_("This comment is not hidden."), code="not_hidden")
    audit.record("comment.unhidden", actor=actor, subject_type="project_comment", subject_id=comment.id,
                 project_id=comment.project_id, reason=comment.hidden_reason)
    comment.hidden, comment.hidden_reason, comment.hidden_by_id, comment.hidden_at = False, "", None, None
    db.session.commit()
    return comment


def dismiss_reports(comment_id: Any, actor: Any) -> int:
    """An administrator keeps a reported comment as it is: its open reports are settled, so it
    leaves the queue (until someone else reports it). Audited; answers how many were settled."""
    require_moderator(actor)
    comment = _locked_comment(comment_id)
    settled = _resolve_reports(comment.id, clock.now())
    if settled:
        audit.record("comment.reports_dismissed", actor=actor, subject_type="project_comment",
                     subject_id=comment.id, project_id=comment.project_id, reports=settled)
    db.session.commit()
    return settled


# --- personal data --------------------------------------------------------------------------

def export_for(user: Any) -> dict[str, Any]:
    written = db.session.scalars(select(ProjectComment).where(ProjectComment.author_id == user.id)
                                 .order_by(ProjectComment.created_at, ProjectComment.id))
    reports = db.session.scalars(select(CommentReport).where(CommentReport.reporter_id == user.id)
                                 .order_by(CommentReport.created_at, CommentReport.id))
    return {
        "comments": [{"id": c.id, "project_id": c.project_id, "body": c.body, "created_at": c.created_at.isoformat(),
                      "hidden": c.hidden, "hidden_reason": c.hidden_reason} for c in written],
        "comment_reports": [{"comment_id": r.comment_id, "reason": r.reason, "created_at": r.created_at.isoformat()}
                            for r in reports],
    }
