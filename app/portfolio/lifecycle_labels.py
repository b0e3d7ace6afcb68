"""Words for the lifecycle's evaluation (the seven MAST domains and the rating scale), shared by
the editors' page, the project page and the API's descriptions."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.portfolio.models import MAST_DOMAINS

MAST_LABELS = {
    "health_problem": _l("Health problem and the application"),
    "safety": _l("Safety"),
    "clinical_effectiveness": _l("Clinical effectiveness"),
    "patient_perspectives": _l("Patient perspectives"),
    "economic_aspects": _l("Economic aspects"),
    "organisational_aspects": _l("Organisational aspects"),
    "socio_cultural_ethical_legal": _l("Socio-cultural, ethical and legal aspects"),
}
MAST_HINTS = {
    "health_problem": _l("Which patients, which problem, and what the application does about it."),
    "safety": _l("Risks to patients and staff, and technical reliability."),
    "clinical_effectiveness": _l("Effects on health: mortality, morbidity, quality of life."),
    "patient_perspectives": _l("Satisfaction, acceptance, understanding and confidence of patients and relatives."),
    "economic_aspects": _l("Costs, use of resources and who pays or saves."),
    "organisational_aspects": _l("Changes to work processes, staff, training and cooperation."),
    "socio_cultural_ethical_legal": _l("Equity, privacy, consent, liability and legal conditions."),
}
RATING_LABELS = {1: _l("1 – very poor"), 2: _l("2 – poor"), 3: _l("3 – fair"), 4: _l("4 – good"),
                 5: _l("5 – very good")}

assert set(MAST_LABELS) == set(MAST_DOMAINS) == set(MAST_HINTS)  # nosec B101 - import-time check that the tables agree
