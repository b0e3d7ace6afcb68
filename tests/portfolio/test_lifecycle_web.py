"""The editors' lifecycle page (/portfolio/<id>/manage) and the lifecycle on the public project page."""
from __future__ import annotations

import re

import pytest

from app.portfolio import evaluation, indicators, lifecycle
from app.portfolio.models import FundingSource, Milestone, ProjectUpdate
from tests.conftest import form_post, login
from tests.portfolio.lifecycle_support import XSS_PAYLOADS, assert_no_live_markup, lifecycle_world


@pytest.fixture
def world(db, frozen_clock):
    found = lifecycle_world()
    db.session.rollback()
    return found


def manage_url(world) -> str:
    return f"/portfolio/{world.project.id}/manage"


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def typed_value(html: str, name: str) -> str | None:
    match = re.search(rf'<(?:input|textarea)[^>]*name="{re.escape(name)}"[^>]*?(?:value="([^"]*)"[^>]*)?>([^<]*)', html)
    if not match:
        return None
    return match.group(1) if match.group(1) is not None else match.group(2).strip()


# --- who may open the page ------------------------------------------------------------------------

def test_visitors_are_sent_to_sign_in(client, world):
    response = client.get(manage_url(world))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("who", ["participant", "other_organiser"])
def test_people_who_may_not_edit_are_refused(client, world, who):
    login(client, getattr(world, who).email)
    assert client.get(manage_url(world)).status_code == 403
    response = form_post(client, f"{manage_url(world)}/updates", {"update-title": "Hello", "update-body": ""}, page="/portfolio")
    assert response.status_code == 403
    response = form_post(client, f"{manage_url(world)}/milestones", {"new-milestone-title": "Mine"}, page="/portfolio")
    assert response.status_code == 403
    assert ProjectUpdate.query.count() == 0 and Milestone.query.count() == 0


def test_an_unknown_project_is_not_found(client, world):
    login(client, world.admin.email)
    assert client.get("/portfolio/999999/manage").status_code == 404
    assert client.get("/portfolio/99999999999/manage").status_code == 404
    assert form_post(client, "/portfolio/999999/manage/updates", {"update-title": "x"}, page="/portfolio").status_code == 404


def test_the_project_page_links_editors_to_the_lifecycle_page(client, world):
    login(client, world.organiser.email)
    assert f'href="{manage_url(world)}"' in page(client, f"/portfolio/{world.project.id}")


# --- updates --------------------------------------------------------------------------------------

def test_an_update_changes_the_stage_and_says_so(client, world):
    login(client, world.organiser.email)
    response = form_post(client, f"{manage_url(world)}/updates",
                         {"update-title": "Deployed in all practices", "update-body": "Now **city-wide**.", "update-stage": "deployed"},
                         page=manage_url(world))
    assert response.status_code == 302 and response.headers["Location"].endswith("/manage#updates")
    html = page(client, manage_url(world))
    assert "Update posted and the stage changed to Deployed." in html
    assert "Deployed in all practices" in html and "<strong>city-wide</strong>" in html
    public = page(client, f"/portfolio/{world.project.id}")
    assert 'class="tag tag-green">Deployed<' in public and "Deployed in all practices" in public
    assert "Stage changed:" in public


def test_a_refused_update_keeps_what_was_typed(client, world):
    login(client, world.admin.email)
    response = form_post(client, f"{manage_url(world)}/updates",
                         {"update-title": "Stopped", "update-body": "We lost the **funding**.",
                          "update-stage": "stopped", "update-stopped_reason": ""}, page=manage_url(world))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'class="error-summary"' in html and "Say why the project stopped." in html
    assert 'href="#update-stopped_reason"' in html
    assert typed_value(html, "update-title") == "Stopped" and "We lost the **funding**." in html
    assert re.search(r'<option selected value="stopped">|<option value="stopped" selected>', html)
    assert ProjectUpdate.query.count() == 0
    response = form_post(client, f"{manage_url(world)}/updates", {"update-title": "", "update-body": "Text"}, page=manage_url(world))
    assert response.status_code == 422 and "Give the update a title." in response.get_data(as_text=True)


