"""Words (and tag colours) for a challenge's kinds, statuses and phases, shared by its pages."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

KIND_LABELS = {"hackathon": _l("Hackathon"), "call": _l("Call for projects")}
STATUS_LABELS = {"draft": _l("Draft"), "open": _l("Open"), "judging": _l("Judging"),
                 "published": _l("Results published"), "archived": _l("Archived")}
PHASE_LABELS = {"upcoming": _l("Upcoming"), "submissions_open": _l("Open for submissions"),
                "submissions_closed": _l("Submissions closed"), "judging": _l("Judging"),
                "results": _l("Results")}
# The same phases as steps of a timeline, where a past step reads as done.
STEP_LABELS = {"upcoming": _l("Announced"), "submissions_open": _l("Submissions open"),
               "submissions_closed": _l("Submissions closed"), "judging": _l("Judging"), "results": _l("Results")}
PHASE_COLOURS = {"upcoming": "blue", "submissions_open": "green", "submissions_closed": "yellow",
                 "judging": "blue", "results": "grey"}
RANKING_LABELS = {"calibrated": _l("Calibrated (corrects for strict and lenient jurors)"),
                  "normalized": _l("Normalised per juror"), "raw": _l("Raw average")}
IDEA_STATUS_LABELS = {"draft": _l("Draft"), "submitted": _l("Submitted"), "withdrawn": _l("Withdrawn"),
                      "not_retained": _l("Not retained"), "none": _l("No idea yet")}
IDEA_STATUS_COLOURS = {"draft": "yellow", "submitted": "green", "withdrawn": "grey", "not_retained": "grey",
                       "none": "red"}


def template_context() -> dict[str, object]:
    return {"kind_labels": KIND_LABELS, "status_labels": STATUS_LABELS, "phase_labels": PHASE_LABELS, "step_labels": STEP_LABELS,
            "phase_colours": PHASE_COLOURS, "ranking_labels": RANKING_LABELS,
            "idea_status_labels": IDEA_STATUS_LABELS, "idea_status_colours": IDEA_STATUS_COLOURS}
