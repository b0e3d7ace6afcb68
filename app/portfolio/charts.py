"""Small charts of a project's lifecycle drawn on the server as SVG: an indicator's history as a
sparkline. No chart library, no script; pages allow no inline styles, so colours and sizes are SVG
presentation attributes. Each chart is an image with a title and a description, and the page shows
the same numbers in a table beside it."""
from __future__ import annotations

import datetime as dt
import re
from typing import Sequence

from flask_babel import format_decimal
from flask_babel import gettext as _
from markupsafe import Markup, escape

TEXT, MUTED, BLUE, GREEN = "#0b0c0c", "#505a5f", "#1d70b8", "#00703c"
WIDTH, HEIGHT, PAD = 240, 64, 6
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_ID = re.compile(r"[^A-Za-z0-9_-]")


def _text(value: object) -> Markup:
    return escape(_NOT_XML.sub("", str(value)))


def _f(value: float) -> str:
    return f"{value:.1f}"


def number(value: float | None) -> str:
    """A measurement as people read it: grouped, at most three decimals, no trailing zeros."""
    if value is None:
        return "—"
    return format_decimal(value, format="#,##0.###")


def sparkline(points: Sequence[tuple[dt.date, float]], *, name: str, unit: str = "", baseline: float | None = None,
              target: float | None = None, prefix: str = "indicator") -> Markup | None:
    """An indicator's values over time as a line, with the baseline (grey) and the target (green,
    dashed) as horizontal lines; None when nothing has been measured yet."""
    if not points:
        return None
    prefix = _ID.sub("-", prefix)
    values = [v for _d, v in points] + [v for v in (baseline, target) if v is not None]
    low, high = min(values), max(values)
    if high - low < 1e-12:
        low, high = low - 1, high + 1
    first, last = points[0][0].toordinal(), points[-1][0].toordinal()
    span = last - first

    def x(index: int, day: dt.date) -> float:
        if span <= 0:
            return WIDTH / 2 if len(points) == 1 else PAD + index * (WIDTH - 2 * PAD) / (len(points) - 1)
        return PAD + (day.toordinal() - first) / span * (WIDTH - 2 * PAD)

    def y(value: float) -> float:
        return HEIGHT - PAD - (value - low) / (high - low) * (HEIGHT - 2 * PAD)

    body: list[str] = []
    if baseline is not None:
        body.append(f'<line x1="0" y1="{_f(y(baseline))}" x2="{WIDTH}" y2="{_f(y(baseline))}" stroke="{MUTED}" '
                    f'stroke-width="1"/>')
    if target is not None:
        body.append(f'<line x1="0" y1="{_f(y(target))}" x2="{WIDTH}" y2="{_f(y(target))}" stroke="{GREEN}" '
                    f'stroke-width="1.5" stroke-dasharray="4 3"/>')
    coords = [(x(i, day), y(value)) for i, (day, value) in enumerate(points)]
    if len(coords) > 1:
        line = " ".join(f"{_f(cx)},{_f(cy)}" for cx, cy in coords)
        body.append(f'<polyline points="{line}" fill="none" stroke="{BLUE}" stroke-width="2"/>')
    body.extend(f'<circle cx="{_f(cx)}" cy="{_f(cy)}" r="3" fill="{BLUE}"/>' for cx, cy in coords)
    suffix = f" {unit}" if unit else ""
    title = _("History of %(name)s", name=name)
    desc = _("%(count)s values from %(first)s (%(start)s) to %(last)s (%(end)s).", count=len(points),
             first=number(points[0][1]) + suffix, start=points[0][0].isoformat(),
             last=number(points[-1][1]) + suffix, end=points[-1][0].isoformat())
    if baseline is not None:
        desc += " " + _("Baseline: %(value)s.", value=number(baseline) + suffix)
    if target is not None:
        desc += " " + _("Target: %(value)s.", value=number(target) + suffix)
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="sparkline" role="img" width="{WIDTH}" height="{HEIGHT}" '
            f'viewBox="0 0 {WIDTH} {HEIGHT}" aria-labelledby="{prefix}-title {prefix}-desc">'
            f'<title id="{prefix}-title">{_text(title)}</title><desc id="{prefix}-desc">{_text(desc)}</desc>')
    return Markup(head + "".join(body) + "</svg>")  # nosec B704 - every text above is escaped
