"""Charts of the judging console, drawn on the server as SVG (no chart library, no script).

The pages allow no inline styles (style-src 'self'), so colours and sizes are SVG presentation
attributes (``fill``, ``stroke``, ``font-size``), which are not CSS. Every chart is an image with
a title and a description for screen readers; the page shows the same numbers in a table.
Colours are those of the site and keep at least 3:1 against white for marks and 4.5:1 for text.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Sequence

from flask_babel import gettext as _
from markupsafe import Markup, escape

TEXT, MUTED, GRID = "#0b0c0c", "#505a5f", "#b1b4b6"
BLUE, BLUE_DARK, BLUE_LIGHT, RED, GREEN = "#1d70b8", "#003078", "#d2e2f1", "#d4351c", "#00703c"
WIDTH, LABEL_WIDTH, RIGHT, TOP, ROW, LEGEND = 720, 220, 24, 34, 40, 44
LABEL_CHARS = 28
# Characters XML 1.0 cannot hold at all; a title may carry them, the chart must still parse.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


@dataclass(frozen=True)
class JurorSeries:
    """One juror's review scores (raw, on the weighted scale) and their mean."""

    label: str
    scores: Sequence[float]
    mean: float


@dataclass(frozen=True)
class SpreadRow:
    """One ranked entry: its lowest and highest review score, and the score drawn as a dot."""

    rank: int
    label: str
    low: float
    high: float
    score: float
    disagreement: bool = False


def text(value: object) -> Markup:
    """Escaped text that is also valid XML."""
    return escape(_NOT_XML.sub("", str(value)))


def short(label: str, limit: int = LABEL_CHARS) -> str:
    label = " ".join(label.split())
    return label if len(label) <= limit else label[:limit - 1].rstrip() + "…"


def quantile(values: Sequence[float], q: float) -> float:
    """The q-quantile of the values, by linear interpolation between order statistics."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    below = math.floor(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def five_numbers(values: Sequence[float]) -> tuple[float, float, float, float, float]:
    """Lowest, lower quartile, median, upper quartile, highest."""
    return (min(values), quantile(values, .25), quantile(values, .5), quantile(values, .75), max(values))


def _f(value: float) -> str:
    return f"{value:.1f}"


class _Axis:
    """The horizontal scale of review scores, from the scale's bottom to its top."""

    def __init__(self, low: float, high: float) -> None:
        self.low, self.high = low, high if high > low else low + 1

    def x(self, value: float) -> float:
        span = WIDTH - LABEL_WIDTH - RIGHT
        clamped = min(max(value, self.low), self.high)
        return LABEL_WIDTH + (clamped - self.low) / (self.high - self.low) * span

    def draw(self, bottom: float) -> list[str]:
        parts = []
        for tick in range(math.ceil(self.low - 1e-9), math.floor(self.high + 1e-9) + 1):
            x = _f(self.x(tick))
            parts.append(f'<line x1="{x}" y1="{TOP - 6}" x2="{x}" y2="{_f(bottom)}" stroke="{GRID}" '
                         f'stroke-width="1"/>')
            parts.append(f'<text x="{x}" y="{TOP - 12}" text-anchor="middle" font-size="13" fill="{TEXT}">'
                         f'{tick}</text>')
        return parts


def _svg(prefix: str, title: str, desc: str, height: float, body: list[str]) -> Markup:
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {WIDTH} {_f(height)}" '
            f'aria-labelledby="{prefix}-title {prefix}-desc" font-family="sans-serif">'
            f'<title id="{prefix}-title">{text(title)}</title><desc id="{prefix}-desc">{text(desc)}</desc>')
    return Markup(head + "".join(body) + "</svg>")  # nosec B704 - every text above is escaped by text()


def _label(y: float, label: str) -> str:
    return (f'<text x="{LABEL_WIDTH - 10}" y="{_f(y + 5)}" text-anchor="end" font-size="14" fill="{TEXT}">'
            f'{text(short(label))}</text>')


def _diamond(x: float, y: float, size: float = 6) -> str:
    points = f"{_f(x)},{_f(y - size)} {_f(x + size)},{_f(y)} {_f(x)},{_f(y + size)} {_f(x - size)},{_f(y)}"
    return f'<polygon points="{points}" fill="{RED}" stroke="#ffffff" stroke-width="1"/>'


def _legend(y: float, items: list[str]) -> list[str]:
    return [f'<text x="{LABEL_WIDTH}" y="{_f(y + 18 * n)}" font-size="13" fill="{MUTED}">{text(item)}</text>'
            for n, item in enumerate(items, start=1)]


