"""The MAST-based health template: eight weighted criteria, each 1–5 with an anchor per level."""
from app.challenges.health_template import HEALTH_TEMPLATE, health_criteria
from tests.core.helpers import install_catalog

EXPECTED_WEIGHTS = [
    ("Problem relevance and solution fit", 20),
    ("Patient and technical safety", 15),
    ("Expected clinical effectiveness and evidence plan", 15),
    ("Patient and user perspective", 15),
    ("Economic value and sustainability", 10),
    ("Organisational feasibility and integration", 10),
    ("Ethics, equity, legal and data protection (GDPR, medical-device class)", 10),
    ("Transferability and scalability", 5),
]


def test_eight_criteria_with_the_agreed_weights(app_ctx):
    criteria = health_criteria("en")
    assert [(c["name"], c["weight"]) for c in criteria] == EXPECTED_WEIGHTS
    assert sum(c["weight"] for c in criteria) == 100


def test_each_level_has_a_distinct_anchor(app_ctx):
    for criterion in health_criteria("en"):
        assert (criterion["scale_min"], criterion["scale_max"]) == (1, 5)
        assert len(criterion["anchors"]) == 5
        assert len(set(criterion["anchors"])) == 5
        assert all(len(anchor) > 30 for anchor in criterion["anchors"])
        assert criterion["description"] and len(criterion["name"]) <= 200
        assert all(isinstance(text, str) for text in [criterion["name"], criterion["description"],
                                                       *criterion["anchors"]])


def test_written_in_the_language_asked_for(app, app_ctx, monkeypatch, tmp_path):
    item = HEALTH_TEMPLATE[0]
    install_catalog(app, monkeypatch, tmp_path, "ro", {
        str(item.name): "Relevanța problemei și potrivirea soluției",
        str(item.anchors[4]): "O problemă locală documentată, cu impact mare.",
    })
    romanian = health_criteria("ro")[0]
    assert romanian["name"] == "Relevanța problemei și potrivirea soluției"
    assert romanian["anchors"][4] == "O problemă locală documentată, cu impact mare."
    assert health_criteria("en")[0]["name"] == "Problem relevance and solution fit"
