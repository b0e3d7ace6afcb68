"""What citizens do with a project: follow it, assess it, and what its page shows them.

Comments, their reports and moderation are in ``comments.py``, digest mails in ``digests.py``,
who may take part in ``participation.py``.
"""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from app.core import clock, privacy
from app.core.db import begin_write
from app.core.errors import Unauthorised, ValidationFailed
from app.extensions import db
from app.portfolio import citizen_rules as rules
from app.portfolio import comments
from app.portfolio.access import can_edit
from app.portfolio.citizen_forms import AssessmentForm, CommentForm
from app.portfolio.models import Assessment, Follow, PortfolioProject, ProjectEvent
from app.portfolio.participation import is_moderator, participation_problem, require_citizen, signed_in


# --- following ------------------------------------------------------------------------------

def latest_event_id(project_id: int) -> int:
    return db.session.scalar(select(func.max(ProjectEvent.id)).where(ProjectEvent.project_id == project_id)) or 0


def follow(project: PortfolioProject, user: Any) -> bool:
    """Start following a project; True when this is new, False when already following (no change).

    A new follower hears only of what happens from now on: their watermark starts at the
    project's latest event, so the first digest does not repeat old news."""
    require_citizen(user)
    project_id, user_id = project.id, user.id
    if db.session.get(Follow, (project_id, user_id)) is not None:
        return False
    db.session.add(Follow(project_id=project_id, user_id=user_id, created_at=clock.now(),
                          notified_event_id=latest_event_id(project_id)))
    try:
        db.session.commit()
    except IntegrityError:
        # The same person following twice at once: the other request made the row.
        db.session.rollback()
        return False
    return True


def add_followers(project: PortfolioProject, user_ids: list[int]) -> None:
    """Make these accounts follow the project (a promoted project's team), in the caller's
    transaction; those already following are left as they are."""
    if not user_ids:
        return
    already = set(db.session.scalars(select(Follow.user_id).where(Follow.project_id == project.id,
                                                                  Follow.user_id.in_(user_ids))))
    latest = latest_event_id(project.id)
    for user_id in dict.fromkeys(user_ids):
        if user_id not in already:
            db.session.add(Follow(project_id=project.id, user_id=user_id, created_at=clock.now(),
                                  notified_event_id=latest))


def unfollow(project: PortfolioProject, user: Any) -> bool:
    """Stop following; True when a follow ended, False when there was none. Any signed-in person
    may stop, confirmed or not (team members follow their project without being asked)."""
    if not signed_in(user):
        raise Unauthorised()
    result = db.session.execute(delete(Follow).where(Follow.project_id == project.id, Follow.user_id == user.id))
    db.session.commit()
    return bool(result.rowcount)


def is_following(project_id: int, user: Any) -> bool:
    if not signed_in(user):
        return False
    return db.session.get(Follow, (project_id, user.id)) is not None


def followers_count(project_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Follow).where(Follow.project_id == project_id)) or 0


# --- assessment -----------------------------------------------------------------------------

def _assessment_problems(usefulness: Any, progress_visible: Any, reason: Any) -> dict[str, str]:
    problems: dict[str, str] = {}
    for name, value in (("usefulness", usefulness), ("progress_visible", progress_visible)):
        if not rules.valid_score(value):
            problems[name] = _("Choose a score from 1 to 5.")
    problem = rules.text_problem(reason, max_chars=rules.REASON_MAX_CHARS, required=False)
    if problem == "too_long":
        problems["reason"] = _("At most %(n)s characters.", n=rules.REASON_MAX_CHARS)
    elif problem:
        problems["reason"] = _("This value is not valid.")
    return problems