# --- milestones -----------------------------------------------------------------------------------

def test_milestones_are_added_done_reopened_and_removed(client, db, world):
    login(client, world.organiser.email)
    url = manage_url(world)
    refused = form_post(client, f"{url}/milestones", {"new-milestone-title": "Ethics approval", "new-milestone-planned_on": "next week"}, page=url)
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "Give a date like 2026-03-31." in html and typed_value(html, "new-milestone-title") == "Ethics approval"
    response = form_post(client, f"{url}/milestones", {"new-milestone-title": "Ethics approval", "new-milestone-planned_on": "2026-11-01"},
                         page=url)
    assert response.status_code == 302
    html = page(client, url)
    assert "Milestone “Ethics approval” added. Progress is now 0%." in html
    assert 'class="tag tag-red">Overdue<' in html and "1 milestone overdue" in html
    db.session.rollback()
    milestone_id = Milestone.query.one().id
    response = form_post(client, f"{url}/milestones/{milestone_id}/done", page=url)
    assert response.status_code == 302
    html = page(client, url)
    assert "Milestone “Ethics approval” is done. Progress is now 100%." in html
    assert 'class="tag tag-green">Done<' in html and '<progress max="100" value="100"' in html
    form_post(client, f"{url}/milestones/{milestone_id}/reopen", page=url)
    assert "Milestone “Ethics approval” is open again." in page(client, url)
    edit = form_post(client, f"{url}/milestones/{milestone_id}",
                     {f"milestone-{milestone_id}-title": "", f"milestone-{milestone_id}-planned_on": "2026-12-01"},
                     page=url)
    assert edit.status_code == 422
    assert f'href="#milestone-{milestone_id}-title"' in edit.get_data(as_text=True)
    confirm = page(client, f"{url}/milestones/{milestone_id}/remove")
    assert "Remove the milestone “Ethics approval”?" in confirm and "This cannot be undone." in confirm
    response = form_post(client, f"{url}/milestones/{milestone_id}/remove", page=f"{url}/milestones/{milestone_id}/remove")
    assert response.status_code == 302
    assert "The milestone is removed." in page(client, url)
    db.session.rollback()
    assert Milestone.query.count() == 0
    # A second removal finds nothing: a banner, not an error page.
    gone = client.get(f"{url}/milestones/{milestone_id}/remove")
    assert gone.status_code == 302


# --- funding --------------------------------------------------------------------------------------

def test_funding_sources_show_their_shares(client, db, world):
    login(client, world.admin.email)
    url = manage_url(world)
    refused = form_post(client, f"{url}/funding", {"new-funding-programme": "PNRR", "new-funding-amount": "300000",
                                                   "new-funding-currency": "EUR", "new-funding-starts_on": "2027-01-01",
                                                   "new-funding-ends_on": "2026-01-01"}, page=url)
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "The end cannot come before the start." in html
    assert typed_value(html, "new-funding-programme") == "PNRR"
    assert typed_value(html, "new-funding-amount") == "300000"
    assert typed_value(html, "new-funding-starts_on") == "2027-01-01"
    form_post(client, f"{url}/funding", {"new-funding-programme": "PNRR", "new-funding-amount": "300 000"}, page=url)
    form_post(client, f"{url}/funding", {"new-funding-programme": "Municipal budget", "new-funding-amount": "100000,00",
                                         "new-funding-currency": "eur"},
              page=url)
    html = page(client, url)
    assert "Funding source “Municipal budget” added." in html
    public = page(client, f"/portfolio/{world.project.id}")
    assert "Co-financed by 2 sources." in public and "75%" in public and "25%" in public
    assert "€400,000.00" in public
    db.session.rollback()
    source = FundingSource.query.filter_by(programme="PNRR").one()
    form_post(client, f"{url}/funding/{source.id}/remove", page=f"{url}/funding/{source.id}/remove")
    assert "The funding source is removed." in page(client, url)


