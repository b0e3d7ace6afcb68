from app.judging.ranking import challenge_ranking
from tests.results.scenario import judged


def test_the_scenario_ranks_alpha_beta_gamma_delta(db):
    world = judged(db)
    ranking = challenge_ranking(world.challenge, details=False)
    titles = [entry["title"] for entry in ranking["entries"]]
    assert titles == ["Idea Alpha", "Idea Beta", "Idea Gamma", "Idea Delta"]
