"""The audit log page: organisers read who changed what, and when. There is nothing to edit here."""
from __future__ import annotations

import json

from flask import render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.challenges.access import organised_challenge
from app.challenges.export import csv_response
from app.core.api import MAX_PAGE
from app.results import audit_log
from app.results.blueprint import bp


def _filter(challenge_id: int) -> tuple[dict[str, list[str]], str | None, list[str] | None]:
    """The kinds present, the chosen kind, and its actions. A kind outside the allow-list is
    ignored: the filter only ever passes actions read from the trail itself to the query."""
    kinds = audit_log.actions_by_kind(challenge_id)
    kind = request.args.get("kind") or None
    actions = audit_log.actions_for(kinds, kind)
    return (kinds, kind, actions) if actions is not None else (kinds, None, None)


def _page_number() -> int:
    raw = request.args.get("page", "1")
    number = int(raw) if raw.isdigit() and len(raw) < 10 else 1
    return min(max(number, 1), MAX_PAGE)


@bp.get("/challenges/<int:challenge_id>/audit", endpoint="audit_log")
@login_required
def audit_page(challenge_id: int):
    challenge = organised_challenge(challenge_id, current_user._get_current_object())
    kinds, kind, actions = _filter(challenge.id)
    page = _page_number()
    entries, total = audit_log.page_of_events(challenge, actions, page)
    choices = {k: audit_log.kind_label(k) for k in kinds}
    if kind and kind not in choices:  # a known kind with no event yet stays selected
        choices[kind] = audit_log.kind_label(kind)
    asked = request.args.get("kind")
    return render_template("results/audit_log.html", challenge=challenge, entries=entries, total=total, page=page,
                           pages=max(1, -(-total // audit_log.PER_PAGE)), kinds=choices, kind=kind,
                           ignored_kind=asked if asked and not kind else None)


@bp.get("/challenges/<int:challenge_id>/audit.csv", endpoint="audit_log_csv")
@login_required
def audit_csv(challenge_id: int):
    challenge = organised_challenge(challenge_id, current_user._get_current_object())
    _kinds, kind, actions = _filter(challenge.id)
    header = [_("When (UTC)"), _("Who"), _("Person id"), _("What"), _("Action"), _("About"), _("Id"), _("Details")]
    rows = [[entry.at.isoformat(), entry.actor if entry.actor_id is not None else _("System"), entry.actor_id,
             entry.label, entry.action, entry.subject_type, entry.subject_id,
             json.dumps(entry.details, ensure_ascii=False, sort_keys=True)]
            for entry in audit_log.all_events(challenge, actions)]
    suffix = f"-{kind}" if kind else ""
    return csv_response(f"audit-log-challenge-{challenge.id}{suffix}.csv", header, rows)