# --- indicators and evaluation --------------------------------------------------------------------

def test_indicator_values_build_a_history(client, db, world):
    login(client, world.organiser.email)
    url = manage_url(world)
    form_post(client, f"{url}/indicators", {"new-indicator-name": "Waiting time", "new-indicator-unit": "days",
                                         "new-indicator-baseline": "30", "new-indicator-target": "7"},
              page=url)
    db.session.rollback()
    indicator_id = lifecycle.page_context(world.project)["indicators"][0].id
    refused = form_post(client, f"{url}/indicators/{indicator_id}/values",
                        {f"value-{indicator_id}-value": "a lot", f"value-{indicator_id}-recorded_on": "2026-11-01"},
                        page=url)
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "Must be a number." in html and typed_value(html, f"value-{indicator_id}-value") == "a lot"
    for value, day in (("21", "2026-10-01"), ("14,5", "")):
        response = form_post(client, f"{url}/indicators/{indicator_id}/values",
                             {f"value-{indicator_id}-value": value, f"value-{indicator_id}-recorded_on": day}, page=url)
        assert response.status_code == 302
    html = page(client, url)
    assert "Value 14.5 recorded for 2026-11-20. Earlier values stay in the history." in html
    public = page(client, f"/portfolio/{world.project.id}")
    assert "History of Waiting time" in public and 'class="sparkline"' in public
    assert "14.5 days" in public and "2 values measured" in public


def test_the_evaluation_form_saves_by_domain(client, db, world):
    login(client, world.admin.email)
    url = manage_url(world)
    refused = form_post(client, f"{url}/evaluation", {"evaluation-finding_safety": "No incident.",
                                                      "evaluation-rating_safety": "9",
                                                      "evaluation-evaluated_on": "2030-01-01"}, page=url)
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "Choose a rating from 1 to 5." in html and "This date is in the future." in html
    assert "No incident." in html and 'href="#evaluation-rating_safety"' in html
    response = form_post(client, f"{url}/evaluation", {"evaluation-finding_safety": "No incident in six months.",
                                                       "evaluation-rating_safety": "4",
                                                       "evaluation-transferability": "Any county.",
                                                       "evaluation-evaluator": "UMF Iași"}, page=url)
    assert response.status_code == 302
    assert "Evaluation saved. It is shown on the project page." in page(client, url)
    public = page(client, f"/portfolio/{world.project.id}")
    assert "<dt>Safety</dt>" in public and "Rated 4 of 5" in public and "No incident in six months." in public
    assert "Evaluator: UMF Iași." in public and "Clinical effectiveness" not in public


def test_no_evaluation_is_shown_before_it_has_content(client, world):
    evaluation.save_evaluation(world.project, world.admin, {"evaluator": "Someone"})
    assert "MAST" not in page(client, f"/portfolio/{world.project.id}")


# --- the public partial, safety, and query counts -------------------------------------------------

def test_the_project_page_tells_progress_and_timeline(client, world):
    lifecycle.add_milestone(world.project, world.admin, {"title": "Ethics approval", "done": True})
    lifecycle.add_milestone(world.project, world.admin, {"title": "Enrolment", "planned_on": "2027-01-15"})
    lifecycle.add_update(world.project, world.admin, "Pilot started", "Two practices.")
    html = page(client, f"/portfolio/{world.project.id}")
    assert '<progress max="100" value="50"' in html and "1 of 2 milestones done (50%)" in html
    assert html.index("Pilot started") > html.index('id="timeline-heading"')
    assert "Ada Admin" in html


