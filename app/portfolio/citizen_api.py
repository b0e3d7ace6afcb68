"""Citizens in the JSON API: following, comments and their reports, moderation, and the short
independent assessment. The same services as the pages."""
from __future__ import annotations

from typing import Any

from flask import request
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

from app.core.api import api_user, endpoint, page_args
from app.portfolio import citizens, comments, moderation
from app.portfolio.access import project_or_404
from app.portfolio.blueprint import api_bp as bp


class CommentIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    body: StrictStr = Field(description="Markdown, 1 to 5,000 characters, kept as written")


class CommentOut(BaseModel):
    id: int
    project_id: int
    body: str = Field(description="As written; empty while the comment is hidden")
    html: str = Field(description="The sanitised rendering of body; empty while hidden")
    author: str = Field(description="The author's name, or \"deleted user\" for an erased account")
    created_at: str
    hidden: bool
    hidden_reason: str | None = Field(description="The moderator's reason, shown instead of a hidden comment")


class CommentPageOut(BaseModel):
    items: list[CommentOut]
    total: int
    page: int
    per_page: int


class ReportIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    reason: StrictStr | None = Field(default=None, description="Optional, at most 1,000 characters")


class ReportOut(BaseModel):
    comment_id: int
    reason: str
    created_at: str


class HideIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    reason: StrictStr = Field(description="Shown to everyone in place of the comment; at most 1,000 characters")


class QueueItemOut(BaseModel):
    comment: CommentOut
    comment_body: str = Field(description="The text as written, also while hidden (moderators only)")
    project_title: str
    project_reference: str
    open_reports: int
    last_reported_at: str | None
    reasons: list[str]
    hidden_at: str | None


class QueuePageOut(BaseModel):
    items: list[QueueItemOut]
    total: int
    page: int
    per_page: int


class AssessmentIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    usefulness: StrictInt = Field(description="Is this project useful to you? 1 to 5")
    progress_visible: StrictInt = Field(description="Is its progress visible? 1 to 5")
    reason: StrictStr | None = Field(default=None, description="Optional, at most 1,000 characters")


class AssessmentSummaryOut(BaseModel):
    count: int
    usefulness: float | None
    progress_visible: float | None
    distribution: dict[str, dict[str, int]] = Field(description="How many gave each score 1-5, per question")


class MyAssessmentOut(BaseModel):
    project_id: int
    usefulness: int
    progress_visible: int
    reason: str
    created_at: str
    updated_at: str


class AssessmentOut(MyAssessmentOut):
    summary: AssessmentSummaryOut


class AssessmentStateOut(BaseModel):
    mine: MyAssessmentOut | None = Field(description="The caller's own assessment (null when anonymous or none)")
    summary: AssessmentSummaryOut


# --- following ------------------------------------------------------------------------------

@endpoint(bp, "/portfolio/<int:project_id>/follow", methods=["POST"], responses={204: None}, errors=(403, 404),
          summary="Follow a project (confirmed accounts): a digest mail when its stage, progress, milestones or "
                  "updates change. Following again changes nothing and also answers 204")
def follow_project(project_id: int):
    citizens.follow(project_or_404(project_id), api_user())
    return "", 204


@endpoint(bp, "/portfolio/<int:project_id>/follow", methods=["DELETE"], responses={204: None}, errors=(404,),
          summary="Stop following a project; also 204 when not following")
def unfollow_project(project_id: int):
    citizens.unfollow(project_or_404(project_id), api_user())
    return "", 204


# --- comments -------------------------------------------------------------------------------

@endpoint(bp, "/portfolio/<int:project_id>/comments", methods=["POST"], body=CommentIn, responses={201: CommentOut},
          errors=(403, 404, 422, 429),
          summary="Comment on a project in Markdown (confirmed accounts; 30 per account per hour, then 429)")
def post_comment(project_id: int, body: CommentIn):
    row = comments.add_comment(project_or_404(project_id), api_user(), body.body)
    return comments.comment_json(comments.comment_view(row.id)), 201


@endpoint(bp, "/portfolio/<int:project_id>/comments", methods=["GET"], auth="optional",
          responses={200: CommentPageOut}, errors=(404, 422), paginated=True,
          summary="A project's comments, oldest first; hidden ones carry only the moderator's reason")
