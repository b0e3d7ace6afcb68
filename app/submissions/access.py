"""Who may see and change an idea, and loading ideas and teams for a user (404 when not theirs).

Pages and the API load through these functions, so a team's idea, its attachments and its edit
page answer the same way to the same person: 404 for anyone who may not see them (whether they
exist or not), 403 for an organiser who sees them but may not write.
"""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import or_, select

from app.accounts.models import User
from app.challenges.access import valid_id
from app.challenges.models import Challenge
from app.core.errors import Forbidden, NotFound
from app.extensions import db
from app.judging import rules as jury_rules
from app.submissions.models import Attachment, Idea, IdeaRevision
from app.submissions.uploads import ACCEPTED
from app.teams.models import Team, TeamMember

# The extension a neutral file name gets, by the content type recognised at upload.
_EXTENSIONS = {content_type: extensions[0].lstrip(".") for content_type, extensions in ACCEPTED.values()}


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def not_found(user: Any) -> NotFound:
    """The same refusal for what is absent and what is hidden; signed-out visitors get a hint."""
    if not _signed_in(user):
        return NotFound(_("This page does not exist, or you cannot see it. If it belongs to your team, "
                          "sign in first."))
    return NotFound()


def _juror_can_view(idea: Idea, user: Any) -> bool:
    """Jurors assigned to the submitted idea in the challenge's current round, and not conflicted
    with its team (automatically or by a recorded conflict), may read it."""
    # Imported here: judging builds on submissions, so a module-level import would be circular.
    from app.judging.access import conflicted_team_ids
    from app.judging.models import Assignment

    if idea.status != "submitted":
        return False
    challenge = challenge_of(idea)
    assigned = db.session.scalar(select(Assignment.id).where(
        Assignment.idea_id == idea.id, Assignment.juror_user_id == user.id, Assignment.round == challenge.round))
    return assigned is not None and idea.team_id not in conflicted_team_ids(challenge.id, user.id)


def challenge_of(obj: Idea | Team) -> Challenge:
    challenge = db.session.get(Challenge, obj.challenge_id)
    assert challenge is not None  # nosec B101 - the foreign key cascades
    return challenge


def can_view_idea(idea: Idea, user: Any) -> bool:
    """Members of the team and organisers of the challenge (and later assigned jurors) see an idea."""
    if not _signed_in(user):
        return False
    if idea.team.is_member(user):
        return True
    if challenge_of(idea).is_organiser(user):
        return True
    return _juror_can_view(idea, user)


def can_edit_idea(idea: Idea, user: Any) -> bool:
    """Only members of the team write their idea (organisers read it)."""
    return _signed_in(user) and idea.team.is_member(user)


def visible_idea(idea_id: int, user: Any) -> Idea:
    idea = db.session.get(Idea, idea_id) if valid_id(idea_id) else None
    if idea is None or not can_view_idea(idea, user):
        raise not_found(user)
    return idea


def idea_for_member(idea_id: int, user: Any) -> Idea:
    """An idea the user may change: 404 when they cannot see it, 403 when they only read it."""
    idea = visible_idea(idea_id, user)
    if not can_edit_idea(idea, user):
        raise Forbidden(_("Only the members of this team can change its idea."))
    return idea


def team_for_member(team_id: int, user: Any) -> Team:
    """A team whose idea the user may write: members; organisers see it (403), others 404."""
    team = db.session.get(Team, team_id) if _signed_in(user) and valid_id(team_id) else None
    if team is None:
        raise not_found(user)
    if team.is_member(user):
        return team
    if challenge_of(team).is_organiser(user):
        raise Forbidden(_("Only the members of this team can write its idea."))
    raise not_found(user)


def idea_of_team(team: Team) -> Idea | None:
    return db.session.scalar(select(Idea).where(Idea.team_id == team.id))


def attachment_of(idea: Idea, attachment_id: int, user: Any) -> Attachment:
    attachment = db.session.get(Attachment, attachment_id) if valid_id(attachment_id) else None
    if attachment is None or attachment.idea_id != idea.id:
        raise not_found(user)
    return attachment


# --- blind review -----------------------------------------------------------------------------

def reads_blind(idea: Idea, user: Any) -> bool:
    """Whether the user reads the idea without any team or member name: the challenge has blind
    review and they are neither in the team nor an organiser (so: one of its assigned jurors)."""
    if idea.team.is_member(user):
        return False
    challenge = challenge_of(idea)
    return bool(challenge.blind_review) and not challenge.is_organiser(user)


def identifying_terms(idea: Idea) -> set[str]:
    """The names that would tell a blind juror whose idea this is: the team's, its members', and
    those of whoever saved a version or attached a file (a member who left is named too). One query."""
    people = db.session.execute(select(User.name, User.email).where(or_(
        User.id.in_(select(TeamMember.user_id).where(TeamMember.team_id == idea.team_id)),
        User.id.in_(select(IdeaRevision.author_id).where(IdeaRevision.idea_id == idea.id)),
        User.id.in_(select(Attachment.uploaded_by_id).where(Attachment.idea_id == idea.id))))).all()
    return jury_rules.identifying_terms(idea.team.name, [(name, email) for name, email in people])


def attachment_names(idea: Idea, blind: bool) -> dict[int, str]:
    """Each attachment's name as the reader sees it (by attachment id). A blind reader sees a name
    only when it carries no team or member name; otherwise "attachment-<n>.<ext>", numbered in
    the order the files were attached."""
    if not blind:
        return {a.id: a.filename for a in idea.attachments}
    terms = identifying_terms(idea) if idea.attachments else set()
    return {a.id: jury_rules.blind_filename(a.filename, number, _EXTENSIONS.get(a.content_type, "bin"), terms)
            for number, a in enumerate(idea.attachments, start=1)}
