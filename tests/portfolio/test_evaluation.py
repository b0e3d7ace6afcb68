"""The MAST evaluation: a finding and a rating per domain, transferability; public once any domain
has content."""
from __future__ import annotations

import pytest

from app.core.errors import Forbidden, ValidationFailed
from app.portfolio import evaluation, lifecycle
from app.portfolio.lifecycle_rules import evaluation_has_content
from app.portfolio.models import MAST_DOMAINS, Evaluation
from tests.portfolio.lifecycle_support import lifecycle_world


@pytest.fixture
def world(db, frozen_clock):
    return lifecycle_world()


def full() -> dict:
    return {"domains": {d: {"finding": f"Finding on {d}.", "rating": 1 + i % 5} for i, d in enumerate(MAST_DOMAINS)},
            "transferability": "Works in any county hospital with a nurse team.", "evaluator": "UMF Iași",
            "evaluated_on": "2026-10-15"}


def test_a_full_evaluation_is_stored_by_domain_and_public(db, world):
    saved = evaluation.save_evaluation(world.project, world.organiser, full())
    assert set(saved.domains) == set(MAST_DOMAINS)
    assert saved.domains["safety"] == {"finding": "Finding on safety.", "rating": 2}
    view = lifecycle.page_context(world.project)["evaluation"]
    assert view.public and [d for d, _f, _r in view.domains] == list(MAST_DOMAINS)
    assert view.evaluator == "UMF Iași" and view.evaluated_on.isoformat() == "2026-10-15"


def test_an_empty_evaluation_is_kept_but_not_shown(db, world):
    evaluation.save_evaluation(world.project, world.admin, {"evaluator": "Not yet", "transferability": "Maybe"})
    view = lifecycle.page_context(world.project)["evaluation"]
    assert view is not None and not view.public
    assert all(f == "" and r is None for _d, f, r in view.domains)


def test_saving_again_replaces_the_evaluation(db, world):
    evaluation.save_evaluation(world.project, world.admin, full())
    evaluation.save_evaluation(world.project, world.admin, {"domains": {"safety": {"rating": 5}}})
    row = db.session.get(Evaluation, world.project.id)
    assert row.domains["safety"] == {"finding": "", "rating": 5}
    assert row.domains["economic_aspects"] == {"finding": "", "rating": None}
    assert row.transferability == "" and row.evaluated_on is None
    assert db.session.query(Evaluation).count() == 1


@pytest.mark.parametrize("data, fields", [
    ({"domains": {"safety": {"rating": 6}}}, {"domains.safety.rating"}),
    ({"domains": {"safety": {"rating": 0}}}, {"domains.safety.rating"}),
    ({"domains": {"safety": {"rating": 2.5}}}, {"domains.safety.rating"}),
    ({"domains": {"safety": {"rating": True}}}, {"domains.safety.rating"}),
    ({"domains": {"safety": {"finding": "x" * 20_001}}}, {"domains.safety.finding"}),
    ({"domains": {"usability": {"finding": "Nice"}}}, {"domains.usability"}),
    ({"domains": {"safety": "good"}}, {"domains.safety"}),
    ({"domains": ["safety"]}, {"domains"}),
    ({"transferability": "t" * 20_001}, {"transferability"}),
    ({"evaluator": "e" * 201}, {"evaluator"}),
    ({"evaluated_on": "2026-11-21"}, {"evaluated_on"}),
])
def test_the_evaluation_refuses_bad_values(db, world, data, fields):
    with pytest.raises(ValidationFailed) as refused:
        evaluation.save_evaluation(world.project, world.admin, data)
    assert set(refused.value.fields) == fields
    db.session.rollback()
    assert db.session.query(Evaluation).count() == 0


def test_ratings_may_be_given_as_text_from_a_form(db, world):
    saved = evaluation.save_evaluation(world.project, world.admin, {"domains": {"safety": {"rating": "4"}}})
    assert saved.domains["safety"]["rating"] == 4


@pytest.mark.parametrize("domains, public", [
    (None, False), ({}, False), ({"safety": {"finding": "  ", "rating": None}}, False),
    ({"safety": {"finding": "", "rating": 3}}, True), ({"safety": {"finding": "Safe.", "rating": None}}, True),
])
def test_public_once_a_domain_has_content(domains, public):
    assert evaluation_has_content(domains) is public


@pytest.mark.parametrize("who", ["participant", "other_organiser"])
def test_only_editors_evaluate(db, world, who):
    with pytest.raises(Forbidden):
        evaluation.save_evaluation(world.project, getattr(world, who), full())
