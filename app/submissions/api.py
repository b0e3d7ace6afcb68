"""Ideas in the JSON API: the same services as the pages, answered as the contract says."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import request
from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.challenges.access import organised_challenge
from app.core.api import api_blueprint, api_user, endpoint, paginate
from app.core.errors import ValidationFailed
from app.extensions import db
from app.submissions import access, services, uploads
from app.submissions.models import IDEA_STATUSES, Attachment, Idea
from app.submissions.validation import LONG_TEXT_MAX, MAX_LINKS, TITLE_MAX

bp = api_blueprint("submissions_api", __name__)


class IdeaIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    title: str | None = Field(default=None, max_length=TITLE_MAX)
    summary: str | None = Field(default=None, max_length=LONG_TEXT_MAX)
    problem: str | None = Field(default=None, max_length=LONG_TEXT_MAX)
    solution: str | None = Field(default=None, max_length=LONG_TEXT_MAX)
    beneficiaries: str | None = Field(default=None, max_length=LONG_TEXT_MAX)
    track_id: int | None = None
    budget_requested: Decimal | None = Field(default=None, allow_inf_nan=False)
    links: list[str] | None = Field(default=None, max_length=MAX_LINKS)
    version: int | None = None


class AttachmentOut(BaseModel):
    id: int
    filename: str
    size: int
    content_type: str


class IdeaOut(BaseModel):
    id: int
    status: str
    version: int
    title: str
    summary: str
    problem: str
    solution: str
    beneficiaries: str
    track_id: int | None
    budget_requested: float | None
    links: list[str]
    submitted_at: str | None
    withdrawn_at: str | None
    updated_at: str
    team_id: int
    team_name: str | None  # None for a juror when the review is blind
    challenge_id: int
    attachments: list[AttachmentOut]


class IdeaPage(BaseModel):
    items: list[IdeaOut]
    total: int
    page: int
    per_page: int


def attachment_json(attachment: Attachment, filename: str | None = None) -> dict[str, Any]:
    return {"id": attachment.id, "filename": filename or attachment.filename, "size": attachment.size,
            "content_type": attachment.content_type}


def idea_json(idea: Idea, *, blind: bool = False) -> dict[str, Any]:
    """The idea as the contract gives it; ``blind`` (a juror under blind review) leaves out the
    team's name and any file name that carries a team or member name."""
    names = access.attachment_names(idea, blind)
    return {
        "id": idea.id, "status": idea.status, "version": idea.version, "title": idea.title,
        "summary": idea.summary, "problem": idea.problem, "solution": idea.solution,
        "beneficiaries": idea.beneficiaries, "track_id": idea.track_id,
        "budget_requested": float(idea.budget_requested) if idea.budget_requested is not None else None,
        "links": list(idea.links or []),
        "submitted_at": idea.submitted_at.isoformat() if idea.submitted_at else None,
        "withdrawn_at": idea.withdrawn_at.isoformat() if idea.withdrawn_at else None,
        "updated_at": idea.updated_at.isoformat(),
        "team_id": idea.team_id, "team_name": None if blind else idea.team.name, "challenge_id": idea.challenge_id,
        "attachments": [attachment_json(a, names[a.id]) for a in idea.attachments],
    }


@endpoint(bp, "/teams/<int:team_id>/idea", methods=["PUT"], body=IdeaIn, responses={201: IdeaOut, 200: IdeaOut},
          errors=(403, 404, 409), summary="Save the team's idea (a draft may be incomplete)")
def put_idea(team_id: int, body: IdeaIn):
    team = access.team_for_member(team_id, api_user())
    data = body.model_dump(include=body.model_fields_set - {"version"})
    idea, created = services.save_idea(team, api_user(), data, version=body.version)
    return idea_json(idea), 201 if created else 200


@endpoint(bp, "/ideas/<int:idea_id>/submit", methods=["POST"], responses={200: IdeaOut},
          errors=(403, 404, 409, 422), summary="Submit the idea before the deadline")
def submit(idea_id: int):
    idea = access.idea_for_member(idea_id, api_user())
    return idea_json(services.submit_idea(idea, api_user()))


@endpoint(bp, "/ideas/<int:idea_id>/withdraw", methods=["POST"], responses={200: IdeaOut},
          errors=(403, 404, 409), summary="Withdraw the idea before the deadline")
def withdraw(idea_id: int):
    idea = access.idea_for_member(idea_id, api_user())
    return idea_json(services.withdraw_idea(idea, api_user()))


@endpoint(bp, "/ideas/<int:idea_id>/attachments", methods=["POST"], raw_body="multipart/form-data",
          responses={201: AttachmentOut}, errors=(403, 404, 409, 413, 415, 422, 503),
          summary="Attach a PDF, PNG or JPEG (recognised by content)")
def add_attachment(idea_id: int):
    idea = access.idea_for_member(idea_id, api_user())
    if request.mimetype != "multipart/form-data":
        raise uploads.UnsupportedFileType(_("Send the file as multipart/form-data, in the field “file”."))
    attachment = services.add_attachment(idea, api_user(), request.files.get("file"))
    return attachment_json(attachment), 201


@endpoint(bp, "/ideas/<int:idea_id>/attachments/<int:attachment_id>", methods=["GET"], auth="optional",
          responses={200: "application/octet-stream"}, errors=(404,), summary="Download an attachment")
def download_attachment(idea_id: int, attachment_id: int):
    idea = access.visible_idea(idea_id, api_user())
    attachment = access.attachment_of(idea, attachment_id, api_user())
    names = access.attachment_names(idea, access.reads_blind(idea, api_user()))
    return uploads.send_attachment(attachment, names[attachment.id])


@endpoint(bp, "/ideas/<int:idea_id>/attachments/<int:attachment_id>", methods=["DELETE"],
          responses={204: None}, errors=(403, 404, 409), summary="Remove an attachment before the deadline")
def delete_attachment(idea_id: int, attachment_id: int):
    idea = access.idea_for_member(idea_id, api_user())
    access.attachment_of(idea, attachment_id, api_user())
    services.remove_attachment(idea, api_user(), attachment_id)
    return "", 204


@endpoint(bp, "/ideas/<int:idea_id>", methods=["GET"], auth="optional", responses={200: IdeaOut},
          errors=(404,), summary="An idea, for its team, the challenge's organisers and its assigned jurors "
                  "(with blind review, jurors get no team or member name)")
def get_idea(idea_id: int):
    idea = access.visible_idea(idea_id, api_user())
    return idea_json(idea, blind=access.reads_blind(idea, api_user()))


@endpoint(bp, "/challenges/<int:challenge_id>/ideas", methods=["GET"], responses={200: IdeaPage},
          errors=(403, 404, 422), paginated=True, query={"status": "draft, submitted, withdrawn or not_retained"},
          summary="Every idea of a challenge with its status (organisers)")
def list_ideas(challenge_id: int):
    challenge = organised_challenge(challenge_id, api_user())
    stmt = (select(Idea).where(Idea.challenge_id == challenge.id)
            .options(selectinload(Idea.team), selectinload(Idea.attachments)).order_by(Idea.id))
    status = request.args.get("status")
    if status:
        if status not in IDEA_STATUSES:
            raise ValidationFailed(fields={"status": _("One of: %(values)s.", values=", ".join(IDEA_STATUSES))})
        stmt = stmt.where(Idea.status == status)
    return paginate(db.session, stmt, idea_json)