def list_comments(project_id: int):
    project = project_or_404(project_id)
    page, per_page = page_args()
    rows = comments.comments_of(project.id, limit=per_page, offset=(page - 1) * per_page)
    return {"items": [comments.comment_json(row) for row in rows], "total": comments.count_comments(project.id),
            "page": page, "per_page": per_page}


@endpoint(bp, "/portfolio/<int:project_id>/comments/<int:comment_id>/reports", methods=["POST"], body=ReportIn,
          responses={201: ReportOut}, errors=(403, 404, 409, 422),
          summary="Report a comment to the moderators, with an optional reason; once per person "
                  "(409 already_reported)")
def post_report(project_id: int, comment_id: int, body: ReportIn):
    report = comments.report_comment(project_or_404(project_id), comment_id, api_user(), body.reason or "")
    return {"comment_id": report.comment_id, "reason": report.reason, "created_at": report.created_at.isoformat()}, 201


# --- moderation -----------------------------------------------------------------------------

def _queue_json(item: moderation.QueueItem) -> dict[str, Any]:
    return {"comment": comments.comment_json(item.comment), "comment_body": item.comment.body,
            "project_title": item.project_title, "project_reference": item.project_reference,
            "open_reports": item.open_reports,
            "last_reported_at": item.last_reported_at.isoformat() if item.last_reported_at else None,
            "reasons": item.reasons, "hidden_at": item.hidden_at.isoformat() if item.hidden_at else None}


@endpoint(bp, "/portfolio/moderation", methods=["GET"], responses={200: QueuePageOut}, errors=(403, 422),
          paginated=True, query={"state": "reported (default: comments with open reports, most recently reported "
                                           "first) or hidden"},
          summary="The moderation queue of comments (administrators)")
def moderation_queue():
    state = request.args.get("state", "reported")
    list_of = moderation.hidden if state == "hidden" else moderation.reported
    user = api_user()
    page, per_page = page_args()
    items, total = list_of(user, limit=per_page, offset=(page - 1) * per_page)
    return {"items": [_queue_json(item) for item in items], "total": total, "page": page, "per_page": per_page}


@endpoint(bp, "/portfolio/<int:project_id>/comments/<int:comment_id>/hide", methods=["POST"], body=HideIn,
          responses={200: CommentOut}, errors=(403, 404, 409, 422),
          summary="Hide a comment with a reason everyone sees (administrators); 409 already_hidden")
def hide_comment(project_id: int, comment_id: int, body: HideIn):
    comment = comments.project_comment(project_or_404(project_id), comment_id)
    comments.hide_comment(comment.id, api_user(), body.reason)
    return comments.comment_json(comments.comment_view(comment_id))


@endpoint(bp, "/portfolio/<int:project_id>/comments/<int:comment_id>/unhide", methods=["POST"],
          responses={200: CommentOut}, errors=(403, 404, 409),
          summary="Show a hidden comment again (administrators); 409 not_hidden")
def unhide_comment(project_id: int, comment_id: int):
    comment = comments.project_comment(project_or_404(project_id), comment_id)
    comments.unhide_comment(comment.id, api_user())
    return comments.comment_json(comments.comment_view(comment_id))


# --- assessment -----------------------------------------------------------------------------

def _assessment_json(row: Any) -> dict[str, Any]:
    return {**citizens.assessment_json(row), "summary": citizens.assessment_summary(row.project_id)}


@endpoint(bp, "/portfolio/<int:project_id>/assessment", methods=["PUT"], body=AssessmentIn,
          responses={200: AssessmentOut}, errors=(403, 404, 422),
          summary="Give or change the caller's assessment of a project: usefulness and visible progress, "
                  "1 to 5 each, and an optional reason (confirmed accounts; one per person and project)")
def put_assessment(project_id: int, body: AssessmentIn):
    row = citizens.assess(project_or_404(project_id), api_user(), usefulness=body.usefulness,
                          progress_visible=body.progress_visible, reason=body.reason or "")
    return _assessment_json(row)


@endpoint(bp, "/portfolio/<int:project_id>/assessment", methods=["GET"], auth="optional",
          responses={200: AssessmentStateOut}, errors=(404,),
          summary="The assessments of a project in aggregate (nobody named), and the caller's own")
def get_assessment(project_id: int):
    project = project_or_404(project_id)
    mine = citizens.my_assessment(project.id, api_user())
    return {"mine": citizens.assessment_json(mine) if mine else None,
            "summary": citizens.assessment_summary(project.id)}