def juror_distributions(series: Sequence[JurorSeries], low: float, high: float, prefix: str = "jurors") -> Markup:
    """Each juror's scores as a row: every review a dot, the middle half a box, the median a bar,
    the lowest to highest a line and the mean a diamond — a strict juror's row sits to the left."""
    axis = _Axis(low, high)
    bottom = TOP + ROW * max(len(series), 1)
    body = axis.draw(bottom)
    for n, juror in enumerate(series):
        y = TOP + ROW * n + ROW / 2
        body.append(_label(y, juror.label))
        if not juror.scores:
            continue
        lowest, q1, median, q3, highest = five_numbers(juror.scores)
        body.append(f'<line x1="{_f(axis.x(lowest))}" y1="{_f(y)}" x2="{_f(axis.x(highest))}" y2="{_f(y)}" '
                    f'stroke="{MUTED}" stroke-width="2"/>')
        body.append(f'<rect x="{_f(axis.x(q1))}" y="{_f(y - 10)}" width="{_f(max(axis.x(q3) - axis.x(q1), 1))}" '
                    f'height="20" fill="{BLUE_LIGHT}" stroke="{BLUE}" stroke-width="2"/>')
        body.append(f'<line x1="{_f(axis.x(median))}" y1="{_f(y - 10)}" x2="{_f(axis.x(median))}" '
                    f'y2="{_f(y + 10)}" stroke="{BLUE_DARK}" stroke-width="3"/>')
        body += [f'<circle cx="{_f(axis.x(score))}" cy="{_f(y + 14)}" r="3" fill="{BLUE}"/>'
                 for score in juror.scores]
        body.append(_diamond(axis.x(juror.mean), y))
    body += _legend(bottom, [_("Box: the middle half of the juror's scores; bar: the median; dots: each review."),
                             _("Diamond: the juror's mean. Rows far to the left are strict jurors.")])
    desc = _("One row per juror with the raw score of each of their reviews, on the scale from %(low)s to "
             "%(high)s: the box holds the middle half of the scores, the line runs from the lowest to the highest, "
             "and a diamond marks the mean. A row far to the left is a strict juror, far to the right a lenient "
             "one. The table below gives the same numbers.", low=_f(low), high=_f(high))
    return _svg(prefix, _("Each juror's scores"), desc, bottom + LEGEND + 10, body)


def ranking_spread(rows: Sequence[SpreadRow], low: float, high: float, score_name: str,
                   prefix: str = "ranking") -> Markup:
    """Entries in rank order: a line from the lowest to the highest review score, and a dot at the
    score that ranks (on the same scale); a line of disagreement is red and dashed."""
    axis = _Axis(low, high)
    bottom = TOP + ROW * max(len(rows), 1)
    body = axis.draw(bottom)
    for n, row in enumerate(rows):
        y = TOP + ROW * n + ROW / 2
        body.append(_label(y, f"{row.rank}. {row.label}"))
        colour, dash = (RED, ' stroke-dasharray="6 3"') if row.disagreement else (MUTED, "")
        x1, x2 = axis.x(row.low), axis.x(row.high)
        body.append(f'<line x1="{_f(x1)}" y1="{_f(y)}" x2="{_f(x2)}" y2="{_f(y)}" stroke="{colour}" '
                    f'stroke-width="3"{dash}/>')
        body += [f'<line x1="{_f(x)}" y1="{_f(y - 7)}" x2="{_f(x)}" y2="{_f(y + 7)}" stroke="{colour}" '
                 f'stroke-width="2"/>' for x in (x1, x2)]
        body.append(f'<circle cx="{_f(axis.x(row.score))}" cy="{_f(y)}" r="7" fill="{GREEN}" stroke="#ffffff" '
                    f'stroke-width="2"/>')
    body += _legend(bottom, [_("Line: from the lowest to the highest review score; dot: %(score)s.", score=score_name),
                             _("A red dashed line: the jurors disagree strongly; discuss the entry.")])
    desc = _("The ranked entries, best first, on the review scale from %(low)s to %(high)s. For each entry a line "
             "runs from its lowest to its highest review score and a dot marks %(score)s. A long line means the "
             "jurors disagree. The ranking table gives the same numbers.", low=_f(low), high=_f(high),
             score=score_name)
    return _svg(prefix, _("The ranking and the spread of each entry"), desc, bottom + LEGEND + 10, body)
