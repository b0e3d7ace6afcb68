"""A challenge's audit trail in the JSON API (read-only, organisers)."""
from __future__ import annotations

from typing import Any

from flask import request
from flask_babel import gettext as _
from pydantic import BaseModel, Field

from app.challenges.access import organised_challenge
from app.core.api import api_user, endpoint, page_args
from app.core.errors import ValidationFailed
from app.results import audit_log
from app.results.blueprint import api_bp as bp


class AuditEventOut(BaseModel):
    id: int
    at: str
    actor_id: int | None = Field(description="null when the system acted, or the account no longer exists")
    actor: str | None = Field(description="The actor's name, \"deleted user\" for an erased account, null for "
                                          "the system")
    action: str = Field(description="e.g. challenge.opened, assignment.added, score.changed, awards.changed")
    label: str = Field(description="The action in words, in the caller's language")
    subject_type: str
    subject_id: int | None
    details: dict[str, Any]


def _json(entry: audit_log.LogEntry) -> dict[str, Any]:
    return {"id": entry.id, "at": entry.at.isoformat(), "actor_id": entry.actor_id, "actor": entry.actor,
            "action": entry.action, "label": entry.label, "subject_type": entry.subject_type,
            "subject_id": entry.subject_id, "details": entry.details}


@endpoint(bp, "/challenges/<int:challenge_id>/audit", methods=["GET"], responses={200: AuditEventOut},
          paginated=True, errors=(401, 403, 404, 422),
          query={"kind": "Only events of this kind (the part of the action before the dot, e.g. challenge, "
                         "assignment, score, awards); 422 for an unknown kind"},
          summary="The challenge's audit trail, newest first (organisers)")
def audit_events(challenge_id: int):
    challenge = organised_challenge(challenge_id, api_user())
    page, per_page = page_args()
    kinds = audit_log.actions_by_kind(challenge.id)
    kind = request.args.get("kind")
    actions = audit_log.actions_for(kinds, kind) if kind is not None else None
    if kind is not None and actions is None:
        known = sorted(set(kinds) | set(audit_log.KIND_LABELS))
        raise ValidationFailed(fields={"kind": _("One of: %(values)s.", values=", ".join(known))})
    entries, total = audit_log.page_of_events(challenge, actions, page, per_page)
    return {"items": [_json(entry) for entry in entries], "total": total, "page": page, "per_page": per_page}
