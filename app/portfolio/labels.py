"""Words and colours for the portfolio's stages and catalogue choices, shared by its pages and mails.

A stage is always shown as a word plus a colour, never a colour alone.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.portfolio.models import STAGES

STAGE_LABELS = {"idea": _l("Idea"), "incubation": _l("Incubation"), "pilot": _l("Pilot"),
                "deployed": _l("Deployed"), "scaled": _l("Scaled"), "stopped": _l("Stopped")}
# Tag classes (tag-<colour> in salus.css); the pipeline chart uses the matching fills below.
STAGE_COLOURS = {"idea": "grey", "incubation": "yellow", "pilot": "blue", "deployed": "green",
                 "scaled": "purple", "stopped": "red"}
# Fills for charts and map markers, dark enough for white text and 3:1 against white.
STAGE_FILLS = {"idea": "#505a5f", "incubation": "#8a6d00", "pilot": "#1d70b8", "deployed": "#00703c",
               "scaled": "#4c2c92", "stopped": "#d4351c"}
SORT_LABELS = {"newest": _l("Newest first"), "updated": _l("Recently updated"), "title": _l("Title (A to Z)"),
               "stage": _l("Stage (idea to scaled)")}
NO_THEME = _l("No theme")

assert set(STAGE_LABELS) == set(STAGES) == set(STAGE_COLOURS)  # nosec B101 - import-time check that the tables agree


def stage_label(stage: str | None) -> str:
    """The stage in the reader's language; an unknown value is shown as stored rather than hidden."""
    label = STAGE_LABELS.get(stage or "")
    return str(label) if label is not None else (stage or "")


def stage_colour(stage: str | None) -> str:
    return STAGE_COLOURS.get(stage or "", "grey")


def stage_fill(stage: str | None) -> str:
    return STAGE_FILLS.get(stage or "", "#505a5f")
