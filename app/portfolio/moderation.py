"""The moderators' view of comments: what people reported, newest reports first, and what is hidden.

Each list is read in a fixed number of queries, however long it is.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from app.accounts.models import User
from app.extensions import db
from app.portfolio.comments import CommentView
from app.portfolio.models import CommentReport, PortfolioProject, ProjectComment
from app.portfolio.participation import require_moderator

STATES = ("reported", "hidden")


@dataclass
class QueueItem:
    comment: CommentView
    project_title: str
    project_reference: str
    open_reports: int = 0
    last_reported_at: dt.datetime | None = None
    # The reasons people gave (blank ones left out), newest first.
    reasons: list[str] = field(default_factory=list)
    hidden_by: str | None = None
    hidden_at: dt.datetime | None = None


def _view(comment: ProjectComment, name: str | None, erased_at: Any) -> CommentView:
    return CommentView(id=comment.id, project_id=comment.project_id, body=comment.body,
                       created_at=comment.created_at, hidden=comment.hidden,
                       hidden_reason=comment.hidden_reason or "", author_id=comment.author_id,
                       author_name=name if name is not None and erased_at is None else None)


def _open_reports() -> Any:
    return (select(CommentReport.comment_id, func.count().label("reports"),
                   func.max(CommentReport.created_at).label("last_reported_at"))
            .where(CommentReport.resolved_at.is_(None)).group_by(CommentReport.comment_id).subquery())


def reported(actor: Any, *, limit: int, offset: int = 0) -> tuple[list[QueueItem], int]:
    """Comments with reports no moderator has settled yet, the most recently reported first,
    with how many open reports each has and their reasons; and how many such comments there are."""
    require_moderator(actor)
    reports = _open_reports()
    rows = db.session.execute(
        select(ProjectComment, User.name, User.erased_at, reports.c.reports, reports.c.last_reported_at,
               PortfolioProject.title, PortfolioProject.reference)
        .join(reports, reports.c.comment_id == ProjectComment.id)
        .join(PortfolioProject, PortfolioProject.id == ProjectComment.project_id)
        .outerjoin(User, User.id == ProjectComment.author_id)
        .order_by(reports.c.last_reported_at.desc(), ProjectComment.id.desc())
        .limit(limit).offset(offset)).all()
    total = db.session.scalar(select(func.count()).select_from(reports)) or 0
    items = [QueueItem(comment=_view(c, name, erased), project_title=title, project_reference=reference,
                       open_reports=n, last_reported_at=last)
             for c, name, erased, n, last, title, reference in rows]
    by_id = {item.comment.id: item for item in items}
    if by_id:
        reasons = db.session.execute(
            select(CommentReport.comment_id, CommentReport.reason)
            .where(CommentReport.comment_id.in_(by_id), CommentReport.resolved_at.is_(None),
                   CommentReport.reason != "")
            .order_by(CommentReport.created_at.desc(), CommentReport.id.desc())).all()
        for comment_id, reason in reasons:
            by_id[comment_id].reasons.append(reason)
    return items, total


def hidden(actor: Any, *, limit: int, offset: int = 0) -> tuple[list[QueueItem], int]:
    """Hidden comments, the most recently hidden first, with who hid them and why."""
    require_moderator(actor)
    moderator = aliased(User)
    rows = db.session.execute(
        select(ProjectComment, User.name, User.erased_at, moderator.name, moderator.erased_at,
               PortfolioProject.title, PortfolioProject.reference)
        .join(PortfolioProject, PortfolioProject.id == ProjectComment.project_id)
        .outerjoin(User, User.id == ProjectComment.author_id)
        .outerjoin(moderator, moderator.id == ProjectComment.hidden_by_id)
        .where(ProjectComment.hidden.is_(True))
        .order_by(ProjectComment.hidden_at.desc(), ProjectComment.id.desc())
        .limit(limit).offset(offset)).all()
    total = db.session.scalar(select(func.count()).select_from(ProjectComment)
                              .where(ProjectComment.hidden.is_(True))) or 0
    return [QueueItem(comment=_view(c, name, erased), project_title=title, project_reference=reference,
                      hidden_by=by_name if by_name is not None and by_erased is None else None,
                      hidden_at=c.hidden_at)
            for c, name, erased, by_name, by_erased, title, reference in rows], total


def reports_of(actor: Any, comment_id: int) -> list[CommentReport]:
    """Every report of one comment, newest first (reporters are not named, even to moderators)."""
    require_moderator(actor)
    return list(db.session.scalars(select(CommentReport).where(CommentReport.comment_id == comment_id)
                                   .order_by(CommentReport.created_at.desc(), CommentReport.id.desc())))
