"""Who may call what: the expected outcome of every route of the application for every role.

One entry per (endpoint, method). ``expect`` gives the outcome class per role (see
``test_route_table``): ``ok``, ``allowed`` (got past the access check; the state or body may
still say no with 409/422), ``conflict``, ``login``, ``forbidden``, ``hidden``.

The world (``route_world``) fixes what the URL parameters name: unless an entry says otherwise,
the challenge under test (in judging), its team and idea under test, the idea's attachment, award
and safety flag, the promoted portfolio project with its comment, funding, indicator and
milestone. Because the challenge under test is past its deadline, team and idea writes by the
team itself answer 409 ``submissions_closed``, and a few organiser actions 409 too (opening a
challenge that is open, promoting an idea not yet published): still "allowed", because the state
refused, not the access check. Writes carry valid bodies, because the API reads a body before it
looks at who sends it: an empty one would answer 422 to everybody and prove nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from tests.conftest import DEFAULT_PASSWORD
from tests.security.route_world import ROLES

# Where each URL parameter comes from: a key of ``World.ids``, or a literal after "=".
PARAMETERS: dict[str, str] = {
    "challenge_id": "challenge", "team_id": "team", "idea_id": "idea", "attachment_id": "attachment",
    "award_id": "award", "flag_id": "flag", "invitation_id": "invitation", "token_id": "spare_token",
    "comment_id": "comment", "project_id": "project", "funding_id": "funding", "indicator_id": "indicator",
    "milestone_id": "milestone", "seeker_id": "seeker", "user_id": "member", "juror_id": "removable_juror",
    "section": "=details", "code": "invite_code", "token": "=not-a-valid-token", "fmt": "=csv",
}

Body = dict[str, Any] | Callable[[dict[str, Any]], dict[str, Any]] | None


@dataclass(frozen=True)
class Route:
    expect: dict[str, str]
    params: dict[str, str] = field(default_factory=dict)
    form: Body = None    # a page's form fields
    body: Body = None    # an API call's JSON body
    query: dict[str, str] | None = None
    upload: bool = False  # send a PDF as the multipart field "file"
    order: int = 0       # writes run after reads, lower orders first
    resets: bool = False  # put the world back after it when it got through
    signs_out: bool = False  # sign in again after it when it got through
    note: str = ""


def who(default: str, **roles: str) -> dict[str, str]:
    unknown = set(roles) - set(ROLES)
    assert not unknown, unknown
    return {role: roles.get(role, default) for role in ROLES}


# --- who: the profiles most routes share ------------------------------------------------------

EVERYONE = who("ok")
SIGNED_IN = who("ok", anonymous="login")
SIGNED_IN_WRITE = who("allowed", anonymous="login")
ORGANISERS = who("forbidden", anonymous="login", organiser="ok", administrator="ok")
ORGANISERS_WRITE = who("forbidden", anonymous="login", organiser="allowed", administrator="allowed")
ADMINISTRATORS = who("forbidden", anonymous="login", administrator="ok")
ADMINISTRATORS_WRITE = who("forbidden", anonymous="login", administrator="allowed")
NOBODY_HIDDEN = who("hidden")  # a link token that is not valid: the same 404 for everybody

# The idea under test: its team, the organisers of its challenge and its assigned juror without a
# conflict read it; nobody else learns that it exists (404, signed in or not).
IDEA_READERS = who("hidden", participant="ok", juror="ok", organiser="ok", administrator="ok")
# Its writes: the team only; those who read it but may not write get 403.
IDEA_WRITE_PAGE = who("hidden", participant="ok", juror="forbidden", organiser="forbidden",
                      administrator="forbidden")
IDEA_WRITE = who("hidden", participant="allowed", juror="forbidden", organiser="forbidden",
                 administrator="forbidden")
IDEA_WRITE_API = {**IDEA_WRITE, "anonymous": "login"}
# Writes through the team (its idea page): the juror does not see the team at all.
TEAM_IDEA_PAGE = who("hidden", participant="ok", organiser="forbidden", administrator="forbidden")
TEAM_IDEA_WRITE = who("hidden", participant="allowed", organiser="forbidden", administrator="forbidden")
# The team itself: members and the organisers of its challenge read it, others get 404.
TEAM_READERS = who("hidden", participant="ok", organiser="ok", administrator="ok")
# Team changes are for its members. Organisers, who read the team, get 404 too: they are not in it,
# and the answer tells them nothing they do not know.
TEAM_MEMBER_PAGE = who("hidden", anonymous="login", participant="ok")
TEAM_MEMBER_WRITE = who("hidden", anonymous="login", participant="allowed")
# The juror's own pages on the idea: the assigned juror without a conflict; 404 for everybody else,
# organisers included (they are not assigned), and for the conflicted juror.
JUROR_PAGE = who("hidden", anonymous="login", juror="ok")
JUROR_WRITE = who("hidden", anonymous="login", juror="allowed")
# Results and feedback of the challenge under test, not yet published: organisers only, 404 to others.
UNPUBLISHED = who("hidden", organiser="ok", administrator="ok")
# Promoting the idea under test: organisers; those who see the idea get 403, the rest 404.
PROMOTE = who("hidden", anonymous="login", participant="forbidden", juror="forbidden", organiser="allowed",
              administrator="allowed")

TABLE: dict[tuple[str, str], Route] = {}


def route(endpoint: str, method: str, expect: dict[str, str], **kwargs: Any) -> None:
    assert (endpoint, method) not in TABLE, (endpoint, method)
    TABLE[(endpoint, method)] = Route(expect, **kwargs)


def page(endpoint: str, read: dict[str, str], write: dict[str, str], **kwargs: Any) -> None:
    """A page (GET) and the form it posts (POST)."""
    route(endpoint, "GET", read)
    route(endpoint, "POST", write, **kwargs)


# Orders of the writes (reads run first): what removes or changes a row others use runs late.
REMOVE, REMOVE_PEOPLE, TEAM_PEOPLE, TEAM_ROLES, TEAM_LAST, ENDINGS, SIGN_OUT, ERASE = 2, 3, 5, 6, 7, 8, 9, 10

# --- pages and accounts -------------------------------------------------------------------------

route("pages.home", "GET", EVERYONE)
route("pages.health", "GET", EVERYONE)
route("pages.privacy", "GET", EVERYONE)
route("pages.set_language", "POST", EVERYONE, form={"locale": "ro", "next": "/"})
page("accounts.register", EVERYONE, EVERYONE, form={
    "email": "newcomer2@example.org", "password": DEFAULT_PASSWORD, "name": "New Comer", "locale": "en",
    "accept_privacy": "y"}, note="signed in: sent home")
route("accounts.confirm", "GET", NOBODY_HIDDEN)
page("accounts.resend_confirmation", EVERYONE, EVERYONE, form={"email": "nobody@example.org"})
route("accounts.login", "GET", EVERYONE)
route("accounts.login", "POST", who("ok", anonymous="conflict"),
      form={"email": "nobody@example.org", "password": "wrong password 1"}, note="signed in: sent on")
route("accounts.logout", "POST", SIGNED_IN, order=SIGN_OUT, signs_out=True)
page("accounts.reset_request", EVERYONE, EVERYONE, form={"email": "nobody@example.org"})
page("accounts.reset_password", NOBODY_HIDDEN, NOBODY_HIDDEN, form={"password": "a new long passphrase"})
route("accounts.account", "GET", SIGNED_IN)
route("accounts.update_profile", "POST", SIGNED_IN_WRITE, form={"name": "Renamed", "locale": "en"})
route("accounts.change_password", "POST", SIGNED_IN_WRITE, form={
    "current_password": "not the password", "new_password": "another long passphrase"})
route("accounts.end_all_sessions", "POST", SIGNED_IN, order=SIGN_OUT, signs_out=True)
route("accounts.create_token", "POST", SIGNED_IN, form={"label": "laptop"})
route("accounts.revoke_token", "POST", who("hidden", anonymous="login", participant="ok"),
      note="the participant's second token: nobody else's")
route("accounts.export_data", "GET", SIGNED_IN)
page("accounts.login_code", who("login"), who("login"), form={"code": "123456"},
     note="no password accepted first in this session: back to the sign-in page")
route("accounts.two_step", "GET", SIGNED_IN)
route("accounts.two_step_confirm", "POST", SIGNED_IN_WRITE, form={"code": "000000"})
route("accounts.two_step_new_codes", "POST", SIGNED_IN_WRITE, form={"code": "000000"})
route("accounts.two_step_off", "POST", SIGNED_IN_WRITE, form={"password": "not the password", "code": "000000"})
page("accounts.security_settings", ADMINISTRATORS, ADMINISTRATORS_WRITE, form={},
     note="posting no role keeps two-step sign-in optional for everybody")
page("accounts.erase", SIGNED_IN, SIGNED_IN, order=ERASE, resets=True)

route("accounts_api.register", "POST", EVERYONE, body={
    "email": "newcomer3@example.org", "password": DEFAULT_PASSWORD, "name": "New Comer", "accept_privacy": True})
route("accounts_api.create_token", "POST", EVERYONE, body={"email": "a1@example.org", "password": DEFAULT_PASSWORD})
route("accounts_api.revoke_current_token", "DELETE", SIGNED_IN, order=SIGN_OUT, signs_out=True)
route("accounts_api.me", "GET", SIGNED_IN)
route("accounts_api.export", "GET", SIGNED_IN)
route("accounts_api.erase", "DELETE", SIGNED_IN, order=ERASE + 1)
route("openapi.openapi_document", "GET", EVERYONE)

# --- challenges -------------------------------------------------------------------------------

route("challenges.index", "GET", EVERYONE)
route("challenges.show", "GET", EVERYONE)
page("challenges.new", ADMINISTRATORS, ADMINISTRATORS_WRITE, form={"title": "A new challenge", "kind": "hackathon"})
page("challenges.open", ORGANISERS, ORGANISERS_WRITE, note="already open: 409, back to the page")
page("challenges.start_judging", ORGANISERS, ORGANISERS_WRITE)
route("challenges.setup", "GET", ORGANISERS)
page("challenges.setup_section", ORGANISERS, ORGANISERS_WRITE, form={"title": "Renamed challenge", "kind": "call"})
page("challenges.criteria", ORGANISERS, ORGANISERS_WRITE, form={
    "criteria-0-name": "Impact", "criteria-0-weight": "1", "criteria-0-scale_min": "1",
    "criteria-0-scale_max": "5"}, note="frozen once judging started: 409")
page("challenges.health_template", ORGANISERS, ORGANISERS_WRITE)
page("challenges.organisers", ORGANISERS, ORGANISERS_WRITE, form={"email": "out@example.org"})
page("challenges.tracks", ORGANISERS, ORGANISERS_WRITE, form=lambda ids: {
    key: value for n, (track_id, name) in enumerate(ids["tracks"])
    for key, value in ((f"tracks-{n}-id", str(track_id)), (f"tracks-{n}-name", name))})
route("challenges.console", "GET", ORGANISERS)
route("challenges.console_csv", "GET", ORGANISERS)
route("challenges.grant_exception", "POST", ORGANISERS_WRITE, form=lambda ids: {
    "team_id": str(ids["team"]), "new_deadline": "2026-11-25T12:00", "reason": "The hospital network was down."})
page("challenges.revoke_exception", ORGANISERS, ORGANISERS_WRITE)

route("challenges_api.index", "GET", EVERYONE)
route("challenges_api.show", "GET", EVERYONE)
route("challenges_api.create", "POST", ADMINISTRATORS_WRITE, body={"title": "A new challenge"})
route("challenges_api.update", "PATCH", ORGANISERS_WRITE, body={"description": "Digital health ideas, revised."})
route("challenges_api.open_challenge", "POST", ORGANISERS_WRITE)
route("challenges_api.add_organiser", "POST", ORGANISERS_WRITE, body={"email": "out@example.org"})
route("challenges_api.start_judging", "POST", ORGANISERS_WRITE)

# --- teams (the challenge under test is past its deadline: team changes answer 409) --------------

page("teams.create", SIGNED_IN, SIGNED_IN_WRITE, form={"name": "Yet another team"},
     note="a member of a team is sent to it")
route("teams.detail", "GET", TEAM_READERS, note="signed out: 404 like any hidden team")
route("teams.invite", "POST", TEAM_MEMBER_WRITE, form={"email": "friend@example.org"})
route("teams.set_looking", "POST", TEAM_MEMBER_WRITE, form={"looking_for_members": "y", "looking_for": "A nurse"})
route("teams.invite_seeker", "POST", TEAM_MEMBER_WRITE)
page("teams.remove_member", TEAM_MEMBER_PAGE, TEAM_MEMBER_WRITE, order=TEAM_PEOPLE)
page("teams.make_captain", TEAM_MEMBER_PAGE, TEAM_MEMBER_WRITE, order=TEAM_ROLES)
page("teams.regenerate_code", TEAM_MEMBER_PAGE, TEAM_MEMBER_WRITE, order=TEAM_ROLES)
page("teams.leave", TEAM_MEMBER_PAGE, TEAM_MEMBER_WRITE, order=TEAM_LAST)
route("teams.join", "GET", EVERYONE)
page("teams.join_code", EVERYONE, SIGNED_IN_WRITE, order=TEAM_PEOPLE, note="whoever holds the link sees the team")
route("teams.finder", "GET", SIGNED_IN)
route("teams.post_profile", "POST", SIGNED_IN_WRITE, form={"skills": "Data analysis", "interests": "Prevention"})
route("teams.withdraw_profile", "POST", SIGNED_IN_WRITE)

route("teams_api.create_team", "POST", SIGNED_IN_WRITE, body={"name": "Yet another team"})
route("teams_api.get_team", "GET", TEAM_READERS)
route("teams_api.join_team", "POST", SIGNED_IN_WRITE, body=lambda ids: {"invite_code": ids["invite_code"]},
      order=TEAM_PEOPLE)
route("teams_api.invite", "POST", TEAM_MEMBER_WRITE, body={"email": "friend@example.org"})
route("teams_api.remove_member", "DELETE", TEAM_MEMBER_WRITE, order=TEAM_PEOPLE)
route("teams_api.transfer_captain", "POST", TEAM_MEMBER_WRITE, body=lambda ids: {"user_id": ids["member"]},
      order=TEAM_ROLES)
route("teams_api.regenerate_invite_code", "POST", TEAM_MEMBER_WRITE, order=TEAM_ROLES)
route("teams_api.leave_team", "POST", TEAM_MEMBER_WRITE, order=TEAM_LAST)

# --- ideas --------------------------------------------------------------------------------------

IDEA_FORM = {"title": "Idea under test, revised", "summary": "Nurses follow patients at home.",
             "problem": "Readmissions.", "solution": "A tablet and a scale.", "beneficiaries": "Older patients."}

route("submissions.dashboard", "GET", SIGNED_IN)
page("submissions.edit_idea", TEAM_IDEA_PAGE, TEAM_IDEA_WRITE, form=IDEA_FORM)
route("submissions.view_idea", "GET", IDEA_READERS)
page("submissions.submit_idea", IDEA_WRITE_PAGE, IDEA_WRITE)
page("submissions.withdraw_idea", IDEA_WRITE_PAGE, IDEA_WRITE, order=TEAM_LAST)
route("submissions.upload_attachment", "POST", IDEA_WRITE, upload=True)
route("submissions.download_attachment", "GET", IDEA_READERS)
page("submissions.remove_attachment", IDEA_WRITE_PAGE, IDEA_WRITE, order=TEAM_LAST)

route("submissions_api.put_idea", "PUT", {**TEAM_IDEA_WRITE, "anonymous": "login"}, body=IDEA_FORM)
route("submissions_api.get_idea", "GET", IDEA_READERS)
route("submissions_api.list_ideas", "GET", ORGANISERS)
route("submissions_api.submit", "POST", IDEA_WRITE_API)
route("submissions_api.withdraw", "POST", IDEA_WRITE_API, order=TEAM_LAST)
route("submissions_api.add_attachment", "POST", IDEA_WRITE_API, upload=True)
route("submissions_api.download_attachment", "GET", IDEA_READERS)
route("submissions_api.delete_attachment", "DELETE", IDEA_WRITE_API, order=TEAM_LAST)

# --- judging ------------------------------------------------------------------------------------

route("judging.queue", "GET", SIGNED_IN, note="everyone's own list, empty for non-jurors")
page("judging.score", JUROR_PAGE, JUROR_WRITE, form=lambda ids: {
    f"score-{ids['criteria'][0]}": "5", f"score-{ids['criteria'][1]}": "4", "comment": "Clear and useful."})
route("judging.attachment", "GET", JUROR_PAGE)
page("judging.raise_flag", JUROR_PAGE, JUROR_WRITE, form={"kind": "data_protection", "reason": "Names on slides."})
# Declaring a conflict takes the idea away from the juror: last, and the world is put back after it.
page("judging.declare_conflict", JUROR_PAGE, JUROR_WRITE, form={"reason": "I advised this team."},
     order=ENDINGS, resets=True)
route("judging.console", "GET", ORGANISERS)
route("judging.ranking_csv", "GET", ORGANISERS)
page("judging.clear_flag", ORGANISERS, ORGANISERS_WRITE, form={"note": "Checked with the team.", "confirmed": "yes"},
     order=4)
route("judging.jury", "GET", ORGANISERS)
route("judging.add_juror", "POST", ORGANISERS_WRITE, form={"email": "newjuror@example.org"})
page("judging.remove_juror", ORGANISERS, ORGANISERS_WRITE, order=REMOVE_PEOPLE)
route("judging.cancel_invitation", "POST", ORGANISERS_WRITE, order=REMOVE)
route("judging.record_conflict", "POST", ORGANISERS_WRITE, form=lambda ids: {
    "juror_id": str(ids["juror_user"]), "team_id": str(ids["rival_team"]), "reason": "Former colleague."})
page("judging.auto_assign", ORGANISERS, ORGANISERS_WRITE)
route("judging.add_assignment", "POST", ORGANISERS_WRITE, form=lambda ids: {
    "idea_id": str(ids["idea"]), "juror_id": str(ids["removable_juror"])})
route("judging.remove_assignment", "POST", ORGANISERS_WRITE, params={"idea_id": "rival_idea"}, order=REMOVE)
page("judging.send_reminders", ORGANISERS, ORGANISERS_WRITE)

route("judging_api.my_assignments", "GET", SIGNED_IN)
route("judging_api.get_score", "GET", JUROR_PAGE)
route("judging_api.put_score", "PUT", JUROR_WRITE, body=lambda ids: {
    "scores": {str(ids["criteria"][0]): 5, str(ids["criteria"][1]): 4}, "comment": "Clear and useful."})
route("judging_api.raise_flag", "POST", JUROR_WRITE, body={"kind": "data_protection", "reason": "Names on slides."})
route("judging_api.declare_conflict", "POST", JUROR_WRITE, body={"reason": "I advised this team."}, order=ENDINGS)
route("judging_api.ranking", "GET", ORGANISERS)
route("judging_api.list_jurors", "GET", ORGANISERS)
route("judging_api.add_juror", "POST", ORGANISERS_WRITE, body={"email": "newjuror@example.org"})
route("judging_api.remove_juror", "DELETE", ORGANISERS_WRITE, params={"juror_id": "conflicted_user"},
      order=REMOVE_PEOPLE)
route("judging_api.record_conflict", "POST", ORGANISERS_WRITE, body=lambda ids: {
    "juror_id": ids["juror_user"], "team_id": ids["rival_team"], "reason": "Former colleague."})
route("judging_api.list_assignments", "GET", ORGANISERS)
route("judging_api.auto_assign", "POST", ORGANISERS_WRITE)
route("judging_api.add_assignment", "PUT", ORGANISERS_WRITE)
route("judging_api.remove_assignment", "DELETE", ORGANISERS_WRITE,
      params={"idea_id": "rival_idea", "juror_id": "conflicted_user"}, order=REMOVE)
route("judging_api.send_reminders", "POST", ORGANISERS_WRITE)

# --- results (of the challenge under test: not published yet) ------------------------------------

route("results.results_page", "GET", UNPUBLISHED)
route("results.results_download", "GET", UNPUBLISHED)
route("results.feedback", "GET", UNPUBLISHED)
page("results.awards", ORGANISERS, ORGANISERS_WRITE, form=lambda ids: {
    "idea_id": str(ids["rival_idea"]), "name": "Mention"})
route("results.award_update", "POST", ORGANISERS_WRITE, form={"name": "Jury prize", "amount": "6000"})
route("results.award_remove", "POST", ORGANISERS_WRITE, order=REMOVE)
page("results.funding", ORGANISERS, ORGANISERS_WRITE, form={"name": "Funding"})
page("results.publish", ORGANISERS, ORGANISERS_WRITE, form={"visibility": "full", "save": "1"}, order=ENDINGS)
page("results.vote", EVERYONE, who("allowed", anonymous="login", other_member="forbidden"),
     form=lambda ids: {"idea_id": str(ids["rival_idea"]), "action": "vote"},
     note="the vote is public; nobody votes for their own team")
page("results.vote_manage", ORGANISERS, ORGANISERS_WRITE, form={"action": "save", "votes_per_person": "3"},
     order=REMOVE)
page("results.announcements", ORGANISERS, ORGANISERS_WRITE, form={
    "audience": "submitted", "subject": "Judging news", "body": "Results on Friday."})
route("results.audit_log", "GET", ORGANISERS)
route("results.audit_log_csv", "GET", ORGANISERS)
route("results.archive_export", "GET", {**ORGANISERS, "anonymous": "forbidden"},
      note="a download address: refused (403) rather than sent to sign in")
page("results.archive_import", ADMINISTRATORS, ADMINISTRATORS_WRITE)

route("results_api.results", "GET", UNPUBLISHED)
route("results_api.feedback", "GET", {**UNPUBLISHED, "anonymous": "login"})
route("results_api.replace_awards", "PUT", ORGANISERS_WRITE, body=lambda ids: {
    "awards": [{"idea_id": ids["idea"], "name": "Jury prize"}]})
route("results_api.publish", "POST", ORGANISERS_WRITE, order=ENDINGS)
route("results_api.get_vote", "GET", EVERYONE)
route("results_api.put_vote", "PUT", ORGANISERS_WRITE, body={"status": "open", "votes_per_person": 3})
route("results_api.post_vote", "POST", who("allowed", anonymous="login", other_member="forbidden"),
      body=lambda ids: {"idea_id": ids["rival_idea"]})
route("results_api.delete_vote", "DELETE", who("allowed", anonymous="login", other_member="hidden"),
      params={"idea_id": "rival_idea"}, order=1, note="a vote never cast is not found")
route("results_api.list_announcements", "GET", ORGANISERS)
route("results_api.announcement_audience", "GET", ORGANISERS, query={"audience": "submitted"})
route("results_api.send_announcement", "POST", ORGANISERS_WRITE, body={
    "audience": "submitted", "subject": "Judging news", "body": "Results on Friday."})
route("results_api.audit_events", "GET", ORGANISERS)

# --- portfolio (the project promoted from the published challenge, organised by the organiser) ----

PROJECT_FORM = {"title": "Tele-monitoring at home", "summary": "Nurses follow patients at home.",
                "organisation": "Spitalul Județean", "stage": "pilot", "currency": "EUR"}
HIDE, UNHIDE = 1, 2

for public in ("catalogue", "pipeline", "map", "opendata", "export", "feed", "project", "project_feed",
               "challenge_calendar", "comments"):
    route(f"portfolio.{public}", "GET", EVERYONE)
route("portfolio.promotion_list", "GET", ORGANISERS, params={"challenge_id": "published"})
page("portfolio.promote", {**PROMOTE, "organiser": "ok", "administrator": "ok"}, PROMOTE, form={"stage": "idea"},
     note="the idea under test is not published yet: 409")
page("portfolio.new", ADMINISTRATORS, ADMINISTRATORS_WRITE, form=PROJECT_FORM)
page("portfolio.edit", ORGANISERS, ORGANISERS_WRITE, form=PROJECT_FORM, order=REMOVE_PEOPLE,
     note="after the funding lines are used: the form replaces them")
route("portfolio.follow", "POST", SIGNED_IN_WRITE)
route("portfolio.unfollow", "POST", SIGNED_IN_WRITE, order=1)
route("portfolio.comment", "POST", SIGNED_IN_WRITE, form={"body": "Good luck with the pilot."})
page("portfolio.report_comment", SIGNED_IN, SIGNED_IN_WRITE, form={"reason": "Off topic."})
page("portfolio.assess", SIGNED_IN, SIGNED_IN_WRITE, form={"usefulness": "4", "progress_visible": "3"})
route("portfolio.lifecycle", "GET", ORGANISERS)
route("portfolio.lifecycle_update", "POST", ORGANISERS_WRITE, form={"title": "Ten patients enrolled", "body": "Fine."})
route("portfolio.evaluation_save", "POST", ORGANISERS_WRITE, form={"evaluator": "DSP Iași", "rating_safety": "4"})
route("portfolio.funding_add", "POST", ORGANISERS_WRITE, form={"programme": "ESF", "amount": "2000", "currency": "EUR"})
route("portfolio.funding_edit", "POST", ORGANISERS_WRITE, form={"programme": "Municipal budget", "currency": "EUR"})
page("portfolio.funding_remove", ORGANISERS, ORGANISERS_WRITE, order=REMOVE)
route("portfolio.indicator_add", "POST", ORGANISERS_WRITE, form={"name": "Readmissions avoided", "unit": "people"})
route("portfolio.indicator_edit", "POST", ORGANISERS_WRITE, form={"name": "Patients followed", "target": "120"})
route("portfolio.indicator_value", "POST", ORGANISERS_WRITE, form={"value": "12"})
page("portfolio.indicator_remove", ORGANISERS, ORGANISERS_WRITE, order=REMOVE)
route("portfolio.milestone_add", "POST", ORGANISERS_WRITE, form={"title": "Evaluation report"})
route("portfolio.milestone_edit", "POST", ORGANISERS_WRITE, form={"title": "First patients enrolled"})
route("portfolio.milestone_done", "POST", ORGANISERS_WRITE)
route("portfolio.milestone_reopen", "POST", ORGANISERS_WRITE, order=1)
page("portfolio.milestone_remove", ORGANISERS, ORGANISERS_WRITE, order=REMOVE)
route("portfolio.moderation", "GET", ADMINISTRATORS)
route("portfolio.moderate_comment", "GET", ADMINISTRATORS)
route("portfolio.hide_comment", "POST", ADMINISTRATORS_WRITE, form={"reason": "Off topic."}, order=HIDE)
route("portfolio.unhide_comment", "POST", ADMINISTRATORS_WRITE, order=UNHIDE)
route("portfolio.dismiss_reports", "POST", ADMINISTRATORS_WRITE, order=UNHIDE)

route("portfolio_api.catalogue", "GET", EVERYONE)
route("portfolio_api.create", "POST", ADMINISTRATORS_WRITE, body=PROJECT_FORM)
route("portfolio_api.show", "GET", EVERYONE)
route("portfolio_api.update", "PATCH", ORGANISERS_WRITE, body={"summary": "Nurses follow patients, city-wide."})
route("portfolio_api.promote", "POST", PROMOTE, body={})
route("portfolio_api.list_updates", "GET", EVERYONE)
route("portfolio_api.post_update", "POST", ORGANISERS_WRITE, body={"title": "Ten patients enrolled", "body": "Fine."})
route("portfolio_api.follow_project", "POST", SIGNED_IN_WRITE)
route("portfolio_api.unfollow_project", "DELETE", SIGNED_IN_WRITE, order=1)
route("portfolio_api.list_comments", "GET", EVERYONE)
route("portfolio_api.post_comment", "POST", SIGNED_IN_WRITE, body={"body": "Good luck with the pilot."})
route("portfolio_api.post_report", "POST", SIGNED_IN_WRITE, body={"reason": "Off topic."})
route("portfolio_api.hide_comment", "POST", ADMINISTRATORS_WRITE, body={"reason": "Off topic."}, order=HIDE)
route("portfolio_api.unhide_comment", "POST", ADMINISTRATORS_WRITE, order=UNHIDE)
route("portfolio_api.moderation_queue", "GET", ADMINISTRATORS)
route("portfolio_api.get_assessment", "GET", EVERYONE)
route("portfolio_api.put_assessment", "PUT", SIGNED_IN_WRITE, body={"usefulness": 4, "progress_visible": 3})
route("portfolio_api.show_evaluation", "GET", EVERYONE)
route("portfolio_api.save_evaluation", "PUT", ORGANISERS_WRITE, body={"evaluator": "DSP Iași"})
route("portfolio_api.add_funding", "POST", ORGANISERS_WRITE, body={"programme": "ESF", "amount": "2000"})
route("portfolio_api.update_funding", "PATCH", ORGANISERS_WRITE, body={"programme": "Municipal budget"},
      params={"funding_id": "funding_api"})
route("portfolio_api.remove_funding", "DELETE", ORGANISERS_WRITE, params={"funding_id": "funding_api"}, order=REMOVE)
route("portfolio_api.list_indicators", "GET", EVERYONE)
route("portfolio_api.add_indicator", "POST", ORGANISERS_WRITE, body={"name": "Readmissions avoided"})
route("portfolio_api.update_indicator", "PATCH", ORGANISERS_WRITE, body={"target": 120},
      params={"indicator_id": "indicator_api"})
route("portfolio_api.record_value", "POST", ORGANISERS_WRITE, body={"value": 12},
      params={"indicator_id": "indicator_api"})
route("portfolio_api.remove_indicator", "DELETE", ORGANISERS_WRITE, params={"indicator_id": "indicator_api"},
      order=REMOVE)
route("portfolio_api.list_milestones", "GET", EVERYONE)
route("portfolio_api.add_milestone", "POST", ORGANISERS_WRITE, body={"title": "Evaluation report"})
route("portfolio_api.update_milestone", "PATCH", ORGANISERS_WRITE, body={"done": True},
      params={"milestone_id": "milestone_api"})
route("portfolio_api.remove_milestone", "DELETE", ORGANISERS_WRITE, params={"milestone_id": "milestone_api"},
      order=REMOVE)
