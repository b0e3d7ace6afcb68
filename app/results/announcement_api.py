"""Announcements in the JSON API: the same service as the page, with a count to check first."""
from __future__ import annotations

from typing import Any

from flask import request
from pydantic import BaseModel, ConfigDict, Field, StrictInt
from sqlalchemy import func, select

from app.challenges.access import organised_challenge
from app.core.api import api_user, endpoint, page_args
from app.extensions import db
from app.results import announcements
from app.results.blueprint import api_bp as bp
from app.results.models import AUDIENCES

AUDIENCE_DOC = ", ".join(AUDIENCES)


class AnnouncementIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    audience: str = Field(description=f"One of: {AUDIENCE_DOC}")
    track_id: StrictInt | None = Field(default=None, description="Required when audience is \"track\"")
    subject: str = Field(description="1–200 characters, one line")
    body: str = Field(description="1–20,000 characters of Markdown")


class AnnouncementOut(BaseModel):
    id: int
    audience: str
    track_id: int | None
    subject: str
    recipients: int = Field(description="How many people were mailed")
    sent_at: str
    sent_by: str | None


class AudienceOut(BaseModel):
    audience: str
    track_id: int | None
    recipients: int = Field(description="How many people an announcement to this audience would reach now")


def _json(row: announcements.SentRow) -> dict[str, Any]:
    return {"id": row.id, "audience": row.audience, "track_id": row.track_id, "subject": row.subject,
            "recipients": row.recipients, "sent_at": row.sent_at.isoformat(), "sent_by": row.sent_by}


@endpoint(bp, "/challenges/<int:challenge_id>/announcements", methods=["POST"], body=AnnouncementIn,
          responses={201: AnnouncementOut}, errors=(400, 401, 403, 404, 409, 422),
          summary="Mail a message to one audience of the challenge, each person once (organisers); 422 when the "
                  "audience reaches nobody, 409 already_sent for the same message to the same audience "
                  "within ten minutes")
def send_announcement(challenge_id: int, body: AnnouncementIn):
    user = api_user()
    challenge = organised_challenge(challenge_id, user)
    sent = announcements.send_announcement(challenge, user, audience=body.audience, track_id=body.track_id,
                                           subject=body.subject, body=body.body)
    return {"id": sent.id, "audience": sent.audience, "track_id": sent.track_id, "subject": sent.subject,
            "recipients": sent.recipients, "sent_at": sent.sent_at.isoformat(), "sent_by": user.name}, 201


@endpoint(bp, "/challenges/<int:challenge_id>/announcements", methods=["GET"], responses={200: AnnouncementOut},
          paginated=True, errors=(401, 403, 404, 422),
          summary="The announcements sent for the challenge, newest first (organisers)")
def list_announcements(challenge_id: int):
    challenge = organised_challenge(challenge_id, api_user())
    page, per_page = page_args()
    stmt = announcements.sent_query(challenge)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page))
    return {"items": [_json(announcements.sent_row(row)) for row in rows], "total": total, "page": page,
            "per_page": per_page}


@endpoint(bp, "/challenges/<int:challenge_id>/announcements/audience", methods=["GET"],
          responses={200: AudienceOut}, errors=(401, 403, 404, 422),
          query={"audience": f"One of: {AUDIENCE_DOC}", "track_id": "The track, for audience \"track\""},
          summary="How many people an announcement to an audience would reach, without sending anything")
def announcement_audience(challenge_id: int):
    user = api_user()
    challenge = organised_challenge(challenge_id, user)
    audience = request.args.get("audience")
    track, count = announcements.audience_size(challenge, user, audience, request.args.get("track_id"))
    return {"audience": audience, "track_id": track.id if track else None, "recipients": count}
