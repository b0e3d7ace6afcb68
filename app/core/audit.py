"""The audit trail: who changed what, when. Rows are only ever added."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column

from app.core import clock
from app.extensions import db


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # What the event is about, e.g. ("challenge", 12); challenge_id also set for a challenge's console.
    challenge_id: Mapped[int | None] = mapped_column(index=True)
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int | None]
    action: Mapped[str] = mapped_column(String(60))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    __table_args__ = (Index("ix_audit_events_subject", "subject_type", "subject_id"),)


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _append_only(_mapper: Any, _connection: Any, _target: AuditEvent) -> None:
    raise RuntimeError("audit events are append-only")


def record(action: str, *, actor: Any, subject_type: str, subject_id: int | None,
           challenge_id: int | None = None, **details: Any) -> AuditEvent:
    """Add an audit row to the current transaction (it lands only if the change lands)."""
    entry = AuditEvent(action=action, actor_id=getattr(actor, "id", None), subject_type=subject_type,
                       subject_id=subject_id, challenge_id=challenge_id, details=_plain(details),
                       created_at=clock.now())
    db.session.add(entry)
    return entry


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)
