"""The ready health template for scoring criteria, built on MAST.

MAST, the Model for ASsessment of Telemedicine applications (Kidholm K, Ekeland AG, Jensen LK et
al., Int J Technol Assess Health Care 2012;28(1):44–51), assesses a telemedicine service across
seven domains — health problem and application, safety, clinical effectiveness, patient
perspectives, economic aspects, organisational aspects, socio-cultural, ethical and legal aspects —
and asks whether results transfer to other settings. Each domain becomes a criterion here, with
transferability as the eighth, each scored 1–5 with a description of every level so that jurors
score alike.

The texts are marked for translation and turned into plain strings when an organiser applies the
template, in that organiser's language.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

SCALE_MIN = 1
SCALE_MAX = 5


@dataclass(frozen=True)
class TemplateCriterion:
    name: Any
    description: Any
    weight: float
    anchors: tuple[Any, Any, Any, Any, Any]


HEALTH_TEMPLATE: tuple[TemplateCriterion, ...] = (
    TemplateCriterion(
        _l("Problem relevance and solution fit"),
        _l("How important the health problem is for local patients and services, and how well the proposed "
           "solution answers it (MAST domain 1: the health problem and the application)."),
        20,
        (_l("The health problem is unclear or marginal, and the solution does not address it."),
         _l("A real problem is named but its size is not shown; the link between problem and solution is weak."),
         _l("The problem is described with some local data, and the solution plausibly addresses part of it."),
         _l("The problem is well documented (numbers, groups affected) and the solution targets its main causes."),
         _l("A documented, high-burden local problem; the solution targets it precisely and is clearly better "
            "than current practice.")),
    ),
    TemplateCriterion(
        _l("Patient and technical safety"),
        _l("Risks for patients and staff (clinical harm, wrong readings, missed alarms) and the technical "
           "reliability and security of the system (MAST domain 2)."),
        15,
        (_l("Safety is not considered, or the solution brings serious risks that nobody manages."),
         _l("Some risks are mentioned, with no plan to detect or reduce them."),
         _l("The main clinical and technical risks are identified, with basic mitigation such as a fallback to "
            "usual care."),
         _l("A structured risk analysis with mitigation, incident monitoring and a tested fallback is described."),
         _l("Risks are analysed systematically (for example following ISO 14971), mitigated and monitored in "
            "use; the remaining risk is acceptable and explained.")),
    ),
    TemplateCriterion(
        _l("Expected clinical effectiveness and evidence plan"),
        _l("The health outcomes the solution should change (mortality, illness, quality of life, hospital "
           "admissions) and how the team will measure them (MAST domain 3)."),
        15,
        (_l("No expected health effect is stated, and there is no way to measure one."),
         _l("Benefits are claimed in general terms, without outcome measures or supporting evidence."),
         _l("Expected outcomes are named, with some evidence from studies or similar services."),
         _l("Clear outcome measures and a realistic evaluation plan, such as a before-and-after or a controlled "
            "pilot."),
         _l("Strong prior evidence and a rigorous evaluation ready to run, with defined end points, sample size "
            "and timeline.")),
    ),
    TemplateCriterion(
        _l("Patient and user perspective"),
        _l("Acceptance, ease of use and accessibility for patients, relatives and health professionals, and "
           "whether they took part in the design (MAST domain 4)."),
        15,
        (_l("Patients and staff were not considered; the intended users may find it hard to use."),
         _l("Users are described but were not involved; accessibility and digital skills are not addressed."),
         _l("Users were consulted at least once; the design considers ease of use and basic accessibility."),
         _l("Patients and professionals helped design or test prototypes, and their feedback visibly shaped "
            "the solution."),
         _l("Users are involved throughout and it was tested with diverse people (older people, low digital "
            "skills, disabilities) with good results.")),
    ),
    TemplateCriterion(
        _l("Economic value and sustainability"),
        _l("Costs and expected savings or benefits for the health system and for users, and a credible way to "
           "pay for the service after the pilot (MAST domain 5)."),
        10,
        (_l("Costs and funding are not considered."),
         _l("Costs are listed, but the benefits and the funding after the pilot are unknown."),
         _l("Costs and expected benefits are estimated, and a possible source of funding is named."),
         _l("A reasoned cost–benefit or budget-impact estimate and a concrete funding or business model."),
         _l("A convincing economic analysis that tests its assumptions, and committed funders or payers for "
            "running the service.")),
    ),
    TemplateCriterion(
        _l("Organisational feasibility and integration"),
        _l("What changes for the organisations that would run it: ways of working, staff time, training, and "
           "integration with existing systems such as electronic health records (MAST domain 6)."),
        10,
        (_l("Organisational change and integration are not considered; deployment is unlikely."),
         _l("Some needs are noted, but there is no partner organisation and no integration plan."),
         _l("A partner organisation is interested; the main changes in work and training needs are described."),
         _l("A committed partner, a described change of workflow, a training plan and integration through "
            "standards such as HL7 FHIR."),
         _l("Ready to deploy: partner agreements, roles and staffing settled, integration tested and the change "
            "planned.")),
    ),
    TemplateCriterion(
        _l("Ethics, equity, legal and data protection (GDPR, medical-device class)"),
        _l("Ethical questions, fair access for every group, and the legal frame: the lawful basis and safeguards "
           "for health data under the GDPR, and whether the software is a medical device and of which class "
           "under the EU Medical Device Regulation (MAST domain 7)."),
        10,
        (_l("Legal and ethical questions are ignored; the handling of health data would break the GDPR."),
         _l("They are mentioned, but the lawful basis for health data and the medical-device status are unclear."),
         _l("A GDPR lawful basis and basic safeguards are identified, the medical-device question is answered, "
            "and equity is considered."),
         _l("A data protection impact assessment is planned, the device class is determined with a route to "
            "conformity, and barriers for disadvantaged groups are addressed."),
         _l("The impact assessment is done, privacy is built in, the device class and conformity route are "
            "documented, and measures ensure equal access.")),
    ),
    TemplateCriterion(
        _l("Transferability and scalability"),
        _l("Whether the solution and its results could serve other wards, cities or regions, and what growing "
           "would need (MAST transferability)."),
        5,
        (_l("Tied to one setting; it cannot be reused elsewhere."),
         _l("Reuse is possible in principle but depends on local conditions that are not described."),
         _l("Local dependencies are described; reuse in similar settings is plausible."),
         _l("Built on open standards and interoperable parts, with a realistic plan to extend to other sites."),
         _l("Already working in more than one setting, or designed and documented to be replicated regionally "
            "or nationally.")),
    ),
)


def health_criteria(locale: str) -> list[dict[str, Any]]:
    """The template as plain criterion values, written in ``locale``."""
    with force_locale(locale):
        return [{"name": str(item.name), "description": str(item.description), "weight": float(item.weight),
                 "scale_min": SCALE_MIN, "scale_max": SCALE_MAX, "anchors": [str(a) for a in item.anchors]}
                for item in HEALTH_TEMPLATE]