def test_an_empty_lifecycle_explains_itself(client, world):
    html = page(client, f"/portfolio/{world.project.id}")
    assert "No milestones are planned yet" in html and "No update has been posted yet." in html
    assert 'id="funding-heading"' not in html and 'id="indicators-heading"' not in html


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_update_bodies_are_sanitised_on_pages(client, world, payload):
    update = lifecycle.add_update(world.project, world.admin, "Careful", f"Text\n\n{payload}\n\nEnd")
    evaluation.save_evaluation(world.project, world.admin, {"domains": {"safety": {"finding": payload, "rating": 3}},
                                                            "transferability": payload})
    public = page(client, f"/portfolio/{world.project.id}")
    segment = public[public.index(f'id="update-{update.id}"'):]
    assert_no_live_markup(segment[:segment.index("</li>")])
    segment = public[public.index('id="evaluation-heading"'):]
    assert_no_live_markup(segment[:segment.index("</section>")])
    login(client, world.admin.email)
    managed = page(client, manage_url(world))
    segment = managed[managed.index('id="updates-heading"'):]
    assert_no_live_markup(segment[:segment.index("</section>")].split("</form>", 1)[1])


def fill(world, count: int) -> None:
    for n in range(count):
        lifecycle.add_update(world.project, world.admin, f"Update {n}", f"Body *{n}*", stage=None)
        lifecycle.add_milestone(world.project, world.admin, {"title": f"Step {n}", "planned_on": f"2026-10-{n + 1:02d}",
                                                             "done": n % 2 == 0})
        lifecycle.add_funding(world.project, world.admin, {"programme": f"Programme {n}", "amount": 1000 * (n + 1),
                                                            "currency": "EUR" if n % 2 else "RON"})
        indicator = indicators.add_indicator(world.project, world.admin, {"name": f"Indicator {n}", "baseline": 0,
                                                                          "target": 10})
        for day in range(3):
            indicators.record_value(world.project, world.admin, indicator.id, {"value": day + n,
                                                                               "recorded_on": f"2026-11-0{day + 1}"})


def test_page_queries_do_not_grow_with_the_lifecycle(app, client, db, frozen_clock):
    from tests.portfolio.lifecycle_support import count_queries, make_project

    small = lifecycle_world()
    fill(small, 2)
    big = make_project(title="Big", origin_challenge=small.challenge)
    fill(type(small)(big, small.admin, small.organiser, small.participant, small.other_organiser, small.challenge), 10)
    db.session.rollback()
    login(client, small.admin.email)
    for path in ("/portfolio/{}/manage", "/portfolio/{}"):
        count_queries(client, path.format(small.project.id))  # warm-up
        few, response = count_queries(client, path.format(small.project.id))
        assert response.status_code == 200
        many, response = count_queries(client, path.format(big.id))
        assert response.status_code == 200 and "Indicator 9" in response.get_data(as_text=True)
        print(f"{path}: {few} statements for 2 of each, {many} for 10")
        assert few == many, (path, few, many)


def test_the_lifecycle_speaks_the_readers_language(client, world):
    lifecycle.add_milestone(world.project, world.admin, {"title": "Etapa 1", "planned_on": "2026-10-01"})
    html = client.get(f"/portfolio/{world.project.id}", headers={"Accept-Language": "ro"}).get_data(as_text=True)
    assert '<html lang="ro">' in html
    assert "Nu a fost publicată încă nicio actualizare." in html and "Întârziată" in html
    assert "0 din 1 etapă realizată (0%)" in html


def test_a_form_without_its_token_is_refused(client, world):
    login(client, world.admin.email)
    for path, data in (("updates", {"update-title": "Hello"}), ("milestones", {"new-milestone-title": "Step"}),
                       ("evaluation", {"evaluation-rating_safety": "3"})):
        assert client.post(f"{manage_url(world)}/{path}", data=data).status_code == 400
    assert ProjectUpdate.query.count() == 0 and Milestone.query.count() == 0