def assess(project: PortfolioProject, user: Any, *, usefulness: Any, progress_visible: Any,
           reason: Any = "") -> Assessment:
    """Record a person's own assessment of a project: usefulness and visible progress, each a
    whole number from 1 to 5, and an optional reason of at most 1,000 characters (422 with
    fields otherwise). One per person and project: giving it again replaces theirs."""
    require_citizen(user)
    if problems := _assessment_problems(usefulness, progress_visible, reason):
        raise ValidationFailed(fields=problems)
    project_id, user_id = project.id, user.id
    reason = (reason or "").strip()
    for attempt in (1, 2):
        begin_write(db.session)
        row = db.session.scalars(select(Assessment).where(Assessment.project_id == project_id,
                                                          Assessment.user_id == user_id)
                                 .with_for_update().execution_options(populate_existing=True)).first()
        now = clock.now()
        if row is None:
            row = Assessment(project_id=project_id, user_id=user_id, created_at=now)
            db.session.add(row)
        row.usefulness, row.progress_visible, row.reason, row.updated_at = usefulness, progress_visible, reason, now
        try:
            db.session.commit()
            return row
        except IntegrityError:
            # Two first assessments of one person at once: the second updates the first.
            db.session.rollback()
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def my_assessment(project_id: int, user: Any) -> Assessment | None:
    if not signed_in(user):
        return None
    return db.session.get(Assessment, (project_id, user.id))


def assessment_summary(project_id: int) -> dict[str, Any]:
    """The project's assessments in aggregate, never naming anyone: ``count``, the unrounded
    means ``usefulness`` and ``progress_visible`` (null when nobody assessed it) and a
    ``distribution`` of each (how many gave 1 … 5). One query."""
    rows = db.session.execute(
        select(Assessment.usefulness, Assessment.progress_visible, func.count())
        .where(Assessment.project_id == project_id)
        .group_by(Assessment.usefulness, Assessment.progress_visible)).all()
    return rules.assessment_aggregate((u, p, n) for u, p, n in rows)


def reasons_for(project: PortfolioProject, user: Any, limit: int = 200) -> list[Assessment]:
    """The reasons people gave, newest first, for those who run the project (never with names);
    an empty list for everyone else."""
    if not can_edit(project, user):
        return []
    return list(db.session.scalars(select(Assessment).where(Assessment.project_id == project.id,
                                                            Assessment.reason != "")
                                   .order_by(Assessment.updated_at.desc()).limit(limit)))


def assessment_json(row: Assessment) -> dict[str, Any]:
    return {"project_id": row.project_id, "usefulness": row.usefulness, "progress_visible": row.progress_visible,
            "reason": row.reason, "created_at": row.created_at.isoformat(), "updated_at": row.updated_at.isoformat()}


# --- the project page -----------------------------------------------------------------------

def page_context(project: PortfolioProject, user: Any) -> dict[str, Any]:
    """What the project page's citizens section shows, in a fixed number of queries however many
    followers, comments and assessments there are: following or not, the followers count, the
    first comments with their authors, the total of comments, the caller's own assessment and
    reports, and the aggregate of assessments."""
    mine = my_assessment(project.id, user)
    return {
        "project_id": project.id,
        "problem": participation_problem(user),
        "following": is_following(project.id, user),
        "followers": followers_count(project.id),
        "comments": comments.comments_of(project.id, limit=rules.COMMENTS_ON_PAGE),
        "comments_total": comments.count_comments(project.id),
        "reported": comments.reported_by(project.id, user),
        "is_moderator": is_moderator(user),
        "my_assessment": mine,
        "summary": assessment_summary(project.id),
        "comment_form": CommentForm(formdata=None),
        "assessment_form": AssessmentForm.for_assessment(mine),
    }


# --- personal data --------------------------------------------------------------------------

def _export(user: Any) -> dict[str, Any]:
    follows = db.session.execute(select(Follow, PortfolioProject.title)
                                 .join(PortfolioProject, PortfolioProject.id == Follow.project_id)
                                 .where(Follow.user_id == user.id).order_by(Follow.created_at)).all()
    assessments = db.session.scalars(select(Assessment).where(Assessment.user_id == user.id)
                                     .order_by(Assessment.created_at))
    return {
        "follows": [{"project_id": f.project_id, "project": title, "since": f.created_at.isoformat()}
                    for f, title in follows],
        "assessments": [assessment_json(a) for a in assessments],
        **comments.export_for(user),
    }


def _erase(user: Any) -> None:
    # Following is a wish for mail, which an erased account cannot receive. Comments, reports and
    # assessments are what the person wrote: they stay, under "deleted user".
    db.session.execute(delete(Follow).where(Follow.user_id == user.id))


privacy.register_exporter("portfolio", _export)
privacy.register_eraser(_erase)

